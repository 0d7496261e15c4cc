package restapi_test

import (
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// hammer runs calls from several goroutines and fails the test on any error.
func hammer(t *testing.T, workers, calls int, call func() error) {
	t.Helper()
	var wg sync.WaitGroup
	jobs := make(chan struct{})
	errs := make(chan error, calls)
	for range workers {
		wg.Go(func() {
			for range jobs {
				if err := call(); err != nil {
					errs <- err
				}
			}
		})
	}
	for range calls {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The sandbox's minute lasts half a second here (its clock runs 120× fast):
// 50 requests per window is 100 a second. Clients are told the same window.
const (
	clockScale  = 120
	windowLimit = 50
	window      = time.Minute / clockScale
)

func TestPacingStaysUnderTheServerLimit(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{RPM: windowLimit, Now: scaledClock(clockScale)})
	// Two clients of the same system, as two parts of one job would have:
	// they share one budget (with a budget each, 36% of the requests were
	// answered 429). A 10% headroom absorbs the scheduling jitter of a
	// loaded test machine at this (very short) window.
	lim := restapi.DefaultLimits()
	lim.Requests, lim.Window, lim.Headroom = windowLimit, window, 0.1
	budget, err := restapi.NewBudget(lim)
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *restapi.Client {
		c, err := restapi.NewClient(restapi.WithBaseURL(e.ts.URL), restapi.WithSystemID(e.system),
			restapi.WithAPIKey(e.key), restapi.WithRetryPolicy(fastRetry), restapi.WithBudget(budget))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mk(), mk()
	ctx := t.Context()
	var mu sync.Mutex
	n := 0
	hammer(t, 8, 200, func() error {
		mu.Lock()
		c := a
		if n++; n%2 == 0 {
			c = b
		}
		mu.Unlock()
		_, err := c.Contacts.Get(ctx, 7506)
		return err
	})
	srv := e.srv.Stats()
	share := float64(srv.RateLimited) / float64(srv.Total)
	t.Logf("%d requests, %d answered 429 (%.1f%%)", srv.Total, srv.RateLimited, 100*share)
	if share > 0.05 {
		t.Errorf("%.1f%% of the requests were answered 429", 100*share)
	}
}

func TestServerRateLimitIsRiddenOut(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{RPM: windowLimit, Now: scaledClock(clockScale)})
	// The client believes in a far higher limit than the server enforces:
	// 429s come, and every call still succeeds, each write once. On a
	// loaded machine the client may be too slow to fill the server's
	// window, so 429 storms come on top (every 30th request starts 3).
	e.faults(t, sandbox.Faults{Burst429: 3, BurstEvery: 30, Seed: 7})
	ctx := t.Context()
	var mu sync.Mutex
	i := 0
	hammer(t, 6, 120, func() error {
		mu.Lock()
		i++
		k := i
		mu.Unlock()
		if k%3 == 0 {
			_, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "Limit Kft."})
			return err
		}
		_, err := e.c.Contacts.Get(ctx, 7506)
		return err
	})
	srv := e.srv.Stats()
	if srv.RateLimited+srv.Storm429 == 0 {
		t.Error("the server never answered 429: the test proves nothing")
	}
	if srv.Writes != 40 {
		t.Errorf("%d writes landed, want 40", srv.Writes)
	}
	if st := e.c.Stats(); st.RateLimited != srv.RateLimited+srv.Storm429 {
		t.Errorf("client counted %d 429s, server sent %d (%d of them in storms)", st.RateLimited, srv.RateLimited+srv.Storm429, srv.Storm429)
	}
}
