package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestMatchOnlyPerson imports cards for existing customers known only by
// email (person create: false): a known email gets its card, linked to the
// existing person; an unknown one is an error row, and no person is created.
func TestMatchOnlyPerson(t *testing.T) {
	t.Parallel()
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{
		{Id: 9001, Type: "Person", Emails: []string{"anna@one.hu"}, Fields: map[string]any{"FirstName": "Anna", "LastName": "Egy"}},
	}
	e := newEnv(t, ds)
	dir := t.TempDir()
	src := filepath.Join(dir, "cards.csv")
	csv := "E-mail;Lehetőség;Kód\nANNA@one.hu ;Első ajánlat;OPP-1\nnobody@nowhere.hu;Második ajánlat;OPP-2\n"
	if err := os.WriteFile(src, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := e.config(filepath.Join(testdata, "cards-existing.yaml"), src)
	before := e.writes()
	sum := e.run(cfg)
	if sum.Rows.OK != 1 || sum.Rows.Rejected != 1 {
		t.Fatalf("rows %+v", sum.Rows)
	}
	if got := e.writes() - before; got != 1 {
		t.Errorf("%d writes, want 1 (the card only)", got)
	}
	errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
	if len(errs) != 1 || errs[0]["row"] != "3" || !strings.Contains(errs[0]["reason"], `no existing person matches email "nobody@nowhere.hu"`) {
		t.Errorf("errors.csv: %v", errs)
	}
	ok := accounted(t, cfg.OutDir, 3, false)
	var card map[string]string
	for _, r := range ok[2] {
		if r["entity"] == "Project" {
			card = r
		}
	}
	if card == nil || card["action"] != "created" {
		t.Fatalf("row 2: %v", ok[2])
	}
	found, persons := false, 0
	for _, s := range e.snapshot() {
		if strings.Contains(s, "Első ajánlat") && strings.Contains(s, "contact=Egy Anna") {
			found = true
		}
		if strings.HasPrefix(s, "Person ") {
			persons++
		}
	}
	if !found || persons != 1 {
		t.Errorf("want the card linked to Anna Egy and no new person:\n%s", strings.Join(e.snapshot(), "\n"))
	}
}
