package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/job"
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

// exitCodeError ends a command with its own exit code (a job's 2 or 130);
// the message says where the details are.
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
