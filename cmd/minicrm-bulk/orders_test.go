package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOrderCommands: an order mapping through the commands a user runs:
// mapping check groups the lines as the build does, feed build counts the
// orders, push applies them, an unchanged re-build writes no card.
func TestOrderCommands(t *testing.T) {
	srv, environ := feedSandbox(t, 23481)
	dir := t.TempDir()
	mappingFile := filepath.Join("..", "..", "examples", "webshop-orders.yaml")
	bad := filepath.Join("..", "..", "testdata", "xmlfeed", "orders-bad.csv")

	r := runCLI(t, environ, "mapping", "check", "--mapping", mappingFile, "--source", bad, "--rpm", "100000")
	if r.code != exitRejected || !strings.Contains(r.stdout, "rows: 13  ok: 4  skipped: 0  rejected: 9") ||
		!strings.Contains(r.stdout, `order "WS-2001"'s rows are not together`) {
		t.Errorf("mapping check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, environ, "mapping", "check", "--mapping", mappingFile, "--rpm", "100000"); r.code != 0 ||
		!strings.Contains(r.stdout, "rows: 7  ok: 7  skipped: 0  rejected: 0") {
		t.Errorf("mapping check of the example: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	feed, state := filepath.Join(dir, "orders.xml"), filepath.Join(dir, "state")
	build := func() result {
		t.Helper()
		return runCLI(t, environ, "feed", "build", "--mapping", mappingFile, "-o", feed, "--changed-only", "--state", state, "--rpm", "100000")
	}
	r = build()
	if r.code != 0 || !strings.Contains(r.stdout, "rows: 7  cards written: 2  unchanged: 0  rejected: 0  skipped: 0") ||
		!strings.Contains(r.stdout, "orders: 3 from 7 rows, 6 lines (1 row(s) merged into an earlier line of the same product); 0 order(s) rejected") {
		t.Fatalf("build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, environ, "feed", "push", "--feed-id", "119", feed, "--state", state, "--rpm", "100000")
	if r.code != 0 {
		t.Fatalf("push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitApplied(t, srv)
	if o := srv.Feeds()[0]; o.Created != 2 || o.Documents != 3 || o.Failed != 0 {
		t.Fatalf("outcome %+v", o)
	}
	if r := build(); !strings.Contains(r.stdout, "cards written: 0  unchanged: 2") {
		t.Errorf("unchanged build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
