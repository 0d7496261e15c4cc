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
		usage: "JOB.yaml [--log-format text|json] [--quiet]",
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
