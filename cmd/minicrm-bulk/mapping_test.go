package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappingCheckCommand runs `mapping check` on the test mappings against a
// sandbox: a good mapping with bad rows exits 1 and writes exactly the
// rejected rows; a broken mapping exits 2 listing its problems; a saved
// schema file gives the same answer offline.
func TestMappingCheckCommand(t *testing.T) {
	environ := cliSandbox(t)
	dir := t.TempDir()
	good := filepath.Join("..", "..", "testdata", "mapping", "good.yaml")
	rejects := filepath.Join(dir, "rejected.csv")

	r := runCLI(t, environ, "mapping", "check", "--mapping", good, "--rejects", rejects, "--rpm", "100000")
	if r.code != exitRejected {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitRejected, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "rows: 5  ok: 2  skipped: 1  rejected: 2") {
		t.Errorf("summary missing:\n%s", r.stdout)
	}
	f, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "4" || recs[2][1] != "6" {
		t.Fatalf("rejected.csv = %q, want the header and rows 4 and 6", recs)
	}
	if recs[1][len(recs[1])-1] != "P-003" {
		t.Errorf("original values not kept: %q", recs[1])
	}
	noKey(t, r)

	schemaFile := filepath.Join(dir, "schema.json")
	if r := runCLI(t, environ, "mapping", "schemas", "--mapping", good, "-o", schemaFile, "--rpm", "100000"); r.code != 0 {
		t.Fatalf("mapping schemas: exit %d\n%s", r.code, r.stderr)
	}
	offline := runCLI(t, nil, "mapping", "check", "--mapping", good, "--schema", schemaFile)
	if offline.code != exitRejected || !strings.Contains(offline.stdout, "rejected: 2") {
		t.Errorf("offline check: exit %d\n%s%s", offline.code, offline.stdout, offline.stderr)
	}

	bad := runCLI(t, environ, "mapping", "check", "--mapping", filepath.Join("..", "..", "testdata", "mapping", "bad.yaml"), "--rpm", "100000")
	if bad.code != exitFatal || !strings.Contains(bad.stderr, "bad.yaml:11: business.fields.Nme") {
		t.Errorf("bad mapping: exit %d\n%s", bad.code, bad.stderr)
	}
}

func TestMappingInitCommand(t *testing.T) {
	environ := cliSandbox(t)
	src := filepath.Join("..", "..", "examples", "ugyfelek.csv")
	r := runCLI(t, environ, "mapping", "init", "--source", src, "--entity", "person", "--rpm", "100000")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"LastName: {column: Vezetéknév}", "Email: {column: E-mail}", "Phone: {column: Telefon}", "#   Cégnév"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("starter mapping lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "business:") || !strings.Contains(r.stderr, "check (person): rows: 14") {
		t.Errorf("--entity person wrote another section, or no check:\n%s\n%s", r.stdout, r.stderr)
	}
	if r := runCLI(t, environ, "mapping", "init", "--source", src, "--entity", "project"); r.code != exitUsage {
		t.Errorf("project without --category: exit %d", r.code)
	}
}

// TestDemo runs the demo end to end on its embedded sandbox.
func TestDemo(t *testing.T) {
	out := t.TempDir()
	r := runCLI(t, nil, "demo", "--out", out, "--examples", filepath.Join("..", "..", "examples"), "--rpm", "60000")
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Leskó Norbert", "\"Érdeklődő\" → \"Ajánlat kiküldve\"", "400 Bad Request", "14 rows, 12 ok", "6 rows, 5 ok",
		"applied: 5 card(s): 5 created", "export finished", "minicrm.xlsx", "persons.csv"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for _, f := range []string{"ugyfelek-rejected.csv", "feed/lehetosegek.xml", "export/minicrm.xlsx", "export/persons.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
