package xmlfeed_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// testSystemID is every test sandbox's SystemId: each client paces with a
// budget of its own, so tests need no SystemIds apart.
const testSystemID = 31000

type env struct {
	srv    *sandbox.Server
	ts     *httptest.Server
	client *restapi.Client
	key    string
}

// newEnv starts a sandbox holding the built-in configuration without its
// example records, and a client for it.
func newEnv(t testing.TB, cfg sandbox.Config) *env {
	t.Helper()
	cfg.SystemID = testSystemID
	cfg.APIKey = sandbox.GenerateAPIKey()
	if cfg.Dataset == nil {
		cfg.Dataset = sandbox.EmptyDataset()
	}
	srv, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID(strconv.Itoa(cfg.SystemID)),
		restapi.WithAPIKey(cfg.APIKey), restapi.WithRPM(60000), restapi.WithSyncFeedRate(100000, time.Hour),
		restapi.WithRetryPolicy(restapi.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			RateLimitDelay: time.Millisecond, RateLimitMaxDelay: 5 * time.Millisecond, AttemptTimeout: 20 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, ts: ts, client: c, key: cfg.APIKey}
}

// plan compiles a mapping against the env's schemas and opens its source
// (src overrides the mapping's file when not empty).
func (e *env) plan(t testing.TB, mappingPath, src string) (*mapping.Plan, source.Reader) {
	t.Helper()
	m, err := mapping.Load(mappingPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := crm.FetchSchemas(context.Background(), e.client, m.SchemaNeeds())
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.OpenSource(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	p, err := mapping.Compile(m, s, r.Header())
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

func (e *env) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.srv.WaitFeeds(ctx); err != nil {
		t.Fatal(err)
	}
}
