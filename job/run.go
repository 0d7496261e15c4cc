package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// Exit codes of a run and of each step, as the command's: 0 ok, 1 finished
// with rejected rows, 2 failed, 130 interrupted.
const (
	ExitOK          = 0
	ExitRejected    = 1
	ExitFailed      = 2
	ExitInterrupted = 130
)

// RunOptions are what a run takes besides the job file.
type RunOptions struct {
	// Getenv reads the variables the job's connection names; os.Getenv when
	// nil.
	Getenv func(string) string
	// Logger is the run's log (each step's and its client's too); default:
	// discard.
	Logger *slog.Logger
}

// Run runs the job's steps in order, in this process, each with a client of
// its own: a step with rejected rows does not stop the job; a failed one
// stops it unless it says continue_on_error, and the steps after it are
// skipped. The report is written to a directory of its own under the job's
// out directory (Report.Outputs). The error is only for a run that could
// not start (the lock is held, the connection is wrong); the outcome is the
// report's ExitCode.
func Run(ctx context.Context, j *Job, o RunOptions) (*Report, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lock, err := Acquire(j.State, j.Name)
	if err != nil {
		log.Error("not started", "err", err)
		return nil, err
	}
	defer lock.Release()
	conn, err := j.connect(o.Getenv)
	if err != nil {
		return nil, err
	}
	defer conn.close()

	start := time.Now()
	host, _ := os.Hostname()
	runDir := filepath.Join(j.Out, j.Name+"-"+start.Format("20060102-150405"))
	rep := &Report{Job: j.Name, File: j.Path(), Host: host, StartedAt: start}
	log.Info("job started", "file", j.Path(), "steps", len(j.Steps), "out", runDir)
	stopped := false
	worst := ExitOK
	for i := range j.Steps {
		s := &j.Steps[i]
		sr := &StepReport{Name: s.Name, Kind: s.Kind(), OutDir: filepath.Join(runDir, s.Name), Requests: map[string]int{}}
		rep.Steps = append(rep.Steps, sr)
		if stopped {
			sr.Status = StatusSkipped
			continue
		}
		if s.Export != nil {
			sr.OutDir = s.Export.Output
		}
		if err := os.MkdirAll(filepath.Join(runDir, s.Name), 0o755); err != nil {
			return nil, err
		}
		code := j.runStep(ctx, s, sr, conn, log.With("step", s.Name, "kind", s.Kind()), o.Getenv)
		worst = worse(worst, code)
		if code == ExitInterrupted || (code == ExitFailed && !s.ContinueOnError) {
			stopped = true
		}
	}
	rep.Finish(time.Now(), worst)
	if _, err := rep.Write(runDir); err != nil {
		log.Error("the report could not be written", "err", err)
		rep.ExitCode, rep.Status = ExitFailed, StatusFailed
	}
	attrs := []any{"status", rep.Status, "exit", rep.ExitCode, "seconds", rep.Seconds, "report", strings.Join(rep.Outputs, ",")}
	switch rep.ExitCode {
	case ExitOK:
		log.Info("job finished", attrs...)
	case ExitRejected:
		log.Warn("job finished with rejected rows", attrs...)
	case ExitInterrupted:
		log.Warn("job interrupted", attrs...)
	default:
		log.Error("job failed", attrs...)
	}
	return rep, nil
}

// HTMLReport is the run's report.html (where a user looks first).
func (r *Report) HTMLReport() string {
	for _, p := range r.Outputs {
		if strings.HasSuffix(p, ".html") {
			return p
		}
	}
	return ""
}

// worse orders exit codes: failed, interrupted, rejected, ok.
func worse(a, b int) int {
	rank := map[int]int{ExitOK: 0, ExitRejected: 1, ExitInterrupted: 2, ExitFailed: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// stepOutcome is what a step's work gives back: its own text summary, the
// import's row counts, and why it did not end ok (a *rejected for rows
// rejected).
type stepOutcome struct {
	summary string
	rows    map[string]int
	err     error
}

// rejected ends a step that finished with rejected rows.
type rejected struct{ msg string }

func (e *rejected) Error() string { return e.msg }

// runStep runs one step with a client of its own and fills its report.
func (j *Job) runStep(ctx context.Context, s *Step, sr *StepReport, conn *connection, log *slog.Logger, getenv func(string) string) int {
	log.Info("step started", "out", sr.OutDir)
	sr.StartedAt = time.Now()
	c, clock, err := conn.client(sr, log)
	var out stepOutcome
	switch {
	case err != nil:
		out.err = err
	case s.Import != nil:
		out = j.runImport(ctx, s.Import, sr.OutDir, c, clock, log)
	case s.Feed != nil:
		out = j.runFeed(ctx, s, sr.OutDir, c, getenv)
	case s.Export != nil:
		out = j.runExport(ctx, s.Export, c, clock, log)
	}
	if c != nil {
		sr.count(c.Stats())
	}
	sr.FinishedAt = time.Now()
	sr.Seconds = float64(sr.FinishedAt.Sub(sr.StartedAt).Milliseconds()) / 1000
	sr.Summary, sr.Rows = strings.TrimSpace(out.summary), out.rows
	var rej *rejected
	switch {
	case out.err == nil:
		sr.ExitCode, sr.Status = ExitOK, StatusOK
	case errors.As(out.err, &rej):
		sr.ExitCode, sr.Status = ExitRejected, StatusRejected
	case ctx.Err() != nil && errors.Is(out.err, context.Canceled):
		sr.ExitCode, sr.Status = ExitInterrupted, StatusInterrupted
	default:
		sr.ExitCode, sr.Status = ExitFailed, StatusFailed
	}
	if out.err != nil {
		sr.Error = out.err.Error()
	}
	attrs := []any{"status", sr.Status, "exit", sr.ExitCode, "seconds", sr.Seconds, "requests", sr.Total(), "out", sr.OutDir}
	switch sr.ExitCode {
	case ExitOK:
		log.Info("step finished", attrs...)
	case ExitRejected:
		log.Warn("step finished with rejected rows", append(attrs, "detail", sr.Error)...)
	default:
		log.Error("step failed", append(attrs, "err", sr.Error)...)
	}
	return sr.ExitCode
}

// runImport is 'minicrm-bulk import' with the step's options.
func (j *Job) runImport(ctx context.Context, s *ImportStep, outDir string, c *restapi.Client, clock *pipeline.ServerClock, log *slog.Logger) stepOutcome {
	sum, err := pipeline.Import(ctx, pipeline.Config{Client: c, MappingPath: s.Mapping, SourcePath: s.Source, StateDir: j.State,
		OutDir: outDir, Resume: s.Resume, FullRefresh: s.FullRefresh, Workers: s.Workers, Logger: log, Now: clock.Now})
	var out stepOutcome
	if sum != nil && sum.Status != "" {
		out.summary = sum.Text()
		out.rows = map[string]int{"total": sum.Rows.Total, "ok": sum.Rows.OK, "rejected": sum.Rows.Rejected, "skipped": sum.Rows.Skipped}
		for _, w := range sum.Warnings {
			out.rows["warnings"] += w.Count
		}
	}
	switch {
	case err != nil && errors.Is(err, pipeline.ErrInterrupted):
		out.err = fmt.Errorf("%w; the checkpoint is saved in %s: the next run with resume: true continues", err, j.State)
	case err != nil:
		out.err = err
	case sum.Rows.Rejected > 0:
		out.err = &rejected{msg: fmt.Sprintf("%d of %d rows rejected; they are in %s with the reason and their original values",
			sum.Rows.Rejected, sum.Rows.Total, filepath.Join(outDir, pipeline.ErrorsFile))}
	}
	return out
}

// runFeed is 'minicrm-bulk feed build' and, unless no_push, 'feed push' of
// what it built: rejected rows are left out of the feed, the rest is pushed.
func (j *Job) runFeed(ctx context.Context, s *Step, outDir string, c *restapi.Client, getenv func(string) string) stepOutcome {
	f := s.Feed
	m, err := mapping.Load(f.Mapping)
	if err != nil {
		return stepOutcome{err: err}
	}
	o := xmlfeed.FileOptions{Mapping: m, MappingPath: f.Mapping, SourcePath: f.Source, Output: filepath.Join(outDir, "feed.xml"),
		StateDir: j.State, ChangedOnly: f.ChangedOnly,
		Schemas: func(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
			return crm.FetchSchemas(ctx, c, m.SchemaNeeds())
		}}
	if f.ChangedOnly {
		o.Scope = s.Name
	}
	restore := xmlfeed.TuneGC(getenv)
	res, err := xmlfeed.BuildFile(ctx, o)
	restore()
	out := stepOutcome{err: err}
	if res != nil {
		out.summary = res.Text()
		if err == nil && res.Summary.Rejected > 0 {
			out.err = &rejected{msg: fmt.Sprintf("%d of %d rows rejected; they are in %s", res.Summary.Rejected, res.Summary.Rows, res.ErrorsPath)}
		}
	}
	if f.NoPush || (out.err != nil && !errors.As(out.err, new(*rejected))) {
		return out
	}
	pushed, err := xmlfeed.Push(ctx, xmlfeed.PushOptions{Service: c.SyncFeed, FeedID: f.FeedID, SourceURL: f.SourceURL,
		Files: []string{o.Output}, StateDir: j.State})
	if pushed != nil {
		out.summary += "\n" + pushed.Text()
		for _, w := range pushed.Warnings() {
			out.summary += "warning: " + w + "\n"
		}
	}
	if err != nil {
		out.err = err
	}
	return out
}

// runExport is 'minicrm-bulk export' with the step's options.
func (j *Job) runExport(ctx context.Context, s *ExportStep, c *restapi.Client, clock *pipeline.ServerClock, log *slog.Logger) stepOutcome {
	// The same choices as the export command's, with its defaults (the
	// default address on contact tables with details, not in all).
	cfg := export.Config{Client: c, Category: s.Category, Output: s.Output, CSV: export.CSVOptions{Excel: s.Excel},
		Details: s.Details, Incremental: s.Incremental, StateDir: j.State, Now: clock.Now, Logger: log}
	if err := (export.Choices{What: s.What, Headers: "api", Addresses: true, ToDos: s.ToDos}).Apply(&cfg); err != nil {
		return stepOutcome{err: err}
	}
	sum, err := export.Export(ctx, cfg)
	out := stepOutcome{err: err}
	if sum != nil {
		out.summary = sum.Text()
	}
	return out
}
