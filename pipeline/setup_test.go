package pipeline_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// testSystemID is every test sandbox's SystemId: each client paces with a
// budget of its own, so tests need no SystemIds apart.
const testSystemID = 31000

// fastRetry keeps retries in milliseconds.
var fastRetry = restapi.RetryPolicy{
	MaxAttempts:       10,
	BaseDelay:         time.Millisecond,
	MaxDelay:          5 * time.Millisecond,
	RateLimitDelay:    time.Millisecond,
	RateLimitMaxDelay: 5 * time.Millisecond,
	MaxRateLimited:    500,
	AttemptTimeout:    10 * time.Second,
}

// clock is the time line the sandbox (UpdatedAt) and the importer
// (watermarks) share, as MiniCRM's and a client's clocks do. It runs fast:
// every reading moves it a second on, so that a test's writes and refreshes,
// made within milliseconds, are seconds apart as they would be at 60
// requests a minute; MiniCRM's timestamps have whole seconds.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Add(int64(time.Second))))
}
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is a sandbox on loopback and what an import against it needs.
type env struct {
	t      testing.TB
	srv    *sandbox.Server
	ts     *httptest.Server
	key    string
	system string
	clock  *clock
	state  string
}

func newEnv(t testing.TB, ds *sandbox.Dataset) *env {
	t.Helper()
	if ds == nil {
		ds = sandbox.EmptyDataset()
	}
	id := testSystemID
	e := &env{t: t, key: sandbox.GenerateAPIKey(), system: strconv.Itoa(id), clock: &clock{}, state: t.TempDir()}
	srv, err := sandbox.New(sandbox.Config{SystemID: id, APIKey: e.key, RPM: 0, Dataset: ds, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	return e
}

func (e *env) client(opts ...restapi.Option) *restapi.Client {
	e.t.Helper()
	all := append([]restapi.Option{restapi.WithBaseURL(e.ts.URL), restapi.WithSystemID(e.system), restapi.WithAPIKey(e.key),
		restapi.WithRPM(600000), restapi.WithRetryPolicy(fastRetry)}, opts...)
	c, err := restapi.NewClient(all...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// config is an import of the mapping with the env's state directory and a
// fresh output directory.
func (e *env) config(mappingPath, sourcePath string) pipeline.Config {
	return pipeline.Config{Client: e.client(), MappingPath: mappingPath, SourcePath: sourcePath, StateDir: e.state,
		OutDir: e.t.TempDir(), Now: e.clock.now, Overlap: time.Second, Workers: 4}
}

// run imports and fails the test on a fatal error.
func (e *env) run(cfg pipeline.Config) *pipeline.Summary {
	e.t.Helper()
	sum, err := pipeline.Import(context.Background(), cfg)
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	return sum
}

// writes is the sandbox's count of writes so far.
func (e *env) writes() int { return e.srv.Stats().Writes }

func (e *env) total() int { return e.srv.Stats().Total }

// snapshot describes everything in the system, ids left out, one line a
// record, sorted: two systems with the same snapshot hold the same data.
func (e *env) snapshot() []string {
	e.t.Helper()
	c := e.client()
	ctx := context.Background()
	var lines []string
	names := map[int]string{}
	type contact struct {
		id   int
		line string
		biz  int
	}
	var contacts []contact
	for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		d, err := c.Contacts.Get(ctx, it.Id)
		if err != nil {
			e.t.Fatal(err)
		}
		names[it.Id] = it.Name
		contacts = append(contacts, contact{id: it.Id, line: describe(d.Kind(), d.Fields), biz: d.BusinessId})
	}
	for _, ct := range contacts {
		lines = append(lines, ct.line+" business="+names[ct.biz])
	}
	for it, err := range c.Projects.Search(ctx, restapi.ProjectSearchOptions{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		d, err := c.Projects.Get(ctx, it.Id)
		if err != nil {
			e.t.Fatal(err)
		}
		lines = append(lines, describe("Project", d.Fields)+" contact="+names[d.ContactId])
	}
	sort.Strings(lines)
	return lines
}

// describe renders a detail record without its ids and timestamps.
func describe(kind string, fields map[string]any) string {
	skip := map[string]bool{"Id": true, "BusinessId": true, "ContactId": true, "CreatedAt": true, "UpdatedAt": true,
		"CreatedBy": true, "UpdatedBy": true, "StatusUpdatedAt": true, "ProjectHash": true, "ProjectEmail": true, "Url": true}
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if !skip[k] && fmt.Sprint(v) != "" && fmt.Sprint(v) != "0" && fmt.Sprint(v) != "[]" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(kind)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, fields[k])
	}
	return b.String()
}

// readCSV reads an output file as maps by column name.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// accounted checks that every source line 2..last appears in exactly one of
// the outputs, and returns the rows of success.csv (or plan.csv) by line.
func accounted(t *testing.T, outDir string, lines int, dry bool) map[int][]map[string]string {
	t.Helper()
	name := pipeline.SuccessFile
	if dry {
		name = pipeline.PlanFile
	}
	// The outputs keep the file's order, whatever order the writers
	// finished the rows in.
	inOrder := func(file string, n int, last *int) {
		if n < *last {
			t.Errorf("%s: row %d after row %d", file, n, *last)
		}
		*last = n
	}
	ok := map[int][]map[string]string{}
	last := 0
	for _, r := range readCSV(t, filepath.Join(outDir, name)) {
		n, _ := strconv.Atoi(r["row"])
		inOrder(name, n, &last)
		ok[n] = append(ok[n], r)
	}
	bad := map[int]int{}
	last = 0
	for _, r := range readCSV(t, filepath.Join(outDir, pipeline.ErrorsFile)) {
		n, _ := strconv.Atoi(r["row"])
		inOrder(pipeline.ErrorsFile, n, &last)
		bad[n]++
	}
	for line := 2; line <= lines; line++ {
		_, inOK := ok[line]
		nBad := bad[line]
		switch {
		case inOK && nBad > 0:
			t.Errorf("row %d is in both %s and errors.csv", line, name)
		case !inOK && nBad == 0:
			t.Errorf("row %d is in no output", line)
		case nBad > 1:
			t.Errorf("row %d is %d times in errors.csv", line, nBad)
		}
	}
	for line := range ok {
		if line < 2 || line > lines {
			t.Errorf("%s has a row %d that the source does not", name, line)
		}
	}
	return ok
}

// contactsByEmail lists every contact's emails and fails on a duplicate.
func (e *env) noDuplicates() {
	e.t.Helper()
	c := e.client()
	seen := map[string]int{}
	names := map[string]int{}
	for it, err := range c.Contacts.Search(context.Background(), restapi.ContactSearchOptions{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		if it.Email != "" {
			if prev, dup := seen[strings.ToLower(it.Email)]; dup {
				e.t.Errorf("duplicate contact: %d and %d both have %s", prev, it.Id, it.Email)
			}
			seen[strings.ToLower(it.Email)] = it.Id
		}
		if it.Type == "Business" {
			if prev, dup := names[it.Name]; dup {
				e.t.Errorf("duplicate business: %d and %d are both %s", prev, it.Id, it.Name)
			}
			names[it.Name] = it.Id
		}
	}
}

var testdata = filepath.Join("..", "testdata", "import")

// once guards fixtures generated once per test binary.
var once sync.Map

// envInt reads a positive integer from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func itoa(n int) string { return strconv.Itoa(n) }
