package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
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
	SuccessFile = report.SuccessFile
	ErrorsFile  = report.ErrorsFile
	PlanFile    = report.PlanFile
	SummaryFile = report.SummaryFile
)

// ErrInterrupted is wrapped by Import's error when ctx ended the run.
var ErrInterrupted = state.ErrInterrupted

// run is one import's working set. Each step of a row's path has its
// file: read.go (read and map, in the row flow), match.go (the planner),
// write.go and address.go (the writers), outcomes.go (journal, summary,
// outputs); the phases around the rows are refresh.go (the mirror),
// resume.go (the job and its journal) and progress.go.
type run struct {
	cfg Config
	c   *restapi.Client
	log *slog.Logger
	now func() time.Time
	sum *Summary

	// What the rows are mapped with (prepare).
	m      *mapping.Mapping
	plan   *mapping.Plan
	header []string
	canon  *canonizer

	// What the run keeps: the state database and what goes into it, the
	// mirror of MiniCRM with its watermarks, the output files.
	db          *state.DB
	com         *committer
	job, system string
	mir         *mirror
	marks       map[string]time.Time
	out         *outputs

	resumeState                // resume.go
	progressMeter              // progress.go
	stopper                    // the first fatal error
	started       time.Time    // by Config.Now, for the summary
	writes        atomic.Int64 // writes that MiniCRM carried out
	rematched     atomic.Int64 // creates whose lost answer was settled by a search
	details       atomic.Int64 // detail records fetched
	searches      atomic.Int64 // key searches (external id) sent
	warns         warnings
}

// stopper keeps the first fatal error of a stage; cancelRun stops the
// requests.
type stopper struct {
	failMu    sync.Mutex
	failErr   error
	cancelRun context.CancelFunc
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
	r := &run{cfg: cfg, c: cfg.Client, log: log, now: cfg.Now, marks: map[string]time.Time{}}
	r.carry = map[int]map[mapping.EntityKind]int{}
	r.started = r.now()
	r.startMeter(r.c)
	r.sum = newSummary(cfg, r.started)
	return r, nil
}

// execute does the run; finish records how it ended.
func (r *run) execute(ctx context.Context) error {
	stopProgress := r.startProgress()
	defer stopProgress()
	src, err := r.prepare(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	runRec, err := r.openJob()
	if err != nil {
		return err
	}
	if r.out, err = openOutputs(r.cfg.OutDir, r.header, r.cfg.DryRun); err != nil {
		return err
	}
	if err := r.bringMirror(ctx, runRec); err != nil {
		return err
	}
	r.startRows()
	if err := r.rows(ctx, src); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil // interrupted: finish says so
	}
	return r.close(ctx)
}

// loadMapping is Config.Mapping, or the mapping file read.
func (cfg *Config) loadMapping() (*mapping.Mapping, error) {
	if cfg.Mapping != nil {
		return cfg.Mapping, nil
	}
	return mapping.Load(cfg.MappingPath)
}

// sourcePath is the source file: Config.SourcePath, or the mapping's.
func (cfg *Config) sourcePath(m *mapping.Mapping) string {
	if cfg.SourcePath != "" {
		return cfg.SourcePath
	}
	return m.SourcePath()
}

// schemas are Config.Schemas, or MiniCRM's for the mapping.
func (cfg *Config) schemas(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
	if cfg.Schemas != nil {
		return cfg.Schemas, nil
	}
	return crm.FetchSchemas(ctx, cfg.Client, m.SchemaNeeds())
}

// openPlan opens the source and compiles the mapping for its header.
func openPlan(m *mapping.Mapping, s *mapping.Schemas, srcPath string) (source.Reader, *mapping.Plan, error) {
	src, err := m.OpenSource(srcPath)
	if err != nil {
		return nil, nil, err
	}
	plan, err := mapping.Compile(m, s, src.Header())
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	return src, plan, nil
}

// prepare is the first phase: the mapping, checked against the schema and
// the source's header, and the source opened.
func (r *run) prepare(ctx context.Context) (source.Reader, error) {
	m, err := r.cfg.loadMapping()
	if err != nil {
		return nil, err
	}
	r.m = m
	r.sum.Mapping, r.sum.Source = r.mappingPath(), r.cfg.sourcePath(m)
	schemas, err := r.cfg.schemas(ctx, m)
	if err != nil {
		return nil, err
	}
	src, plan, err := openPlan(m, schemas, r.sum.Source)
	if err != nil {
		return nil, err
	}
	if err := plan.NoOrders(); err != nil { // orders go through feed build (xmlfeed/orders.go)
		src.Close()
		return nil, err
	}
	r.plan, r.header = plan, src.Header()
	r.canon = newCanonizer(m.PhoneRegion, r.plan.Schema, m.Entities())
	if r.cfg.Progress != nil {
		if n, err := countRows(ctx, m, r.sum.Source); err == nil {
			r.total.Store(int64(n))
		}
	}
	return src, nil
}

// mappingPath names the job's mapping file.
func (r *run) mappingPath() string {
	if r.cfg.MappingPath != "" {
		return r.cfg.MappingPath
	}
	return r.m.Path
}

// openJob is the second phase: the state directory, the job, and whether
// to resume it.
func (r *run) openJob() (*state.Run, error) {
	var err error
	if r.db, err = state.Open(r.cfg.StateDir); err != nil {
		return nil, err
	}
	r.system = r.c.BaseURL() + "#" + r.c.SystemID()
	runRec, err := r.identify(r.sum.Mapping, r.sum.Source)
	if err != nil {
		return nil, err
	}
	if err := r.decideResume(runRec); err != nil {
		return nil, err
	}
	r.com = newCommitter(r.db, r.job, r.system, r.cfg.DryRun)
	return runRec, nil
}

// bringMirror is the third phase: the mirror loaded, refreshed, and the
// creates a dead run left unsettled looked up in MiniCRM.
func (r *run) bringMirror(ctx context.Context, runRec *state.Run) error {
	r.phase.Store("mirror")
	r.mir = newMirror(r.plan, r.canon)
	if err := r.openMirror(ctx); err != nil {
		return err
	}
	if err := r.settlePending(ctx); err != nil {
		return err
	}
	if !r.cfg.DryRun {
		return r.db.StartRun(runRec, r.resume)
	}
	return nil
}

// close is the last phase: the mirror caught up with what this run wrote
// (and what others wrote meanwhile), so the next run starts from here, and
// the run marked finished. Every row is done by now: a failed refresh
// costs the next run a few more list pages (it lists from the older
// watermark), nothing else.
func (r *run) close(ctx context.Context) error {
	if r.cfg.DryRun {
		return nil
	}
	if r.writes.Load() > 0 {
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
	return r.db.FinishRun(r.job, r.now())
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
	jobs := make(chan []*rowJob, 2)
	work := make(chan *rowJob, r.cfg.Workers)
	outcomes := make(chan *outcome, 4*r.cfg.BatchSize)
	var producers sync.WaitGroup
	producers.Add(2 + r.cfg.Workers)
	produce := func(f func() error) {
		g.Go(func() error {
			defer producers.Done()
			return f()
		})
	}
	produce(func() error { defer close(jobs); return r.readRows(ctx, gctx, src, jobs, outcomes) })
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
