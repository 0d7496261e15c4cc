package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportAddressesCommand(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "addresses.csv")
	r := runCLI(t, environ, "export", "addresses", "--excel", "-o", out, "--rpm", "100000", "--progress", "log")
	if r.code != exitOK || !strings.Contains(r.stdout, "addresses: 4 rows from 7 contacts (12 requests)") ||
		!strings.Contains(r.stderr, "addresses: 7/7 contacts read") {
		t.Fatalf("export addresses: %+v", r)
	}
	noKey(t, r)
	b, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(b), "\ufeffId;ContactId;ContactName;") || !strings.Contains(string(b), "8004;7506;Leskó Norbert;Person;Levelezési cím;Otthon;1;Hungary;2000;Szentendre") {
		t.Errorf("addresses.csv: %q", b)
	}
	r = runCLI(t, environ, "export", "addresses", "--contact-type", "business", "-o", out, "--rpm", "100000", "--progress", "none")
	if r.code != exitOK || !strings.Contains(r.stdout, "addresses: 3 rows from 3 contacts") {
		t.Errorf("businesses only: %+v", r)
	}
	for _, args := range [][]string{
		{"export", "addresses"}, // no -o
		{"export", "addresses", "-o", "x.csv", "--details"},
		{"export", "addresses", "-o", "x.csv", "--incremental"},
		{"export", "addresses", "-o", "x.csv", "--contact-type", "robot"},
		{"export", "addresses", "-o", "x.xlsx", "--excel"},
		{"export", "persons", "-o", "x.csv", "--contact-type", "Person"},
	} {
		if r := runCLI(t, environ, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, r.code, exitUsage, r.stderr)
		}
	}
}
