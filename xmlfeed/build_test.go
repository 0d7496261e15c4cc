package xmlfeed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

var cardsMapping = filepath.Join(testdata, "cards.yaml")

func build(t *testing.T, e *env, src, out string, o xmlfeed.BuildOptions) (*xmlfeed.BuildSummary, []*mapping.Rejected, []xmlfeed.Drop) {
	t.Helper()
	plan, r := e.plan(t, cardsMapping, src)
	var rejects []*mapping.Rejected
	var drops []xmlfeed.Drop
	o.Plan, o.Source, o.Output = plan, r, out
	o.Reject = func(rej *mapping.Rejected) error { rejects = append(rejects, rej); return nil }
	o.OnDrop = func(d xmlfeed.Drop) { drops = append(drops, d) }
	sum, err := xmlfeed.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return sum, rejects, drops
}

func TestBuildGolden(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	out := filepath.Join(t.TempDir(), "feed.xml")
	sum, rejects, drops := build(t, e, "", out, xmlfeed.BuildOptions{})
	if sum.Rows != 7 || sum.Written != 4 || sum.Rejected != 3 || sum.Duplicates != 1 || sum.Skipped != 0 || sum.Unchanged != 0 {
		t.Errorf("summary %+v", sum)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cards.golden.xml", doc)
	if len(sum.Files) != 1 || sum.Files[0].Path != out || sum.Files[0].Cards != 4 {
		t.Errorf("files %+v", sum.Files)
	}
	var reasons []string
	for _, r := range rejects {
		reasons = append(reasons, fmt.Sprintf("%s %s %s: %s", r.Loc, r.Columns(), r.Fields(), r.Reasons()))
	}
	csv := filepath.Join(testdata, "cards.csv")
	want := []string{
		csv + `:6 Összeg Project.VarhatoArbevetel: "sok pénz" is not a number`,
		csv + `:7 Forrás Project.HolTalaltRank: "Plakát" is not an option of HolTalaltRank; the options are "Weboldal", "Ajánlás", "Hirdetés", "Rendezvény"`,
		csv + `:8 Azonosító Project.KulsoAzonosito: duplicate Project Id "OPP-1001": line 2 has it already, and a feed keys cards by it`,
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("rejects:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
	if len(rejects) > 0 && rejects[0].Values[0] != "OPP-1004" {
		t.Errorf("a reject keeps the row's values: %v", rejects[0].Values)
	}
	if len(drops) != 1 || drops[0].Loc != csv+":4" || drops[0].Element != "Megjegyzes" || drops[0].Count != 1 {
		t.Errorf("drops %v", drops)
	}
	// No temporary file is left behind.
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("files in the output directory: %v", ents)
	}
}

func TestBuildSkipDuplicateCheck(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	sum, _, _ := build(t, e, "", filepath.Join(t.TempDir(), "feed.xml"), xmlfeed.BuildOptions{SkipDuplicateCheck: true})
	if sum.Written != 5 || sum.Rejected != 2 || sum.Duplicates != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func TestBuildCancelled(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	plan, r := e.plan(t, cardsMapping, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "feed.xml")
	_, err := xmlfeed.Build(ctx, xmlfeed.BuildOptions{Plan: plan, Source: r, Output: out})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a cancelled build left %s", out)
	}
}

func TestBuildNeedsTheExternalID(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	m, err := mapping.Load(cardsMapping)
	if err != nil {
		t.Fatal(err)
	}
	m.Project.ExternalID = ""
	m.Project.Match = []string{"name"}
	s, err := crm.FetchSchemas(context.Background(), e.client, m.SchemaNeeds())
	if err != nil {
		t.Fatal(err)
	}
	p, err := mapping.Compile(m, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = xmlfeed.NewCardBuilder(p)
	var probs mapping.Problems
	if !errors.As(err, &probs) || !strings.Contains(err.Error(), "project.external_id") || !strings.Contains(err.Error(), "cards.yaml:") {
		t.Errorf("err = %v", err)
	}
}

func TestBuildSplit(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	dir := t.TempDir()
	out := filepath.Join(dir, "feed.xml")
	sum, _, _ := build(t, e, "", out, xmlfeed.BuildOptions{Split: 3})
	if len(sum.Files) != 2 || sum.Files[0].Cards != 3 || sum.Files[1].Cards != 1 {
		t.Fatalf("files %+v", sum.Files)
	}
	var ids []string
	for i, f := range sum.Files {
		if want := filepath.Join(dir, fmt.Sprintf("feed-%04d.xml", i+1)); f.Path != want {
			t.Errorf("part %d is %s, want %s", i+1, f.Path, want)
		}
		doc, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range readAll(t, doc) {
			ids = append(ids, c.ID)
		}
	}
	if want := []string{"OPP-1001", "OPP-1002", "OPP-1003", "OPP-1006"}; !slices.Equal(ids, want) {
		t.Errorf("ids %v", ids)
	}
}

// genCSV writes n valid rows for cards.yaml; rows in changed get another
// amount.
func genCSV(t *testing.T, path string, n int, changed map[int]bool) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Azonosító;Cégnév;Adószám;Vezetéknév;Keresztnév;E-mail;Telefon;Ügyfélkód;Lehetőség;Összeg;Forrás;Státusz;Felelős;Lezárás;Megjegyzés\n")
	for i := 1; i <= n; i++ {
		amount := i * 1000
		if changed[i] {
			amount += 7
		}
		fmt.Fprintf(&b, "G-%05d;Cég %d Kft.;%08d-2-41;Vezeték%d;Kereszt%d;p%d@cég%d.hu;+36 30 %03d %04d;U-%05d;Lehetőség %d;%d;Weboldal;Érdeklődő;Kovács Anna;2026.03.15.;\n",
			i, i%50, 10000000+i%50, i, i, i, i%50, i%1000, i, i, i, amount)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func feedIDs(t *testing.T, files []xmlfeed.FeedFile) []string {
	t.Helper()
	var ids []string
	for _, f := range files {
		doc, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range readAll(t, doc) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// TestChangedOnly: after a change of 5% of the rows the partial feed holds
// exactly those cards; an unchanged source writes none; the snapshot moves
// only when a file is promoted (pushed), so a failed push sends the same
// cards again.
func TestChangedOnly(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	dir := t.TempDir()
	src := filepath.Join(dir, "rows.csv")
	out := filepath.Join(dir, "feed.xml")
	snap, err := xmlfeed.OpenSnapshot(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	const n = 200
	opts := xmlfeed.BuildOptions{Snapshot: snap, Scope: "cards", Split: 150}
	promote := func(files []xmlfeed.FeedFile) {
		t.Helper()
		for _, f := range files {
			if _, ok, err := snap.Promote(f.SHA256); err != nil || !ok {
				t.Fatalf("promote %s: %v %v", f.Path, ok, err)
			}
		}
	}

	genCSV(t, src, n, nil)
	sum, rejects, _ := build(t, e, src, out, opts)
	if sum.Written != n || sum.Unchanged != 0 || len(rejects) != 0 || len(sum.Files) != 2 {
		t.Fatalf("first build: %+v, rejects %v", sum, rejects)
	}
	promote(sum.Files)
	if c, _ := snap.Committed("cards"); c != n {
		t.Errorf("committed %d", c)
	}

	sum, _, _ = build(t, e, src, out, opts)
	if sum.Written != 0 || sum.Unchanged != n || len(sum.Files) != 1 || sum.Files[0].Cards != 0 {
		t.Fatalf("unchanged source: %+v", sum)
	}
	if ids := feedIDs(t, sum.Files); len(ids) != 0 {
		t.Errorf("an unchanged source wrote %v", ids)
	}

	changed := map[int]bool{}
	var want []string
	for i := 7; len(changed) < n/20; i += 19 {
		changed[i] = true
		want = append(want, fmt.Sprintf("G-%05d", i))
	}
	genCSV(t, src, n, changed)
	sum, _, _ = build(t, e, src, out, opts)
	if got := feedIDs(t, sum.Files); !slices.Equal(got, want) || sum.Written != len(want) || sum.Unchanged != n-len(want) {
		t.Fatalf("5%% changed: wrote %v (%+v), want %v", got, sum, want)
	}
	// Not pushed (the push failed): the next build sends them again.
	sum, _, _ = build(t, e, src, out, opts)
	if got := feedIDs(t, sum.Files); !slices.Equal(got, want) {
		t.Fatalf("after a failed push: %v, want %v", got, want)
	}
	// A file from an earlier, superseded build promotes nothing.
	promote(sum.Files)
	if _, ok, _ := snap.Promote(sum.Files[0].SHA256); ok {
		t.Error("a file was promoted twice")
	}
	sum, _, _ = build(t, e, src, out, opts)
	if sum.Written != 0 {
		t.Errorf("after the push: %+v", sum)
	}
}

// TestBuildPracticeSheet builds the whole-sheet mapping the benchmark
// measures (a name template, an enum table, phones written every which way,
// grouped numbers, Hungarian dates) and keeps its output byte for byte, so
// that no speed-up of the mapping or the writer changes a card.
func TestBuildPracticeSheet(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	plan, r := e.plan(t, filepath.Join(testdata, "partnerek.yaml"), "")
	out := filepath.Join(t.TempDir(), "feed.xml")
	var rejects []string
	sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: out,
		Reject: func(rej *mapping.Rejected) error {
			rejects = append(rejects, fmt.Sprintf("%d %s %s: %s", rej.Loc.Line, rej.Columns(), rej.Fields(), rej.Reasons()))
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 155 || sum.Written != 150 || sum.Rejected != 5 || sum.Duplicates != 5 {
		t.Errorf("summary %+v", sum)
	}
	want := []string{
		`152 Azonosító Project.KulsoAzonosito: duplicate Project Id "P-5129": line 131 has it already, and a feed keys cards by it`,
		`153 Azonosító Project.KulsoAzonosito: duplicate Project Id "P-5093": line 95 has it already, and a feed keys cards by it`,
		`154 Azonosító Project.KulsoAzonosito: duplicate Project Id "P-5131": line 133 has it already, and a feed keys cards by it`,
		`155 Azonosító Project.KulsoAzonosito: duplicate Project Id "P-5056": line 58 has it already, and a feed keys cards by it`,
		`156 Azonosító Project.KulsoAzonosito: duplicate Project Id "P-5118": line 120 has it already, and a feed keys cards by it`,
	}
	if !reflect.DeepEqual(rejects, want) {
		t.Errorf("rejects:\n%s\nwant:\n%s", strings.Join(rejects, "\n"), strings.Join(want, "\n"))
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "partnerek.golden.xml", doc)
}

// TestBuildRefusesNamesXMLCannotCarry: a card field whose name, as the
// schema has it, XML cannot carry (2Szint: a usable API name, but an XML
// name cannot start with a digit) makes every card of the build a rejected
// row that names it, and the feed stays well-formed. Such a builder checks
// each card's names (NamesOK is false).
func TestBuildRefusesNamesXMLCannotCarry(t *testing.T) {
	ds := sandbox.EmptyDataset()
	for i := range ds.Categories {
		if ds.Categories[i].Name == "Értékesítés" {
			ds.Categories[i].Fields = append(ds.Categories[i].Fields, sandbox.Field{Name: "2Szint", Type: "Text(1024)"})
		}
	}
	e := newEnv(t, sandbox.Config{Dataset: ds})
	raw, err := os.ReadFile(cardsMapping)
	if err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs(filepath.Join(testdata, "cards.csv"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "file: cards.csv", "file: "+src, 1)
	text = strings.Replace(text, "    Megjegyzes: {column: Megjegyzés}", "    Megjegyzes: {column: Megjegyzés}\n    2Szint: {column: Forrás}", 1)
	mp := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(mp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, r := e.plan(t, mp, "")
	cb, err := xmlfeed.NewCardBuilder(plan)
	if err != nil {
		t.Fatal(err)
	}
	if cb.NamesOK() {
		t.Fatal("a name starting with a digit was found valid")
	}
	out := filepath.Join(t.TempDir(), "feed.xml")
	var rejects []*mapping.Rejected
	sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: out,
		Reject: func(rej *mapping.Rejected) error { rejects = append(rejects, rej); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, rej := range rejects {
		if strings.Contains(rej.Reasons(), "2Szint") {
			named++
		}
	}
	if sum.Written != 0 || named == 0 || sum.Rejected != len(rejects) {
		t.Errorf("written %d, rejected %d, of them %d naming the field: %+v", sum.Written, sum.Rejected, named, sum)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if cards := readAll(t, doc); len(cards) != 0 {
		t.Errorf("%d cards in the feed", len(cards))
	}
}
