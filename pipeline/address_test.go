package pipeline_test

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// practiceAddresses is each company's (by VAT number) address in the
// practice sheet: postcode, city, street.
func practiceAddresses(t *testing.T, path string) map[string][3]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	out := map[string][3]string{}
	for _, row := range rows[1:] {
		out[mapping.VatKey(row[col["Adószám"]])] = [3]string{row[col["Irsz."]], row[col["Település"]], row[col["Utca, házszám"]]}
	}
	return out
}

// addressRequests counts the requests to the address endpoints so far.
func (e *env) addressRequests() int {
	n := 0
	for k, v := range e.srv.Stats().Requests {
		// The schema read (GET /Api/R3/Schema/Address) is the mapping
		// check's, one a run.
		if strings.Contains(k, " /Api/R3/Address") {
			n += v
		}
	}
	return n
}

// checkAddresses reads every company's addresses back through the API
// (AddressList, then Address/<Id>) and compares them with the sheet.
func (e *env) checkAddresses(want map[string][3]string) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	c := e.client()
	vatOf, _ := e.companies()
	if len(vatOf) != len(want) {
		t.Errorf("%d companies, want %d", len(vatOf), len(want))
	}
	bad := 0
	for id, vat := range vatOf {
		list, err := c.Addresses.List(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			bad++
			t.Errorf("company %d (%s) has %d addresses, want 1: %+v", id, vat, len(list), list)
			continue
		}
		a, err := c.Addresses.Get(ctx, list[0].Id)
		if err != nil {
			t.Fatal(err)
		}
		w := want[vat]
		got := [3]string{a.PostalCode, a.City, a.Address}
		if got != w || a.Type != "Székhely" || a.CountryId != "Hungary" || !a.Default || a.ContactId != id || a.Name != "Székhely" {
			bad++
			if bad <= 3 {
				t.Errorf("company %d (%s): address %d %q %q %q %q %q %q default %v, want %v in Hungary, the default Székhely",
					id, vat, a.Id, a.Type, a.Name, a.CountryId, a.PostalCode, a.City, a.Address, a.Default, w)
			}
		}
		if !strings.Contains(list[0].Display, w[1]) {
			t.Errorf("AddressList shows %q, without the city %q", list[0].Display, w[1])
		}
	}
	if bad > 0 {
		t.Errorf("%d companies with a wrong address", bad)
	}
}

// TestPracticeSheetAddresses imports the practice sheet's companies with
// their address: every company gets its one address, a re-run writes
// nothing and asks nothing of the address endpoints, a changed postcode
// costs exactly one request.
func TestPracticeSheetAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	mp := filepath.Join(testdata, "partnerek-address.yaml")
	src := filepath.Join(testdata, "partnerek.csv")
	want := practiceAddresses(t, src)
	sum := e.run(e.config(mp, src))
	if sum.Rows.OK != 1530 || sum.Rows.Rejected != 0 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	if w := e.writes(); w != 214+214 {
		t.Errorf("first import: %d writes, want 214 companies + 214 addresses", w)
	}
	// A new company has no addresses to look up.
	if n := e.addressRequests(); n != 214 {
		t.Errorf("first import: %d address requests, want 214 creates", n)
	}
	if got := sum.Entities["Business.Address"]; got[pipeline.ActionCreated] != 214 || got[pipeline.ActionUnchanged] != 1530-214 {
		t.Errorf("address outcomes %v", got)
	}
	e.checkAddresses(want)

	writes, addr := e.writes(), e.addressRequests()
	e.run(e.config(mp, src))
	if w := e.writes() - writes; w != 0 {
		t.Errorf("re-run: %d writes, want 0", w)
	}
	if n := e.addressRequests() - addr; n != 0 {
		t.Errorf("re-run: %d address requests, want 0", n)
	}

	// A full refresh forgets what the mirror knew: every company's
	// addresses are read back (an AddressList and an Address each), and
	// MiniCRM's answers (Hungary for Magyarország) compare equal.
	full := e.config(mp, src)
	full.FullRefresh = true
	writes, addr = e.writes(), e.addressRequests()
	e.run(full)
	if w := e.writes() - writes; w != 0 {
		t.Errorf("full refresh: %d writes, want 0", w)
	}
	if n := e.addressRequests() - addr; n != 2*214 {
		t.Errorf("full refresh: %d address requests, want 2 × 214", n)
	}

	// One company's postcode changes (on each of its rows).
	changed, vat, old := changePostcode(t, src)
	// A dry run plans the one change: the old and the new postcode.
	dry := e.config(mp, changed)
	dry.DryRun = true
	e.run(dry)
	var planned []string
	for _, r := range readCSV(t, filepath.Join(dry.OutDir, pipeline.PlanFile)) {
		if r["action"] != pipeline.ActionUnchanged {
			planned = append(planned, r["entity"]+" "+r["action"]+" "+r["field"]+" "+r["old"]+"→"+r["new"])
		}
	}
	if w := "Business.Address updated PostalCode " + old + "→1234"; len(planned) != 1 || planned[0] != w {
		t.Errorf("plan %q, want %q", planned, w)
	}
	cfg := e.config(mp, changed)
	writes, addr = e.writes(), e.addressRequests()
	puts := e.srv.Stats().Requests["PUT /Api/R3/Address/{id}"]
	sum = e.run(cfg)
	if w := e.writes() - writes; w != 1 {
		t.Errorf("changed postcode: %d writes, want 1", w)
	}
	if n, all := e.srv.Stats().Requests["PUT /Api/R3/Address/{id}"]-puts, e.addressRequests()-addr; n != 1 || all != 1 {
		t.Errorf("changed postcode: %d address updates, %d address requests; want 1 (%v)", n, all, e.srv.Stats().Requests)
	}
	if got := sum.Entities["Business.Address"][pipeline.ActionUpdated]; got != 1 {
		t.Errorf("%d addresses updated, want 1 (%v)", got, sum.Entities)
	}
	want[vat] = [3]string{"1234", want[vat][1], want[vat][2]}
	e.checkAddresses(want)
}

// changePostcode writes a copy of the practice sheet where the first row's
// company has the postcode 1234 on each of its rows; it returns the copy,
// the company's VAT key and its old postcode.
func changePostcode(t *testing.T, src string) (path, vat, old string) {
	t.Helper()
	text, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\r\n")
	first := strings.Split(lines[1], ";")
	vat, old = mapping.VatKey(first[2]), first[8]
	for i, l := range lines {
		if f := strings.Split(l, ";"); len(f) > 8 && mapping.VatKey(f[2]) == vat {
			f[8] = "1234"
			lines[i] = strings.Join(f, ";")
		}
	}
	if old == "1234" {
		t.Fatal("the postcode does not change")
	}
	return writeFile(t, t.TempDir(), "partnerek.csv", strings.Join(lines, "\r\n")), vat, old
}

// TestViaFeedAddresses imports the whole practice sheet through the XML
// feed: the companies' addresses go in the feed (CardBuilder), the sandbox
// stores them, the adopt step records them in the mirror, and a re-run
// writes nothing and asks nothing of the address endpoints.
func TestViaFeedAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	mp := filepath.Join(testdata, "partnerek-cards.yaml")
	src := filepath.Join(testdata, "partnerek.csv")
	want := practiceAddresses(t, src)
	cfg := e.config(mp, src)
	cfg.Via, cfg.FeedID, cfg.FeedWait = pipeline.ViaFeed, 119, 3*time.Minute
	sum := e.run(cfg)
	if sum.Via != pipeline.ViaFeed || sum.Feed == nil || sum.Feed.Cards == 0 {
		t.Fatalf("not imported via the feed: %+v", sum)
	}
	if n := e.addressRequests(); n != 0 {
		t.Errorf("via the feed: %d address requests, want 0 (the feed carries them)", n)
	}
	if got := sum.Entities["Business.Address"]; got[pipeline.ActionCreated] != 214 {
		t.Errorf("address outcomes %v, want 214 created", got)
	}
	e.checkAddresses(want)

	writes, addr := e.writes(), e.addressRequests()
	e.run(e.config(mp, src))
	if w := e.writes() - writes; w != 0 {
		t.Errorf("re-run: %d writes, want 0", w)
	}
	if n := e.addressRequests() - addr; n != 0 {
		t.Errorf("re-run: %d address requests, want 0", n)
	}

	// The feed's addresses have no Id in the mirror: a changed postcode
	// reads the company's addresses once (a list, a detail), then updates.
	changed, vat, _ := changePostcode(t, src)
	writes, addr = e.writes(), e.addressRequests()
	e.run(e.config(mp, changed))
	if w, n := e.writes()-writes, e.addressRequests()-addr; w != 1 || n != 3 {
		t.Errorf("changed postcode after the feed: %d writes, %d address requests; want 1 and 3", w, n)
	}
	want[vat] = [3]string{"1234", want[vat][1], want[vat][2]}
	e.checkAddresses(want)
}

// addressCreates are the requests that create an address.
var addressCreates = []string{"/Api/R3/Address"}

// TestLostAddressAnswers: every third address create's answer is lost after
// MiniCRM made the address. The import reads the contact's addresses
// before creating again: every company ends with its one address.
func TestLostAddressAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	mp := filepath.Join(testdata, "partnerek-address.yaml")
	src := filepath.Join(testdata, "partnerek.csv")
	cfg := e.config(mp, src)
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: &loseAnswers{next: http.DefaultTransport, every: 3, creates: addressCreates}}))
	sum := e.run(cfg)
	if sum.Rows.OK != 1530 || sum.Rematched != 214/3 {
		t.Errorf("rows %+v, rematched %d, want %d", sum.Rows, sum.Rematched, 214/3)
	}
	e.checkAddresses(practiceAddresses(t, src))
}

// TestCrashAfterAddressCreate: the process "dies" right after MiniCRM made
// an address and before the answer arrived. The resumed run finds the
// pending create, reads that company's addresses again, and creates
// nothing twice; a run after it writes nothing.
func TestCrashAfterAddressCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	mp := filepath.Join(testdata, "partnerek-address.yaml")
	src := filepath.Join(testdata, "partnerek.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	cfg := e.config(mp, src)
	cfg.Grace = time.Nanosecond
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: &loseAnswers{next: http.DefaultTransport, every: 40, die: true, creates: addressCreates,
		after: func() { once.Do(cancel) }}}))
	sum, err := pipeline.Import(ctx, cfg)
	if !errors.Is(err, pipeline.ErrInterrupted) {
		t.Fatalf("want an interrupted run, got %v (%s)", err, sum.Status)
	}
	resume := e.config(mp, src)
	resume.Resume = true
	lists := e.srv.Stats().Requests["GET /Api/R3/AddressList/{id}"]
	sum = e.run(resume)
	if sum.Status != pipeline.StatusFinished || sum.Rows.OK != 1530 {
		t.Errorf("resumed run: %s, rows %+v", sum.Status, sum.Rows)
	}
	// The companies whose address creates were left pending are read
	// again: the one whose answer was lost, and those other workers had
	// under way when the process "died" (at most one a worker).
	if n := e.srv.Stats().Requests["GET /Api/R3/AddressList/{id}"] - lists; n < 1 || n > cfg.Workers {
		t.Errorf("resumed run: %d address lists read, want 1 to %d (the pending creates' companies)", n, cfg.Workers)
	}
	e.checkAddresses(practiceAddresses(t, src))
	writes := e.writes()
	e.run(e.config(mp, src))
	if w := e.writes() - writes; w != 0 {
		t.Errorf("after the resume: %d writes, want 0", w)
	}
}

// TestPersonAddresses: a person's addresses by a Type from a column. Two
// types make two addresses; a Type not in the schema and an empty Type
// beside an address are error rows naming the column; empty address cells
// make no address; a contact with two addresses of the row's Type is an
// error row, not a guess. A re-run writes nothing.
func TestPersonAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	c := e.client()
	dup, err := c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Edit", "LastName": "Ék", "Email": "e@x.hu"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Addresses.Create(ctx, restapi.Fields{"ContactId": dup, "Name": "Egyéb", "Type": "Egyéb", "City": "Eger"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	src := writeFile(t, dir, "people.csv", "Email;Vezetéknév;Keresztnév;Típus;Város;Irsz\n"+
		"a@x.hu;Kiss;Anna;Levelezési cím;Pécs;7621\n"+
		"b@x.hu;Nagy;Béla;Kastély;Győr;9021\n"+
		"c@x.hu;Tóth;Cili;;;\n"+
		"a@x.hu;Kiss;Anna;számlázási cím;Pécs;7622\n"+
		"d@x.hu;Dér;Dóra;;Debrecen;4025\n"+
		"e@x.hu;Ék;Edit;Egyéb;Eger;3300\n")
	mp := writeFile(t, dir, "people.yaml", `source: {file: people.csv}
person:
  match: [email]
  fields:
    Email: {column: Email}
    LastName: {column: Vezetéknév}
    FirstName: {column: Keresztnév}
  address: {Type: {column: Típus}, City: {column: Város}, PostalCode: {column: Irsz}}
`)
	cfg := e.config(mp, src)
	sum := e.run(cfg)
	if sum.Rows.OK != 3 || sum.Rows.Rejected != 3 {
		t.Errorf("rows %+v", sum.Rows)
	}
	errs := map[string]map[string]string{}
	for _, r := range readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile)) {
		errs[r["Email"]] = r
	}
	for email, want := range map[string][2]string{
		"b@x.hu": {"Típus", `"Kastély" is not an option of Type`},
		"d@x.hu": {"Típus", "is empty; the address is found among the contact's addresses by it"},
		"e@x.hu": {"", `has 2 addresses with Type "Egyéb"`},
	} {
		r := errs[email]
		if r == nil || r["column"] != want[0] || !strings.Contains(r["reason"], want[1]) {
			t.Errorf("%s: error row %v, want column %q and %q", email, r, want[0], want[1])
		}
	}
	people := map[string]int{}
	for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		people[it.Email] = it.Id
	}
	for email, want := range map[string][]string{
		"a@x.hu": {"Levelezési cím (7621 Pécs)", "Számlázási cím (7622 Pécs)"},
		"c@x.hu": nil,
		"e@x.hu": {"Egyéb (Eger)", "Egyéb (Eger)"},
	} {
		list, err := c.Addresses.List(ctx, people[email])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.Display)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: addresses %q, want %q", email, got, want)
		}
	}
	writes := e.writes()
	e.run(e.config(mp, src))
	if w := e.writes() - writes; w != 0 {
		t.Errorf("re-run: %d writes", w)
	}
}
