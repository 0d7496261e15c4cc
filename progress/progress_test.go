package progress

import (
	"strings"
	"testing"
	"time"
)

// TestRatesWaitForAMeasurement: the first seconds of a phase show no rate
// (a burst, or the requests of an earlier phase, would read as thousands a
// minute against a limit of 60); afterwards the rate is the phase's own,
// over the last minute.
func TestRatesWaitForAMeasurement(t *testing.T) {
	start := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	now := start
	var out strings.Builder
	d := New(&out, ModeLog, 0)
	d.now = func() time.Time { return now }
	steps := []struct {
		after    time.Duration
		done     int
		requests int // the run's, including 2,900 made by an earlier phase
		final    bool
		want     string
	}{
		{0, 0, 2900, false, "import: 0/600 (0%) rows, … rows/s, … of 60 requests/min, ETA ?"},
		{time.Second, 3, 2903, false, "import: 3/600 (0%) rows, … rows/s, … of 60 requests/min, ETA 9m57s"},
		{5 * time.Second, 5, 2905, false, ", … of 60 requests/min"},
		{20 * time.Second, 20, 2920, false, "import: 20/600 (3%) rows, 1.00 rows/s, 60 of 60 requests/min, ETA 9m40s"},
		{80 * time.Second, 140, 2980, false, "140/600 (23%) rows, 2.00 rows/s, 60 of 60 requests/min, ETA 7m40s"}, // the last minute only
	}
	for _, s := range steps {
		now = start.Add(s.after)
		out.Reset()
		d.Update(Update{Phase: "import", Done: s.done, Total: 600, Unit: "rows", Requests: s.requests, Elapsed: s.after,
			RPM: 60, DoneRequests: s.done, Final: s.final})
		if got := out.String(); !strings.Contains(got, s.want) {
			t.Errorf("after %s: %q, want it to hold %q", s.after, got, s.want)
		}
	}
	// A short phase's final line gives the rate it measured.
	out.Reset()
	d2 := New(&out, ModeLog, time.Hour)
	d2.now = func() time.Time { return now }
	d2.Update(Update{Phase: "listing", Requests: 10, Unit: "pages"})
	now = now.Add(2 * time.Second)
	d2.Update(Update{Phase: "listing", Done: 4, Requests: 14, Unit: "pages", Final: true})
	if got := out.String(); !strings.Contains(got, "2.00 pages/s, 120 requests/min") {
		t.Errorf("final line of a short phase: %q", got)
	}
}
