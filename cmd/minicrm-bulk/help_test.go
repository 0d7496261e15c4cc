package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help and testdata/lookup from the current output")

// TestHelpGolden pins every command's --help output (and the overview)
// byte for byte, so moving help texts around cannot change what users see.
func TestHelpGolden(t *testing.T) {
	names := []string{"overview"}
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 13 {
		t.Fatalf("only %d commands registered: %v", len(names)-1, names)
	}
	for _, n := range names {
		args := []string{n, "--help"}
		if n == "overview" {
			args = []string{"--help"}
		}
		r := runCLI(t, nil, args...)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		golden := filepath.Join("testdata", "help", n+".golden")
		checkGolden(t, golden, args, r.stdout)
	}
}

// sandboxAddr is the embedded sandbox's address, a random port.
var sandboxAddr = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

// TestLookupGolden pins what the look-up commands print on the embedded
// sandbox's example data (stdout only: stderr names a random port).
func TestLookupGolden(t *testing.T) {
	for name, args := range map[string][]string{
		"categories":          {"categories"},
		"categories-detailed": {"categories", "--detailed"},
		"categories-json":     {"categories", "--json"},
		"schema-project":      {"schema", "Project/10"},
		"schema-person-json":  {"schema", "Person", "--json"},
		"get-contact":         {"get", "contact", "7506"},
		"search-contacts":     {"search", "contacts", "--limit", "3"},
	} {
		r := runCLI(t, nil, append(args, "--sandbox")...)
		if r.code != exitOK {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
		r.stdout = sandboxAddr.ReplaceAllString(r.stdout, "http://SANDBOX")
		golden := filepath.Join("testdata", "lookup", name+".golden")
		checkGolden(t, golden, args, r.stdout)
	}
}

// TestServeBannersGolden pins what sandbox and listen print when they
// start and stop (started with a context already cancelled, so they stop
// at once; the random port and directory are replaced).
func TestServeBannersGolden(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	environ := map[string]string{envSandboxKey: cliKey, envWebhookPassword: "pw", envWebhookUser: "minicrm"}
	addr := regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	after := regexp.MustCompile(`stopped after [^:]+:`) // a duration: never asserted
	for name, args := range map[string][]string{
		"sandbox":          {"sandbox", "--addr", "127.0.0.1:0", "--webhook", "Project:10=http://127.0.0.1:9/", "--state", filepath.Join(dir, "state.json")},
		"sandbox-norate":   {"sandbox", "--addr", "127.0.0.1:0", "--rpm", "0", "--empty"},
		"listen":           {"listen", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "changes")},
		"listen-csv-rules": {"listen", "--addr", "127.0.0.1:0", "--out", filepath.Join(dir, "changes"), "--csv", "--rules", rules},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errb syncBuffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
		code := run(ctx, args, e)
		got := strings.ReplaceAll(addr.ReplaceAllString(out.String(), "ADDR"), dir, "DIR")
		got = after.ReplaceAllString(got, "stopped after T:")
		if strings.Contains(got, cliKey) || code == exitUsage {
			t.Errorf("%v: exit %d, key shown or bad usage:\n%s\n%s", args, code, got, errb.String())
		}
		checkGolden(t, filepath.Join("testdata", "banners", name+".golden"), args, got)
	}
}

// TestMappingCheckGolden pins what 'mapping check' prints for a mapping
// whose source has good, skipped and rejected rows.
func TestMappingCheckGolden(t *testing.T) {
	good := filepath.Join("..", "..", "testdata", "mapping", "good.yaml")
	r := runCLI(t, cliSandbox(t), "mapping", "check", "--mapping", good, "--rpm", "100000")
	if r.code != exitRejected {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitRejected, r.stdout, r.stderr)
	}
	checkGolden(t, filepath.Join("testdata", "mapping-check.golden"), []string{"mapping", "check"}, r.stdout)
}

// checkGolden compares a command's output with its golden file (rewritten
// with -update-help).
func checkGolden(t *testing.T, golden string, args []string, got string) {
	t.Helper()
	if *updateHelp {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%v differs from %s:\n--- got ---\n%s\n--- want ---\n%s", args, golden, got, want)
	}
}
