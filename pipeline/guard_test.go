package pipeline_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// practiceSheet is the oracle of testdata/import/partnerek.csv worked out
// from the file itself: the VAT number of each person's company, by e-mail.
func practiceSheet(t *testing.T) (vatByEmail map[string]string, vats map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "partnerek.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	vatByEmail, vats = map[string]string{}, map[string]bool{}
	for _, rec := range recs[1:] {
		email := strings.ToLower(strings.TrimSpace(rec[col["Email cím"]]))
		vat := mapping.VatKey(rec[col["Adószám"]])
		if prev, ok := vatByEmail[email]; ok && prev != vat {
			t.Fatalf("the fixture gives %s two companies", email)
		}
		vatByEmail[email] = vat
		vats[vat] = true
	}
	return vatByEmail, vats
}

// companies lists the system's companies' VAT numbers by Id, and each
// person's company by e-mail.
func (e *env) companies() (vatOf map[int]string, companyOf map[string]int) {
	e.t.Helper()
	c := e.client()
	ctx := context.Background()
	vatOf, companyOf = map[int]string{}, map[string]int{}
	for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		switch it.Type {
		case "Business":
			d, err := c.Contacts.Get(ctx, it.Id)
			if err != nil {
				e.t.Fatal(err)
			}
			vatOf[it.Id] = mapping.VatKey(fmt.Sprint(d.Fields["VatNumber"]))
		case "Person":
			companyOf[strings.ToLower(it.Email)] = it.BusinessId
		}
	}
	return vatOf, companyOf
}

// TestPracticeSheetCompanies imports the practice sheet with the company
// matched by VAT number then name: every company of the file exists once,
// every person is on the company of its own row's VAT number, and a re-run
// writes nothing (no VAT number flips back and forth).
func TestPracticeSheetCompanies(t *testing.T) {
	t.Parallel()
	want, vats := practiceSheet(t)
	e := newEnv(t, nil)
	mp := filepath.Join(testdata, "partnerek-vat-name.yaml")
	cfg := e.config(mp, filepath.Join(testdata, "partnerek.csv"))
	sum := e.run(cfg)
	if sum.Rows.Rejected != 0 || sum.Rows.OK != 1530 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	vatOf, companyOf := e.companies()
	if len(vatOf) != len(vats) || len(vats) != 214 {
		t.Errorf("%d companies, want one per VAT number: %d", len(vatOf), len(vats))
	}
	if len(companyOf) != len(want) || len(want) != 1500 {
		t.Errorf("%d people, want %d", len(companyOf), len(want))
	}
	wrong := 0
	for email, vat := range want {
		if got := vatOf[companyOf[email]]; got != vat {
			wrong++
			if wrong <= 3 {
				t.Errorf("%s is on company %d with VAT %q, the row says %q", email, companyOf[email], got, vat)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d people on the wrong company", wrong)
	}
	if w := warning(sum, pipeline.WarnKeyConflict); w == nil || w.Count != 6 {
		t.Errorf("want 6 key-conflict warnings (the 6 shared names), got %+v", w)
	}
	before := e.writes()
	again := e.run(e.config(mp, filepath.Join(testdata, "partnerek.csv")))
	if w := e.writes() - before; w != 0 {
		t.Errorf("re-run: %d writes, want 0 (%v)", w, again.Entities)
	}
}

func warning(sum *pipeline.Summary, kind string) *pipeline.Warning {
	for i := range sum.Warnings {
		if sum.Warnings[i].Kind == kind {
			return &sum.Warnings[i]
		}
	}
	return nil
}

// writeFile writes text to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNameMatchGuards: a company found by its name is the row's only when
// nothing stronger disagrees, and a name equal only without accents needs
// a stronger key to agree.
func TestNameMatchGuards(t *testing.T) {
	t.Parallel()
	seed := func() *sandbox.Dataset {
		ds := sandbox.EmptyDataset()
		ds.Contacts = []sandbox.SeedContact{{Id: 9001, Type: "Business", Fields: map[string]any{"Name": "Kovács 2000 Bt.", "VatNumber": "11111111-1-11"}}}
		return ds
	}
	const withVat = `business:
  match: [%MATCH%]
  fields:
    Name: {column: Cég}
    VatNumber: {column: Adószám}
`
	const nameOnly = `business:
  match: [name]
  fields:
    Name: {column: Cég}
`
	for _, tc := range []struct {
		name, mapping, row string
		// want: "new" (a company created beside 9001), "9001" (matched),
		// "error" (an error row, nothing written).
		want, warn string
	}{
		{"other VAT, found by name", strings.ReplaceAll(withVat, "%MATCH%", "vat_number, name"), "Kovács 2000 Bt.;22222222-2-22", "new", pipeline.WarnKeyConflict},
		{"other VAT, name only in match", strings.ReplaceAll(withVat, "%MATCH%", "name"), "Kovács 2000 Bt.;22222222-2-22", "new", pipeline.WarnKeyConflict},
		{"accents differ, VAT agrees", strings.ReplaceAll(withVat, "%MATCH%", "name"), "Kovacs 2000 Bt.;11111111-1-11", "9001", ""},
		{"accents differ, no VAT", nameOnly, "Kovacs 2000 Bt.", "error", pipeline.WarnNameAccents},
		{"accents differ, VAT empty", strings.ReplaceAll(withVat, "%MATCH%", "name"), "Kovacs 2000 Bt.;", "error", pipeline.WarnNameAccents},
		{"case differs only", nameOnly, "KOVÁCS 2000 BT.", "9001", ""},
		{"same name, same VAT", strings.ReplaceAll(withVat, "%MATCH%", "vat_number, name"), "Kovács 2000 Bt.;11111111-1-11", "9001", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, seed())
			dir := t.TempDir()
			mp := writeFile(t, dir, "m.yaml", "source: {file: rows.csv, delimiter: \";\"}\n"+tc.mapping)
			src := writeFile(t, dir, "rows.csv", "Cég;Adószám\n"+tc.row+"\n")
			if !strings.Contains(tc.mapping, "VatNumber") {
				src = writeFile(t, dir, "rows.csv", "Cég\n"+strings.TrimSuffix(tc.row, ";")+"\n")
			}
			cfg := e.config(mp, src)
			sum := e.run(cfg)
			vatOf, _ := e.companies()
			switch tc.want {
			case "new":
				if len(vatOf) != 2 || vatOf[9001] != "11111111111" {
					t.Errorf("want a new company beside 9001 (VAT kept), got %v", vatOf)
				}
			case "9001":
				if len(vatOf) != 1 || sum.Rows.OK != 1 {
					t.Errorf("want the row on 9001, got companies %v, rows %+v", vatOf, sum.Rows)
				}
			case "error":
				errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
				if len(vatOf) != 1 || len(errs) != 1 || !strings.Contains(errs[0]["reason"], "business 9001") {
					t.Errorf("want an error row naming business 9001, got companies %v, errors %v", vatOf, errs)
				}
				if e.writes() != 0 {
					t.Errorf("%d writes for an error row", e.writes())
				}
			}
			if tc.warn != "" && warning(sum, tc.warn) == nil {
				t.Errorf("no %s warning: %+v", tc.warn, sum.Warnings)
			}
			if tc.warn == "" && len(sum.Warnings) != 0 {
				t.Errorf("unexpected warnings %+v", sum.Warnings)
			}
		})
	}
}

// TestConflictingRowsInFile: two rows give one company (found by its VAT
// number) different e-mails; the first stands, the second is an error row,
// and a re-run writes nothing (no flip-flop).
func TestConflictingRowsInFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dir := t.TempDir()
	mp := writeFile(t, dir, "m.yaml", `source: {file: rows.csv, delimiter: ";"}
business:
  match: [vat_number]
  fields:
    Name: {column: Cég}
    VatNumber: {column: Adószám}
    Email: {column: Email}
`)
	src := writeFile(t, dir, "rows.csv", "Cég;Adószám;Email\nAlfa Kft.;12345678-2-41;iroda@alfa.hu\nAlfa Kft.;12345678241;info@alfa.hu\nAlfa Kft.;12345678-2-41;IRODA@alfa.hu\n")
	cfg := e.config(mp, src)
	sum := e.run(cfg)
	if sum.Rows.OK != 2 || sum.Rows.Rejected != 1 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
	if len(errs) != 1 || errs[0]["row"] != "3" || !strings.Contains(errs[0]["reason"], "row 2 gave") {
		t.Errorf("errors.csv: %v", errs)
	}
	if warning(sum, pipeline.WarnConflictingRows) == nil {
		t.Errorf("no conflicting-rows warning: %+v", sum.Warnings)
	}
	if e.writes() != 1 {
		t.Errorf("%d writes, want 1 create", e.writes())
	}
	before := e.writes()
	e.run(e.config(mp, src))
	if w := e.writes() - before; w != 0 {
		t.Errorf("re-run: %d writes, want 0", w)
	}
}

// TestMovedPerson: the row puts an existing person at another company than
// MiniCRM has. By default the import moves it (and says so); MiniCRM's
// manual says the API refuses that, which the sandbox does by default, so
// the row is an error that says what to do. relink: keep leaves it, with a
// warning; relink: error refuses without a request.
func TestMovedPerson(t *testing.T) {
	t.Parallel()
	seed := func(allow bool) *sandbox.Dataset {
		ds := sandbox.EmptyDataset()
		ds.AllowContactMove = allow
		ds.Contacts = []sandbox.SeedContact{
			{Id: 9001, Type: "Business", Fields: map[string]any{"Name": "Alfa Kft.", "VatNumber": "11111111-1-11"}},
			{Id: 9002, Type: "Business", Fields: map[string]any{"Name": "Béta Kft.", "VatNumber": "22222222-2-22"}},
			{Id: 9003, Type: "Person", BusinessId: 9001, Emails: []string{"anna@example.hu"}, Fields: map[string]any{"FirstName": "Anna", "LastName": "Kiss"}},
		}
		return ds
	}
	for _, tc := range []struct {
		name, relink string
		allow        bool
		wantBiz      int
		wantRow      string // ok or error
		wantAction   string // the person's action in success.csv
		warn         string
		writes       int
	}{
		{"default, MiniCRM refuses", "", false, 9001, "error", "", pipeline.WarnRelinkRefused, 0},
		{"default, system allows", "", true, 9002, "ok", "updated", pipeline.WarnRelinked, 1},
		{"keep", "relink: keep", true, 9001, "ok", "unchanged", pipeline.WarnLinkKept, 0},
		{"error", "relink: error", true, 9001, "error", "", pipeline.WarnRelinkRefused, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, seed(tc.allow))
			dir := t.TempDir()
			mp := writeFile(t, dir, "m.yaml", `source: {file: rows.csv, delimiter: ";"}
business:
  match: [vat_number]
  fields:
    Name: {column: Cég}
    VatNumber: {column: Adószám}
person:
  match: [email]
  link: business
  `+tc.relink+`
  fields:
    FirstName: {column: Keresztnév}
    LastName: {column: Vezetéknév}
    Email: {column: Email}
`)
			src := writeFile(t, dir, "rows.csv", "Cég;Adószám;Vezetéknév;Keresztnév;Email\nBéta Kft.;22222222-2-22;Kiss;Anna;anna@example.hu\n")
			cfg := e.config(mp, src)
			sum := e.run(cfg)
			_, companyOf := e.companies()
			if got := companyOf["anna@example.hu"]; got != tc.wantBiz {
				t.Errorf("Anna is on %d, want %d", got, tc.wantBiz)
			}
			if tc.wantRow == "ok" {
				ok := accounted(t, cfg.OutDir, 2, false)
				var person map[string]string
				for _, r := range ok[2] {
					if r["entity"] == "Person" {
						person = r
					}
				}
				if person["action"] != tc.wantAction {
					t.Errorf("person: %v, want %s", person, tc.wantAction)
				}
				if tc.wantAction == "updated" && !strings.Contains(person["changed_fields"], "BusinessId") {
					t.Errorf("person: %v, want BusinessId changed", person)
				}
			} else {
				errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
				if len(errs) != 1 || !strings.Contains(errs[0]["reason"], "9001") {
					t.Errorf("errors.csv: %v", errs)
				}
			}
			if warning(sum, tc.warn) == nil {
				t.Errorf("no %s warning: %+v", tc.warn, sum.Warnings)
			}
			if w := e.writes(); w != tc.writes {
				t.Errorf("%d writes, want %d", w, tc.writes)
			}
			if tc.allow && tc.relink == "" {
				before := e.writes()
				e.run(e.config(mp, src))
				if w := e.writes() - before; w != 0 {
					t.Errorf("re-run after the move: %d writes", w)
				}
			}
		})
	}
}

// TestRerunRightAfter: the same whole-sheet import (companies, people,
// cards) run again right after the first writes nothing and costs at most
// 30 requests: what the first run wrote is known, and records listed again
// only because the refresh window overlaps the first run's closing listing
// are not read again.
func TestRerunRightAfter(t *testing.T) {
	t.Parallel()
	// Real time on both sides, as with MiniCRM: the first run's last writes
	// fall inside the next refresh's overlap window.
	e := newEnv(t, nil)
	srv, err := sandbox.New(sandbox.Config{SystemID: testSystemID, APIKey: e.key, RPM: 0, Dataset: sandbox.EmptyDataset()})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.system = srv, strconv.Itoa(srv.SystemID())
	e.ts.Config.Handler = srv
	realtime := func() pipeline.Config {
		cfg := e.config(filepath.Join(testdata, "partnerek-cards.yaml"), filepath.Join(testdata, "partnerek.csv"))
		cfg.Now, cfg.Overlap = time.Now, 5*time.Second
		return cfg
	}
	first := e.run(realtime())
	const writes = 214 + 214 + 1500 + 1500 // the companies, their addresses, the people, the cards
	if w := e.writes(); w != writes {
		t.Fatalf("first import: %d writes, want %d", w, writes)
	}
	if first.Requests.Total > writes+60 {
		t.Errorf("first import: %d requests, want at most the writes + 60 (%d)", first.Requests.Total, writes+60)
	}
	again := e.run(realtime())
	if w := e.writes() - writes; w != 0 {
		t.Errorf("re-run: %d writes", w)
	}
	if again.Requests.Total > 30 {
		t.Errorf("re-run: %d requests, want at most 30 (%v)", again.Requests.Total, again.Requests.ByEndpoint)
	}
	// A third run right after the second: what the second confirmed stays
	// confirmed (it once re-read every record still in the overlap).
	third := e.run(realtime())
	if w := e.writes() - writes; w != 0 {
		t.Errorf("third run: %d writes", w)
	}
	if third.Requests.Total > 30 || third.Mirror.Details > 0 {
		t.Errorf("third run: %d requests, %d details, want at most 30 and none (%v)", third.Requests.Total, third.Mirror.Details, third.Requests.ByEndpoint)
	}
	t.Logf("first: %d requests; re-run: %d (%+v); third: %d (%+v)", first.Requests.Total, again.Requests.Total, again.Mirror,
		third.Requests.Total, third.Mirror)
}

// TestFieldConflictNoFlipFlop: two rows of one file give one card different
// amounts. The first row's stands, the second row's note says so, the
// warnings count it, and a re-run writes nothing (without the rule each run
// would write the card twice, ending on the second row's value).
func TestFieldConflictNoFlipFlop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	rows := genRows(3, 1, nil)
	rows = append(rows, append([]string(nil), rows[1]...))
	rows[3][8] = "999000" // the same person and card, another amount
	src := writeCSV(t, t.TempDir(), "twice.csv", rows)
	cfg := e.config(clientsMapping, src)
	sum := e.run(cfg)
	if sum.Rows.OK != 4 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	if w := warning(sum, pipeline.WarnFieldConflict); w == nil || w.Count != 1 {
		t.Errorf("field-conflict warnings: %+v", sum.Warnings)
	}
	ok := accounted(t, cfg.OutDir, 5, false)
	var note string
	for _, r := range ok[5] {
		if r["entity"] == "Project" {
			note = r["note"]
		}
	}
	if !strings.Contains(note, "VarhatoArbevetel") || !strings.Contains(note, "row 3") {
		t.Errorf("row 5's card note: %q", note)
	}
	before := e.writes()
	e.run(e.config(clientsMapping, src))
	if w := e.writes() - before; w != 0 {
		t.Errorf("re-run: %d writes, want 0", w)
	}
}

// TestUnmatchedOptionWarning: a status that is none of the module's
// options is an error row, and the warnings say which value to add to the
// enum: table.
func TestUnmatchedOptionWarning(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dir := t.TempDir()
	mp := writeFile(t, dir, "m.yaml", `source: {file: rows.csv, delimiter: ";"}
person:
  match: [email]
  fields:
    FirstName: {column: Név}
    Email: {column: Email}
project:
  category: Értékesítés
  match: [external_id]
  external_id: KulsoAzonosito
  fields:
    Name: {column: Név}
    StatusId: {column: Fázis}
    UserId: {const: Kovács Anna}
    KulsoAzonosito: {column: Kód}
`)
	src := writeFile(t, dir, "rows.csv", "Név;Email;Fázis;Kód\nAnna;anna@x.hu;Tárgyalás;K1\nBéla;bela@x.hu;Megnyert;K2\n")
	sum := e.run(e.config(mp, src))
	if sum.Rows.OK != 1 || sum.Rows.Rejected != 1 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	w := warning(sum, pipeline.WarnUnmatchedOption)
	if w == nil || w.Count != 1 || !strings.Contains(w.Examples[0].Message, `"Megnyert"`) {
		t.Errorf("unmatched-option warnings: %+v", sum.Warnings)
	}
}
