package restapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestRateLimitStormIsRiddenOut(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{Burst429: 6, BurstEvery: 9, Seed: 1})
	ctx := t.Context()

	// Reads and creates alike: a 429 was not processed, so resending is safe.
	for i := range 20 {
		if _, err := e.c.Contacts.Get(ctx, 7506); err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		if _, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": fmt.Sprintf("Storm %d Kft.", i)}); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	st, srv := e.c.Stats(), e.srv.Stats()
	if srv.Storm429 == 0 || st.RateLimited != srv.Storm429 {
		t.Errorf("client saw %d 429s, server sent %d", st.RateLimited, srv.Storm429)
	}
	if srv.Writes != 20 {
		t.Errorf("%d writes landed, want 20", srv.Writes)
	}
	if st.Retries != st.RateLimited {
		t.Errorf("%d retries for %d 429s", st.Retries, st.RateLimited)
	}
}

func TestReadsRetriedThroughFaults(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{FailRate: 0.25, DropRate: 0.25, Seed: 3})
	ctx := t.Context()

	for i := range 30 {
		c, err := e.c.Contacts.Get(ctx, 7506)
		if err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		if c.Id != 7506 {
			t.Fatalf("get %d: %+v", i, c)
		}
	}
	n := 0
	for _, err := range e.c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	srv := e.srv.Stats()
	if srv.Injected500 == 0 || srv.DroppedBefore+srv.DroppedAfter == 0 {
		t.Errorf("faults not exercised: %+v", srv)
	}
	if e.c.Stats().Retries == 0 {
		t.Error("no retries recorded")
	}
	if n != len(sandbox.DefaultDataset().Contacts) {
		t.Errorf("walked %d contacts", n)
	}
}

func TestCreateNotResentAfterServerError(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{FailRate: 1})

	_, err := e.c.Contacts.Create(t.Context(), restapi.Fields{"Type": "Business", "Name": "Once Kft."})
	var unknown *restapi.UnknownOutcomeError
	if !errors.As(err, &unknown) || !errors.Is(err, restapi.ErrUnknownOutcome) || !errors.Is(err, restapi.ErrServer) {
		t.Fatalf("got %v, want an unknown outcome caused by a 5xx", err)
	}
	if unknown.Method != "PUT" || unknown.Endpoint != "/Api/R3/Contact" {
		t.Errorf("error names %s %s", unknown.Method, unknown.Endpoint)
	}
	if got := e.srv.Stats().Total; got != 1 {
		t.Errorf("the create was sent %d times, want once", got)
	}
	if e.c.Stats().UnknownOutcomes != 1 {
		t.Errorf("stats: %+v", e.c.Stats())
	}
}

func TestCreateDroppedIsUnknownOutcome(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{DropRate: 1})
	ctx := t.Context()

	for i := range 6 {
		_, err := e.c.Projects.Create(ctx, restapi.Fields{"Name": "Drop", "UserId": 22404, "CategoryId": 10, "ContactId": 7506, "StatusId": 2620})
		var unknown *restapi.UnknownOutcomeError
		if !errors.As(err, &unknown) {
			t.Fatalf("create %d: got %v, want *UnknownOutcomeError", i, err)
		}
		var netErr *restapi.NetworkError
		if !errors.As(err, &netErr) {
			t.Errorf("create %d: cause is not a network error: %v", i, err)
		}
	}
	if got := e.srv.Stats().Total; got != 6 {
		t.Errorf("%d requests for 6 creates: a create was resent", got)
	}
}

func TestConnectionRefusedIsRetriedEvenForCreates(t *testing.T) {
	t.Parallel()
	// A port nobody listens on: the request never leaves, so even a create
	// may be retried, and the failure is not an unknown outcome.
	c, err := restapi.NewClient(restapi.WithBaseURL("http://"+listenClosed(t)), restapi.WithSystemID("31999"),
		restapi.WithAPIKey(sandbox.GenerateAPIKey()), restapi.WithRPM(testRPM), restapi.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Contacts.Create(t.Context(), restapi.Fields{"Type": "Business", "Name": "Nowhere"})
	var exhausted *restapi.RetriesExhaustedError
	if !errors.As(err, &exhausted) || errors.Is(err, restapi.ErrUnknownOutcome) || exhausted.Attempts != fastRetry.MaxAttempts {
		t.Fatalf("got %v, want retries exhausted after %d attempts, outcome known", err, fastRetry.MaxAttempts)
	}
	var netErr *restapi.NetworkError
	if !errors.As(err, &netErr) {
		t.Errorf("cause is not a network error: %v", err)
	}
}

func TestReadRetriesAreBounded(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{FailRate: 1})

	_, err := e.c.Categories.List(t.Context())
	var exhausted *restapi.RetriesExhaustedError
	if !errors.As(err, &exhausted) || !errors.Is(err, restapi.ErrServer) {
		t.Fatalf("got %v", err)
	}
	if got := e.srv.Stats().Total; got != fastRetry.MaxAttempts {
		t.Errorf("%d attempts, want %d", got, fastRetry.MaxAttempts)
	}
	var apiErr *restapi.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || !strings.Contains(apiErr.Message, "Category (GET)") {
		t.Errorf("last error: %v", err)
	}
}

func TestRateLimitRetriesAreBounded(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	e.faults(t, sandbox.Faults{Burst429: 1000, BurstEvery: 1})
	pol := fastRetry
	pol.MaxRateLimited = 3
	c := e.client(t, restapi.WithRetryPolicy(pol))

	_, err := c.Categories.List(t.Context())
	if !errors.Is(err, restapi.ErrRateLimited) {
		t.Fatalf("got %v, want ErrRateLimited", err)
	}
	if got := c.Stats().Attempts; got != 4 {
		t.Errorf("%d attempts, want 4 (one and three retries)", got)
	}
}

// TestWritesLandExactlyOnce creates contacts through 500s, dropped
// connections (before and after the server processed the request) and 429
// storms, the way a sink must: after an unknown outcome it re-matches by
// email before creating again. Every contact must exist exactly once.
func TestWritesLandExactlyOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	e.faults(t, sandbox.Faults{FailRate: 0.15, DropRate: 0.2, Burst429: 3, BurstEvery: 13, Seed: 42})
	ctx := t.Context()

	const n = 40
	var (
		mu       sync.Mutex
		ids      = map[string]int{}
		unknowns int
	)
	createOnce := func(email string) error {
		for try := 0; try < 20; try++ {
			id, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Exactly", "LastName": "Once", "Email": email})
			if err == nil {
				mu.Lock()
				ids[email] = id
				mu.Unlock()
				return nil
			}
			if !errors.Is(err, restapi.ErrUnknownOutcome) {
				return err
			}
			mu.Lock()
			unknowns++
			mu.Unlock()
			// Re-match: did the create land?
			found := 0
			for c, err := range e.c.Contacts.Search(ctx, restapi.ContactSearchOptions{Email: email}) {
				if err != nil {
					return err
				}
				found = c.Id
			}
			if found != 0 {
				mu.Lock()
				ids[email] = found
				mu.Unlock()
				return nil
			}
		}
		return fmt.Errorf("%s: too many unknown outcomes", email)
	}

	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan string)
	for range 4 {
		wg.Go(func() {
			for email := range work {
				if err := createOnce(email); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		work <- fmt.Sprintf("once%d@exact.example", i)
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Updates by Id are retried through the same faults and land once too.
	for email, id := range ids {
		if _, err := e.c.Contacts.Update(ctx, id, restapi.Fields{"Description": "updated " + email}); err != nil {
			t.Errorf("update %d: %v", id, err)
		}
	}

	srv := e.srv.Stats()
	e.faults(t, sandbox.Faults{})
	count := map[string]int{}
	for c, err := range e.c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		count[c.Email]++
	}
	if len(count) != n {
		t.Errorf("%d distinct contacts, want %d", len(count), n)
	}
	for email, k := range count {
		if k != 1 {
			t.Errorf("%s exists %d times", email, k)
		}
	}
	for email, id := range ids {
		c, err := e.c.Contacts.Get(ctx, id)
		if err != nil || c.Email != email || c.Description != "updated "+email {
			t.Errorf("contact %d: %+v, %v", id, c, err)
		}
	}
	if srv.DroppedAfter == 0 || srv.DroppedBefore == 0 || srv.Injected500 == 0 || srv.Storm429 == 0 {
		t.Errorf("not every fault was exercised: %+v", srv)
	}
	t.Logf("%d unknown outcomes re-matched; server: %d 500s, %d dropped before, %d after, %d storm 429s",
		unknowns, srv.Injected500, srv.DroppedBefore, srv.DroppedAfter, srv.Storm429)
}

func TestToDoCloseIsNotResent(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()
	id, err := e.c.ToDos.Create(ctx, restapi.Fields{"ProjectId": 2056, "Comment": "close me"})
	if err != nil {
		t.Fatal(err)
	}
	e.faults(t, sandbox.Faults{FailRate: 1})
	// A comment change is retried (and fails in the end: every answer is 500).
	before := e.srv.Stats().Total
	if _, err := e.c.ToDos.Update(ctx, id, restapi.Fields{"Comment": "x"}); errors.Is(err, restapi.ErrUnknownOutcome) || err == nil {
		t.Errorf("comment update: %v", err)
	}
	if got := e.srv.Stats().Total - before; got != fastRetry.MaxAttempts {
		t.Errorf("comment update: %d attempts, want %d", got, fastRetry.MaxAttempts)
	}
	// Closing is sent once.
	before = e.srv.Stats().Total
	if _, err := e.c.ToDos.Update(ctx, id, restapi.Fields{"Status": "Closed"}); !errors.Is(err, restapi.ErrUnknownOutcome) {
		t.Errorf("close: %v, want an unknown outcome", err)
	}
	if got := e.srv.Stats().Total - before; got != 1 {
		t.Errorf("close: %d attempts, want 1", got)
	}
}

func TestContextCancellation(t *testing.T) {
	t.Parallel()

	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		e := setup(t, sandbox.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := e.c.Contacts.Get(ctx, 7506); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
		if got := e.srv.Stats().Total; got != 0 {
			t.Errorf("%d requests sent", got)
		}
	})

	t.Run("during a read", func(t *testing.T) {
		t.Parallel()
		e := setup(t, sandbox.Config{})
		e.faults(t, sandbox.Faults{Latency: time.Minute})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := e.c.Contacts.Get(ctx, 7506)
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, restapi.ErrUnknownOutcome) {
			t.Errorf("got %v", err)
		}
	})

	t.Run("during a create", func(t *testing.T) {
		t.Parallel()
		e := setup(t, sandbox.Config{})
		// The sandbox sleeps the latency before it reads a PUT's body, so it
		// cannot notice the client leaving: keep the latency short, or
		// ts.Close (which waits for the handler) would take that long.
		e.faults(t, sandbox.Faults{Latency: 500 * time.Millisecond})
		// Cancelled once the request is on the wire (not after a fixed
		// time, which a loaded machine may spend before sending it).
		ctx, cancel := context.WithCancel(t.Context())
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
		_, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "Cancelled Kft."})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, restapi.ErrUnknownOutcome) {
			t.Errorf("got %v, want an unknown outcome caused by the cancellation", err)
		}
	})

	t.Run("while paced", func(t *testing.T) {
		t.Parallel()
		e := setup(t, sandbox.Config{})
		c := e.client(t, restapi.WithRPM(1)) // one request a minute
		if _, err := c.Categories.List(t.Context()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := c.Categories.List(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
	})

	t.Run("while paused after a 429", func(t *testing.T) {
		t.Parallel()
		e := setup(t, sandbox.Config{})
		e.faults(t, sandbox.Faults{Burst429: 1000, BurstEvery: 1})
		pol := fastRetry
		pol.RateLimitDelay, pol.RateLimitMaxDelay = time.Minute, time.Minute
		c := e.client(t, restapi.WithRetryPolicy(pol))
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if _, err := c.Categories.List(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
	})
}
