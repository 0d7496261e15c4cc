package restapi_test

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// testSystemID is every test sandbox's SystemId: each client paces with a
// budget of its own, so tests need no SystemIds apart.
const testSystemID = 31000

// fastRetry keeps retry tests in milliseconds.
var fastRetry = restapi.RetryPolicy{
	MaxAttempts:       8,
	BaseDelay:         time.Millisecond,
	MaxDelay:          5 * time.Millisecond,
	RateLimitDelay:    time.Millisecond,
	RateLimitMaxDelay: 10 * time.Millisecond,
	MaxRateLimited:    200,
	AttemptTimeout:    10 * time.Second,
}

// testRPM is high enough that pacing never slows a functional test.
const testRPM = 60000

// env is a sandbox on loopback and a client for it.
type env struct {
	srv    *sandbox.Server
	ts     *httptest.Server
	key    string
	system string
	c      *restapi.Client
}

// setup starts a sandbox with the default data set (no rate limit unless
// cfg says) and a client with fast retries.
func setup(t *testing.T, cfg sandbox.Config, opts ...restapi.Option) *env {
	t.Helper()
	id := testSystemID
	cfg.SystemID = id
	if cfg.APIKey == "" {
		cfg.APIKey = sandbox.GenerateAPIKey()
	}
	if cfg.Dataset == nil {
		cfg.Dataset = sandbox.DefaultDataset()
	}
	srv, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e := &env{srv: srv, ts: ts, key: cfg.APIKey, system: strconv.Itoa(id)}
	e.c = e.client(t, opts...)
	return e
}

// client builds another client for the env's sandbox; opts come last and
// override the defaults.
func (e *env) client(t *testing.T, opts ...restapi.Option) *restapi.Client {
	t.Helper()
	all := append([]restapi.Option{
		restapi.WithBaseURL(e.ts.URL),
		restapi.WithSystemID(e.system),
		restapi.WithAPIKey(e.key),
		restapi.WithRPM(testRPM),
		restapi.WithRetryPolicy(fastRetry),
	}, opts...)
	c, err := restapi.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// faults sets the sandbox's fault injection.
func (e *env) faults(t *testing.T, f sandbox.Faults) {
	t.Helper()
	if err := e.srv.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

// manyContacts is the default data set plus n persons with emails
// p<i>@bulk.example, for paging tests.
func manyContacts(n int) *sandbox.Dataset {
	ds := sandbox.DefaultDataset()
	for i := range n {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{
			Id: 100000 + i, Type: "Person", Emails: []string{"p" + strconv.Itoa(i) + "@bulk.example"},
			Fields: map[string]any{"FirstName": "P" + strconv.Itoa(i), "LastName": "Bulk"},
		})
	}
	return ds
}

// scaledClock runs k times faster than the wall clock: given to the sandbox
// as Config.Now, it makes the server's sliding minute last 60s/k, so a rate
// limit can be exercised (and filled) in a few seconds.
func scaledClock(k float64) func() time.Time {
	start := time.Now()
	return func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * k)) }
}
