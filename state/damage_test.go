package state_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// populated writes a state database with a run, a journal, pending creates
// and a mirror of a few hundred records (several pages of each), and gives
// its bytes.
func populated(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	db := open(t, dir)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	if err := db.StartRun(&state.Run{Job: "j1", System: "s", Status: state.StatusRunning, StartedAt: now}, false); err != nil {
		t.Fatal(err)
	}
	b := &state.Batch{Watermarks: map[string]time.Time{state.ContactScope: now}}
	for i := 1; i <= 400; i++ {
		b.Journal = append(b.Journal, state.RowOutcome{Line: i, Done: true, Status: "ok",
			Entities: []state.EntityOutcome{{Kind: "Person", Action: "created", Id: 1000 + i}}})
		b.Mirror = append(b.Mirror, state.MirrorRecord{Id: 1000 + i, Kind: "Person", Name: fmt.Sprintf("Személy %d", i),
			Email: fmt.Sprintf("szemely%d@pelda.hu", i), Fields: map[string]string{"FirstName": "X", "LastName": fmt.Sprint(i)}, Detail: true})
	}
	if err := db.Commit("j1", "s", b); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 20; i++ {
		if err := db.PutPending("j1", &state.PendingCreate{Line: 500 + i, Kind: "Person", Fields: map[string]any{"Email": "x"}, At: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, state.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// use opens a state directory and does what an import does with it; it
// gives the first error. A panic fails the test (the caller recovers none).
func use(dir string) error {
	db, err := state.Open(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.LastRun("j1"); err != nil {
		return err
	}
	if _, err := db.Journal("j1"); err != nil {
		return err
	}
	if _, err := db.Pending("j1"); err != nil {
		return err
	}
	if _, _, err := db.Mirror("s", state.ContactScope); err != nil {
		return err
	}
	if err := db.PutPending("j1", &state.PendingCreate{Line: 900, Kind: "Person"}); err != nil {
		return err
	}
	b := &state.Batch{Journal: []state.RowOutcome{{Line: 900, Done: true, Status: "ok"}},
		Mirror: []state.MirrorRecord{{Id: 9000, Kind: "Person"}}, PendingDone: []string{"000000000900/Person"}}
	if err := db.Commit("j1", "s", b); err != nil {
		return err
	}
	return db.FinishRun("j1", time.Now())
}

// TestDamagedState flips 50 random bits of a state database, for 12 seeds,
// and cuts and zeroes it: opening and using it either works or fails with
// one *DamagedError that says what to do, never a panic.
func TestDamagedState(t *testing.T) {
	t.Parallel()
	good := populated(t)
	type variant struct {
		name string
		data []byte
	}
	var vs []variant
	seeds := uint64(12)
	if n, _ := strconv.Atoi(os.Getenv("MINICRM_BULK_STATE_SEEDS")); n > 0 {
		seeds = uint64(n) // a longer hunt: MINICRM_BULK_STATE_SEEDS=1000
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 13))
		b := append([]byte(nil), good...)
		for range 50 {
			i := rng.IntN(len(b))
			b[i] ^= 1 << rng.IntN(8)
		}
		vs = append(vs, variant{fmt.Sprintf("50 bits flipped, seed %d", seed), b})
	}
	// Aimed damage: the pages bbolt reads first, where a flip does harm.
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 14))
		b := append([]byte(nil), good...)
		for range 50 {
			i := 4096*2 + rng.IntN(min(len(b)-8192, 4096*8))
			b[i] ^= 1 << rng.IntN(8)
		}
		vs = append(vs, variant{fmt.Sprintf("50 bits flipped in the first pages, seed %d", seed), b})
	}
	vs = append(vs, variant{"cut in half", good[:len(good)/2]}, variant{"cut to 100 bytes", good[:100]},
		variant{"zeroed", make([]byte, len(good))}, variant{"text", []byte(strings.Repeat("not a database\n", 2000))})
	damaged := 0
	for _, v := range vs {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, state.FileName), v.data, 0o600); err != nil {
			t.Fatal(err)
		}
		err := use(dir)
		if err == nil {
			continue
		}
		damaged++
		var de *state.DamagedError
		if !errors.As(err, &de) || !errors.Is(err, state.ErrDamaged) {
			t.Errorf("%s: error %v, want a DamagedError", v.name, err)
			continue
		}
		for _, w := range []string{filepath.Join(dir, state.FileName), "the state database is damaged", "Move the file aside", "without --resume"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: the error does not say %q: %v", v.name, w, err)
			}
		}
		if seeds <= 12 {
			t.Logf("%s: %v", v.name, de.What)
		}
	}
	if damaged < 10 {
		t.Errorf("only %d of %d damaged files were noticed", damaged, len(vs))
	}
}
