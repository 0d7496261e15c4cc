package main

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// feedSandbox is an empty system on loopback, and the environment pointing
// the CLI at it.
func feedSandbox(t *testing.T, systemID int) (*sandbox.Server, map[string]string) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Config{SystemID: systemID, APIKey: cliKey, Dataset: sandbox.EmptyDataset()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, map[string]string{"MINICRM_URL": ts.URL, "MINICRM_SYSTEM_ID": strconv.Itoa(systemID), "MINICRM_API_KEY": cliKey}
}

func waitApplied(t *testing.T, srv *sandbox.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitFeeds(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestFeedCommands runs build, inspect and push end to end: rejected rows
// in errors.csv, the feed applied by the sandbox, an unchanged re-build
// writing nothing and pushing nothing, a failed push leaving the snapshot
// where it was, and a push by Source URL.
func TestFeedCommands(t *testing.T) {
	srv, environ := feedSandbox(t, 23461)
	dir := t.TempDir()
	src := filepath.Join(dir, "cards.csv")
	orig, err := os.ReadFile(filepath.Join("..", "..", "testdata", "xmlfeed", "cards.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	mappingFile := filepath.Join("..", "..", "testdata", "xmlfeed", "cards.yaml")
	feed := filepath.Join(dir, "out", "feed.xml")
	os.MkdirAll(filepath.Dir(feed), 0o755)
	state := filepath.Join(dir, "state")
	build := func(env map[string]string) result {
		t.Helper()
		return runCLI(t, env, "feed", "build", "--mapping", mappingFile, "--source", src, "-o", feed, "--changed-only",
			"--state", state, "--rpm", "100000")
	}

	r := build(environ)
	if r.code != exitRejected || !strings.Contains(r.stdout, "rows: 7  cards written: 4  unchanged: 0  rejected: 3  skipped: 0") ||
		!strings.Contains(r.stdout, "dropped 1 character(s)") || !strings.Contains(r.stderr, "3 of 7 rows rejected") {
		t.Fatalf("build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	errs, err := os.Open(filepath.Join(dir, "out", "errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(errs).ReadAll()
	errs.Close()
	if err != nil || len(recs) != 4 || recs[1][1] != "6" || recs[3][5] != "OPP-1001" {
		t.Fatalf("errors.csv: %q %v", recs, err)
	}
	noKey(t, r)

	if r := runCLI(t, nil, "feed", "inspect", feed); r.code != 0 || !strings.Contains(r.stdout, "4 card(s) (4 complete") {
		t.Errorf("inspect: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, environ, "feed", "inspect", "--online", "--rpm", "100000", feed); r.code != 0 || strings.Contains(r.stdout, "not checked") {
		t.Errorf("inspect --online: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, environ, "feed", "push", "--feed-id", "119", feed, "--state", state, "--rpm", "100000")
	if r.code != 0 || !strings.Contains(r.stdout, "pushed "+feed+": 4 card(s)") || !strings.Contains(r.stdout, `snapshot "cards": 4 card(s) marked as sent`) {
		t.Fatalf("push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitApplied(t, srv)
	if o := srv.Feeds()[0]; o.Created != 4 || o.Failed != 0 {
		t.Fatalf("outcome %+v", o)
	}
	before := srv.Stats()

	// Nothing changed: the build writes no card and the push sends nothing.
	r = build(environ)
	if !strings.Contains(r.stdout, "cards written: 0  unchanged: 4") {
		t.Errorf("unchanged build:\n%s", r.stdout)
	}
	r = runCLI(t, environ, "feed", "push", "--feed-id", "119", feed, "--state", state, "--rpm", "100000")
	if r.code != 0 || !strings.Contains(r.stdout, "has no cards: nothing to push") {
		t.Errorf("unchanged push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitApplied(t, srv)
	if after := srv.Stats(); after.FeedCards != before.FeedCards || after.Writes != before.Writes || len(srv.Feeds()) != 1 {
		t.Errorf("an unchanged source wrote: %+v → %+v", before, after)
	}

	// One row changes; the push fails (a wrong key): the next build sends
	// the card again.
	changed := strings.Replace(string(orig), "Szerver bérlés;480000", "Szerver bérlés;490000", 1)
	if err := os.WriteFile(src, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := build(environ); !strings.Contains(r.stdout, "cards written: 1  unchanged: 3") {
		t.Fatalf("changed build:\n%s", r.stdout)
	}
	wrong := map[string]string{"MINICRM_URL": environ["MINICRM_URL"], "MINICRM_SYSTEM_ID": environ["MINICRM_SYSTEM_ID"],
		"MINICRM_API_KEY": "ffffffffffffffffffffffffffffffff"}
	r = runCLI(t, wrong, "feed", "push", "--feed-id", "119", feed, "--state", state, "--rpm", "100000")
	if r.code != exitFatal || !strings.Contains(r.stderr, "snapshot was not advanced") {
		t.Errorf("failed push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := build(environ); !strings.Contains(r.stdout, "cards written: 1  unchanged: 3") {
		t.Fatalf("build after the failed push:\n%s", r.stdout)
	}

	// Pushed by Source URL this time, from a loopback file server.
	host := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(feed))))
	defer host.Close()
	r = runCLI(t, environ, "feed", "push", "--source-url", host.URL+"/feed.xml", feed, "--state", state, "--rpm", "100000")
	if r.code != 0 || !strings.Contains(r.stdout, "marked as sent") {
		t.Fatalf("push --source-url: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitApplied(t, srv)
	if o := srv.Feeds()[1]; o.Via != "source" || o.Updated != 1 || o.Unchanged != 0 || o.Cards != 1 {
		t.Errorf("outcome %+v", o)
	}
	if r := build(environ); !strings.Contains(r.stdout, "cards written: 0  unchanged: 4") {
		t.Errorf("after the push:\n%s", r.stdout)
	}
}

func TestFeedUsage(t *testing.T) {
	for _, args := range [][]string{
		{"feed"},
		{"feed", "build", "--mapping", "x.yaml"},
		{"feed", "push", "a.xml"},
		{"feed", "push", "--feed-id", "1"},
		{"feed", "push", "--feed-id", "1", "--source-url", "https://x/y.xml", "a.xml"},
		{"feed", "inspect"},
		{"feed", "frob"},
	} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<Projects><Project Id='1'><Name>x</Project></Projects>"), 0o644)
	if r := runCLI(t, nil, "feed", "inspect", bad); r.code != exitRejected || !strings.Contains(r.stderr, "not a well-formed feed") {
		t.Errorf("inspect bad: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "feed", "push", "--feed-id", "1", bad, "--sandbox"); r.code != exitFatal || !strings.Contains(r.stderr, "nothing was pushed") {
		t.Errorf("push bad: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "feed", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--changed-only") {
		t.Errorf("help: exit %d\n%s", r.code, r.stdout)
	}
}
