package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/internal/oracle"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// links describes a system by what identifies its records (oracle.Links).
func links(t *testing.T, environ map[string]string) (lines []string, companies, persons, cards int) {
	t.Helper()
	c, err := restapi.NewClient(restapi.WithBaseURL(environ["MINICRM_URL"]), restapi.WithSystemID(environ["MINICRM_SYSTEM_ID"]),
		restapi.WithAPIKey(environ["MINICRM_API_KEY"]), restapi.WithRPM(600000))
	if err != nil {
		t.Fatal(err)
	}
	lines, n, err := oracle.Links(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return lines, n.Companies, n.Persons, n.Cards
}

// TestPracticeSheetRestAndFeed walks the practice sheet (1,530 rows: 214
// companies, six pairs of them sharing a name, 1,500 people, 30 of them on
// two rows) as a user would: imported over REST, then again (nothing
// written); and, into another empty system, built as a feed and pushed.
// Both systems end with the same companies, people, cards and links.
func TestPracticeSheetRestAndFeed(t *testing.T) {
	t.Parallel()
	mp := filepath.Join("..", "..", "testdata", "import", "partnerek-cards.yaml")
	src := filepath.Join("..", "..", "testdata", "import", "partnerek.csv")
	dir := t.TempDir()

	restSrv, restEnv := feedSandbox(t, 23471)
	r := runCLI(t, restEnv, "import", "--mapping", mp, "--source", src, "--state", filepath.Join(dir, "rest-state"),
		"--out", filepath.Join(dir, "rest-out"), "--rpm", "100000", "--progress", "none")
	if r.code != 0 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writes := restSrv.Stats().Writes
	if writes != 214+214+1500+1500 {
		t.Errorf("import: %d writes, want %d (a create per company, company address, person and card)", writes, 214+214+1500+1500)
	}
	r = runCLI(t, restEnv, "import", "--mapping", mp, "--source", src, "--state", filepath.Join(dir, "rest-state"),
		"--out", filepath.Join(dir, "rest-out2"), "--rpm", "100000", "--progress", "none")
	if r.code != 0 || restSrv.Stats().Writes != writes {
		t.Errorf("re-run: exit %d, %d writes\n%s", r.code, restSrv.Stats().Writes-writes, r.stdout)
	}
	restLines, companies, persons, cards := links(t, restEnv)
	if companies != 214 || persons != 1500 || cards != 1500 {
		t.Errorf("REST: %d companies, %d persons, %d cards; want 214, 1500, 1500", companies, persons, cards)
	}

	feedSrv, feedEnv := feedSandbox(t, 23472)
	feed := filepath.Join(dir, "feed", "feed.xml")
	r = runCLI(t, feedEnv, "feed", "build", "--mapping", mp, "--source", src, "-o", feed, "--rpm", "100000")
	// The 30 people on two rows have one card id twice: the second row of
	// each is refused as a duplicate card (exit 1), its person and card are
	// the first row's.
	if r.code != exitRejected || !strings.Contains(r.stdout, "cards written: 1500") || !strings.Contains(r.stdout, "warning: 6 compan(ies) of this feed have the name") {
		t.Fatalf("feed build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, feedEnv, "feed", "push", "--feed-id", "119", feed, "--state", filepath.Join(dir, "feed-state"), "--rpm", "100000")
	if r.code != 0 {
		t.Fatalf("feed push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// 1,500 cards under the race detector on a busy machine: more than
	// waitApplied's 10 s.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := feedSrv.WaitFeeds(ctx); err != nil {
		t.Fatal(err)
	}
	feedLines, _, _, _ := links(t, feedEnv)
	if d := oracle.Diff(restLines, feedLines); d != "" {
		t.Errorf("the feed's system differs from the REST import's:\n%s", d)
	}
}
