package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// defaultStateDir is where --changed-only keeps its snapshot.
const defaultStateDir = ".minicrm-bulk"

func init() {
	register(&command{
		name:  "feed",
		short: "Build, check and push XML sync feeds (one call moves any number of cards)",
		usage: "build|push|inspect [flags] [FILE...]",
		long: `build maps every row of a source with a mapping file (the same as import's) and writes the
valid ones as a SyncFeed XML file: one <Project> per card, keyed by the source's id (the
mapping's project.external_id field, which MiniCRM keeps as the card's ReferenceId: the same
id again updates the same card), with its <Business> and <Contacts>. Rows are checked against
the Schema first; a row that fails goes to the errors file (--errors, with its original
values), never into the feed. --split N writes files of at most N cards (feed-0001.xml…).
--changed-only writes only the cards that are new or changed since the last successful push
of this mapping: the snapshot (per card, a digest of what was sent) is kept in --state and
advances only when 'feed push' has pushed that very file, so a failed push sends the same
cards again. Exit code 0: every row went into the feed (or was unchanged); 1: some rows were
rejected; 2: the mapping or the source is wrong.

push hands feeds to MiniCRM: --feed-id N FILE... uploads the files (POST
/Api/SyncFeed/<FeedId>/Upload; the FeedId comes from MiniCRM's support), --source-url URL
[FILE] makes MiniCRM download the file from where you published it (GET
/Api/SyncFeed/<SystemId>?Source=URL; give the local copy as FILE to advance the
--changed-only snapshot). Each file is checked first (well-formed, number of cards); a file
without cards is not sent. MiniCRM answers once it has the file and applies it afterwards, so
check the cards through REST (e.g. 'minicrm-bulk search projects --field ReferenceId=ID'). XML sync
has a limit of its own, 180 calls an hour (MAN25): the calls are paced apart from REST's.

inspect checks a feed file without sending it: well-formed, a <Projects> root, Project Id on
every card and no Id twice, Product Ids; with --schema FILE (see 'mapping schemas') or
--online, also every field name and dropdown value. It prints counts; exit code 1 when it
found errors. Cards without Name, CategoryId or StatusId are warnings: they can update an
existing card but not create one.

` + connectionHelp,
		example: `  # a feed of the example cards, checked against the example system; rejected rows in errors.csv
  minicrm-bulk feed build --mapping examples/lehetosegek.yaml -o feed.xml --sandbox

  # nightly: only what changed since the last push, in files of 50 000 cards, then push them
  minicrm-bulk feed build --mapping cards.yaml --changed-only --split 50000 -o out/feed.xml
  minicrm-bulk feed push --feed-id 119 out/feed-*.xml

  # or publish the file and let MiniCRM download it
  minicrm-bulk feed push --source-url https://files.example.com/minicrm/feed.xml out/feed.xml

  # check a feed from anywhere against the schemas saved by 'mapping schemas'
  minicrm-bulk feed inspect --schema schema.json feed.xml`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			mappingFile := fs.String("mapping", "", "build: the mapping file")
			srcFlags := addSourceFlags(fs)
			sourceFile := fs.String("source", "", "build: the source file, instead of the one the mapping names")
			out := fs.StringP("output", "o", "", "build: the feed file to write")
			split := fs.Int("split", 0, "build: at most this many cards per file (feed-0001.xml, feed-0002.xml…)")
			changedOnly := fs.Bool("changed-only", false, "build: only cards new or changed since the last successful push")
			noDupCheck := fs.Bool("no-duplicate-check", false, "build: do not reject rows repeating an earlier row's Project Id (the check keeps every Id seen: 8-16 bytes of memory a card, the Ids in a temporary file beside the feed)")
			stateDir := fs.String("state", defaultStateDir, "build, push: the state directory holding the --changed-only snapshot")
			scope := fs.String("snapshot-name", "", "build: the snapshot's name (default: the mapping file's name)")
			errorsFile := fs.String("errors", "", "build: where rejected rows go (default: errors.csv beside the feed)")
			schemaFile := fs.String("schema", "", "build, inspect: read the schemas from this file (see 'mapping schemas') instead of MiniCRM")
			online := fs.Bool("online", false, "inspect: check the feed against the schemas of the system (connection flags)")
			feedID := fs.Int("feed-id", 0, "push: upload the files to this FeedId")
			sourceURL := fs.String("source-url", "", "push: make MiniCRM download the feed from this URL")
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) == 0 {
					return usagef("say build, push or inspect")
				}
				switch args[0] {
				case "build":
					if len(args) > 1 {
						return usagef("build takes no arguments: the source is --source or the mapping's")
					}
					if *mappingFile == "" || *out == "" {
						return usagef("--mapping and -o are required")
					}
					if *split < 0 {
						return usagef("--split must not be negative")
					}
					if err := srcFlags.check(); err != nil {
						return err
					}
					return feedBuild(ctx, e, conn, feedBuildOptions{mapping: *mappingFile, source: *sourceFile, srcFlags: srcFlags, out: *out, split: *split,
						changedOnly: *changedOnly, stateDir: *stateDir, scope: *scope, errors: *errorsFile, schema: *schemaFile,
						noDupCheck: *noDupCheck})
				case "push":
					return feedPush(ctx, e, conn, *feedID, *sourceURL, *stateDir, args[1:])
				case "inspect":
					if len(args) != 2 {
						return usagef("inspect takes one feed file")
					}
					if *online && *schemaFile != "" {
						return usagef("--online and --schema do not go together")
					}
					return feedInspect(ctx, e, conn, args[1], *schemaFile, *online)
				}
				return usagef("unknown subcommand %q: say build, push or inspect", args[0])
			}
		},
	})
}

type feedBuildOptions struct {
	mapping, source, out    string
	srcFlags                *sourceFlags
	split                   int
	changedOnly             bool
	noDupCheck              bool
	stateDir, scope, errors string
	schema                  string
}

func feedBuild(ctx context.Context, e *env, conn *connection, o feedBuildOptions) error {
	m, err := mapping.Load(o.mapping)
	if err != nil {
		return err
	}
	if err := o.srcFlags.apply(m); err != nil {
		return err
	}
	stop := func() {}
	defer func() { stop() }()
	schemas := func(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
		if o.schema != "" {
			return mapping.LoadSchemas(o.schema)
		}
		var c *restapi.Client
		var err error
		if c, stop, err = conn.connect(e); err != nil {
			return nil, err
		}
		return mapping.FetchSchemas(ctx, c, m)
	}
	defer xmlfeed.TuneGC(e.getenv)()
	res, err := xmlfeed.BuildFile(ctx, xmlfeed.FileOptions{Mapping: m, MappingPath: o.mapping, SourcePath: o.source, Schemas: schemas,
		Output: o.out, Split: o.split, SkipDuplicateCheck: o.noDupCheck, ChangedOnly: o.changedOnly, StateDir: o.stateDir,
		Scope: o.scope, ErrorsPath: o.errors})
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

func feedPush(ctx context.Context, e *env, conn *connection, feedID int, sourceURL, stateDir string, files []string) error {
	switch {
	case (feedID > 0) == (sourceURL != ""):
		return usagef("give either --feed-id N with the files, or --source-url URL")
	case feedID < 0:
		return usagef("--feed-id must be positive")
	case feedID > 0 && len(files) == 0:
		return usagef("--feed-id needs the feed files to upload")
	case sourceURL != "" && len(files) > 1:
		return usagef("--source-url pushes one feed; give at most its local copy")
	}
	c, stop, err := conn.connect(e)
	defer stop()
	if err != nil {
		return err
	}
	res, err := xmlfeed.Push(ctx, xmlfeed.PushOptions{Service: c.SyncFeed, FeedID: feedID, SourceURL: sourceURL, Files: files, StateDir: stateDir})
	if res != nil {
		fmt.Fprint(e.stdout, res.Text())
		for _, w := range res.Warnings() {
			fmt.Fprintf(e.stderr, "warning: %s\n", w)
		}
	}
	return err
}

func feedInspect(ctx context.Context, e *env, conn *connection, path, schemaFile string, online bool) error {
	var schemas *mapping.Schemas
	var err error
	switch {
	case schemaFile != "":
		schemas, err = mapping.LoadSchemas(schemaFile)
	case online:
		c, stop, cerr := conn.connect(e)
		defer stop()
		if err = cerr; err == nil {
			schemas, err = xmlfeed.AllSchemas(ctx, c)
		}
	}
	if err != nil {
		return err
	}
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
