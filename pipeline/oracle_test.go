package pipeline_test

import (
	"context"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/internal/oracle"
)

// checkOracle compares the system with what the source rows say it must
// hold (internal/oracle: computed from the CSV, not by the importer), so a
// bug that a clean run shares with a faulty one still fails the test.
func (e *env) checkOracle(csvPath string) {
	e.t.Helper()
	want, err := oracle.Expect(csvPath)
	if err != nil {
		e.t.Fatal(err)
	}
	got, err := oracle.Snapshot(context.Background(), e.client())
	if err != nil {
		e.t.Fatal(err)
	}
	if d := oracle.Diff(want, got); d != "" {
		e.t.Errorf("the system is not what the source rows say: %s", d)
	}
}

// repeatPeople makes the last n rows name the first n rows' people again
// (the same company, name, email, phone and old-system id) with another
// position and amount: the rows disagree, so the first row's values stand
// and the later row's are not written (a field-conflict warning). (With
// another old-system id the row would be another person, the external id
// being a stronger key than the e-mail; with another company it would be a
// moved person.) It returns rows.
func repeatPeople(rows [][]string, n int) [][]string {
	for j := range n {
		r := rows[len(rows)-n+j]
		amount := r[8]
		copy(r, rows[j])
		r[6], r[8] = "csoportvezető", amount
	}
	return rows
}

// TestOracle: an import into an empty system gives exactly what the oracle
// computes from the rows, people named twice included; and the oracle sees
// a system that differs by one field, one link or one record.
func TestOracle(t *testing.T) {
	t.Parallel()
	rows := repeatPeople(genRows(20, 4, nil), 5)
	path := writeCSV(t, t.TempDir(), "o.csv", rows)
	e := newEnv(t, nil)
	e.run(e.config(clientsMapping, path))
	e.checkOracle(path)

	want, err := oracle.Expect(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 4+15+15 {
		t.Errorf("the oracle expects %d records, want 4 companies, 15 people and 15 cards (a repeated person's card is theirs)", len(want))
	}
	got, err := oracle.Snapshot(context.Background(), e.client())
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func([]string) []string{
		"one field":   func(s []string) []string { s[len(s)-1] += "x"; return s },
		"one record":  func(s []string) []string { return s[1:] },
		"a duplicate": func(s []string) []string { return append(s, s[0]) },
	} {
		if oracle.Diff(want, change(append([]string(nil), got...))) == "" {
			t.Errorf("the oracle does not see %s changed", name)
		}
	}
}
