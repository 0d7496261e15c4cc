package state_test

import (
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// TestExportSnapshot writes records and meta, sweeps what a run did not
// list, and reads them back in Id order after a reopen.
func TestExportSnapshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := open(t, dir)
	if m, err := db.ExportMeta("t"); m != nil || err != nil {
		t.Fatalf("a new target has meta %+v, %v", m, err)
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	b := &state.ExportBatch{Meta: &state.ExportMeta{Options: "o", Run: 2, Status: state.StatusRunning,
		Watermarks: map[string]time.Time{"contacts": now}}}
	for _, id := range []int{30, 4, 200} {
		b.Add("cards", state.ExportRecord{Id: id, Kind: "Project", CategoryId: 10, ListedRun: 2, Values: map[string]string{"Name": "c"}})
	}
	b.Add("cards", state.ExportRecord{Id: 5, Kind: "Project", CategoryId: 10, ListedRun: 1}) // not listed by run 2
	b.Add("cards", state.ExportRecord{Id: 6, Kind: "Project", CategoryId: 11, ListedRun: 1}) // another module
	b.Add("contacts", state.ExportRecord{Id: 7, Kind: "Person", ListedRun: 1})
	if err := db.CommitExport("t", b); err != nil {
		t.Fatal(err)
	}
	sw := &state.ExportBatch{Sweep: []state.ExportSweep{{Scope: "cards", Kind: "Project", CategoryId: 10, KeepRun: 2}}}
	sw.Remove("cards", 30)
	if err := db.CommitExport("t", sw); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, dir)
	defer db.Close()
	m, err := db.ExportMeta("t")
	if err != nil || m.Run != 2 || !m.Watermarks["contacts"].Equal(now) {
		t.Errorf("meta %+v, %v", m, err)
	}
	var ids []int
	err = db.ViewExport("t", func(v *state.ExportView) error {
		if r, _ := v.Get("contacts", 7); r == nil || r.Kind != "Person" {
			t.Errorf("contact 7: %+v", r)
		}
		return v.Each("cards", 0, func(r *state.ExportRecord) error { ids = append(ids, r.Id); return nil })
	})
	if err != nil || len(ids) != 3 || ids[0] != 4 || ids[1] != 6 || ids[2] != 200 {
		t.Errorf("cards after the sweep: %v, %v (want 4, 6, 200)", ids, err)
	}
	if r, err := db.ExportRecord("t", "cards", 200); err != nil || r == nil || r.Values["Name"] != "c" {
		t.Errorf("card 200: %+v %v", r, err)
	}
	if err := db.DropExport("t"); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.ExportMeta("t"); m != nil {
		t.Errorf("dropped target still has meta")
	}
}
