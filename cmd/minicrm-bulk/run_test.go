package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/job"
)

// writeJob writes a job file into dir.
func writeJob(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "nightly.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunJob runs an import, a feed build and push and an export as one
// job against an in-process sandbox, the connection named by variables of
// the job's choosing; then again while the first run holds the lock.
func TestRunJob(t *testing.T) {
	t.Parallel()
	srv, environ := feedSandbox(t, 24901)
	dir := t.TempDir()
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	jobFile := writeJob(t, dir, `name: nightly
connection:
  url_env: NIGHTLY_URL
  system_id_env: NIGHTLY_SYSTEM
  api_key_env: NIGHTLY_KEY
rpm: 600000
state: state
out: runs
steps:
  - name: people
    import:
      mapping: `+abs(importMapping)+`
  - name: cards
    feed:
      mapping: `+abs(filepath.Join("..", "..", "testdata", "xmlfeed", "cards.yaml"))+`
      source: `+abs(filepath.Join("..", "..", "testdata", "xmlfeed", "cards.csv"))+`
      changed_only: true
      feed_id: 119
  - name: export
    export:
      what: persons
      output: exports/persons.csv
`)
	env := map[string]string{"NIGHTLY_URL": environ["MINICRM_URL"], "NIGHTLY_SYSTEM": environ["MINICRM_SYSTEM_ID"],
		"NIGHTLY_KEY": environ["MINICRM_API_KEY"]}
	r := runCLI(t, env, "run", jobFile, "--log-format", "json")
	// Both fixtures hold rows meant to be rejected: exit 1, every step ran.
	if r.code != exitRejected || !strings.Contains(r.stdout, "Job nightly: REJECTED (exit 1)") {
		t.Fatalf("run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	noKey(t, r)
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.HasPrefix(l, "{") && !json.Valid([]byte(l)) {
			t.Errorf("--log-format json: %s", l)
		}
	}
	if !strings.Contains(r.stderr, `"msg":"step finished"`) || !strings.Contains(r.stderr, `"step":"export"`) {
		t.Errorf("the log does not show the steps:\n%s", r.stderr)
	}
	waitApplied(t, srv)
	if fs := srv.Feeds(); len(fs) != 1 || fs[0].Created != 4 {
		t.Errorf("the feed was not pushed: %+v", fs)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "runs", "nightly-*"))
	if len(runs) != 1 {
		t.Fatalf("run directories: %v", runs)
	}
	var rep job.Report
	b, err := os.ReadFile(filepath.Join(runs[0], "report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report.json: %v", err)
	}
	if rep.ExitCode != 1 || len(rep.Steps) != 3 || rep.Steps[0].Status != "rejected" || rep.Steps[1].Status != "rejected" ||
		rep.Steps[2].Status != "ok" || rep.Steps[0].Rows["total"] != 8 || rep.Steps[0].Rows["rejected"] != 1 {
		t.Errorf("report.json: %s", b)
	}
	for _, s := range rep.Steps {
		if s.Requests["ok"] == 0 || len(s.Timeline) == 0 {
			t.Errorf("step %s: no requests counted: %+v", s.Name, s.Requests)
		}
	}
	html, _ := os.ReadFile(filepath.Join(runs[0], "report.html"))
	for _, want := range []string{"<svg", "<polyline", "<rect", "people", "cards", "export"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html has no %q", want)
		}
	}
	if strings.Contains(string(html), "<script") || strings.Contains(string(html), "http://") && strings.Contains(string(html), "src=") {
		t.Error("report.html loads something from outside")
	}
	if _, err := os.Stat(filepath.Join(dir, "exports", "persons.csv")); err != nil {
		t.Errorf("the export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(runs[0], "people", "success.csv")); err != nil {
		t.Errorf("the import's outputs: %v", err)
	}

	// A second run while one holds the lock: refused, exit 2, nothing done.
	lock, err := job.Acquire(filepath.Join(dir, "state"), "nightly")
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Total
	r = runCLI(t, env, "run", jobFile, "--quiet")
	if r.code != exitFatal || !strings.Contains(r.stderr, "the job is already running") || !strings.Contains(r.stderr, "nightly.lock") {
		t.Errorf("locked: exit %d\n%s", r.code, r.stderr)
	}
	if srv.Stats().Total != before {
		t.Error("the locked run sent requests")
	}
	lock.Release()
	// Released: it runs again; --quiet prints nothing on stdout.
	r = runCLI(t, env, "run", jobFile, "--quiet")
	if r.code != exitRejected || r.stdout != "" {
		t.Errorf("after the lock: exit %d\n%q\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestRunJobErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"connection:\n  api_key_env: 0123456789abcdef0123456789abcdef\nsteps:\n  - export: {what: all, output: x.xlsx}\n",
			"nightly.yaml:2: connection.api_key_env"},
		{"connection:\n  api_key: secret\nsteps:\n  - export: {what: all, output: x.xlsx}\n", "nightly.yaml:2: connection.api_key: a job file never holds a secret"},
		{"steps:\n  - import: {mapping: m.yaml}\n    export: {what: all, output: x}\n", "nightly.yaml:2: steps[0]: a step is exactly one of"},
		{"steps: []\n", "a job needs at least one step"},
		{"name: x\n steps:\n", "nightly.yaml:2: YAML:"},
		{"", "the job file is empty"},
		{"stepz: []\n", "field stepz is not a known key in the job section"},
		{"steps:\n  - feed: {mapping: m.yaml}\n", "say where to push"},
	} {
		path := writeJob(t, dir, c.text)
		r := runCLI(t, map[string]string{"MINICRM_API_KEY": cliKey, "MINICRM_SYSTEM_ID": "1"}, "run", path)
		if r.code != exitFatal || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", c.text, r.code, c.want, r.stderr)
		}
	}
	// A step that fails stops the job: exit 2, the next steps skipped.
	path := writeJob(t, dir, "connection: {sandbox: true}\nsteps:\n  - import: {mapping: missing.yaml}\n  - export: {what: all, output: x.csv}\n")
	r := runCLI(t, nil, "run", path)
	if r.code != exitFatal || !strings.Contains(r.stdout, "skipped") || !strings.Contains(r.stdout, "failed") {
		t.Errorf("failing step: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "run"); r.code != exitUsage {
		t.Errorf("no job: exit %d", r.code)
	}
	if r := runCLI(t, nil, "run", path, "--log-format", "xml"); r.code != exitUsage {
		t.Errorf("--log-format xml: exit %d", r.code)
	}
}

// TestRunJobInterrupted: a run cut short (SIGINT/SIGTERM cancel the
// context) ends with 130, the reports written, the later steps skipped.
func TestRunJobInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mappingFile, _ := filepath.Abs(importMapping)
	path := writeJob(t, dir, "connection: {sandbox: true}\nsteps:\n  - import: {mapping: "+mappingFile+"}\n  - export: {what: all, output: x.csv}\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb syncBuffer
	code := run(ctx, []string{"run", path}, &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	if code != exitInterrupted || !strings.Contains(out.String(), "interrupted") || !strings.Contains(out.String(), "skipped") {
		t.Errorf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if reps, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "report.json")); len(reps) != 1 {
		t.Errorf("reports: %v", reps)
	}
}
