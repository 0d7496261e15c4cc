package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/job"
)

// runOptions are the run command's: the job file and how to log.
type runOptions struct {
	path, logFormat string
	quiet           bool
}

func init() { register(newCmdRun(runJob)) }

// newCmdRun binds the run flags to fresh options; runF runs them.
func newCmdRun(runF func(context.Context, *env, *runOptions) error) *command {
	return &command{name: "run", short: "Run a nightly job file: its imports, feeds and exports in order, with a lock and a report",
		usage: "JOB.yaml [--log-format text|json] [--quiet]", long: runLong, example: runExample,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &runOptions{}
			fs.StringVar(&o.logFormat, "log-format", "text", "log lines as text (key=value) or json")
			fs.BoolVar(&o.quiet, "quiet", false, "print nothing but warnings and errors (the reports are written all the same)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("say which job file to run")
				}
				if o.logFormat != "text" && o.logFormat != "json" {
					return usagef("--log-format: want text or json")
				}
				o.path = args[0]
				return runF(ctx, e, o)
			}
		}}
}

// exitCodeError ends a command with its own exit code (a job's 2 or 130);
// the message says where the details are.
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

func runJob(ctx context.Context, e *env, o *runOptions) error {
	format, quiet := o.logFormat, o.quiet
	j, err := job.Load(o.path)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	log := newLoggerAt(e.stderr, format, logLevel(e, level)).With("job", j.Name)
	rep, err := job.Run(ctx, j, job.RunOptions{Getenv: e.getenv, Logger: log})
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprint(e.stdout, rep.Text())
	}
	switch rep.ExitCode {
	case job.ExitOK:
		return nil
	case job.ExitRejected:
		return &rejectedError{msg: fmt.Sprintf("some rows were rejected; see %s", rep.HTMLReport())}
	case job.ExitInterrupted:
		return fmt.Errorf("interrupted: %w", context.Canceled)
	}
	return &exitCodeError{code: rep.ExitCode, msg: fmt.Sprintf("the job failed; see %s", rep.HTMLReport())}
}

const runLong = `Runs the steps of a job file in order, in this process, each as the same command typed by
hand runs it (import, feed build + push, export), against the connection the file names by environment
variable (a job file never holds the key). A lock in the state directory stops a second run of
the same job while one is running (the second one exits 2 and does nothing).

Every run writes a directory under the job's out directory (runs/<job>-<time>/) holding each
step's outputs and report.json, summary.txt and report.html (requests over time and outcome
counts per step); the one-screen summary goes to stdout (not with --quiet).

A step with rejected rows does not stop the job; a fatal one stops it (unless the step says
continue_on_error: true) and the steps after it are skipped.

Exit code 0: every step ok; 1: finished, some rows rejected; 2: a step failed, the job file is
wrong or the job is already running; 130: interrupted (the import's checkpoint is saved).`

const runExample = `  # try the example job against an embedded sandbox
  minicrm-bulk run examples/nightly.yaml

  # cron, 02:30 every night (logs as JSON lines, only warnings and the failures)
  30 2 * * *  cd /srv/minicrm && minicrm-bulk run nightly.yaml --quiet --log-format json >>/var/log/minicrm-bulk.log 2>&1`
