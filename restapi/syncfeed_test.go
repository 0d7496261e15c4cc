package restapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

const oneCardFeed = `<?xml version="1.0" encoding="UTF-8"?>
<Projects>
  <Project Id="SF-%d">
    <Name>Feed card %d</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId>
    <Contacts><Contact><FirstName>Feed</FirstName><LastName>Person</LastName></Contact></Contacts>
  </Project>
</Projects>
`

func waitFeeds(t *testing.T, srv *sandbox.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := srv.WaitFeeds(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSyncFeedUpload(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()
	ans, err := e.c.SyncFeed.Upload(ctx, 119, strings.NewReader(fmt.Sprintf(oneCardFeed, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if ans.Fields["Status"] != "Queued" || len(ans.Raw) == 0 {
		t.Errorf("answer %s", ans)
	}
	waitFeeds(t, e.srv)
	p, err := e.c.Projects.GetByReferenceId(ctx, "SF-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Feed card 1" || p.CategoryId != 10 || p.ReferenceId != "SF-1" {
		t.Errorf("card %+v", p)
	}
	st := e.c.Stats()
	if st.Requests["POST /Api/SyncFeed/{id}/Upload"] != 1 || st.BytesSent != int64(len(fmt.Sprintf(oneCardFeed, 1, 1))) {
		t.Errorf("stats %v", st)
	}
	if got := e.srv.Feeds()[0].FeedId; got != 119 {
		t.Errorf("FeedId %d", got)
	}
	if _, err := e.c.SyncFeed.Upload(ctx, 0, strings.NewReader("x")); err == nil {
		t.Error("FeedId 0 accepted")
	}
}

// TestSyncFeedUploadRetried: a 500 and a dropped connection are retried
// (a feed is idempotent by ReferenceId), the whole file is sent again each
// time, and the caller's file stays open.
func TestSyncFeedUploadRetried(t *testing.T) {
	t.Parallel()
	id := testSystemID
	key := sandbox.GenerateAPIKey()
	srv, err := sandbox.New(sandbox.Config{SystemID: id, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			io.Copy(io.Discard, r.Body)
			http.Error(w, "SyncFeed (POST): Belső hiba.", http.StatusInternalServerError)
		case 2:
			io.Copy(io.Discard, r.Body)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		default:
			srv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID(strconv.Itoa(id)), restapi.WithAPIKey(key),
		restapi.WithRetryPolicy(fastRetry), restapi.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "feed.xml")
	feed := fmt.Sprintf(oneCardFeed, 2, 2)
	if err := os.WriteFile(path, []byte(feed), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := c.SyncFeed.Upload(t.Context(), 7, f); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d attempts, want 3", calls.Load())
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Errorf("the file was closed: %v", err)
	}
	waitFeeds(t, srv)
	if o := srv.Feeds(); len(o) != 1 || o[0].Bytes != len(feed) || o[0].Created != 1 {
		t.Errorf("outcomes %+v", o)
	}
	if st := c.Stats(); st.Retries != 2 || st.UnknownOutcomes != 0 {
		t.Errorf("stats %v", st)
	}
}

func TestSyncFeedPull(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	feed := fmt.Sprintf(oneCardFeed, 3, 3)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, feed)
	}))
	t.Cleanup(host.Close)
	src := strings.Replace(host.URL, "http://", "http://u:secret-pw@", 1) + "/feeds/all.xml?secret=abc"
	if _, err := e.c.SyncFeed.Pull(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	waitFeeds(t, e.srv)
	if _, err := e.c.Projects.GetByReferenceId(t.Context(), "SF-3"); err != nil {
		t.Fatal(err)
	}
	if st := e.c.Stats(); st.Requests["GET /Api/SyncFeed/{id}"] != 1 {
		t.Errorf("stats %v", st)
	}
	// The sandbox refuses a Source it must not fetch; the error names the
	// endpoint and the server's text, never the source's password.
	_, err := e.c.SyncFeed.Pull(t.Context(), "https://user:pw123@example.com/feed.xml")
	if !errors.Is(err, restapi.ErrBadRequest) || strings.Contains(err.Error(), "pw123") || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("err = %v", err)
	}
	for _, bad := range []string{"", "feed.xml", "mailto:a@b.hu", "file:///etc/passwd"} {
		if _, err := e.c.SyncFeed.Pull(t.Context(), bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSyncFeedPacing: SyncFeed calls have their own limiter, so a spent
// hourly budget holds them back while REST calls go on.
func TestSyncFeedPacing(t *testing.T) {
	t.Parallel()
	// (Clients of one system share the limiter, the lowest rate winning:
	// the env's own client is given the rate.)
	e := setup(t, sandbox.Config{}, restapi.WithSyncFeedRate(1, time.Hour))
	c := e.c
	if _, err := c.SyncFeed.Upload(t.Context(), 1, strings.NewReader("<Projects/>")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.SyncFeed.Upload(ctx, 1, strings.NewReader("<Projects/>")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the second call within the hour: %v", err)
	}
	if _, err := c.Categories.List(t.Context()); err != nil {
		t.Errorf("REST is held back too: %v", err)
	}
	if _, err := restapi.NewClient(restapi.WithSystemID("1"), restapi.WithAPIKey("k"), restapi.WithSyncFeedRate(0, time.Hour)); err == nil {
		t.Error("a zero rate was accepted")
	}
}

// TestSyncFeed429: the server's hourly limit answers 429; the client
// pauses and tries again, up to MaxRateLimited.
func TestSyncFeed429(t *testing.T) {
	t.Parallel()
	pol := fastRetry
	pol.MaxRateLimited = 2
	e := setup(t, sandbox.Config{SyncFeedPerHour: 1}, restapi.WithSyncFeedRate(360000, time.Hour), restapi.WithRetryPolicy(pol))
	c := e.c
	if _, err := c.SyncFeed.Upload(t.Context(), 1, bytes.NewReader([]byte("<Projects/>"))); err != nil {
		t.Fatal(err)
	}
	_, err := c.SyncFeed.Upload(t.Context(), 1, bytes.NewReader([]byte("<Projects/>")))
	var ex *restapi.RetriesExhaustedError
	if !errors.As(err, &ex) || !errors.Is(err, restapi.ErrRateLimited) || ex.Attempts != 3 {
		t.Errorf("err = %v", err)
	}
	if n := len(e.srv.Feeds()); n != 1 {
		t.Errorf("%d feeds received", n)
	}
}
