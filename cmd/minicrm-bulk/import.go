package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/progress"
)

// importOptions are the import command's: the run's pipeline.Config, bound
// to the flags, and what the command does around it.
type importOptions struct {
	cfg        pipeline.Config
	src        *sourceFlags
	conn       *connection
	stateGiven bool
	progress   string
	logEvery   time.Duration
}

func init() { register(newCmdImport(importRun)) }

// newCmdImport binds the import flags to fresh options; runF runs them.
func newCmdImport(runF func(context.Context, *env, *importOptions) error) *command {
	return &command{name: "import", short: "Import a CSV or XLSX into MiniCRM: match, write only what differs, resume after a crash",
		usage:    "--mapping FILE [--source FILE] [--dry-run] [--resume] [--state DIR] [--out DIR] [flags]",
		connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &importOptions{}
			c := &o.cfg
			fs.StringVar(&c.MappingPath, "mapping", "", "the mapping file (required)")
			fs.StringVar(&c.SourcePath, "source", "", "the source file (default: the one the mapping names)")
			o.src = addSourceFlags(fs)
			fs.BoolVar(&c.DryRun, "dry-run", false, "send read requests only; write plan.csv")
			fs.BoolVar(&c.Resume, "resume", false, "continue the job's interrupted run (a finished or changed job starts afresh)")
			fs.StringVar(&c.StateDir, "state", ".minicrm-bulk", "state directory: the journal and the mirror of MiniCRM (a temporary one with --sandbox)")
			fs.StringVar(&c.OutDir, "out", "import-out", "directory for success.csv (or plan.csv), errors.csv and summary.json")
			fs.IntVar(&c.Workers, "workers", 4, "rows written at the same time, to keep the rate limit busy while answers travel")
			fs.BoolVar(&c.FullRefresh, "full-refresh", false, "list every contact and card again instead of those changed since the last run")
			fs.DurationVar(&c.Overlap, "refresh-overlap", 5*time.Second, "the next refresh lists what changed since the last one minus this")
			fs.StringVar(&o.progress, "progress", "auto", "auto (a bar on a terminal, else log lines), bar, log or none")
			fs.DurationVar(&o.logEvery, "log-every", 10*time.Second, "how often --progress log prints a line")
			fs.StringVar(&c.Via, "via", "rest", "how new records are created: rest, feed (new cards with their new companies and people as XML sync feeds; the rest over REST) or auto (the feed when REST would take over an hour)")
			fs.IntVar(&c.FeedID, "feed-id", 0, "with --via feed|auto: the system's SyncFeed id (env MINICRM_FEED_ID)")
			fs.DurationVar(&c.FeedWait, "feed-wait", 10*time.Minute, "with --via feed: how long to wait for MiniCRM to apply the feed")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				o.stateGiven = fs.Changed("state")
				if err := o.complete(e, args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the flags and fills in what the environment gives.
func (o *importOptions) complete(e *env, args []string) error {
	c := &o.cfg
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	if c.MappingPath == "" {
		return usagef("--mapping is required")
	}
	if err := checkRunFlags(c.Workers, o.progress); err != nil {
		return err
	}
	switch c.Via {
	case pipeline.ViaREST, pipeline.ViaFeed, pipeline.ViaAuto:
	default:
		return usagef("--via is rest, feed or auto, not %q", c.Via)
	}
	if v := e.getenv("MINICRM_FEED_ID"); c.FeedID == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return usagef("MINICRM_FEED_ID must be a positive number, not %q", v)
		}
		c.FeedID = n
	}
	return nil
}

// importRun runs the import: the source is named at once (a wrong header
// shows before anything else happens), the summary goes to stdout.
func importRun(ctx context.Context, e *env, o *importOptions) error {
	cfg := o.cfg
	m, err := mapping.Load(cfg.MappingPath)
	if err != nil {
		return err
	}
	if err := o.src.apply(m); err != nil {
		return err
	}
	r, err := m.OpenSource(cfg.SourcePath)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "source %s: %s\n", m.SourceFile(cfg.SourcePath), r.Detected())
	r.Close()
	c, clock, stop, err := o.conn.connectWithState(e, &cfg.StateDir, o.stateGiven)
	if err != nil {
		return err
	}
	defer stop()
	show := progress.New(e.stderr, o.progress, o.logEvery)
	cfg.Client, cfg.Mapping, cfg.Now = c, m, clock.Now
	cfg.Progress, cfg.Logger = progress.ForImport(show, cfg.DryRun), newLogger(e, e.stderr, "text", slog.LevelInfo)
	sum, err := pipeline.Import(ctx, cfg)
	show.Finish()
	if sum != nil && sum.Status != "" {
		fmt.Fprint(e.stdout, sum.Text())
	}
	switch {
	case err != nil && errors.Is(err, pipeline.ErrInterrupted):
		fmt.Fprintf(e.stderr, "The checkpoint is saved in %s: run the same command with --resume to continue.\n", cfg.StateDir)
		return err
	case err != nil:
		return err
	case sum.Rows.Rejected > 0:
		return &rejectedError{msg: fmt.Sprintf("%d of %d rows rejected; they are in %s with the reason and their original values",
			sum.Rows.Rejected, sum.Rows.Total, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))}
	}
	return nil
}
