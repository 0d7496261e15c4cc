package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// Config is what an import needs. Client, MappingPath (or Mapping),
// StateDir and OutDir are required; everything else has a default.
type Config struct {
	Client *restapi.Client
	// MappingPath is the mapping file; Mapping, when set, is used instead of
	// loading it (MappingPath still names the job).
	MappingPath string
	Mapping     *mapping.Mapping
	// Schemas, when set, are used instead of fetching them.
	Schemas *mapping.Schemas
	// SourcePath overrides the source file the mapping names.
	SourcePath string
	// StateDir holds the journal and the mirror (state.db); OutDir the
	// outputs (success.csv or plan.csv, errors.csv, summary.json).
	StateDir string
	OutDir   string

	// DryRun sends read requests only and writes plan.csv.
	DryRun bool
	// Resume continues the job's interrupted run, if there is one on the
	// same mapping and source bytes; otherwise the run starts afresh.
	Resume bool
	// FullRefresh lists every contact and card again instead of those
	// changed since the last run.
	FullRefresh bool

	// Workers is the number of rows written at the same time (default 4):
	// enough to keep the rate limit saturated at the latencies MiniCRM has.
	Workers int
	// BatchSize is the number of rows that travel together between the
	// reading stages (default 100).
	BatchSize int
	// Overlap is subtracted from the time of a mirror refresh to make the
	// next refresh's UpdatedSince (default 5 seconds): it covers MiniCRM's
	// one-second resolution and the error of the clock (see ServerClock).
	// Records written within it before a run ended are listed again by the
	// next run.
	Overlap time.Duration
	// Grace is how long rows under way may go on after ctx ends before
	// their requests are cancelled too (default 20s).
	Grace time.Duration

	// Progress, when set, is called every ProgressEvery (default 1s) and
	// once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Logger receives what the run decides (resume or not, the refresh);
	// default: discard.
	Logger *slog.Logger
	// Now is the clock the watermarks are taken from: MiniCRM's, ideally
	// (ServerClock.Now); time.Now when nil.
	Now func() time.Time

	// Via is the path of the creates: ViaREST (default), ViaFeed (the new
	// cards with their new companies and people as XML sync feeds, the
	// rest over REST) or ViaAuto (the feed when the plan says REST would
	// take over an hour and the feed less). See viafeed.go.
	Via string
	// FeedID is the system's SyncFeed id (POST /Api/SyncFeed/<FeedId>/Upload),
	// needed by ViaFeed and ViaAuto.
	FeedID int
	// FeedWait is how long to wait for MiniCRM to apply a pushed feed
	// (default 10 minutes).
	FeedWait time.Duration

	// collect, on a dry run, receives the lines whose records are all new
	// (the rows a feed can create); adopt, on a real run, are the lines a
	// feed created: their records are found by their links and taken as
	// created with the row's values, without a write.
	collect func(line int)
	adopt   map[int]bool
}

// Progress is a snapshot of a run for progress displays.
type Progress struct {
	// Phase is "schemas", "mirror", "rows" or "done".
	Phase string
	// Rows is the number of source rows finished, Total the number in the
	// file (0 while unknown).
	Rows, Total int
	// Requests is the number of HTTP requests sent so far by this run.
	Requests int
	// Elapsed is the time since the rows phase began (since the start
	// before that).
	Elapsed time.Duration
	// RPM is the rate limit the client keeps to (requests a minute).
	RPM int
	// RowRequests are the requests sent since the rows phase began: with
	// Rows, what a row costs at this run's pace (a resumed run counts only
	// its own rows and requests).
	RowRequests int
}

// Entity actions, as success.csv and the journal name them.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
	ActionSkipped   = "skipped"
	ActionError     = "error"
)

// Row statuses.
const (
	RowOK      = "ok"
	RowError   = "error"
	RowSkipped = "skipped"
)

// Output file names in OutDir.
const (
	SuccessFile = "success.csv"
	ErrorsFile  = "errors.csv"
	PlanFile    = "plan.csv"
	SummaryFile = "summary.json"
)

// ErrInterrupted is wrapped by Import's error when ctx ended the run.
var ErrInterrupted = errors.New("interrupted")

// run is one import's working set.
type run struct {
	cfg    Config
	c      *restapi.Client
	m      *mapping.Mapping
	plan   *mapping.Plan
	header []string
	canon  *canonizer
	mir    *mirror
	db     *state.DB
	com    *committer
	log    *slog.Logger
	now    func() time.Time
	sum    *Summary
	out    *outputs

	job, system string
	resume      bool
	journal     map[int]state.RowOutcome
	// carry holds, on resume, the records each unfinished row had already
	// created (from the journal and from settled pending creates): the row
	// reports them as created when it runs again.
	carry map[int]map[mapping.EntityKind]int
	marks map[string]time.Time

	// failErr is the first fatal error of a writer; cancelRun stops the
	// requests.
	failMu    sync.Mutex
	failErr   error
	cancelRun context.CancelFunc

	statsStart restapi.Stats
	started    time.Time // by Config.Now, for the summary
	// startedMono and rowsStart time the run on this machine's monotonic
	// clock (Config.Now may be the server's, which moves in steps).
	startedMono time.Time
	rowsStart   atomic.Pointer[time.Time]
	// rowRequestsStart is Progress.Requests when the rows phase began.
	rowRequestsStart atomic.Int64
	phase            atomic.Value // string
	total            atomic.Int64
	rowsDone         atomic.Int64
	writes           atomic.Int64 // writes that MiniCRM carried out
	rematched        atomic.Int64 // creates whose lost answer was settled by a search
	details          atomic.Int64 // detail records fetched
	searches         atomic.Int64 // key searches (external id) sent
	warns            warnings
}

// Import runs an import: it reads the source, maps every row, matches each
// record against the mirror of MiniCRM, diffs it and writes what differs,
// journaling every row's outcome in the state directory and writing the
// outputs to OutDir. Every source row ends in exactly one of success.csv (or
// plan.csv) and errors.csv.
//
// The Summary is returned whenever the run got as far as reading the
// mapping, even with an error. The error is nil when the run finished (rows
// may have been rejected: see Summary.Rows.Rejected); it wraps
// ErrInterrupted and ctx's error when ctx ended the run (the checkpoint is
// saved; Resume continues it); anything else is fatal (a bad mapping, an
// unreadable source, authentication, MiniCRM unreachable, the state
// directory).
func Import(ctx context.Context, cfg Config) (*Summary, error) {
	switch cfg.Via {
	case "", ViaREST:
		return importOnce(ctx, cfg)
	case ViaFeed, ViaAuto:
		return importViaFeed(ctx, cfg)
	}
	return nil, fmt.Errorf("pipeline: Config.Via is %q, %q or %q, not %q", ViaREST, ViaFeed, ViaAuto, cfg.Via)
}

// importOnce is one pass of the import over the rows.
func importOnce(ctx context.Context, cfg Config) (*Summary, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	err = r.execute(ctx)
	if r.out != nil {
		if cerr := r.out.close(); err == nil {
			err = cerr
		}
	}
	r.finish(ctx, err)
	if r.out != nil {
		if werr := r.writeSummary(); werr != nil && err == nil {
			err = werr
		}
	}
	if err == nil && ctx.Err() != nil && r.sum.Status == StatusInterrupted {
		err = fmt.Errorf("%w: %w", ErrInterrupted, ctx.Err())
	}
	return r.sum, err
}

func newRun(cfg Config) (*run, error) {
	if cfg.Client == nil {
		return nil, errors.New("pipeline: Config.Client is required")
	}
	if cfg.MappingPath == "" && cfg.Mapping == nil {
		return nil, errors.New("pipeline: Config.MappingPath is required")
	}
	if cfg.StateDir == "" || cfg.OutDir == "" {
		return nil, errors.New("pipeline: Config.StateDir and Config.OutDir are required")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 5 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 20 * time.Second
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := &run{cfg: cfg, c: cfg.Client, log: log, now: cfg.Now, carry: map[int]map[mapping.EntityKind]int{},
		marks: map[string]time.Time{}}
	r.started, r.startedMono = r.now(), time.Now()
	r.statsStart = r.c.Stats()
	r.phase.Store("schemas")
	r.sum = newSummary(cfg, r.started)
	return r, nil
}

// execute does the run; finish records how it ended.
func (r *run) execute(ctx context.Context) error {
	stopProgress := r.startProgress()
	defer stopProgress()

	// 1. The mapping, checked against the schema and the source's header.
	m := r.cfg.Mapping
	if m == nil {
		var err error
		if m, err = mapping.Load(r.cfg.MappingPath); err != nil {
			return err
		}
	}
	r.m = m
	mappingPath := r.cfg.MappingPath
	if mappingPath == "" {
		mappingPath = m.Path
	}
	srcPath := r.cfg.SourcePath
	if srcPath == "" {
		srcPath = m.SourcePath()
	}
	r.sum.Mapping, r.sum.Source = mappingPath, srcPath
	schemas := r.cfg.Schemas
	if schemas == nil {
		var err error
		if schemas, err = mapping.FetchSchemas(ctx, r.c, m); err != nil {
			return err
		}
	}
	src, err := m.OpenSource(srcPath)
	if err != nil {
		return err
	}
	defer src.Close()
	r.header = src.Header()
	if r.plan, err = mapping.Compile(m, schemas, r.header); err != nil {
		return err
	}
	if err := r.plan.NoOrders(); err != nil { // orders go through feed build (xmlfeed/orders.go)
		return err
	}
	r.canon = &canonizer{phones: mapping.PhoneNormalizer{Region: m.PhoneRegion}, schemas: map[mapping.EntityKind]*restapi.Schema{}}
	for _, k := range m.Entities() {
		r.canon.schemas[k] = r.plan.Schema(k)
	}
	if r.cfg.Progress != nil {
		if n, err := countRows(ctx, m, srcPath); err == nil {
			r.total.Store(int64(n))
		}
	}

	// 2. The state directory: the job, and whether to resume it.
	if r.db, err = state.Open(r.cfg.StateDir); err != nil {
		return err
	}
	r.system = r.c.BaseURL() + "#" + r.c.SystemID()
	runRec, err := r.identify(mappingPath, srcPath)
	if err != nil {
		return err
	}
	if err := r.decideResume(runRec); err != nil {
		return err
	}
	r.com = newCommitter(r.db, r.job, r.system, r.cfg.DryRun)

	// 3. The outputs.
	if r.out, err = openOutputs(r.cfg.OutDir, r.header, r.cfg.DryRun, r.plan); err != nil {
		return err
	}

	// 4. The mirror: loaded, refreshed, and the creates a dead run left
	// unsettled looked up in MiniCRM.
	r.phase.Store("mirror")
	r.mir = newMirror(r.plan, r.canon)
	if err := r.openMirror(ctx); err != nil {
		return err
	}
	if err := r.settlePending(ctx); err != nil {
		return err
	}
	if !r.cfg.DryRun {
		if err := r.db.StartRun(runRec, r.resume); err != nil {
			return err
		}
	}

	// 5. The rows.
	r.phase.Store("rows")
	rowsStart := time.Now()
	r.rowRequestsStart.Store(int64(r.c.Stats().Attempts - r.statsStart.Attempts))
	r.rowsStart.Store(&rowsStart)
	if err := r.rows(ctx, src); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil // interrupted: finish says so
	}

	// 6. Catch up the mirror with what this run wrote (and what others
	// wrote meanwhile), so the next run starts from here.
	// Every row is done by now: a failure here costs the next run a few more
	// list pages (it lists from the older watermark), nothing else.
	if !r.cfg.DryRun && r.writes.Load() > 0 {
		// MiniCRM's UpdatedAt has whole seconds: the closing listing
		// starts in a second after the run's last write, so that a listing
		// "since the closing one" shows only what changed after it (see
		// refresh). At most a second's wait, once a run.
		if wait := r.now().Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(r.now()); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		if err := r.refresh(ctx, true); err != nil {
			if ctx.Err() != nil {
				return err
			}
			r.log.Warn("could not bring the mirror up to date after the run; the next run lists from an older watermark", "err", err)
		}
	}
	if !r.cfg.DryRun {
		if err := r.db.FinishRun(r.job, r.now()); err != nil {
			return err
		}
	}
	return nil
}

// identify computes the job's identity and the run record.
func (r *run) identify(mappingPath, srcPath string) (*state.Run, error) {
	absM, err := filepath.Abs(mappingPath)
	if err != nil {
		return nil, err
	}
	absS, err := filepath.Abs(srcPath)
	if err != nil {
		return nil, err
	}
	mh, _, _, err := hashFile(absM)
	if err != nil && r.cfg.Mapping == nil {
		return nil, err
	}
	sh, size, mtime, err := hashFile(absS)
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256([]byte(absM + "\x00" + absS + "\x00" + r.system))
	r.job = hex.EncodeToString(d[:8])
	return &state.Run{Job: r.job, System: r.system, MappingPath: absM, MappingHash: mh, SourcePath: absS, SourceHash: sh,
		SourceSize: size, SourceModTime: mtime, Status: state.StatusRunning, StartedAt: r.started}, nil
}

// decideResume looks at the job's last run.
func (r *run) decideResume(cur *state.Run) error {
	last, err := r.db.LastRun(r.job)
	if err != nil {
		return err
	}
	switch {
	case r.cfg.DryRun:
	case r.cfg.Resume && last != nil && last.Status == state.StatusRunning && last.SameInput(cur):
		r.resume = true
		cur.StartedAt, cur.Resumes = last.StartedAt, last.Resumes+1
		if r.journal, err = r.db.Journal(r.job); err != nil {
			return err
		}
		for line, o := range r.journal {
			if o.Done {
				continue
			}
			for _, e := range o.Entities {
				if e.Action == ActionCreated && e.Id > 0 {
					r.carryCreated(line, mapping.EntityKind(e.Kind), e.Id)
				}
			}
		}
		r.log.Info("resuming the interrupted run", "started", last.StartedAt, "rows journaled", len(r.journal))
	case r.cfg.Resume && last == nil:
		r.log.Info("nothing to resume: this job has not run before")
	case r.cfg.Resume && last.Status == state.StatusFinished:
		r.log.Info("nothing to resume: the last run finished; comparing every row afresh")
	case r.cfg.Resume:
		r.log.Warn("the mapping or the source changed since the interrupted run; comparing every row afresh")
	case last != nil && last.Status == state.StatusRunning:
		r.log.Warn("the last run was interrupted; starting afresh (--resume continues it instead)")
	}
	r.sum.Resumed = r.resume
	return nil
}

func (r *run) carryCreated(line int, kind mapping.EntityKind, id int) {
	if r.carry[line] == nil {
		r.carry[line] = map[mapping.EntityKind]int{}
	}
	r.carry[line][kind] = id
}

// rows runs the stages over the source:
//
//	read → map → plan (match) → write (N workers) → outcomes
//
// connected by bounded channels, stopping together on a fatal error.
func (r *run) rows(ctx context.Context, src source.Reader) error {
	// runCtx carries the requests. It outlives ctx by the grace period, so
	// that rows under way when the user interrupts are finished and
	// journaled instead of being cut in the middle.
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRun()
	r.cancelRun = cancelRun
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(r.cfg.Grace, cancelRun)
		context.AfterFunc(runCtx, func() { t.Stop() })
	})
	defer stopGrace()

	comDone := r.com.start(cancelRun)
	g, gctx := errgroup.WithContext(runCtx)
	batches := make(chan []rowItem, 2)
	jobs := make(chan []*rowJob, 2)
	work := make(chan *rowJob, r.cfg.Workers)
	outcomes := make(chan *outcome, 4*r.cfg.BatchSize)
	var producers sync.WaitGroup
	producers.Add(3 + r.cfg.Workers)
	produce := func(f func() error) {
		g.Go(func() error {
			defer producers.Done()
			return f()
		})
	}
	produce(func() error { defer close(batches); return r.read(ctx, gctx, src, batches) })
	produce(func() error { defer close(jobs); return r.mapRows(gctx, batches, jobs, outcomes) })
	pl := &planner{r: r, m: r.mir}
	produce(func() error { defer close(work); return pl.run(ctx, gctx, jobs, work, outcomes) })
	for range r.cfg.Workers {
		w := &worker{r: r}
		produce(func() error { w.run(ctx, gctx, work, outcomes); return nil })
	}
	g.Go(func() error { producers.Wait(); close(outcomes); return nil })
	g.Go(func() error { return r.sink(outcomes) })
	err := g.Wait()
	if err == nil {
		err = r.failed()
	}
	if cerr := r.com.stop(comDone); err == nil {
		err = cerr
	}
	if oerr := r.out.close(); err == nil {
		err = oerr
	}
	return err
}

// fail stops the run with a fatal error (the first one wins).
func (r *run) fail(err error) {
	r.failMu.Lock()
	if r.failErr == nil {
		r.failErr = err
	}
	r.failMu.Unlock()
	r.cancelRun()
}

func (r *run) failed() error {
	r.failMu.Lock()
	defer r.failMu.Unlock()
	return r.failErr
}

// stopped reports whether err only says that the run was stopped (the user
// interrupted, or a fatal error elsewhere cancelled the requests).
func stopped(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fatal reports whether an API error stops the whole run rather than one
// row: MiniCRM refusing the credentials, or not answering at all.
func fatal(err error) bool {
	var ne *restapi.NetworkError
	return errors.Is(err, restapi.ErrUnauthorized) || errors.As(err, &ne) || errors.Is(err, restapi.ErrRateLimited)
}

// finish fills in the summary's end.
func (r *run) finish(ctx context.Context, err error) {
	s := r.sum
	s.Duration = time.Since(r.startedMono)
	s.DurationSeconds = s.Duration.Seconds()
	switch {
	case err != nil && ctx.Err() != nil && stopped(err):
		s.Status = StatusInterrupted
	case err != nil:
		s.Status, s.Error = StatusFailed, err.Error()
	case ctx.Err() != nil:
		s.Status = StatusInterrupted
	default:
		s.Status = StatusFinished
	}
	s.setRequests(r.statsStart, r.c.Stats())
	if r.mir != nil {
		s.Mirror.Contacts, s.Mirror.Cards = 0, 0
		for _, e := range r.mir.all() {
			if e.kind == mapping.KindProject {
				s.Mirror.Cards++
			} else {
				s.Mirror.Contacts++
			}
		}
	}
	s.Mirror.Details = int(r.details.Load())
	s.Mirror.Searches = int(r.searches.Load())
	s.Rematched = int(r.rematched.Load())
	if r.cfg.DryRun {
		s.finishPlan(r.c.RPM(), r.m.Project != nil && r.m.Project.ExternalID != "")
	}
	if r.db != nil {
		r.db.Close()
	}
	r.phase.Store("done")
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.progress())
	}
}

func (r *run) progress() Progress {
	p := Progress{Phase: r.phase.Load().(string), Rows: int(r.rowsDone.Load()), Total: int(r.total.Load()),
		Requests: r.c.Stats().Attempts - r.statsStart.Attempts, RPM: r.c.RPM()}
	if n := r.rowRequestsStart.Load(); n >= 0 && r.rowsStart.Load() != nil {
		p.RowRequests = p.Requests - int(n)
	}
	if t := r.rowsStart.Load(); t != nil {
		p.Elapsed = time.Since(*t)
	} else {
		p.Elapsed = time.Since(r.startedMono)
	}
	return p
}

func (r *run) startProgress() func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.cfg.Progress(r.progress())
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// hashFile digests a file.
func hashFile(path string) (sum string, size int64, mtime time.Time, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return "", 0, time.Time{}, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, fi.ModTime(), nil
}

// countRows reads the source once to know how many rows it has, for the
// progress display's percentage and ETA (a read costs milliseconds; the
// import costs a request a row).
func countRows(ctx context.Context, m *mapping.Mapping, path string) (int, error) {
	src, err := m.OpenSource(path)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	n := 0
	for {
		_, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		var re *source.RowError
		if err != nil && !errors.As(err, &re) {
			return n, err
		}
		n++
	}
}
