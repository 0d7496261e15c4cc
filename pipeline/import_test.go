package pipeline_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// TestImportClients imports the fixture into an empty system: one company
// on many rows, the same person twice with the email and the phone written
// differently, a VAT number written two ways, a filtered row, a bad row.
func TestImportClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cfg := e.config(filepath.Join(testdata, "clients.yaml"), "")
	sum := e.run(cfg)

	if sum.Status != pipeline.StatusFinished {
		t.Fatalf("status %s: %s", sum.Status, sum.Error)
	}
	if got := sum.Rows; got.Total != 8 || got.OK != 6 || got.Skipped != 1 || got.Rejected != 1 {
		t.Errorf("rows: %+v", got)
	}
	want := map[string]map[string]int{
		"Business": {"created": 2, "unchanged": 4},
		"Person":   {"created": 4, "updated": 1, "unchanged": 1},
		"Project":  {"created": 4, "unchanged": 2},
	}
	for kind, acts := range want {
		for act, n := range acts {
			if sum.Entities[kind][act] != n {
				t.Errorf("%s %s: %d, want %d (all: %v)", kind, act, sum.Entities[kind][act], n, sum.Entities)
			}
		}
	}
	if w := e.writes(); w != 11 {
		t.Errorf("%d writes, want 11 (2 companies + 4 persons + 4 cards + 1 update)", w)
	}
	e.noDuplicates()

	ok := accounted(t, cfg.OutDir, 9, false)
	if got := ok[6]; len(got) != 3 || got[1]["action"] != "unchanged" || got[1]["minicrm_id"] != ok[2][1]["minicrm_id"] {
		t.Errorf("row 6 (Kiss János again, email and phone written differently): %v", got)
	}
	if got := ok[7]; len(got) != 3 || got[1]["entity"] != "Person" || got[1]["action"] != "updated" || got[1]["changed_fields"] != "Position" {
		t.Errorf("row 7 (Kovács Éva by phone, with a position): %v", got)
	}
	if got := ok[8]; len(got) != 1 || got[0]["action"] != "skipped" || !strings.Contains(got[0]["note"], "Törölt") {
		t.Errorf("row 8 (filtered): %v", got)
	}
	errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
	if len(errs) != 1 || errs[0]["row"] != "9" || errs[0]["E-mail"] != "nem-email" || !strings.Contains(errs[0]["reason"], "email") {
		t.Errorf("errors.csv: %v", errs)
	}

	// The same file again: nothing to write, and few reads.
	e.clock.advance(time.Hour)
	before, reads := e.writes(), e.total()
	cfg2 := e.config(filepath.Join(testdata, "clients.yaml"), "")
	sum2 := e.run(cfg2)
	if w := e.writes() - before; w != 0 {
		t.Errorf("re-run: %d writes, want 0", w)
	}
	if r := e.total() - reads; r > 10 {
		t.Errorf("re-run: %d requests; want a small constant (%v)", r, sum2.Requests.ByEndpoint)
	}
	if sum2.Entities["Person"]["unchanged"] != 6 || sum2.Mirror.Refresh != "incremental" {
		t.Errorf("re-run: %v, refresh %s", sum2.Entities, sum2.Mirror.Refresh)
	}
	t.Logf("re-run: %s", sum2.Text())
}
