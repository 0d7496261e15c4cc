package pipeline

import (
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
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

// TestMirrorKeepsCopies: what the mirror keeps of a record this run
// created or changed, for the whole run, are copies of the row's values,
// not pieces of its text, each of which would keep the whole line alive.
func TestMirrorKeepsCopies(t *testing.T) {
	piece, inLine := rowLine(strings.Repeat("x", 1000) + ";kiss.janos@pelda.hu;+36301234567;Kiss;János;Irodabútor")
	body := restapi.Fields{"Email": piece("kiss.janos@pelda.hu"), "Phone": piece("+36301234567"),
		"LastName": piece("Kiss"), "FirstName": piece("János"), "Megjegyzes": piece("Irodabútor")}
	for f, v := range body {
		if !inLine(v.(string)) {
			t.Fatalf("the test's %s is not in its line", f)
		}
	}
	r := &run{now: time.Now}
	rec := &mapping.Record{Kind: mapping.KindPerson}
	check := func(what string, c state.MirrorRecord) {
		for f, v := range c.Fields {
			if inLine(v) {
				t.Errorf("%s: field %s keeps its line alive", what, f)
			}
		}
		for f, v := range map[string]string{"Email": c.Email, "Phone": c.Phone, "Name": c.Name} {
			if inLine(v) {
				t.Errorf("%s: %s keeps its line alive", what, f)
			}
		}
	}
	check("created", r.createdRecord(rec, 7, body))
	var c state.MirrorRecord
	r.applyChanges(&c, rec, body)
	check("changed", c)
}

// TestPlannerKeepsCopies: the identity claims, the first row's name and
// values, and the index keys a planned record gets live all run: copies,
// not pieces of the row's line.
func TestPlannerKeepsCopies(t *testing.T) {
	piece, inLine := rowLine(strings.Repeat("x", 1000) + ";kiss.janos@pelda.hu;Kiss Kft.;Irodabútor")
	rec := &mapping.Record{Kind: mapping.KindBusiness, Order: []string{"Name", "Megjegyzes"},
		Fields: map[string]any{"Name": piece("Kiss Kft."), "Megjegyzes": piece("Irodabútor")},
		Keys:   mapping.MatchKeys{Email: piece("kiss.janos@pelda.hu")}}
	m := &mirror{index: map[mapping.EntityKind]map[string]map[string][]*entity{mapping.KindBusiness: {"email": {}}}}
	p := &planner{m: m, r: &run{}}
	e := &entity{kind: mapping.KindBusiness}
	p.claim(2, rec, e)
	p.settle(2, rec, e)
	m.addKey(e, "email", rec.Keys.Email)
	for k, c := range e.claims {
		if inLine(c.value) {
			t.Errorf("claim %s keeps its line alive", k)
		}
	}
	for f, c := range e.values {
		if inLine(c.value) {
			t.Errorf("value %s keeps its line alive", f)
		}
	}
	if inLine(e.exact) {
		t.Error("the row's name keeps its line alive")
	}
	for k := range m.index[mapping.KindBusiness]["email"] {
		if inLine(k) {
			t.Error("the index key keeps its line alive")
		}
	}
}

// rowLine stands for a row's line: piece gives a value cut out of it, as
// the CSV reader cuts them, and inLine tells whether a string lies in it
// (and so would keep the whole line alive).
func rowLine(line string) (piece func(string) string, inLine func(string) bool) {
	piece = func(s string) string { i := strings.Index(line, s); return line[i : i+len(s)] }
	inLine = func(s string) bool {
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(line)))
		return s != "" && p >= start && p < start+uintptr(len(line))
	}
	return piece, inLine
}
