package xmlfeed

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
)

// FileOptions are a feed build from a mapping file (the 'feed build'
// command and a job's feed step): the mapping, its source, the schemas, and
// where the feed and the rejected rows go.
type FileOptions struct {
	// Mapping is the loaded mapping (with any source overrides applied);
	// MappingPath its file, which names it in messages and is the default
	// snapshot Scope.
	Mapping     *mapping.Mapping
	MappingPath string
	// SourcePath overrides the source file the mapping names.
	SourcePath string
	// Schemas gives the schemas the rows are checked against (read from a
	// file or fetched from MiniCRM); called once the source is open.
	Schemas func(context.Context, *mapping.Mapping) (*mapping.Schemas, error)
	// Output, Split and SkipDuplicateCheck are as in BuildOptions.
	Output             string
	Split              int
	SkipDuplicateCheck bool
	// ChangedOnly keeps a snapshot in StateDir under Scope (default: the
	// mapping file's name) and writes only new or changed cards.
	ChangedOnly bool
	StateDir    string
	Scope       string
	// ErrorsPath is where rejected rows go (default: errors.csv beside the
	// feed); the file is removed when no row was rejected.
	ErrorsPath string
}

// FileResult is what BuildFile did.
type FileResult struct {
	// Source describes the source as read (sheet, header row, encoding);
	// Entities the mapping's records ("business, person, project").
	Source, Entities string
	MappingPath      string
	Summary          *BuildSummary
	ErrorsPath       string
	// Drops are the first values that lost characters XML cannot carry,
	// DropValues how many values did.
	Drops      []Drop
	DropValues int
	// Scope and Sent: with ChangedOnly, the snapshot and how many of its
	// cards were sent before.
	Scope string
	Sent  int
}

// maxDrops bounds FileResult.Drops.
const maxDrops = 10

// BuildFile maps every row of the mapping's source and writes the feed:
// the source is opened, the schemas read, the mapping compiled against the
// header, rejected rows written to ErrorsPath, and, with ChangedOnly, the
// snapshot consulted. The result holds what was done so far when it fails
// after the source was opened.
func BuildFile(ctx context.Context, o FileOptions) (*FileResult, error) {
	m := o.Mapping
	res := &FileResult{MappingPath: o.MappingPath, Entities: m.EntityList()}
	r, err := m.OpenSource(o.SourcePath)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res.Source = o.SourcePath
	if res.Source == "" {
		res.Source = m.SourcePath()
	}
	res.Source += ": " + r.Detected().String()
	schemas, err := o.Schemas(ctx, m)
	if err != nil {
		return res, err
	}
	plan, err := mapping.Compile(m, schemas, r.Header())
	if err != nil {
		return res, err
	}
	if _, err := NewCardBuilder(plan); err != nil {
		return res, err
	}
	res.ErrorsPath = o.ErrorsPath
	if res.ErrorsPath == "" {
		res.ErrorsPath = filepath.Join(filepath.Dir(o.Output), "errors.csv")
	}
	// The feed's folder is made as import makes its --out: a user naming
	// out/feed.xml expects it to be there afterwards.
	for _, d := range []string{filepath.Dir(o.Output), filepath.Dir(res.ErrorsPath)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return res, err
		}
	}
	rw, err := report.CreateRejects(res.ErrorsPath, r.Header())
	if err != nil {
		return res, err
	}
	bo := BuildOptions{Plan: plan, Source: r, Output: o.Output, Split: o.Split, SkipDuplicateCheck: o.SkipDuplicateCheck,
		ExpectedRows: r.Detected().Lines,
		Reject:       func(rej *mapping.Rejected) error { return rw.Add(rej) },
		OnDrop: func(d Drop) {
			res.DropValues++
			if len(res.Drops) < maxDrops {
				res.Drops = append(res.Drops, d)
			}
		}}
	var snap *Snapshot
	if o.ChangedOnly {
		if snap, err = OpenSnapshot(o.StateDir); err != nil {
			rw.Close()
			return res, err
		}
		defer snap.Close()
		bo.Snapshot, bo.Scope = snap, o.Scope
		if bo.Scope == "" {
			bo.Scope = strings.TrimSuffix(filepath.Base(o.MappingPath), filepath.Ext(o.MappingPath))
		}
		res.Scope = bo.Scope
	}
	sum, err := Build(ctx, bo)
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, err
	}
	res.Summary = sum
	if snap != nil {
		res.Sent, _ = snap.Committed(bo.Scope)
	}
	if sum.Rejected == 0 {
		os.Remove(res.ErrorsPath) // nothing rejected: no errors file to look at
	}
	return res, nil
}

// Text is the build's report: the source and the mapping, then the counts,
// the files, and what needs a person's eye.
func (r *FileResult) Text() string {
	var b strings.Builder
	if r.Source != "" {
		fmt.Fprintf(&b, "source %s\n", r.Source)
	}
	sum := r.Summary
	if sum == nil {
		return b.String()
	}
	fmt.Fprintf(&b, "mapping %s: ok (%s)\n", r.MappingPath, r.Entities)
	var names []string
	for _, f := range sum.Files {
		names = append(names, fmt.Sprintf("%s (%d)", f.Path, f.Cards))
	}
	fmt.Fprintf(&b, "rows: %d  cards written: %d  unchanged: %d  rejected: %d  skipped: %d\n",
		sum.Rows, sum.Written, sum.Unchanged, sum.Rejected, sum.Skipped)
	if o := sum.Orders; o != nil {
		fmt.Fprintf(&b, "orders: %d from %d rows, %d lines (%d row(s) merged into an earlier line of the same product); %d order(s) rejected\n",
			o.Orders, o.Rows, o.Lines, o.Merged, o.RejectedOrders)
	}
	fmt.Fprintf(&b, "feed: %s\n", strings.Join(names, ", "))
	for _, reason := range slices.Sorted(maps.Keys(sum.SkipReasons)) {
		fmt.Fprintf(&b, "  skipped %5d  %s\n", sum.SkipReasons[reason], reason)
	}
	for _, f := range slices.Sorted(maps.Keys(sum.ByField)) {
		fmt.Fprintf(&b, "  rejected %4d  %s\n", sum.ByField[f], f)
	}
	if sum.Dropped > 0 {
		fmt.Fprintf(&b, "dropped %d character(s) XML cannot carry, in %d value(s):\n", sum.Dropped, r.DropValues)
		for _, d := range r.Drops {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	if r.Scope != "" {
		fmt.Fprintf(&b, "changed-only: compared with %d card(s) of %q sent before; the snapshot advances when 'feed push' has pushed these files\n",
			r.Sent, r.Scope)
	}
	if sum.SharedNames > 0 {
		fmt.Fprintf(&b, "warning: %d compan(ies) of this feed have the name of another company of the feed with another VAT number (ignoring case and accents); %d card(s) are on them.\n"+
			"  Each card is written with its company's VAT number, but how MiniCRM matches <Business> is undocumented: after the push, check that these cards are on the company of their VAT number:\n",
			sum.SharedNames, sum.SharedNameCards)
		for _, row := range sum.SharedNameRows {
			fmt.Fprintf(&b, "    %s\n", row)
		}
		if n := sum.SharedNames - len(sum.SharedNameRows); n > 0 {
			fmt.Fprintf(&b, "    … and %d more\n", n)
		}
	}
	return b.String()
}

// Build tuning: a build is a batch job whose live heap is small (tens of
// MB) and whose garbage is plenty (a few allocations per value).
const (
	buildGCPercent   = 400
	buildMemoryLimit = 48 << 20
)

// tunedLimit is set while TuneGC's memory limit is in force: a build whose
// heap must grow (an order build, one entry a customer) may then raise it.
var tunedLimit atomic.Bool

// roomForCustomers raises TuneGC's soft memory limit to make room for an
// order build's n customer entries: the limit is for a heap that stays
// flat, and a live heap at the limit would have the garbage collector run
// without end (a thousand collections on 400k rows). Without TuneGC (a
// library caller, GOMEMLIMIT set) it does nothing.
func roomForCustomers(n int) {
	if tunedLimit.Load() {
		debug.SetMemoryLimit(buildMemoryLimit + int64(n)*customerBytes)
	}
}

// TuneGC sets the garbage collector for a build, unless the environment
// (GOGC, GOMEMLIMIT) already does, and returns what restores it: collecting
// at 5× the live heap instead of 2× makes a build about 20% faster, and a
// soft limit of 48 MiB keeps RSS under 100 MB at any number of rows (the
// heap of a build is flat; the duplicate check's ~16 bytes an Id are kept
// off the heap).
func TuneGC(getenv func(string) string) (restore func()) {
	gc, mem := getenv("GOGC") == "", getenv("GOMEMLIMIT") == ""
	var oldGC int
	var oldMem int64
	if gc {
		oldGC = debug.SetGCPercent(buildGCPercent)
	}
	if mem {
		oldMem = debug.SetMemoryLimit(buildMemoryLimit)
		tunedLimit.Store(true)
	}
	return func() {
		if mem {
			tunedLimit.Store(false)
			debug.SetMemoryLimit(oldMem)
		}
		if gc {
			debug.SetGCPercent(oldGC)
		}
	}
}
