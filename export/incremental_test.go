package export_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// TestIncremental changes three records and trashes a card between two
// runs: the second lists only what changed (one page each), and the files
// show the changes.
func TestIncremental(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(150)) // 450 contacts (5 pages), 300 cards (3 pages)
	cfg := e.config("out", export.Persons, export.Projects)
	cfg.Category, cfg.Incremental = 10, true
	before := e.requests()
	sum := e.export(cfg)
	first := diff(e.requests(), before)
	if sum.Mode["contacts"] != "full" || sum.Tables[0].Rows != 300 || sum.Tables[1].Rows != 300 {
		t.Fatalf("first run: %+v", sum)
	}
	// 5 pages (4 for the cards: the last full page is followed by an empty
	// one), each list walked once.
	if first["GET /Api/R3/Contact"] != 5 || first["GET /Api/R3/Project"] != 4 {
		t.Errorf("first run requests %v", first)
	}

	e.update("contact", 1002, restapi.Fields{"LastName": "Módosított"})  // a person
	e.update("contact", 1007, restapi.Fields{"Name": "Átnevezett Zrt."}) // a business: its persons' BusinessName
	e.update("project", 1003, restapi.Fields{"StatusId": "Sikeres"})     // a card
	e.update("project", 1006, restapi.Fields{"Deleted": 1})              // trashed
	before = e.requests()
	sum = e.export(cfg)
	second := diff(e.requests(), before)
	if sum.Mode["contacts"] != "incremental" || sum.Mode["cards/10"] != "incremental" || sum.Removed != 1 {
		t.Errorf("second run: %+v", sum)
	}
	// One page of changed contacts; one of changed cards, one of trashed;
	// the schemas and the modules come from the cache.
	if second["GET /Api/R3/Contact"] != 1 || second["GET /Api/R3/Project"] != 2 || len(second) != 2 {
		t.Errorf("second run requests %v (want one page of contacts, two of cards, nothing else)", second)
	}
	if sum.Listed < 3 || sum.Listed > 5 {
		t.Errorf("listed %d, want 3 (1002, 1007, 1003; a record or two more within the overlap at most)", sum.Listed)
	}
	_, persons := readCSV(t, filepath.Join(cfg.Output, "Persons.csv"), ',')
	_, cards := readCSV(t, filepath.Join(cfg.Output, "Projects.csv"), ',')
	p, c := byID(persons), byID(cards)
	if len(persons) != 300 || !strings.HasPrefix(p["1002"]["Name"], "Módosított") || p["1008"]["BusinessName"] != "Átnevezett Zrt." {
		t.Errorf("persons: %v %v", p["1002"], p["1008"])
	}
	if len(cards) != 299 || c["1003"]["StatusId"] != "Sikeres" || c["1006"] != nil || c["1009"]["StatusId"] != "Tárgyalás" {
		t.Errorf("cards: %d, %v %v", len(cards), c["1003"], c["1006"])
	}
	// Stable order: by Id.
	if persons[0]["Id"] != "1002" || cards[0]["Id"] != "1003" || cards[len(cards)-1]["Id"] < cards[len(cards)-2]["Id"] {
		t.Errorf("order: %v… %v…", persons[0]["Id"], cards[0]["Id"])
	}

	// Nothing changed: one empty page each.
	before = e.requests()
	sum = e.export(cfg)
	third := diff(e.requests(), before)
	if sum.Listed != 0 || third["GET /Api/R3/Contact"] != 1 || third["GET /Api/R3/Project"] != 2 {
		t.Errorf("third run: listed %d, requests %v", sum.Listed, third)
	}
}

// cancelAfter is a transport that cancels the run at the n+1st detail
// request of a contact, before it leaves.
type cancelAfter struct {
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/Api/R3/Contact/") {
		if c.seen.Add(1) > c.n {
			c.cancel()
			return nil, context.Canceled
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestDetailsResume interrupts an export with details and resumes it: no
// detail is read twice.
func TestDetailsResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(10)) // 20 persons
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &cancelAfter{n: 8, cancel: cancel}
	cfg := e.config("persons.xlsx", export.Persons)
	cfg.Details, cfg.Workers = true, 1
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: tr}))
	before := e.requests()
	sum, err := export.Export(ctx, cfg)
	if !errors.Is(err, export.ErrInterrupted) || sum.Details != 8 || len(sum.Files) != 0 {
		t.Fatalf("interrupted run: %v, %+v", err, sum)
	}
	cfg.Client, cfg.Resume = e.client(), true
	sum = e.export(cfg)
	// 20 persons and, for their VAT and registration numbers, the 10
	// companies.
	got := diff(e.requests(), before)["GET /Api/R3/Contact/{id}"]
	if !sum.Resumed || sum.Details != 22 || got != 30 || sum.Rows() != 20 {
		t.Errorf("resumed: %d detail requests in all (want 30), summary %+v", got, sum)
	}
	// A new (not resumed) full run lists everything again, but takes the
	// details from the system cache: nothing changed since they were read.
	cfg.Resume = false
	before = e.requests()
	sum = e.export(cfg)
	if got := diff(e.requests(), before)["GET /Api/R3/Contact/{id}"]; got != 0 || sum.Resumed || sum.Reused != 30 {
		t.Errorf("a fresh run read %d details (want 0), reused %d (want 30)", got, sum.Reused)
	}
	// --full-refresh reads every detail again.
	cfg.FullRefresh = true
	before = e.requests()
	sum = e.export(cfg)
	if got := diff(e.requests(), before)["GET /Api/R3/Contact/{id}"]; got != 30 || sum.Reused != 0 {
		t.Errorf("a --full-refresh run read %d details, want 30 (reused %d)", got, sum.Reused)
	}
}

// TestRoundTrip exports persons with details and imports the file back
// with the matching mapping (testdata/export): every row unchanged, no
// write. (A card row cannot go round: it names its contact by full name
// and email, and a mapping needs a person's FirstName.)
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(5))
	for _, tc := range []struct {
		entity  export.Entity
		file    string
		mapping string
	}{{export.Persons, "persons.csv", "persons.yaml"}, {export.Projects, "projects.csv", "projects.yaml"}} {
		cfg := e.config(tc.file, tc.entity)
		cfg.Details, cfg.Category = true, 10
		e.export(cfg)
		writes := e.srv.Stats().Writes
		sum, err := pipeline.Import(context.Background(), pipeline.Config{Client: e.client(),
			MappingPath: filepath.Join("..", "testdata", "export", tc.mapping), SourcePath: cfg.Output,
			StateDir: t.TempDir(), OutDir: t.TempDir(), Now: e.clock.now, Workers: 2})
		if err != nil {
			t.Fatalf("%s: import: %v", tc.file, err)
		}
		if w := e.srv.Stats().Writes - writes; w != 0 || sum.Rows.OK != sum.Rows.Total || sum.Rows.Total == 0 {
			t.Errorf("%s: %d writes, rows %+v", tc.file, w, sum.Rows)
		}
		for kind, actions := range sum.Entities {
			for action, n := range actions {
				if action != pipeline.ActionUnchanged {
					t.Errorf("%s: %d %s %s", tc.file, n, kind, action)
				}
			}
		}
	}
}
