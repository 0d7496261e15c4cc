package pipeline

import (
	"strings"
	"testing"
)

// TestPlanComparesPaths: a dry run's plan gives the feed's time beside
// REST's when a card is mapped, and advises the feed when REST would take
// more than an hour.
func TestPlanComparesPaths(t *testing.T) {
	for _, tc := range []struct {
		name      string
		creates   map[string]int
		rpm       int
		feedable  bool
		wantCalls int
		advice    bool
	}{
		{"10k rows at 60/min", map[string]int{"Business": 1000, "Person": 10000, "Project": 10000}, 60, true, 2, true},
		{"practice sheet at 60/min", map[string]int{"Business": 214, "Person": 1500, "Project": 1500}, 60, true, 1, false},
		{"10k rows at 6000/min", map[string]int{"Business": 1000, "Person": 10000, "Project": 10000}, 6000, true, 2, false},
		{"no card mapped", map[string]int{"Business": 1000, "Person": 10000}, 60, true, 0, false},
		{"cards without an external id", map[string]int{"Person": 10000, "Project": 10000}, 60, false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Summary{Entities: map[string]map[string]int{}}
			for k, n := range tc.creates {
				s.Entities[k] = map[string]int{ActionCreated: n}
			}
			s.finishPlan(tc.rpm, tc.feedable)
			p := s.Plan
			if p.FeedCalls != tc.wantCalls {
				t.Errorf("feed calls %d, want %d", p.FeedCalls, tc.wantCalls)
			}
			if (p.Advice != "") != tc.advice {
				t.Errorf("advice %q, want one: %v (REST %.0f min, feed %.1f min)", p.Advice, tc.advice, p.Minutes, p.FeedMinutes)
			}
			if tc.wantCalls > 0 && !(p.FeedMinutes > 0 && p.FeedMinutes < p.Minutes) {
				t.Errorf("feed %.1f min, REST %.1f min", p.FeedMinutes, p.Minutes)
			}
			if tc.advice && !strings.Contains(s.Text(), "advice: ") {
				t.Errorf("the summary does not show the advice:\n%s", s.Text())
			}
		})
	}
}
