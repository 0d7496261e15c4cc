package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/job"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func init() {
	register(&command{
		name:  "run",
		short: "Run a nightly job file: its imports, feeds and exports in order, with a lock and a report",
		usage: "JOB.yaml [--log-format text|json] [--quiet]",
		long: `Runs the steps of a job file in order, each exactly as the same command typed by hand
(import, feed build + push, export), against the connection the file names by environment
variable (a job file never holds the key). A lock in the state directory stops a second run of
the same job while one is running (the second one exits 2 and does nothing).

Every run writes a directory under the job's out directory (runs/<job>-<time>/) holding each
step's outputs and report.json, summary.txt and report.html (requests over time and outcome
counts per step); the one-screen summary goes to stdout (not with --quiet).

A step with rejected rows does not stop the job; a fatal one stops it (unless the step says
continue_on_error: true) and the steps after it are skipped.

Exit code 0: every step ok; 1: finished, some rows rejected; 2: a step failed, the job file is
wrong or the job is already running; 130: interrupted (the import's checkpoint is saved).`,
		example: `  # try the example job against an embedded sandbox
  minicrm-bulk run examples/nightly.yaml

  # cron, 02:30 every night (logs as JSON lines, only warnings and the failures)
  30 2 * * *  cd /srv/minicrm && minicrm-bulk run nightly.yaml --quiet --log-format json >>/var/log/minicrm-bulk.log 2>&1`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			format := fs.String("log-format", "text", "log lines as text (key=value) or json")
			quiet := fs.Bool("quiet", false, "print nothing but warnings and errors (the reports are written all the same)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("say which job file to run")
				}
				if *format != "text" && *format != "json" {
					return usagef("--log-format: want text or json")
				}
				return runJob(ctx, e, args[0], *format, *quiet)
			}
		},
	})
}

// stepError ends a run whose step failed: exit 2 (or 130), the message
// already said where the details are.
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

func runJob(ctx context.Context, e *env, path, format string, quiet bool) error {
	j, err := job.Load(path)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	log := newLoggerAt(e.stderr, format, logLevel(e, level)).With("job", j.Name)

	lock, err := job.Acquire(j.State, j.Name)
	if err != nil {
		log.Error("not started", "err", err)
		return err
	}
	defer lock.Release()

	getenv, stopSandbox, err := jobConnection(j, e)
	if err != nil {
		return err
	}
	defer stopSandbox()

	start := time.Now()
	host, _ := os.Hostname()
	runDir := filepath.Join(j.Out, j.Name+"-"+start.Format("20060102-150405"))
	rep := &job.Report{Job: j.Name, File: j.Path(), Host: host, StartedAt: start}
	log.Info("job started", "file", j.Path(), "steps", len(j.Steps), "out", runDir)

	stopped := false
	worst := exitOK
	for i := range j.Steps {
		s := &j.Steps[i]
		sr := &job.StepReport{Name: s.Name, Kind: s.Kind(), OutDir: filepath.Join(runDir, s.Name), Requests: map[string]int{}}
		rep.Steps = append(rep.Steps, sr)
		if stopped {
			sr.Status = job.StatusSkipped
			continue
		}
		if s.Export != nil {
			sr.OutDir = s.Export.Output
		}
		args := stepArgs(j, s, sr.OutDir)
		if err := os.MkdirAll(filepath.Join(runDir, s.Name), 0o755); err != nil {
			return err
		}
		code := runStep(ctx, e, j, s, sr, args, getenv, log)
		worst = worse(worst, code)
		if code == exitInterrupted || (code == exitFatal && !s.ContinueOnError) {
			stopped = true
		}
	}
	code := worst
	rep.Finish(time.Now(), code)
	paths, werr := rep.Write(runDir)
	if werr != nil {
		log.Error("the report could not be written", "err", werr)
		code = exitFatal
	}
	if !quiet {
		fmt.Fprint(e.stdout, rep.Text())
	}
	attrs := []any{"status", rep.Status, "exit", code, "seconds", rep.Seconds, "report", strings.Join(paths, ",")}
	switch code {
	case exitOK:
		log.Info("job finished", attrs...)
		return nil
	case exitRejected:
		log.Warn("job finished with rejected rows", attrs...)
		return &rejectedError{msg: fmt.Sprintf("some rows were rejected; see %s", filepath.Join(runDir, "report.html"))}
	case exitInterrupted:
		log.Warn("job interrupted", attrs...)
		return fmt.Errorf("interrupted: %w", context.Canceled)
	}
	log.Error("job failed", attrs...)
	return &exitCodeError{code: code, msg: fmt.Sprintf("the job failed; see %s", filepath.Join(runDir, "report.html"))}
}

// worse orders exit codes: fatal, interrupted, rejected, ok.
func worse(a, b int) int {
	rank := map[int]int{exitOK: 0, exitRejected: 1, exitInterrupted: 2, exitFatal: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// jobConnection is the environment the steps see: MINICRM_URL and the rest
// read from the variables the job names, or an embedded sandbox's.
func jobConnection(j *job.Job, e *env) (getenv func(string) string, stop func(), err error) {
	stop = func() {}
	c := j.Connection
	if c.Sandbox {
		key := sandbox.GenerateAPIKey()
		rpm := j.RPM
		if rpm == 0 {
			rpm = 600000
		}
		srv, err := sandbox.New(sandbox.Config{SystemID: sandboxSystemID, APIKey: key, RPM: rpm, Dataset: sandbox.DefaultDataset()})
		if err != nil {
			return nil, stop, err
		}
		ln, err := sandbox.Listen("127.0.0.1:0", false)
		if err != nil {
			return nil, stop, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, ln) }()
		vals := map[string]string{"MINICRM_URL": sandbox.URL(ln), "MINICRM_SYSTEM_ID": strconv.Itoa(sandboxSystemID), "MINICRM_API_KEY": key}
		return func(k string) string {
			if v, ok := vals[k]; ok {
				return v
			}
			return e.getenv(k)
		}, func() { cancel(); <-done }, nil
	}
	names := map[string]string{"MINICRM_URL": c.URLEnv, "MINICRM_SYSTEM_ID": c.SystemIDEnv, "MINICRM_API_KEY": c.APIKeyEnv}
	for k, v := range names {
		if v == "" {
			names[k] = k
		}
	}
	if c.APIKeyFile != "" {
		names["MINICRM_API_KEY"] = "" // the file, not the environment
	}
	if names["MINICRM_API_KEY"] != "" && e.getenv(names["MINICRM_API_KEY"]) == "" {
		return nil, stop, fmt.Errorf("%s: the API key variable %s is not set (connection.api_key_env)", j.Path(), names["MINICRM_API_KEY"])
	}
	return func(k string) string {
		if n, ok := names[k]; ok {
			if n == "" {
				return ""
			}
			return e.getenv(n)
		}
		return e.getenv(k)
	}, stop, nil
}

// stepArgs is the command line the step stands for.
func stepArgs(j *job.Job, s *job.Step, outDir string) []string {
	var a []string
	switch {
	case s.Import != nil:
		a = []string{"import", "--mapping", s.Import.Mapping, "--out", outDir, "--progress", "none"}
		if s.Import.Source != "" {
			a = append(a, "--source", s.Import.Source)
		}
		if s.Import.Resume {
			a = append(a, "--resume")
		}
		if s.Import.FullRefresh {
			a = append(a, "--full-refresh")
		}
		if s.Import.Workers > 0 {
			a = append(a, "--workers", strconv.Itoa(s.Import.Workers))
		}
	case s.Feed != nil:
		a = []string{"feed", "build", "--mapping", s.Feed.Mapping, "-o", filepath.Join(outDir, "feed.xml")}
		if s.Feed.Source != "" {
			a = append(a, "--source", s.Feed.Source)
		}
		if s.Feed.ChangedOnly {
			a = append(a, "--changed-only", "--snapshot-name", s.Name)
		}
	case s.Export != nil:
		a = []string{"export", s.Export.What, "-o", s.Export.Output, "--progress", "none"}
		if s.Export.Details {
			a = append(a, "--details")
		}
		if s.Export.Incremental {
			a = append(a, "--incremental")
		}
		if s.Export.Category != 0 {
			a = append(a, "--category", strconv.Itoa(s.Export.Category))
		}
		if s.Export.Excel {
			a = append(a, "--excel")
		}
		if s.Export.ToDos {
			a = append(a, "--todos")
		}
	}
	return append(a, connArgs(j)...)
}

func connArgs(j *job.Job) []string {
	a := []string{"--state", j.State}
	if j.RPM > 0 {
		a = append(a, "--rpm", strconv.Itoa(j.RPM))
	} else if j.Connection.Sandbox {
		a = append(a, "--rpm", "600000")
	}
	if j.Connection.APIKeyFile != "" {
		a = append(a, "--api-key-file", j.Connection.APIKeyFile)
	}
	if j.Connection.TestEnv {
		a = append(a, "--test-env")
	}
	return a
}

// runStep runs one step in-process as its command, counting its requests.
func runStep(ctx context.Context, e *env, j *job.Job, s *job.Step, sr *job.StepReport, args []string,
	getenv func(string) string, log *slog.Logger) int {
	slog := log.With("step", s.Name, "kind", s.Kind())
	slog.Info("step started", "args", strings.Join(args, " "))
	sr.Args = args
	sr.StartedAt = time.Now()
	var out, errb syncBuffer
	stepEnv := &env{stdout: &out, stderr: &errb, getenv: getenv,
		log: newCountingLogger(slog.Handler(), sr), budgets: e.budgets}
	code := run(ctx, args, stepEnv)
	if (code == exitOK || code == exitRejected) && s.Feed != nil && !s.Feed.NoPush {
		// Rejected rows are left out of the feed; the rest is pushed.
		push := []string{"feed", "push", filepath.Join(sr.OutDir, "feed.xml")}
		if s.Feed.FeedID != 0 {
			push = append(push, "--feed-id", strconv.Itoa(s.Feed.FeedID))
		} else {
			push = append(push, "--source-url", s.Feed.SourceURL)
		}
		push = append(push, connArgs(j)...)
		sr.Args = append(append(sr.Args, "&&"), push...)
		out.WriteString("\n")
		if c := run(ctx, push, stepEnv); c != exitOK {
			code = c
		}
	}
	sr.FinishedAt = time.Now()
	sr.Seconds = float64(sr.FinishedAt.Sub(sr.StartedAt).Milliseconds()) / 1000
	sr.ExitCode = code
	sr.Summary = strings.TrimSpace(out.String())
	sr.Status = map[int]string{exitOK: job.StatusOK, exitRejected: job.StatusRejected, exitInterrupted: job.StatusInterrupted}[code]
	if sr.Status == "" {
		sr.Status = job.StatusFailed
	}
	if code != exitOK {
		sr.Error = lastLines(errb.String(), 6)
	}
	if s.Import != nil {
		var sum pipeline.Summary
		if b, err := os.ReadFile(filepath.Join(sr.OutDir, "summary.json")); err == nil && json.Unmarshal(b, &sum) == nil {
			sr.Rows = map[string]int{"total": sum.Rows.Total, "ok": sum.Rows.OK, "rejected": sum.Rows.Rejected, "skipped": sum.Rows.Skipped}
			for _, w := range sum.Warnings {
				sr.Rows["warnings"] += w.Count
			}
		}
	}
	attrs := []any{"status", sr.Status, "exit", code, "seconds", sr.Seconds, "requests", sr.Total(), "out", sr.OutDir}
	switch code {
	case exitOK:
		slog.Info("step finished", attrs...)
	case exitRejected:
		slog.Warn("step finished with rejected rows", append(attrs, "detail", sr.Error)...)
	default:
		slog.Error("step failed", append(attrs, "err", sr.Error)...)
	}
	return code
}

// syncBuffer is a bytes.Buffer that several goroutines may write (a
// progress display and a log).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) WriteString(p string) (int, error) { return s.Write([]byte(p)) }

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lastLines is the last n non-empty lines of s, without the progress
// lines.
func lastLines(s string, n int) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "time=") && !strings.HasPrefix(l, "{") {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, "\n")
}

// countingHandler counts the MiniCRM client's request records (logged at
// debug level) into a step's report and passes on what the run's log
// level lets through.
type countingHandler struct {
	next slog.Handler
	step *job.StepReport
}

func newCountingLogger(next slog.Handler, step *job.StepReport) *slog.Logger {
	return slog.New(&countingHandler{next: next, step: step})
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case "request":
		status := 0
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "status" {
				status = int(a.Value.Int64())
				return false
			}
			return true
		})
		h.step.Request(r.Time, status, false)
	case "request failed":
		h.step.Request(r.Time, 0, true)
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &countingHandler{next: h.next.WithAttrs(as), step: h.step}
}

func (h *countingHandler) WithGroup(name string) slog.Handler {
	return &countingHandler{next: h.next.WithGroup(name), step: h.step}
}
