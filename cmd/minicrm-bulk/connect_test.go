package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// result is what one in-process run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in-process with the given environment.
func runCLI(t *testing.T, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer // a progress display and a log may write at once
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	code := run(context.Background(), args, e)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

const cliKey = "0123456789abcdef0123456789abcdef"

// cliSandbox serves a sandbox on loopback and returns the environment that
// points the CLI at it.
func cliSandbox(t *testing.T) map[string]string {
	t.Helper()
	srv, err := sandbox.New(sandbox.Config{SystemID: 23456, APIKey: cliKey, RPM: 0, Dataset: sandbox.DefaultDataset()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return map[string]string{"MINICRM_URL": ts.URL, "MINICRM_SYSTEM_ID": "23456", "MINICRM_API_KEY": cliKey}
}

func noKey(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout, cliKey) || strings.Contains(r.stderr, cliKey) {
		t.Errorf("the key was printed:\n%s\n%s", r.stdout, r.stderr)
	}
}

func TestConnectFromEnvironment(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)
	r := runCLI(t, environ, "categories", "--rpm", "6000")
	if r.code != 0 || !strings.Contains(r.stdout, "Értékesítés") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	noKey(t, r)
}

func TestConnectKeyFile(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)
	delete(environ, "MINICRM_API_KEY")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(cliKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, environ, "categories", "--api-key-file", keyFile)
	if r.code != exitFatal || !strings.Contains(r.stderr, "chmod 600 "+keyFile) {
		t.Errorf("a world-readable key file: exit %d, %s", r.code, r.stderr)
	}
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, environ, "categories", "--api-key-file", keyFile)
	if r.code != 0 || !strings.Contains(r.stdout, "Partnerek") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	noKey(t, r)
}

func TestConnectErrors(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)

	// A wrong key: the message helps, and never shows the key.
	wrong := map[string]string{"MINICRM_URL": environ["MINICRM_URL"], "MINICRM_SYSTEM_ID": "23456", "MINICRM_API_KEY": cliKey[:31] + "x"}
	r := runCLI(t, wrong, "categories")
	if r.code != exitFatal || !strings.Contains(r.stderr, "401 Unauthorized") || !strings.Contains(r.stderr, "SystemId 23456") ||
		!strings.Contains(r.stderr, "hibás API kulcs") || strings.Contains(r.stderr, wrong["MINICRM_API_KEY"]) {
		t.Errorf("wrong key: exit %d, %s", r.code, r.stderr)
	}
	// A wrong SystemId.
	wrong["MINICRM_API_KEY"], wrong["MINICRM_SYSTEM_ID"] = cliKey, "65432"
	r = runCLI(t, wrong, "categories")
	if r.code != exitFatal || !strings.Contains(r.stderr, "SystemId 65432") || !strings.Contains(r.stderr, "SystemId") {
		t.Errorf("wrong SystemId: exit %d, %s", r.code, r.stderr)
	}
	noKey(t, r)

	r = runCLI(t, map[string]string{"MINICRM_API_KEY": cliKey}, "categories")
	if r.code != exitFatal || !strings.Contains(r.stderr, "MINICRM_SYSTEM_ID") {
		t.Errorf("no SystemId: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, map[string]string{"MINICRM_SYSTEM_ID": "1"}, "categories")
	if r.code != exitFatal || !strings.Contains(r.stderr, "MINICRM_API_KEY") {
		t.Errorf("no key: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, environ, "categories", "--sandbox", "--system-id", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "--sandbox and --system-id") {
		t.Errorf("--sandbox with --system-id: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, environ, "categories", "--url", "https://example.com", "--test-env")
	if r.code != exitFatal || !strings.Contains(r.stderr, "not both") {
		t.Errorf("--url with --test-env: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, environ, "categories", "--rpm", "0")
	if r.code != 2 {
		t.Errorf("--rpm 0: exit %d, %s", r.code, r.stderr)
	}
	// The key is not a flag.
	r = runCLI(t, environ, "categories", "--api-key", cliKey)
	if r.code != 2 {
		t.Errorf("--api-key accepted: exit %d", r.code)
	}
}

func TestCategoriesCommand(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "categories", "--sandbox", "--detailed")
	if r.code != 0 || !strings.Contains(r.stdout, "HelpDesk") || !strings.Contains(r.stderr, "embedded sandbox") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "categories", "--sandbox", "--json")
	var cats []restapi.Category
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &cats) != nil || len(cats) == 0 {
		t.Errorf("--json: exit %d\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "categories", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
		t.Errorf("--help: %d %s", r.code, r.stdout)
	}
}

// syncBuffer is a bytes.Buffer that several goroutines may write (a
// progress display and a log).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
