package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// Config is what an export needs. Client, Entities, Output and StateDir are
// required; the rest has defaults.
type Config struct {
	Client *restapi.Client
	// Entities are the tables to write, in order (see ParseEntity).
	Entities []Entity
	// Category limits cards (and to-dos) to one module; 0 exports every
	// module's.
	Category int
	// Output is the file to write (for CSV with several tables, a
	// directory); Format its format (default: from the extension).
	Output string
	Format Format
	CSV    CSVOptions
	// IDs writes dropdown values as option ids instead of labels.
	IDs bool
	// Columns selects, orders and renames the columns (case-insensitive
	// API names or headers; see ParseColumns); empty: all.
	Columns []ColumnSpec
	// Headers names columns and tables: HeadersAPI (default; what an
	// import reads back) or HeadersHU.
	Headers Headers
	// PerModule writes the cards as a table per module (named after it,
	// with that module's fields only) instead of one table of all; "all"
	// sets it.
	PerModule bool

	// Items adds to invoices, orders and offers a second table: their
	// lines, from each document's detail.
	Items bool
	// Since and Until keep the documents issued on those days or between
	// them (an order without an issue date: its performance date); zero:
	// no bound. Status keeps a status group (Lead, Open, Success, Failed)
	// or a status by name.
	Since, Until time.Time
	Status       string

	// Details reads every record's detail: every schema field, custom ones
	// included (a request per record; resumable).
	Details bool
	// Addresses, with Details, adds the default address to the tables of
	// contacts (Country, PostalCode, City, County, Address): a request for
	// the contact's AddressList and one per address read until the default
	// one, with each contact's detail.
	Addresses bool
	// Incremental lists only what changed since the target's last run
	// (UpdatedSince its watermark) and merges it into the snapshot kept in
	// the state directory.
	Incremental bool
	// FromChanges is a webhook change log directory (package webhook) to
	// apply to the last export instead of listing what changed.
	FromChanges string
	// FullRefresh lists everything again even with Incremental or
	// FromChanges (a contact deleted in MiniCRM leaves the snapshot only
	// so).
	FullRefresh bool
	// Resume continues the target's interrupted run: detail records (and
	// to-do lists) already fetched by it are not fetched again. Without it
	// an interrupted run is started afresh.
	Resume bool

	// StateDir holds the snapshot (state.db, shared with imports).
	StateDir string
	// Target names the snapshot in the state directory; default: the
	// system and the absolute output path.
	Target string
	// Overlap is subtracted from a listing's time to make the next
	// UpdatedSince, and from the run's start for the next --from-changes
	// (default 5s).
	Overlap time.Duration
	// Workers is the number of detail records read at a time (default 4).
	Workers int

	// Now is MiniCRM's clock for the watermarks (pipeline.ServerClock.Now);
	// time.Now when nil.
	Now func() time.Time
	// Progress, when set, is called every ProgressEvery (default 1s) and
	// once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Logger receives what the run decides; default: discard.
	Logger *slog.Logger
}

// Progress is a snapshot of a run for progress displays.
type Progress struct {
	// Phase is "schemas", "list", "details", "write" or "done".
	Phase string
	// Done and Total count the phase's items: records listed (Total 0:
	// unknown), details read, rows written.
	Done, Total int
	// Requests is the number of HTTP requests sent so far by this run.
	Requests int
	Elapsed  time.Duration
}

// ErrInterrupted is wrapped by Export's error when ctx ended the run.
var ErrInterrupted = state.ErrInterrupted

// run is one export's working set.
type run struct {
	cfg    Config
	c      *restapi.Client
	db     *state.DB
	log    *slog.Logger
	now    func() time.Time
	target string
	meta   *state.ExportMeta
	runID  int
	sch    *schemas
	tables []*table

	needContacts, needCards, needToDos bool
	// docCats are the modules of the exported kinds of document, whose
	// cards are listed for the company of each document.
	docCats  []int
	needDocs bool
	// joinCompanies reads the detail of every company a person or card
	// row names (for its tax ids), besides the documents' companies.
	joinCompanies bool
	// detailKinds are the record kinds whose detail is read; addrKinds
	// those whose default address is read with it (a table shows it).
	detailKinds, addrKinds map[string]bool
	// fullScopes are the scopes listed completely this run.
	fullScopes map[string]bool
	// listedCats are the modules whose cards the run lists.
	listedCats []int

	// cmeta is the system cache's meta (see cache.go): its watermarks.
	cmeta *state.ExportMeta
	// schemasRead says a schema was read from MiniCRM this run (not the
	// cache); reloadSchemas that the cache is bypassed after a miss;
	// missed that a record named an option a cached schema lacks.
	schemasRead, reloadSchemas bool
	missed                     atomic.Bool
	misses                     missSet

	sum        *Summary
	statsStart restapi.Stats
	started    time.Time
	startLocal time.Time

	phase       atomic.Value
	done, total atomic.Int64
	// touched counts the snapshot records read since the state file's
	// mapped pages were last released (see touch).
	touched atomic.Int64
}

// touch counts n snapshot records read or written and, every few thousand,
// lets the kernel take back the state file's pages this process has mapped
// (state.DB.ReleaseMapped): a scan of 100,000 records would otherwise keep
// the whole snapshot in the process's resident memory.
func (r *run) touch(n int) {
	if r.touched.Add(int64(n)) >= 2000 {
		r.touched.Store(0)
		r.db.ReleaseMapped()
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Export lists what Config asks from MiniCRM into the snapshot in the state
// directory (everything, what changed since the last run, or the changes
// of a webhook log), reads detail records when asked, and writes the
// tables from the snapshot, in Id order, to the output atomically.
//
// The Summary is returned whenever the run started, even with an error.
// The error wraps ErrInterrupted when ctx ended the run: what was fetched
// is kept, and Resume continues.
func Export(ctx context.Context, cfg Config) (*Summary, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	defer r.db.Close()
	err = r.execute(ctx)
	r.sum.Duration = time.Since(r.startLocal)
	st := r.c.Stats()
	r.sum.Requests = diffRequests(st.Requests, r.statsStart.Requests)
	r.sum.RequestsTotal = st.Attempts - r.statsStart.Attempts
	r.sum.RateLimited = st.RateLimited - r.statsStart.RateLimited
	r.sum.Retries = st.Retries - r.statsStart.Retries
	r.progress("done")
	if err != nil && ctx.Err() != nil {
		r.sum.Status = "interrupted"
		return r.sum, fmt.Errorf("%w: %w", ErrInterrupted, ctx.Err())
	}
	if err != nil {
		r.sum.Status = "failed"
		return r.sum, err
	}
	r.sum.Status = "finished"
	return r.sum, nil
}

func newRun(cfg Config) (*run, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("export: Config.Client is required")
	case len(cfg.Entities) == 0:
		return nil, errors.New("export: no entity to export")
	case cfg.Output == "":
		return nil, errors.New("export: Config.Output is required")
	case cfg.StateDir == "":
		return nil, errors.New("export: Config.StateDir is required")
	}
	if cfg.Format == "" {
		cfg.Format = FormatOf(cfg.Output)
	}
	if cfg.Format != CSV && cfg.Format != XLSX {
		return nil, fmt.Errorf("export: format %q: want csv or xlsx", cfg.Format)
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 5 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = time.Second
	}
	r := &run{cfg: cfg, c: cfg.Client, log: cfg.Logger, now: cfg.Now, startLocal: time.Now(),
		statsStart: cfg.Client.Stats(), fullScopes: map[string]bool{}, detailKinds: map[string]bool{},
		addrKinds: map[string]bool{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.phase.Store("schemas")
	r.sum = &Summary{Output: cfg.Output, Format: cfg.Format}
	for _, e := range cfg.Entities {
		switch e {
		case Contacts, Businesses, Persons:
			r.needContacts = true
		case Projects:
			r.needContacts, r.needCards = true, true
		case ToDos:
			r.needCards, r.needToDos = true, true
		case Invoices, Orders, Offers:
			// The list lacks the customer and the lines: the detail is
			// always read. The contacts are listed for the card's company.
			r.needContacts, r.needDocs = true, true
			r.detailKinds[docKinds[e]] = true
		default:
			return nil, fmt.Errorf("export: unknown entity %q", e)
		}
		if cfg.Details && (e == Contacts || e == Persons || e == Projects) {
			// The company's tax ids are in its detail record: read those
			// of the companies the rows name.
			r.joinCompanies = true
		}
		if cfg.Details {
			switch e {
			case Contacts:
				r.detailKinds[kindBusiness], r.detailKinds[kindPerson] = true, true
				r.addrKinds[kindBusiness], r.addrKinds[kindPerson] = cfg.Addresses, cfg.Addresses
			case Businesses:
				r.detailKinds[kindBusiness], r.addrKinds[kindBusiness] = true, cfg.Addresses
			case Persons:
				r.detailKinds[kindPerson], r.addrKinds[kindPerson] = true, cfg.Addresses
			case Projects:
				r.detailKinds[kindProject] = true
			case ToDos:
				r.detailKinds[kindToDo] = true
			}
		}
	}
	target := cfg.Target
	if target == "" {
		abs, err := filepath.Abs(cfg.Output)
		if err != nil {
			return nil, err
		}
		target = cfg.Client.SystemID() + ":" + abs
	}
	r.target = target
	db, err := state.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	r.db = db
	return r, nil
}

// options fingerprints what shapes the snapshot.
func (r *run) options() string {
	ents := make([]string, 0, len(r.cfg.Entities))
	for _, e := range r.cfg.Entities {
		ents = append(ents, string(e))
	}
	slices.Sort(ents)
	ents = slices.Compact(ents)
	s := fmt.Sprintf("entities=%s category=%d details=%t", strings.Join(ents, ","), r.cfg.Category, r.cfg.Details)
	if g, ok := statusGroup(r.cfg.Status); ok && r.needDocs {
		// A full listing asks for the status group only (a status name
		// filters what is written, not what is listed).
		s += " status=" + g
	}
	sum := sha256.Sum256([]byte(s))
	return s + " " + hex.EncodeToString(sum[:4])
}

func (r *run) execute(ctx context.Context) error {
	r.started = r.now()
	if err := r.loadSchemas(ctx); err != nil {
		return err
	}
	if err := r.buildTables(); err != nil {
		return err
	}
	if err := r.begin(); err != nil {
		return err
	}
	r.phase.Store("list")
	stopProgress := r.startProgress()
	defer stopProgress()
	if err := r.refresh(ctx); err != nil {
		return err
	}
	if len(r.detailKinds) > 0 {
		if err := r.fetchDetails(ctx); err != nil {
			return err
		}
	}
	if r.needDocs || r.joinCompanies {
		if err := r.fetchCompanies(ctx); err != nil {
			return err
		}
	}
	if r.missed.Load() && !r.reloadSchemas {
		// A record named an option the cached schemas lack: read them
		// again, so that the rows show its label.
		r.log.Info("a value the cached schemas do not know: reading the schemas again")
		r.reloadSchemas = true
		if err := r.loadSchemas(ctx); err != nil {
			return err
		}
		if err := r.buildTables(); err != nil {
			return err
		}
		if err := r.rememberMisses(); err != nil {
			return err
		}
	}
	r.phase.Store("write")
	if err := r.write(ctx); err != nil {
		return err
	}
	populated, err := r.populatedModules()
	if err != nil {
		return err
	}
	r.meta.Status, r.meta.FinishedAt = state.StatusFinished, r.now()
	r.meta.ChangesSince = r.startLocal.Add(-r.cfg.Overlap)
	r.meta.Cursors, r.meta.Populated = nil, populated
	return r.db.CommitExport(r.target, &state.ExportBatch{Meta: r.meta})
}

// buildTables lays out the tables from the schemas.
func (r *run) buildTables() error {
	tables := make([]*table, 0, len(r.cfg.Entities))
	addresses := r.cfg.Details && r.cfg.Addresses
	for _, e := range r.cfg.Entities {
		switch {
		case e == Projects && r.cfg.PerModule:
			for _, c := range r.sch.categories {
				tables = append(tables, buildTable(e, r.cfg.Details, r.sch, c.Id))
			}
		case docKinds[e] != "":
			tables = append(tables, buildDocTable(e))
			if r.cfg.Items {
				tables = append(tables, buildItemTable(e))
			}
		default:
			tables = append(tables, buildTable(e, r.cfg.Details, r.sch, 0))
		}
	}
	if !addresses {
		for _, t := range tables {
			t.cols = slices.DeleteFunc(t.cols, func(c column) bool { return c.src != "" })
		}
	}
	applyHeaders(tables, r.cfg.Headers)
	tables, err := selectColumns(tables, r.cfg.Columns)
	if err != nil {
		return err
	}
	r.tables = tables
	return nil
}

// loadSchemas reads the modules and the schemas the tables need.
func (r *run) loadSchemas(ctx context.Context) error {
	s := &schemas{projects: map[int]*restapi.Schema{}}
	var err error
	if r.sch == nil { // not again when the schemas are read again
		if err := r.loadDocCategories(ctx); err != nil {
			return err
		}
	}
	if r.needContacts {
		if s.person, err = r.cachedSchema(ctx, "Person", 0); err != nil {
			return fmt.Errorf("reading the Person schema: %w", err)
		}
		if s.business, err = r.cachedSchema(ctx, "Business", 0); err != nil {
			return fmt.Errorf("reading the Business schema: %w", err)
		}
	}
	if r.needCards {
		cats, err := r.cachedCategories(ctx)
		if err != nil {
			return fmt.Errorf("reading the modules: %w", err)
		}
		slices.SortFunc(cats, func(a, b restapi.Category) int { return a.Id - b.Id })
		if r.cfg.Category != 0 {
			i := slices.IndexFunc(cats, func(c restapi.Category) bool { return c.Id == r.cfg.Category })
			if i < 0 && !r.reloadSchemas && !r.schemasRead {
				// A module newer than the cached list?
				r.reloadSchemas = true
				return r.loadSchemas(ctx)
			}
			if i < 0 {
				var have []string
				for _, c := range cats {
					have = append(have, fmt.Sprintf("%d (%s)", c.Id, c.Name))
				}
				return fmt.Errorf("export: module %d does not exist; the modules are %s", r.cfg.Category, strings.Join(have, ", "))
			}
			cats = cats[i : i+1]
		}
		s.categories = cats
		for _, c := range cats {
			sch, err := r.cachedSchema(ctx, "Project", c.Id)
			if err != nil {
				return fmt.Errorf("reading the schema of module %d: %w", c.Id, err)
			}
			s.projects[c.Id] = sch
			if s.todo == nil {
				if f, ok := sch.Field("UserId"); ok {
					s.todo = toDoSchema(f.Options)
				}
			}
		}
		if s.todo == nil {
			s.todo = toDoSchema(nil)
		}
	}
	r.sch = s
	return nil
}

// begin starts the run in the snapshot's meta: a new run, or the
// interrupted one again with Resume.
func (r *run) begin() error {
	meta, err := r.db.ExportMeta(r.target)
	if err != nil {
		return err
	}
	opts := r.options()
	if meta != nil && meta.Options != opts {
		r.log.Info("the export's options changed: starting a new snapshot", "was", meta.Options, "now", opts)
		if err := r.db.DropExport(r.target); err != nil {
			return err
		}
		meta = nil
	}
	switch {
	case meta == nil:
		meta = &state.ExportMeta{Options: opts, Run: 1}
	case r.cfg.Resume && meta.Status == state.StatusRunning:
		r.log.Info("resuming the interrupted export", "run", meta.Run)
		r.sum.Resumed = true
	default:
		meta.Run++
		meta.Cursors = nil
	}
	meta.Status, meta.StartedAt, meta.FinishedAt = state.StatusRunning, r.started, time.Time{}
	if meta.Watermarks == nil {
		meta.Watermarks = map[string]time.Time{}
	}
	r.meta, r.runID = meta, meta.Run
	r.sum.Run = meta.Run
	return r.db.CommitExport(r.target, &state.ExportBatch{Meta: meta})
}

// progress reports to Config.Progress.
func (r *run) progress(phase string) {
	if r.cfg.Progress == nil {
		return
	}
	if phase == "" {
		phase, _ = r.phase.Load().(string)
	}
	st := r.c.Stats()
	r.cfg.Progress(Progress{Phase: phase, Done: int(r.done.Load()), Total: int(r.total.Load()),
		Requests: st.Attempts - r.statsStart.Attempts, Elapsed: time.Since(r.startLocal)})
}

func (r *run) startProgress() func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				r.progress("")
			}
		}
	}()
	return func() { close(stop); <-done }
}

func (r *run) setPhase(p string, total int) {
	r.phase.Store(p)
	r.done.Store(0)
	r.total.Store(int64(total))
}

// write writes every table from the snapshot, in Id order.
func (r *run) write(ctx context.Context) error {
	var w Writer
	multi := len(r.tables) > 1
	if r.cfg.Format == XLSX {
		xw, err := NewXLSXWriter(r.cfg.Output)
		if err != nil {
			return err
		}
		xw.(*xlsxWriter).totalLabel = totalLabel(r.cfg.Headers)
		w = xw
	} else {
		w = r.csvWriter(multi)
		if multi && w == nil {
			return fmt.Errorf("export: %s is a file; several tables in CSV need a directory (or an .xlsx)", r.cfg.Output)
		}
	}
	labels := !r.cfg.IDs
	err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
		total := 0
		for _, t := range r.tables {
			if err := v.Each(t.scope, 0, func(rec *state.ExportRecord) error {
				r.touch(1)
				if r.writable(t, rec) {
					total++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		r.setPhase("write", total)
		var cells []Cell
		for _, t := range r.tables {
			cols := make([]Column, len(t.cols))
			for i, c := range t.cols {
				cols[i] = c.Column
			}
			if err := w.Table(t.name, cols); err != nil {
				return err
			}
			n := 0
			emit := func(cells []Cell) error {
				n++
				return w.Row(cells)
			}
			err := v.Each(t.scope, 0, func(rec *state.ExportRecord) error {
				r.touch(1)
				if !r.writable(t, rec) {
					return nil
				}
				if n%1000 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				r.done.Add(1)
				var err error
				if t.items {
					cells, err = t.itemRows(rec, cells, emit)
					return err
				}
				if cells, err = t.row(rec, r.sch, labels, v, cells); err != nil {
					return err
				}
				return emit(cells)
			})
			if err != nil {
				return err
			}
			r.sum.table(t.name).Rows = n
		}
		return nil
	})
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	r.sum.Files = w.Paths()
	return nil
}

// writable reports whether a snapshot record is a row of the table: its
// kind, and for cards and to-dos an exported module (a module deleted from
// MiniCRM leaves its cards in the snapshot, unwritten).
func (r *run) writable(t *table, rec *state.ExportRecord) bool {
	if !slices.Contains(t.kinds, rec.Kind) {
		return false
	}
	if isDocKind(rec.Kind) {
		return r.inRange(rec)
	}
	if t.category > 0 && rec.CategoryId != t.category {
		return false
	}
	return rec.Kind != kindProject && rec.Kind != kindToDo || r.exportedCategory(rec.CategoryId)
}
