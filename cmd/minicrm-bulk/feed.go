package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// defaultStateDir is where --changed-only keeps its snapshot.
const defaultStateDir = ".minicrm-bulk"

// feedBuildGCPercent is the GC target feed build runs with (GOGC=400).
const feedBuildGCPercent = 400

// feedBuildMemoryLimit is the soft memory limit feed build runs with.
const feedBuildMemoryLimit = 48 << 20

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
	if o.srcFlags != nil {
		if err := o.srcFlags.apply(m); err != nil {
			return err
		}
	}
	r, err := m.OpenSource(o.source)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(e.stdout, "source %s: %s\n", sourceName(m, o.source), r.Detected())
	var schemas *mapping.Schemas
	if o.schema != "" {
		schemas, err = mapping.LoadSchemas(o.schema)
	} else {
		var c *restapi.Client
		var stop func()
		c, stop, err = conn.connect(e)
		defer stop()
		if err == nil {
			schemas, err = mapping.FetchSchemas(ctx, c, m)
		}
	}
	if err != nil {
		return err
	}
	plan, err := mapping.Compile(m, schemas, r.Header())
	if err != nil {
		return err
	}
	if _, err := xmlfeed.NewCardBuilder(plan); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "mapping %s: ok (%s)\n", o.mapping, entityList(m))

	errPath := o.errors
	if errPath == "" {
		errPath = filepath.Join(filepath.Dir(o.out), "errors.csv")
	}
	// The feed's folder is made as import makes its --out: a user naming
	// out/feed.xml expects it to be there afterwards.
	for _, d := range []string{filepath.Dir(o.out), filepath.Dir(errPath)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	rw, err := report.CreateRejects(errPath, r.Header())
	if err != nil {
		return err
	}
	bo := xmlfeed.BuildOptions{Plan: plan, Source: r, Output: o.out, Split: o.split, SkipDuplicateCheck: o.noDupCheck,
		Reject: func(rej *mapping.Rejected) error {
			return rw.Write(report.Reject{File: rej.Loc.File, Row: rej.Loc.Line, Column: rej.Columns(), Field: rej.Fields(),
				Reason: rej.Reasons(), Values: rej.Values})
		}}
	var drops []xmlfeed.Drop
	dropCount := 0
	bo.OnDrop = func(d xmlfeed.Drop) {
		dropCount++
		if len(drops) < 10 {
			drops = append(drops, d)
		}
	}
	var snap *xmlfeed.Snapshot
	if o.changedOnly {
		if snap, err = xmlfeed.OpenSnapshot(o.stateDir); err != nil {
			rw.Close()
			return err
		}
		defer snap.Close()
		bo.Snapshot = snap
		bo.Scope = o.scope
		if bo.Scope == "" {
			bo.Scope = strings.TrimSuffix(filepath.Base(o.mapping), filepath.Ext(o.mapping))
		}
	}
	if e.getenv("GOGC") == "" {
		// A build is a batch job whose live heap is small (tens of MB) and
		// whose garbage is plenty (a few allocations per value): collecting
		// at 5× the live heap instead of 2× makes it about 20% faster.
		defer debug.SetGCPercent(debug.SetGCPercent(feedBuildGCPercent))
	}
	if e.getenv("GOMEMLIMIT") == "" {
		// …but no more than 48 MiB (a soft limit): the heap of a build is
		// flat, so RSS stays under 100 MB at any number of rows (plus
		// the duplicate check's ~16 bytes an Id, kept off the heap).
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(feedBuildMemoryLimit))
	}
	sum, err := xmlfeed.Build(ctx, bo)
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var names []string
	for _, f := range sum.Files {
		names = append(names, fmt.Sprintf("%s (%d)", f.Path, f.Cards))
	}
	fmt.Fprintf(e.stdout, "rows: %d  cards written: %d  unchanged: %d  rejected: %d  skipped: %d\n",
		sum.Rows, sum.Written, sum.Unchanged, sum.Rejected, sum.Skipped)
	if o := sum.Orders; o != nil {
		fmt.Fprintf(e.stdout, "orders: %d from %d rows, %d lines (%d row(s) merged into an earlier line of the same product); %d order(s) rejected\n",
			o.Orders, o.Rows, o.Lines, o.Merged, o.RejectedOrders)
	}
	fmt.Fprintf(e.stdout, "feed: %s\n", strings.Join(names, ", "))
	for reason, n := range sum.SkipReasons {
		fmt.Fprintf(e.stdout, "  skipped %5d  %s\n", n, reason)
	}
	for f, n := range sum.ByField {
		fmt.Fprintf(e.stdout, "  rejected %4d  %s\n", n, f)
	}
	if sum.Dropped > 0 {
		fmt.Fprintf(e.stdout, "dropped %d character(s) XML cannot carry, in %d value(s):\n", sum.Dropped, dropCount)
		for _, d := range drops {
			fmt.Fprintf(e.stdout, "  %s\n", d)
		}
	}
	if snap != nil {
		sent, _ := snap.Committed(bo.Scope)
		fmt.Fprintf(e.stdout, "changed-only: compared with %d card(s) of %q sent before; the snapshot advances when 'feed push' has pushed these files\n",
			sent, bo.Scope)
	}
	if sum.SharedNames > 0 {
		fmt.Fprintf(e.stdout, "warning: %d compan(ies) of this feed have the name of another company of the feed with another VAT number (ignoring case and accents); %d card(s) are on them.\n"+
			"  Each card is written with its company's VAT number, but how MiniCRM matches <Business> is undocumented: after the push, check that these cards are on the company of their VAT number:\n",
			sum.SharedNames, sum.SharedNameCards)
		for _, r := range sum.SharedNameRows {
			fmt.Fprintf(e.stdout, "    %s\n", r)
		}
		if n := sum.SharedNames - len(sum.SharedNameRows); n > 0 {
			fmt.Fprintf(e.stdout, "    … and %d more\n", n)
		}
	}
	if sum.Rejected > 0 {
		return &rejectedError{msg: fmt.Sprintf("%d of %d rows rejected; they are in %s", sum.Rejected, sum.Rows, errPath)}
	}
	os.Remove(errPath) // nothing rejected: no errors file to look at
	return nil
}

// checkFeedFile reads a feed file once: its SHA-256 (the snapshot's key)
// and its number of cards, or why it is not a feed.
func checkFeedFile(path string) (sha string, cards int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	cards, err = xmlfeed.Count(io.TeeReader(f, h))
	if err != nil {
		return "", cards, fmt.Errorf("%s is not a well-formed feed: %w", path, err)
	}
	if _, err := io.Copy(h, f); err != nil { // whatever follows the root
		return "", cards, err
	}
	return hex.EncodeToString(h.Sum(nil)), cards, nil
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
	type item struct {
		path, sha string
		cards     int
	}
	var items []item
	for _, path := range files {
		sha, cards, err := checkFeedFile(path)
		if err != nil {
			return fmt.Errorf("%w; nothing was pushed", err)
		}
		items = append(items, item{path, sha, cards})
	}
	var snap *xmlfeed.Snapshot
	if _, err := os.Stat(filepath.Join(stateDir, xmlfeed.SnapshotFile)); err == nil {
		if snap, err = xmlfeed.OpenSnapshot(stateDir); err != nil {
			return err
		}
		defer snap.Close()
	}
	promote := func(it item) {
		if snap == nil {
			return
		}
		pf, ok, err := snap.Promote(it.sha)
		switch {
		case err != nil:
			fmt.Fprintf(e.stderr, "warning: %s was pushed, but the snapshot could not be advanced: %v\n", it.path, err)
		case ok:
			fmt.Fprintf(e.stdout, "  snapshot %q: %d card(s) marked as sent\n", pf.Scope, pf.Cards)
		}
	}
	c, stop, err := conn.connect(e)
	defer stop()
	if err != nil {
		return err
	}
	if sourceURL != "" {
		if len(items) == 1 && items[0].cards == 0 {
			fmt.Fprintf(e.stdout, "%s has no cards: nothing to push\n", items[0].path)
			promote(items[0])
			return nil
		}
		ans, err := c.SyncFeed.Pull(ctx, sourceURL)
		if err != nil {
			return fmt.Errorf("MiniCRM did not take the feed: %w; the snapshot was not advanced", err)
		}
		fmt.Fprintf(e.stdout, "MiniCRM downloaded the feed and applies it in the background; it answered: %s\n", ans)
		if len(items) == 1 {
			promote(items[0])
		} else {
			fmt.Fprintf(e.stdout, "(give the local copy of the published file to advance a --changed-only snapshot)\n")
		}
		return nil
	}
	for i, it := range items {
		if it.cards == 0 {
			fmt.Fprintf(e.stdout, "%s has no cards: nothing to push\n", it.path)
			promote(it)
			continue
		}
		f, err := os.Open(it.path)
		if err != nil {
			return err
		}
		ans, err := c.SyncFeed.Upload(ctx, feedID, f)
		f.Close()
		if err != nil {
			msg := fmt.Sprintf("pushing %s: %v; its snapshot was not advanced (the next --changed-only build sends its cards again)", it.path, err)
			if i > 0 {
				msg += fmt.Sprintf("; the %d file(s) before it were pushed", i)
			}
			return errors.New(msg)
		}
		fmt.Fprintf(e.stdout, "pushed %s: %d card(s); MiniCRM applies it in the background; it answered: %s\n", it.path, it.cards, ans)
		promote(it)
	}
	return nil
}

func feedInspect(ctx context.Context, e *env, conn *connection, path, schemaFile string, online bool) error {
	var schemas *mapping.Schemas
	var err error
	switch {
	case schemaFile != "":
		if schemas, err = mapping.LoadSchemas(schemaFile); err != nil {
			return err
		}
	case online:
		c, stop, err := conn.connect(e)
		defer stop()
		if err != nil {
			return err
		}
		if schemas, err = allSchemas(ctx, c); err != nil {
			return err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := xmlfeed.Inspect(f, xmlfeed.InspectOptions{Schemas: schemas})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d card(s) (%d complete enough to create a card), %d business(es), %d contact(s), %d order(s), %d offer(s), %d product line(s)\n",
		path, rep.Cards, rep.Complete, rep.Businesses, rep.Contacts, rep.Orders, rep.Offers, rep.Products)
	if len(rep.Categories) > 0 {
		fmt.Fprintf(e.stdout, "cards by CategoryId: %s\n", rep.CategoryList())
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(e.stdout, "  %s\n", p)
	}
	if n := rep.Errors + rep.Warnings - len(rep.Problems); n > 0 {
		fmt.Fprintf(e.stdout, "  … and %d more\n", n)
	}
	if schemas == nil {
		fmt.Fprintf(e.stdout, "(field names and dropdown values not checked: give --schema FILE or --online)\n")
	}
	if rep.Format != nil {
		return &rejectedError{msg: fmt.Sprintf("%s is not a well-formed feed: %v", path, rep.Format)}
	}
	if rep.Errors > 0 {
		return &rejectedError{msg: fmt.Sprintf("%s has %d error(s), %d duplicate Project Id(s), %d warning(s)", path, rep.Errors, rep.Duplicates, rep.Warnings)}
	}
	fmt.Fprintf(e.stdout, "ok: %d warning(s)\n", rep.Warnings)
	return nil
}

// allSchemas reads the modules and the schemas of Person, Business and
// every module's cards.
func allSchemas(ctx context.Context, c *restapi.Client) (*mapping.Schemas, error) {
	s, err := mapping.FetchSchemas(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	for id := range s.Categories {
		if s.Projects[id], err = c.Schemas.Project(ctx, id); err != nil {
			return nil, fmt.Errorf("reading the schema of module %d: %w", id, err)
		}
	}
	return s, nil
}
