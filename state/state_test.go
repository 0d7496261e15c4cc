package state_test

import (
	"errors"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/state"
)

func open(t *testing.T, dir string) *state.DB {
	t.Helper()
	db, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := open(t, dir)
	defer db.Close()
	if _, err := state.Open(dir); !errors.Is(err, state.ErrLocked) {
		t.Fatalf("a second Open: %v, want ErrLocked", err)
	}
}

// TestRoundTrip writes every kind of entry, closes the database and reads
// them back.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	db := open(t, dir)
	run := &state.Run{Job: "j1", System: "s", MappingHash: "m", SourceHash: "h", SourceSize: 10, Status: state.StatusRunning, StartedAt: now}
	if err := db.StartRun(run, false); err != nil {
		t.Fatal(err)
	}
	p := &state.PendingCreate{Line: 7, Kind: "Person", Fields: map[string]any{"Email": "a@b.hu", "VasarlasokSzama": int64(3)}, Match: []string{"email"}, At: now}
	if err := db.PutPending("j1", p); err != nil {
		t.Fatal(err)
	}
	if err := db.PutPending("j1", &state.PendingCreate{Line: 9, Kind: "Business", At: now}); err != nil {
		t.Fatal(err)
	}
	b := &state.Batch{
		Journal: []state.RowOutcome{{Line: 7, Entities: []state.EntityOutcome{{Kind: "Person", Action: "created", Id: 501}}},
			{Line: 7, Done: true, Status: "ok", Entities: []state.EntityOutcome{{Kind: "Person", Action: "created", Id: 501}}},
			{Line: 8, Done: true, Status: "skipped", Reason: "filter"}},
		Mirror: []state.MirrorRecord{{Id: 501, Kind: "Person", Email: "a@b.hu", Fields: map[string]string{"Email": "a@b.hu"}, Detail: true, WrittenAt: now},
			{Id: 601, Kind: "Project", CategoryId: 10, Name: "Card"}, {Id: 602, Kind: "Project", CategoryId: 11, Name: "Other"}},
		PendingDone: []string{p.Key()},
		Watermarks:  map[string]time.Time{state.ContactScope: now, state.CardScope(10): now.Add(time.Hour)},
	}
	if err := db.Commit("j1", "s", b); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun("j1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, dir)
	defer db.Close()
	last, err := db.LastRun("j1")
	if err != nil || last.Status != state.StatusFinished || !last.SameInput(run) {
		t.Errorf("last run %+v, %v", last, err)
	}
	j, err := db.Journal("j1")
	if err != nil || len(j) != 2 || !j[7].Done || j[7].Entities[0].Id != 501 || j[8].Reason != "filter" {
		t.Errorf("journal %+v, %v", j, err)
	}
	pend, err := db.Pending("j1")
	if err != nil || len(pend) != 1 || pend[0].Line != 9 {
		t.Errorf("pending %+v, %v (the settled one must be gone)", pend, err)
	}
	recs, marks, err := db.Mirror("s", state.ContactScope, state.CardScope(10))
	if err != nil || len(recs) != 2 || recs[0].Id != 501 || recs[1].Id != 601 || !recs[0].Detail || recs[0].Fields["Email"] != "a@b.hu" {
		t.Errorf("mirror %+v, %v", recs, err)
	}
	if !marks[state.ContactScope].Equal(now) || !marks[state.CardScope(10)].Equal(now.Add(time.Hour)) {
		t.Errorf("watermarks %v", marks)
	}

	// A full refresh replaces a scope; a fresh run clears the journal.
	if err := db.Commit("", "s", &state.Batch{ReplaceScopes: []string{state.CardScope(10)},
		Mirror: []state.MirrorRecord{{Id: 603, Kind: "Project", CategoryId: 10}}}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ = db.Mirror("s", state.CardScope(10), state.CardScope(11))
	if len(recs) != 2 || recs[0].Id != 603 || recs[1].Id != 602 {
		t.Errorf("after replacing cards/10: %+v", recs)
	}
	if err := db.StartRun(run, false); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.Journal("j1"); len(j) != 0 {
		t.Errorf("a fresh run kept the journal: %v", j)
	}
}
