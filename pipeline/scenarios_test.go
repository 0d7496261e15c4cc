package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

var clientsMapping = filepath.Join(testdata, "clients.yaml")

// clientsHeader is the fixture's header (clients.yaml maps it).
var clientsHeader = []string{"Cégnév", "Adószám", "Vezetéknév", "Keresztnév", "E-mail", "Telefon", "Beosztás", "Kód", "Összeg", "Státusz"}

// genRows makes n people in m companies (person i works at company i%m, so
// every company is named on rows far apart), edited by mutate.
func genRows(n, m int, mutate func(i int, row []string)) [][]string {
	rows := make([][]string, n)
	for i := range n {
		j := i % m
		rows[i] = []string{fmt.Sprintf("Cég %03d Kft.", j), fmt.Sprintf("%08d-2-41", 10000000+j), fmt.Sprintf("Vezeték%d", i),
			fmt.Sprintf("Kereszt%d", i), fmt.Sprintf("szemely%d@ceg%d.hu", i, j), fmt.Sprintf("06 30 %03d %04d", 100+i/10000, i%10000),
			"munkatárs", fmt.Sprintf("P-%05d", i), fmt.Sprint((i + 1) * 1000), "Aktív"}
		if mutate != nil {
			mutate(i, rows[i])
		}
	}
	return rows
}

// writeCSV writes rows under clientsHeader into dir and returns the path.
func writeCSV(t testing.TB, dir, name string, rows [][]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(clientsHeader, ";") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ";") + "\n")
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAmbiguousMatch: a row whose first matching key finds two contacts goes
// to errors.csv; nothing is written for it, and no guess is made.
func TestAmbiguousMatch(t *testing.T) {
	t.Parallel()
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{
		{Id: 9001, Type: "Person", Emails: []string{"anna@one.hu"}, Phones: []string{"+36 30 111 2222"}, Fields: map[string]any{"FirstName": "Anna", "LastName": "Egy"}},
		{Id: 9002, Type: "Person", Emails: []string{"anna@two.hu"}, Phones: []string{"06 30 111 2222"}, Fields: map[string]any{"FirstName": "Anna", "LastName": "Kettő"}},
	}
	e := newEnv(t, ds)
	rows := genRows(3, 1, func(i int, r []string) {
		if i == 1 {
			r[4], r[5] = "", "06-30-111-2222" // no email; the phone both have
		}
		if i == 2 {
			r[4], r[5] = "ANNA@one.hu", "06-30-111-2222" // the email decides first
		}
	})
	cfg := e.config(clientsMapping, writeCSV(t, t.TempDir(), "amb.csv", rows))
	sum := e.run(cfg)
	if sum.Rows.OK != 2 || sum.Rows.Rejected != 1 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
	if len(errs) != 1 || errs[0]["row"] != "3" || !strings.Contains(errs[0]["reason"], "ambiguous") ||
		!strings.Contains(errs[0]["reason"], "person 9001") || !strings.Contains(errs[0]["reason"], "person 9002") {
		t.Errorf("errors.csv: %v", errs)
	}
	ok := accounted(t, cfg.OutDir, 4, false)
	if p := ok[4][1]; p["action"] != "updated" || p["minicrm_id"] != "9001" {
		t.Errorf("row 4 matched by email: %v", p)
	}
}

// TestChangedRows: after an import, a file with 5% of its rows changed
// writes only those rows.
func TestChangedRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dir := t.TempDir()
	const n, m = 100, 10
	cfg := e.config(clientsMapping, writeCSV(t, dir, "v1.csv", genRows(n, m, nil)))
	e.run(cfg)
	if w := e.writes(); w != n+m+n {
		t.Errorf("first import: %d writes, want %d (a person and a card a row, a company per %d rows)", w, n+m+n, n/m)
	}
	e.clock.advance(time.Hour)
	changed := map[int]bool{3: true, 17: true, 42: true, 77: true, 98: true}
	v2 := writeCSV(t, dir, "v2.csv", genRows(n, m, func(i int, r []string) {
		if changed[i] {
			r[6] = "csoportvezető"
		}
	}))
	before, reads := e.writes(), e.total()
	sum := e.run(e.config(clientsMapping, v2))
	if w := e.writes() - before; w != len(changed) {
		t.Errorf("5%% changed: %d writes, want %d", w, len(changed))
	}
	if sum.Entities["Person"]["updated"] != len(changed) {
		t.Errorf("entities %v", sum.Entities)
	}
	t.Logf("5%% changed: %d requests (%v)", e.total()-reads, sum.Requests.ByEndpoint)
}

// TestRemoteChange: someone edits a record in MiniCRM between two runs; the
// next run sees it through the incremental refresh, reads that record's
// detail (its Position is not in the list summary) and puts the file's value
// back: one read, one write.
func TestRemoteChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	path := writeCSV(t, t.TempDir(), "c.csv", genRows(20, 4, nil))
	e.run(e.config(clientsMapping, path))
	e.clock.advance(time.Hour)

	c := e.client()
	var id int
	for it, err := range c.Contacts.Search(context.Background(), restapi.ContactSearchOptions{Email: "szemely7@ceg3.hu"}) {
		if err != nil {
			t.Fatal(err)
		}
		id = it.Id
	}
	if _, err := c.Contacts.Update(context.Background(), id, restapi.Fields{"Position": "kilépett"}); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Hour)
	before := e.writes()
	sum := e.run(e.config(clientsMapping, path))
	if w := e.writes() - before; w != 1 {
		t.Errorf("%d writes, want 1", w)
	}
	if sum.Mirror.Details != 1 || sum.Requests.ByEndpoint["GET /Api/R3/Contact/{id}"] != 1 {
		t.Errorf("details %d, requests %v", sum.Mirror.Details, sum.Requests.ByEndpoint)
	}
	if sum.Mirror.Listed != 1 {
		t.Errorf("the incremental refresh listed %d records, want 1", sum.Mirror.Listed)
	}
	d, err := c.Contacts.Get(context.Background(), id)
	if err != nil || d.Fields["Position"] != "munkatárs" {
		t.Errorf("position after the run: %v %v", d.Fields["Position"], err)
	}
}

// TestDryRun plans without writing: plan.csv lists every field of every
// record to create, the totals count the write requests.
func TestDryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cfg := e.config(clientsMapping, "")
	cfg.DryRun = true
	sum := e.run(cfg)
	if w := e.writes(); w != 0 {
		t.Fatalf("a dry run wrote %d times", w)
	}
	if sum.Plan == nil || sum.Plan.Creates != 10 || sum.Plan.Updates != 1 || sum.Plan.WriteRequests != 11 {
		t.Errorf("plan totals %+v", sum.Plan)
	}
	ok := accounted(t, cfg.OutDir, 9, true)
	fields := map[string]string{}
	for _, r := range ok[2] {
		fields[r["entity"]+"."+r["field"]] = r["new"]
	}
	if fields["Person.Email"] != "kiss.janos@pelda.hu" || fields["Project.StatusId"] != "Érdeklődő" || fields["Person.Phone"] != "+36 30 123 4567" {
		t.Errorf("plan of row 2: %v", fields)
	}
	var upd []map[string]string
	for _, r := range ok[7] {
		if r["action"] == "updated" {
			upd = append(upd, r)
		}
	}
	if len(upd) != 1 || upd[0]["field"] != "Position" || upd[0]["old"] != "" || upd[0]["new"] != "pénzügyi vezető" {
		t.Errorf("plan of row 7: %v", ok[7])
	}
	if !strings.Contains(sum.Text(), "11 write requests") {
		t.Errorf("summary text:\n%s", sum.Text())
	}
	// The real run after the dry run writes what the plan said.
	cfg2 := e.config(clientsMapping, "")
	e.run(cfg2)
	if w := e.writes(); w != 11 {
		t.Errorf("the import after the dry run wrote %d times, the plan said 11", w)
	}
}

// cleanSnapshot is the state an uninterrupted, fault-free import of rows
// leaves in an empty system.
func cleanSnapshot(t *testing.T, csvPath string) []string {
	t.Helper()
	e := newEnv(t, nil)
	e.run(e.config(clientsMapping, csvPath))
	return e.snapshot()
}

func sameSnapshot(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("final state differs from an uninterrupted run's:\n--- want\n%s\n--- got\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// TestFaults imports through 500s, 429 storms, dropped connections (before
// and after the server did the work) and latency: every row is accounted
// for once, nothing is duplicated, and the result is what a clean run gives.
func TestFaults(t *testing.T) {
	t.Parallel()
	// The last six rows name people again: updates under faults too.
	path := writeCSV(t, t.TempDir(), "f.csv", repeatPeople(genRows(60, 12, nil), 6))
	want := cleanSnapshot(t, path)

	e := newEnv(t, nil)
	if err := e.srv.SetFaults(sandbox.Faults{FailRate: 0.08, DropRate: 0.08, Burst429: 4, BurstEvery: 40,
		Latency: time.Millisecond, LatencyJitter: time.Millisecond, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	cfg := e.config(clientsMapping, path)
	sum := e.run(cfg)
	if sum.Rows.OK != 60 {
		t.Errorf("rows %+v; errors: %v", sum.Rows, readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile)))
	}
	accounted(t, cfg.OutDir, 61, false)
	st := e.srv.Stats()
	if st.Injected500 == 0 || st.DroppedAfter == 0 || st.Storm429 == 0 {
		t.Errorf("the faults did not happen: %+v", st)
	}
	t.Logf("faults: %d 500s, %d dropped before, %d after, %d 429s; %d creates settled by a search",
		st.Injected500, st.DroppedBefore, st.DroppedAfter, st.Storm429, sum.Rematched)
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	e.noDuplicates()
	sameSnapshot(t, e.snapshot(), want)
	e.checkOracle(path)
}

// loseAnswers is a transport that lets creates reach the server and then
// loses their answers, as a dropped connection does after the write.
type loseAnswers struct {
	next  http.RoundTripper
	every int // lose the answer of every n-th create
	// creates are the paths (suffixes) of the PUTs that count as creates;
	// contacts and cards when empty.
	creates []string
	// void sends the creates whose answer is lost to a path MiniCRM does
	// not serve: they leave, but are never carried out.
	void  bool
	n     atomic.Int64
	after func() // called when an answer is lost
	// die makes every request after the first lost answer hang until it is
	// cancelled, as if the process had stopped there.
	die  bool
	dead atomic.Bool
}

func (l *loseAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	if l.dead.Load() {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	creates := l.creates
	if creates == nil {
		creates = []string{"/Api/R3/Contact", "/Api/R3/Project"}
	}
	isCreate := req.Method == http.MethodPut && slices.ContainsFunc(creates, func(p string) bool { return strings.HasSuffix(req.URL.Path, p) })
	lose := isCreate && l.n.Add(1)%int64(l.every) == 0
	if lose && l.void {
		req = req.Clone(req.Context())
		req.URL.Path += "/Nowhere"
	}
	resp, err := l.next.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if l.die {
		l.dead.Store(true)
	}
	if l.after != nil {
		l.after()
	}
	return nil, errors.New("connection reset by peer (test: the answer is lost)")
}

// TestLostCreateAnswers: every third create's answer is lost after MiniCRM
// made the record. The import searches before creating again: no duplicate.
func TestLostCreateAnswers(t *testing.T) {
	t.Parallel()
	path := writeCSV(t, t.TempDir(), "l.csv", genRows(30, 5, nil))
	want := cleanSnapshot(t, path)
	e := newEnv(t, nil)
	cfg := e.config(clientsMapping, path)
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: &loseAnswers{next: http.DefaultTransport, every: 3}}))
	sum := e.run(cfg)
	if sum.Rows.OK != 30 || sum.Rematched == 0 {
		t.Errorf("rows %+v, rematched %d", sum.Rows, sum.Rematched)
	}
	e.noDuplicates()
	sameSnapshot(t, e.snapshot(), want)
	e.checkOracle(path)
}

// TestCrashBetweenCreateAndJournal: the process "dies" right after MiniCRM
// made a record and before the answer arrived (the run is cancelled at that
// moment, and its in-flight create is abandoned). The resumed run finds the
// pending create, looks it up, and reports the row's record as created by
// the run it resumes; nothing is duplicated.
func TestCrashBetweenCreateAndJournal(t *testing.T) {
	t.Parallel()
	path := writeCSV(t, t.TempDir(), "k.csv", genRows(30, 5, nil))
	want := cleanSnapshot(t, path)
	e := newEnv(t, nil)

	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	cfg := e.config(clientsMapping, path)
	cfg.Grace = time.Nanosecond // die at once
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: &loseAnswers{next: http.DefaultTransport, every: 17,
		die: true, after: func() { once.Do(cancel) }}}))
	sum, err := pipeline.Import(ctx, cfg)
	if !errors.Is(err, pipeline.ErrInterrupted) || sum.Status != pipeline.StatusInterrupted {
		t.Fatalf("want an interrupted run, got %v (%s)", err, sum.Status)
	}

	cfg2 := e.config(clientsMapping, path)
	cfg2.Resume = true
	sum2 := e.run(cfg2)
	if !sum2.Resumed || sum2.PendingFound == 0 {
		t.Errorf("resumed %v, pending found %d", sum2.Resumed, sum2.PendingFound)
	}
	if got := sum.Rows.OK + sum2.Rows.OK - sum2.Rows.FromJournal; got != 30 {
		t.Errorf("rows: first run %+v, resumed %+v", sum.Rows, sum2.Rows)
	}
	ok := accounted(t, cfg2.OutDir, 31, false)
	created := 0
	for _, rs := range ok {
		for _, r := range rs {
			if r["action"] == "created" {
				created++
			}
		}
	}
	if created != 30+5+30 {
		t.Errorf("success.csv of the resumed run reports %d records created, want 65 (every record was created by the two runs)", created)
	}
	e.noDuplicates()
	sameSnapshot(t, e.snapshot(), want)
	e.checkOracle(path)
}

// TestResumeAfterInterrupt: Ctrl-C in the middle; --resume takes the done
// rows from the journal and does the rest. A resume on a changed file
// starts afresh instead.
func TestResumeAfterInterrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeCSV(t, dir, "r.csv", genRows(80, 8, nil))
	want := cleanSnapshot(t, path)
	e := newEnv(t, nil)

	ctx, cancel := context.WithCancel(context.Background())
	cfg := e.config(clientsMapping, path)
	cfg.Progress = func(p pipeline.Progress) {
		if p.Rows >= 20 {
			cancel()
		}
	}
	cfg.ProgressEvery = time.Millisecond
	if err := e.srv.SetFaults(sandbox.Faults{Latency: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Import(ctx, cfg)
	if !errors.Is(err, context.Canceled) || sum.Status != pipeline.StatusInterrupted || sum.Rows.Total >= 80 {
		t.Fatalf("want an interrupted run: %v, %s, %+v", err, sum.Status, sum.Rows)
	}
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	done := sum.Rows.Total

	cfg2 := e.config(clientsMapping, path)
	cfg2.Resume = true
	sum2 := e.run(cfg2)
	if !sum2.Resumed || sum2.Rows.FromJournal != done || sum2.Rows.Total != 80 || sum2.Rows.OK != 80 {
		t.Errorf("resumed %v, rows %+v; the interrupted run finished %d", sum2.Resumed, sum2.Rows, done)
	}
	accounted(t, cfg2.OutDir, 81, false)
	e.noDuplicates()
	sameSnapshot(t, e.snapshot(), want)
	e.checkOracle(path)

	// Resume again: the run finished, so nothing is resumed; the file is
	// compared afresh (and nothing written).
	before := e.writes()
	cfg3 := e.config(clientsMapping, path)
	cfg3.Resume = true
	sum3 := e.run(cfg3)
	if sum3.Resumed || sum3.Rows.FromJournal != 0 || e.writes() != before {
		t.Errorf("resume of a finished run: resumed %v, %+v, %d writes", sum3.Resumed, sum3.Rows, e.writes()-before)
	}
}

// TestKeysOutsideTheList: external ids and VAT numbers are not in list
// summaries. Records listed but never read in detail are looked up by a
// field search while that is cheaper, then read in detail once; a VAT number
// written differently still matches.
func TestKeysOutsideTheList(t *testing.T) {
	t.Parallel()
	ds := sandbox.EmptyDataset()
	for i := range 5 {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 9101 + i, Type: "Person", Emails: []string{fmt.Sprintf("regi%d@regi.hu", i)},
			Fields: map[string]any{"FirstName": "Régi", "LastName": fmt.Sprint(i), "KulsoAzonosito": fmt.Sprintf("P-%05d", i)}})
	}
	ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 9200, Type: "Business",
		Fields: map[string]any{"Name": "Régi Név Kft.", "VatNumber": "10000000241"}})
	e := newEnv(t, ds)
	cfg := e.config(clientsMapping, writeCSV(t, t.TempDir(), "x.csv", genRows(12, 3, nil)))
	sum := e.run(cfg)
	if p := sum.Entities["Person"]; p["created"] != 7 || p["updated"] != 5 {
		t.Errorf("persons: %v (5 match an existing person by external id)", p)
	}
	if b := sum.Entities["Business"]; b["created"] != 2 || b["updated"] != 1 {
		t.Errorf("businesses: %v (Cég 000 matches the old company by VAT number)", b)
	}
	ok := accounted(t, cfg.OutDir, 13, false)
	if b := ok[2][0]; b["minicrm_id"] != "9200" || b["changed_fields"] != "Name;VatNumber" && b["changed_fields"] != "Name" {
		t.Errorf("row 2's business: %v", b)
	}
	// Five persons whose external id is unknown: three searches (each finds
	// one, which is then read in detail for the diff), then the two left
	// read in detail at once; the one business read in detail.
	if sum.Mirror.Searches != 3 || sum.Mirror.Details != 6 {
		t.Errorf("%d searches, %d details; want 3 and 6 (%v)", sum.Mirror.Searches, sum.Mirror.Details, sum.Requests.ByEndpoint)
	}
	e.noDuplicates()
}

// TestResumeChangedFile: --resume after an interrupted run, on a file that
// changed since, resumes nothing: every row is compared afresh (and the rows
// the interrupted run wrote come out unchanged).
func TestResumeChangedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeCSV(t, dir, "c.csv", genRows(40, 4, nil))
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := e.config(clientsMapping, path)
	cfg.Progress = func(p pipeline.Progress) {
		if p.Rows >= 10 {
			cancel()
		}
	}
	cfg.ProgressEvery = time.Millisecond
	if err := e.srv.SetFaults(sandbox.Faults{Latency: 2 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Import(ctx, cfg); !errors.Is(err, pipeline.ErrInterrupted) {
		t.Fatalf("want an interrupted run, got %v", err)
	}
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	writeCSV(t, dir, "c.csv", genRows(40, 4, func(i int, r []string) { r[6] = "új beosztás" }))
	cfg2 := e.config(clientsMapping, path)
	cfg2.Resume = true
	sum := e.run(cfg2)
	if sum.Resumed || sum.Rows.FromJournal != 0 || sum.Rows.OK != 40 {
		t.Errorf("resumed %v, rows %+v", sum.Resumed, sum.Rows)
	}
	if p := sum.Entities["Person"]; p["created"]+p["updated"] != 40 || p["updated"] == 0 {
		t.Errorf("persons %v: the ones written before the interruption are updated, the others created", p)
	}
	e.noDuplicates()
	e.checkOracle(path)
}
