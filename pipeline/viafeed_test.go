package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/internal/oracle"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// links describes a system by what identifies its records (oracle.Links).
func (e *env) links() []string {
	e.t.Helper()
	lines, _, err := oracle.Links(context.Background(), e.client())
	if err != nil {
		e.t.Fatal(err)
	}
	return lines
}

func (e *env) uploads() int { return e.srv.Stats().Requests["POST /Api/SyncFeed/{id}/Upload"] }

// TestImportViaFeed: the practice sheet into an empty system through the
// XML feed ends as a REST import does (the same companies, people, cards
// and links; success.csv saying the same), in one feed call and a few dozen
// requests, and a re-run writes nothing.
func TestImportViaFeed(t *testing.T) {
	t.Parallel()
	mp := filepath.Join(testdata, "partnerek-cards.yaml")
	src := filepath.Join(testdata, "partnerek.csv")

	rest := newEnv(t, nil)
	restSum := rest.run(rest.config(mp, src))

	feed := newEnv(t, nil)
	cfg := feed.config(mp, src)
	cfg.Via, cfg.FeedID = pipeline.ViaFeed, 119
	sum := feed.run(cfg)
	if sum.Via != pipeline.ViaFeed || sum.Rows.OK != 1530 {
		t.Fatalf("via %q, rows %+v", sum.Via, sum.Rows)
	}
	if n := feed.uploads(); n < 1 || n > 2 {
		t.Errorf("%d feed calls, want 1 or 2", n)
	}
	if total := feed.total(); total > 150 {
		t.Errorf("%d requests in all, want at most 150 (%v)", total, feed.srv.Stats().Requests)
	}
	if w := sum.Requests.ByEndpoint["PUT /Api/R3/Contact"] + sum.Requests.ByEndpoint["PUT /Api/R3/Project"]; w != 0 {
		t.Errorf("%d REST creates, want none", w)
	}
	for kind, acts := range restSum.Entities {
		if got := sum.Entities[kind]; fmt.Sprint(got) != fmt.Sprint(acts) {
			t.Errorf("%s: via the feed %v, over REST %v", kind, got, acts)
		}
	}
	if d := oracle.Diff(rest.links(), feed.links()); d != "" {
		t.Errorf("the system the feed made differs from the REST import's:\n%s", d)
	}
	before, reads := feed.writes(), feed.total()
	again := feed.run(feed.config(mp, src))
	if w := feed.writes() - before; w != 0 {
		t.Errorf("re-run after the feed: %d writes (%v)", w, again.Entities)
	}
	t.Logf("via feed: %d requests, %d upload(s); re-run: %d requests", sum.Requests.Total, feed.uploads(), feed.total()-reads)
}

// TestImportViaFeedResume: a run cut short right after MiniCRM took the
// feed is resumed without pushing it again, and ends as an uninterrupted
// run does.
func TestImportViaFeedResume(t *testing.T) {
	t.Parallel()
	mp := filepath.Join(testdata, "partnerek-cards.yaml")
	src := filepath.Join(testdata, "partnerek.csv")
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pushed atomic.Bool
	inner := e.ts.Config.Handler
	e.ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pushed.Load() {
			// The first request after the upload (the wait for the cards):
			// the process dies between the push and the learning.
			cancel()
			http.Error(w, "gone", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
		if strings.Contains(r.URL.Path, "/SyncFeed/") {
			pushed.Store(true)
		}
	})
	cfg := e.config(mp, src)
	cfg.Via, cfg.FeedID = pipeline.ViaFeed, 119
	if _, err := pipeline.Import(ctx, cfg); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("the cut run: %v", err)
	}
	if e.uploads() != 1 {
		t.Fatalf("%d uploads before the cut", e.uploads())
	}
	pushed.Store(false)
	e.ts.Config.Handler = inner
	cfg = e.config(mp, src)
	cfg.Via, cfg.FeedID, cfg.Resume = pipeline.ViaFeed, 119, true
	sum := e.run(cfg)
	if n := e.uploads(); n != 1 {
		t.Errorf("%d uploads after the resume, want the one before the cut", n)
	}
	if sum.Feed == nil || !sum.Feed.Resumed {
		t.Errorf("the summary does not say the feed was pushed before: %+v", sum.Feed)
	}
	if sum.Rows.OK != 1530 || sum.Entities["Project"]["created"] != 1500 || sum.Entities["Business"]["created"] != 214 {
		t.Errorf("resumed run: rows %+v, entities %v", sum.Rows, sum.Entities)
	}
	if w := e.writes(); w != 0 {
		t.Errorf("%d REST writes", w)
	}
	vatOf, companyOf := e.companies()
	if len(vatOf) != 214 || len(companyOf) != 1500 {
		t.Errorf("%d companies, %d people", len(vatOf), len(companyOf))
	}
}

// TestImportViaAuto: auto takes REST when REST takes under an hour at the
// client's rate; feed without a SyncFeed id is refused with what to do.
func TestImportViaAuto(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	src := writeCSV(t, t.TempDir(), "few.csv", genRows(20, 4, nil))
	cfg := e.config(clientsMapping, src)
	cfg.Via, cfg.FeedID = pipeline.ViaAuto, 119
	sum := e.run(cfg)
	if sum.Via != pipeline.ViaREST || e.uploads() != 0 || sum.Rows.OK != 20 {
		t.Errorf("auto on 20 rows: via %q, %d uploads, rows %+v", sum.Via, e.uploads(), sum.Rows)
	}
	cfg = e.config(clientsMapping, src)
	cfg.Via = pipeline.ViaFeed
	if _, err := pipeline.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "--feed-id") {
		t.Errorf("feed without a feed id: %v", err)
	}
}
