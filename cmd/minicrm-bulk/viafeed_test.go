package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestImportViaFeedKill: `import --via feed` killed with SIGKILL after
// MiniCRM took the feed, while it waits for the cards, is resumed by
// `--resume` without pushing the feed again, and ends with the sheet's
// companies, people and cards.
func TestImportViaFeedKill(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	srv, err := sandbox.New(sandbox.Config{SystemID: 24011, APIKey: cliKey, Dataset: sandbox.EmptyDataset()})
	if err != nil {
		t.Fatal(err)
	}
	var pushed, waiting atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pushed.Load() && waiting.Load() {
			// MiniCRM has not applied the feed yet, as far as the run can
			// tell: it waits here until it is killed.
			<-r.Context().Done()
			return
		}
		srv.ServeHTTP(w, r)
		if strings.Contains(r.URL.Path, "/SyncFeed/") {
			pushed.Store(true)
		}
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	args := []string{"import", "--mapping", filepath.Join("..", "..", "testdata", "import", "partnerek-cards.yaml"),
		"--source", filepath.Join("..", "..", "testdata", "import", "partnerek.csv"), "--state", filepath.Join(dir, "state"),
		"--out", filepath.Join(dir, "out"), "--rpm", "600000", "--progress", "none", "--via", "feed", "--feed-id", "119"}
	start := func(extra ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, extra...)...)
		cmd.Env = append(os.Environ(), "MINICRM_URL="+ts.URL, "MINICRM_SYSTEM_ID="+strconv.Itoa(24011), "MINICRM_API_KEY="+cliKey)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	waiting.Store(true)
	cmd := start()
	deadline := time.Now().Add(2 * time.Minute)
	for !pushed.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !pushed.Load() {
		_ = cmd.Process.Kill()
		t.Fatal("the feed was not pushed within 2 minutes")
	}
	time.Sleep(200 * time.Millisecond) // it is waiting for the cards now
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	uploads := srv.Stats().Requests["POST /Api/SyncFeed/{id}/Upload"]
	if uploads != 1 {
		t.Fatalf("%d uploads before the kill", uploads)
	}

	waiting.Store(false)
	cmd = start("--resume")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the resume: %v", err)
	}
	if n := srv.Stats().Requests["POST /Api/SyncFeed/{id}/Upload"]; n != 1 {
		t.Errorf("%d uploads after the resume, want 1", n)
	}
	if w := srv.Stats().Writes; w != 0 {
		t.Errorf("%d REST writes", w)
	}
	lines, companies, persons, cards := links(t, map[string]string{"MINICRM_URL": ts.URL, "MINICRM_SYSTEM_ID": "24011", "MINICRM_API_KEY": cliKey})
	if companies != 214 || persons != 1500 || cards != 1500 {
		t.Errorf("%d companies, %d persons, %d cards (%d lines)", companies, persons, cards, len(lines))
	}
	success, err := os.ReadFile(filepath.Join(dir, "out", "success.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(success), ",created,"); n != 214+214+1500+1500 {
		t.Errorf("success.csv lists %d creates, want %d (companies, their addresses, people, cards)", n, 214+214+1500+1500)
	}
}
