package job

import (
	"log/slog"
	"testing"
)

// TestStepsShareTheSystemsBudget: every step's client draws on one budget,
// the job's connection's, at the job's rate; the steps still count their
// requests apart (each has its own client).
func TestStepsShareTheSystemsBudget(t *testing.T) {
	j := &Job{Connection: Connection{Sandbox: true}, RPM: 120}
	conn, err := j.connect(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer conn.close()
	log := slog.New(slog.DiscardHandler)
	a, _, err := conn.client(&StepReport{}, log)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := conn.client(&StepReport{}, log)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.Budget() != b.Budget() || b.RPM() != 120 {
		t.Errorf("steps' clients: same client %v, same budget %v, %d a minute", a == b, a.Budget() == b.Budget(), b.RPM())
	}
}
