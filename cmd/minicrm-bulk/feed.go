package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// defaultStateDir is where --changed-only keeps its snapshot.
const defaultStateDir = ".minicrm-bulk"

// feedOptions are the feed command's: build's xmlfeed.FileOptions and
// push's xmlfeed.PushOptions bound to the flags, and inspect's.
type feedOptions struct {
	sub    string   // build, push or inspect
	files  []string // push: the feeds; inspect: the one
	build  xmlfeed.FileOptions
	push   xmlfeed.PushOptions
	src    *sourceFlags
	schema string
	online bool
	conn   *connection
}

func init() { register(newCmdFeed(feedRun)) }

// newCmdFeed binds the feed flags to fresh options; runF runs them.
func newCmdFeed(runF func(context.Context, *env, *feedOptions) error) *command {
	return &command{name: "feed", short: "Build, check and push XML sync feeds (one call moves any number of cards)",
		usage: "build|push|inspect [flags] [FILE...]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &feedOptions{}
			b := &o.build
			fs.StringVar(&b.MappingPath, "mapping", "", "build: the mapping file")
			o.src = addSourceFlags(fs)
			fs.StringVar(&b.SourcePath, "source", "", "build: the source file, instead of the one the mapping names")
			fs.StringVarP(&b.Output, "output", "o", "", "build: the feed file to write")
			fs.IntVar(&b.Split, "split", 0, "build: at most this many cards per file (feed-0001.xml, feed-0002.xml…)")
			fs.BoolVar(&b.ChangedOnly, "changed-only", false, "build: only cards new or changed since the last successful push")
			fs.BoolVar(&b.SkipDuplicateCheck, "no-duplicate-check", false, "build: do not reject rows repeating an earlier row's Project Id (the check keeps every Id seen: 8-16 bytes of memory a card, the Ids in a temporary file beside the feed)")
			fs.StringVar(&b.StateDir, "state", defaultStateDir, "build, push: the state directory holding the --changed-only snapshot")
			fs.StringVar(&b.Scope, "snapshot-name", "", "build: the snapshot's name (default: the mapping file's name)")
			fs.StringVar(&b.ErrorsPath, "errors", "", "build: where rejected rows go (default: errors.csv beside the feed)")
			fs.StringVar(&o.schema, "schema", "", "build, inspect: read the schemas from this file (see 'mapping schemas') instead of MiniCRM")
			fs.BoolVar(&o.online, "online", false, "inspect: check the feed against the schemas of the system (connection flags)")
			fs.IntVar(&o.push.FeedID, "feed-id", 0, "push: upload the files to this FeedId")
			fs.StringVar(&o.push.SourceURL, "source-url", "", "push: make MiniCRM download the feed from this URL")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if err := o.complete(args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the subcommand and its flags.
func (o *feedOptions) complete(args []string) error {
	if len(args) == 0 {
		return usagef("say build, push or inspect")
	}
	o.sub, o.files = args[0], args[1:]
	o.push.StateDir, o.push.Files = o.build.StateDir, o.files
	b, p := &o.build, &o.push
	switch o.sub {
	case "build":
		switch {
		case len(o.files) > 0:
			return usagef("build takes no arguments: the source is --source or the mapping's")
		case b.MappingPath == "" || b.Output == "":
			return usagef("--mapping and -o are required")
		case b.Split < 0:
			return usagef("--split must not be negative")
		}
		return o.src.check()
	case "push":
		switch {
		case (p.FeedID > 0) == (p.SourceURL != ""):
			return usagef("give either --feed-id N with the files, or --source-url URL")
		case p.FeedID < 0:
			return usagef("--feed-id must be positive")
		case p.FeedID > 0 && len(o.files) == 0:
			return usagef("--feed-id needs the feed files to upload")
		case p.SourceURL != "" && len(o.files) > 1:
			return usagef("--source-url pushes one feed; give at most its local copy")
		}
		return nil
	case "inspect":
		if len(o.files) != 1 {
			return usagef("inspect takes one feed file")
		}
		if o.online && o.schema != "" {
			return usagef("--online and --schema do not go together")
		}
		return nil
	}
	return usagef("unknown subcommand %q: say build, push or inspect", o.sub)
}

// feedRun runs the subcommand.
func feedRun(ctx context.Context, e *env, o *feedOptions) error {
	switch o.sub {
	case "build":
		return feedBuild(ctx, e, o)
	case "push":
		return feedPush(ctx, e, o)
	}
	return feedInspect(ctx, e, o)
}

// feedBuild builds the feed; the schemas come from --schema or MiniCRM
// (connecting only then).
func feedBuild(ctx context.Context, e *env, o *feedOptions) error {
	b := o.build
	m, err := mapping.Load(b.MappingPath)
	if err != nil {
		return err
	}
	if err := o.src.apply(m); err != nil {
		return err
	}
	schemas := &schemaSource{file: o.schema, conn: o.conn, e: e}
	defer schemas.close()
	b.Mapping, b.Schemas = m, schemas.load
	defer xmlfeed.TuneGC(e.getenv)()
	res, err := xmlfeed.BuildFile(ctx, b)
	if res != nil {
		fmt.Fprint(e.stdout, res.Text())
	}
	if err != nil {
		return err
	}
	if sum := res.Summary; sum.Rejected > 0 {
		return &rejectedError{msg: fmt.Sprintf("%d of %d rows rejected; they are in %s", sum.Rejected, sum.Rows, res.ErrorsPath)}
	}
	return nil
}

// feedPush pushes the files (or makes MiniCRM pull the published one).
func feedPush(ctx context.Context, e *env, o *feedOptions) error {
	c, stop, err := o.conn.connect(e)
	defer stop()
	if err != nil {
		return err
	}
	p := o.push
	p.Service = c.SyncFeed
	res, err := xmlfeed.Push(ctx, p)
	if res != nil {
		fmt.Fprint(e.stdout, res.Text())
		for _, w := range res.Warnings() {
			fmt.Fprintf(e.stderr, "warning: %s\n", w)
		}
	}
	return err
}

// feedInspect checks a feed file, against schemas with --schema or
// --online.
func feedInspect(ctx context.Context, e *env, o *feedOptions) error {
	var schemas *mapping.Schemas
	var err error
	switch {
	case o.schema != "":
		schemas, err = mapping.LoadSchemas(o.schema)
	case o.online:
		c, stop, cerr := o.conn.connect(e)
		defer stop()
		if err = cerr; err == nil {
			schemas, err = xmlfeed.AllSchemas(ctx, c)
		}
	}
	if err != nil {
		return err
	}
	path := o.files[0]
	rep, err := xmlfeed.InspectFile(path, schemas)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, rep.Text(path, schemas != nil))
	if msg := rep.Problem(path); msg != "" {
		return &rejectedError{msg: msg}
	}
	return nil
}
