package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestKeyNeverWritten runs every command that talks to MiniCRM, with the
// log at debug level and a sandbox injecting faults (so retries and errors
// are logged too), the key given through MINICRM_API_KEY and through
// --api-key-file; then reads every byte the runs left (stdout, stderr, the
// outputs, the state directories with their bbolt files) and looks for the
// key, in clear and in the Basic-auth form.
func TestKeyNeverWritten(t *testing.T) {
	t.Parallel()
	key := sandbox.GenerateAPIKey()
	const system = 24811
	srv, err := sandbox.New(sandbox.Config{SystemID: system, APIKey: key, Dataset: sandbox.DefaultDataset(),
		Faults: sandbox.Faults{FailRate: 0.05, DropRate: 0.05, Burst429: 3, BurstEvery: 30,
			Latency: time.Millisecond, LatencyJitter: time.Millisecond, Seed: 11}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secrets", "key")
	os.MkdirAll(filepath.Dir(keyFile), 0o700)
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	viaEnv := map[string]string{"MINICRM_URL": ts.URL, "MINICRM_SYSTEM_ID": "24811", "MINICRM_API_KEY": key, logLevelEnv: "debug"}
	viaFile := map[string]string{"MINICRM_URL": ts.URL, "MINICRM_SYSTEM_ID": "24811", logLevelEnv: "debug"}
	work := filepath.Join(dir, "work") // every output and state directory is under here
	p := func(s string) string { return filepath.Join(work, s) }
	fast := []string{"--rpm", "100000"}
	for _, d := range []string{"feed-a", "feed-b"} {
		os.MkdirAll(p(d), 0o755)
	}

	var outputs []string
	runBoth := func(args ...string) {
		t.Helper()
		for i, environ := range []map[string]string{viaEnv, viaFile} {
			a := append([]string{}, args...)
			for j := range a {
				a[j] = strings.ReplaceAll(a[j], "{n}", string(rune('a'+i)))
			}
			if environ["MINICRM_API_KEY"] == "" {
				a = append(a, "--api-key-file", keyFile)
			}
			r := runCLI(t, environ, append(a, fast...)...)
			if r.code != exitOK && r.code != exitRejected {
				t.Errorf("%v: exit %d\n%s\n%s", a, r.code, r.stdout, r.stderr)
			}
			outputs = append(outputs, r.stdout, r.stderr)
		}
	}
	feedMapping := filepath.Join("..", "..", "testdata", "xmlfeed", "cards.yaml")
	feedSource := filepath.Join("..", "..", "testdata", "xmlfeed", "cards.csv")
	runBoth("import", "--mapping", importMapping, "--state", p("state-{n}"), "--out", p("import-{n}"), "--progress", "log")
	runBoth("import", "--mapping", importMapping, "--state", p("state-{n}"), "--out", p("dry-{n}"), "--dry-run", "--progress", "none")
	runBoth("mapping", "check", "--mapping", importMapping, "--rejects", p("rejects-{n}.csv"))
	runBoth("feed", "build", "--mapping", feedMapping, "--source", feedSource, "-o", p("feed-{n}/feed.xml"), "--changed-only", "--state", p("state-{n}"))
	runBoth("feed", "push", "--feed-id", "119", p("feed-{n}/feed.xml"), "--state", p("state-{n}"))
	runBoth("export", "all", "--details", "-o", p("export-{n}.xlsx"), "--state", p("state-{n}"), "--progress", "log")
	runBoth("export", "persons", "--incremental", "-o", p("persons-{n}.csv"), "--state", p("state-{n}"), "--progress", "log")
	runBoth("categories")
	// A nightly job, the key by a variable's name and by a file.
	absMapping, _ := filepath.Abs(importMapping)
	for i, conn := range []string{"api_key_env: MINICRM_API_KEY", "api_key_file: " + keyFile} {
		jobFile := p(fmt.Sprintf("job-%d.yaml", i))
		text := "connection:\n  url_env: MINICRM_URL\n  system_id_env: MINICRM_SYSTEM_ID\n  " + conn + "\nrpm: 100000\nstate: state-job\nout: runs\n" +
			"steps:\n  - import: {mapping: " + absMapping + "}\n  - export: {what: all, output: job-export.xlsx}\n"
		if err := os.WriteFile(jobFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		environ := viaEnv
		if i == 1 {
			environ = viaFile
		}
		r := runCLI(t, environ, "run", jobFile, "--log-format", "json")
		if r.code != exitRejected {
			t.Errorf("run %s: exit %d\n%s\n%s", conn, r.code, r.stdout, r.stderr)
		}
		outputs = append(outputs, r.stdout, r.stderr)
	}
	if st := srv.Stats(); st.Injected500 == 0 || st.DroppedBefore+st.DroppedAfter == 0 {
		t.Errorf("no fault happened: %+v", st)
	}

	needles := map[string][]byte{
		"the key":                  []byte(key),
		"the Basic-auth header":    []byte(base64.StdEncoding.EncodeToString([]byte("24811:" + key))),
		"the key in base64":        []byte(base64.StdEncoding.EncodeToString([]byte(key))),
		"the key's first 16 bytes": []byte(key[:16]),
	}
	files := 0
	err = filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for what, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s is in %s", what, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Errorf("only %d files were written; the commands did not run?", files)
	}
	debugLines := 0
	for _, o := range outputs {
		debugLines += strings.Count(o, "level=DEBUG")
		for what, n := range needles {
			if strings.Contains(o, string(n)) {
				t.Errorf("%s is in the output:\n%s", what, o)
			}
		}
	}
	if debugLines == 0 {
		t.Error("no debug line was logged: the test does not look at what it should")
	}
	t.Logf("%d files and %d outputs (%d debug lines) checked", files, len(outputs), debugLines)
}
