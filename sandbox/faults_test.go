package sandbox_test

// Tests of fault injection: reproducible from a seed, failures not
// processed, connections dropped before or after, 429 bursts and latency.

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// sbOutcomes sends n requests in order and names what each got: a status
// code, or "drop" when the connection closed without an answer.
func sbOutcomes(e *sbEnv, n int, rq func(i int) sbRequest) []string {
	e.t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		r, err := e.send(rq(i))
		if err != nil {
			out = append(out, "drop")
			continue
		}
		out = append(out, strconv.Itoa(r.Status))
	}
	return out
}

func sbTally(outcomes []string) map[string]int {
	m := map[string]int{}
	for _, o := range outcomes {
		m[o]++
	}
	return m
}

func TestFaultsDeterministic(t *testing.T) {
	faults := sandbox.Faults{FailRate: 0.2, DropRate: 0.25, Burst429: 2, BurstEvery: 9, Seed: 42}
	mix := func(i int) sbRequest {
		switch i % 3 {
		case 0:
			return sbRequest{method: "GET", path: "/Api/R3/Contact/7506"}
		case 1:
			return sbRequest{method: "PUT", path: "/Api/R3/Contact", body: fmt.Sprintf(`{"Type":"Business","Name":"Hiba %d Kft."}`, i)}
		}
		return sbRequest{method: "GET", path: "/Api/R3/Project?CategoryId=10"}
	}
	run := func(f sandbox.Faults) ([]string, sandbox.Stats) {
		e := newSBEnv(t, sandbox.Config{Faults: f}).noKeepAlive()
		return sbOutcomes(e, 60, mix), e.srv.Stats()
	}
	a, sa := run(faults)
	b, sb := run(faults)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different outcomes:\n%v\n%v", a, b)
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Errorf("same seed, different stats:\n%+v\n%+v", sa, sb)
	}
	n := sbTally(a)
	if n["200"] == 0 || n["500"] == 0 || n["429"] == 0 || n["drop"] == 0 {
		t.Fatalf("expected every kind of outcome in %v", a)
	}
	if sa.Injected500 != n["500"] || sa.Storm429 != n["429"] || sa.DroppedBefore+sa.DroppedAfter != n["drop"] {
		t.Errorf("stats %+v do not add up to the outcomes %v", sa, n)
	}
	// Storms: requests 9, 10, 18, 19, … (1-based) whatever the seed.
	for i := 8; i < len(a); i += 9 {
		if a[i] != "429" || a[i+1] != "429" {
			t.Errorf("requests %d and %d: %s %s, want a 429 storm", i+1, i+2, a[i], a[i+1])
		}
	}
	other := faults
	other.Seed = 43
	if c, _ := run(other); reflect.DeepEqual(a, c) {
		t.Error("seeds 42 and 43 gave the same pattern")
	}

	// SetFaults (and the faults hook) reseed: the pattern starts over.
	e := newSBEnv(t, sandbox.Config{}).noKeepAlive()
	if err := e.srv.SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	if got := sbOutcomes(e, 60, mix); !reflect.DeepEqual(got, a) {
		t.Errorf("SetFaults with the same seed:\n%v\nwant\n%v", got, a)
	}
	if r := e.do("POST", "/_sandbox/faults", sbJSON(t, faults)); r.Status != 200 {
		t.Fatal(r)
	}
	if got := sbOutcomes(e, 60, mix); !reflect.DeepEqual(got, a) {
		t.Errorf("faults hook with the same seed:\n%v\nwant\n%v", got, a)
	}
	if err := e.srv.SetFaults(sandbox.Faults{FailRate: 1.5}); err == nil {
		t.Error("SetFaults accepted a rate above 1")
	}
	if _, err := sandbox.New(sandbox.Config{SystemID: 1, APIKey: "k", Faults: sandbox.Faults{DropRate: -0.1}}); err == nil {
		t.Error("New accepted a negative rate")
	}
}

func TestFaultFailIsNotProcessed(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Faults: sandbox.Faults{FailRate: 1, Seed: 1}})
	r := e.do("PUT", "/Api/R3/Contact", `{"Type":"Business","Name":"Soha Kft."}`)
	sbText(t, r, 500, "Contact (PUT): Belső hiba.")
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	if n := sbCount(t, e.get("/Api/R3/Contact?Name=Soha")); n != 0 {
		t.Errorf("the 500'd PUT was processed (%d found)", n)
	}
	if st := e.srv.Stats(); st.Injected500 != 1 || st.Writes != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultDropBeforeOrAfter(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Faults: sandbox.Faults{DropRate: 1, Seed: 99}}).noKeepAlive()
	const n = 16
	for i := 0; i < n; i++ {
		if _, err := e.send(sbRequest{method: "PUT", path: "/Api/R3/Contact",
			body: fmt.Sprintf(`{"Type":"Business","Name":"Ejtett%d"}`, i)}); err == nil {
			t.Fatalf("request %d got an answer with DropRate 1", i)
		}
	}
	if err := e.srv.SetFaults(sandbox.Faults{}); err != nil {
		t.Fatal(err)
	}
	written := 0
	for i := 0; i < n; i++ {
		written += sbCount(t, e.get(fmt.Sprintf("/Api/R3/Contact?Query=Ejtett%d", i)))
	}
	st := e.srv.Stats()
	if st.DroppedBefore+st.DroppedAfter != n || st.DroppedAfter != written || st.Writes != written {
		t.Errorf("dropped before %d, after %d, writes %d; %d of %d were written",
			st.DroppedBefore, st.DroppedAfter, st.Writes, written, n)
	}
	if st.DroppedBefore == 0 || st.DroppedAfter == 0 {
		t.Errorf("seed 99 should drop some before and some after processing: %+v", st)
	}

	// Requests that end in 404 or 405 are dropped too, as Stats says.
	if err := e.srv.SetFaults(sandbox.Faults{DropRate: 1, Seed: 99}); err != nil {
		t.Fatal(err)
	}
	got := sbOutcomes(e, 2*n, func(i int) sbRequest {
		if i%2 == 0 {
			return sbRequest{method: "GET", path: "/Api/R3/Nope"}
		}
		return sbRequest{method: "DELETE", path: "/Api/R3/Contact/7506"}
	})
	if tally := sbTally(got); tally["drop"] != 2*n {
		t.Errorf("404/405 requests with DropRate 1: %v", got)
	}
}

func TestFaultBurstAndLatency(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Faults: sandbox.Faults{Burst429: 3, BurstEvery: 5}})
	got := sbOutcomes(e, 12, func(int) sbRequest { return sbRequest{method: "GET", path: "/Api/R3/Category"} })
	want := strings.Fields("200 200 200 200 429 429 429 200 200 429 429 429")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("storm pattern %v, want %v", got, want)
	}
	if st := e.srv.Stats(); st.Storm429 != 6 || st.RateLimited != 0 {
		t.Errorf("stats %+v", st)
	}

	const lat = 40 * time.Millisecond
	if err := e.srv.SetFaults(sandbox.Faults{Latency: lat}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if r := e.get("/Api/R3/Category"); r.Status != 200 {
		t.Fatal(r)
	}
	if d := time.Since(start); d < lat {
		t.Errorf("answered in %v, want at least %v", d, lat)
	}
}
