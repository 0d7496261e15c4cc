package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestInitWholeSheetImport walks a new user's path on the trimmed practice
// sheet (a title row above the header; two companies sharing a name with
// different VAT numbers; two whose names differ only in accents; three
// people repeated): `mapping init` with a card module, `mapping check`,
// `import`, and the same import again. Every VAT number is one company,
// every person one record, and the second run writes nothing.
func TestInitWholeSheetImport(t *testing.T) {
	t.Parallel()
	_, environ := importSandbox(t, 24121, sandbox.Faults{})
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "mapping", "sheet", "partnerek.xlsx")
	m := filepath.Join(dir, "maps", "partnerek.yaml")
	if err := os.MkdirAll(filepath.Dir(m), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, environ, "mapping", "init", "--source", src, "--category", "Értékesítés", "-o", m, "--rpm", "600000")
	if r.code != exitOK {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{`read sheet "Partnerek", header in row 2`, "rows: 49  ok: 49  skipped: 0  rejected: 0"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("init does not say %q:\n%s", want, r.stderr)
		}
	}
	text, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file: ../", "match: [vat_number]", "StatusId:", "VarhatoArbevetel: {column: Érték (Ft)}"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the mapping lacks %q:\n%s", want, text)
		}
	}

	r = runCLI(t, environ, "mapping", "check", "--mapping", m, "--rpm", "600000")
	if r.code != exitOK || !strings.Contains(r.stdout, `header in row 2`) || !strings.Contains(r.stdout, "rejected: 0") {
		t.Fatalf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	base := []string{"import", "--mapping", m, "--state", filepath.Join(dir, "state"), "--rpm", "600000", "--progress", "none"}
	r = runCLI(t, environ, append(base, "--out", filepath.Join(dir, "out1"))...)
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, `read sheet "Partnerek", header in row 2`) {
		t.Errorf("the import log does not say the sheet and header:\n%s", r.stderr)
	}
	// 39 VAT numbers, 46 people (49 rows, 3 repeated), a card each.
	for _, want := range []string{`Business\s+39\s+0\s+10\s+0`, `Person\s+46\s+0\s+3\s+0`, `Project\s+46\s+0\s+3\s+0`} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("first run: want %s\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, environ, append(base, "--out", filepath.Join(dir, "out2"))...)
	if r.code != exitOK || !strings.Contains(r.stdout, " 0 writes)") {
		t.Errorf("second run writes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSourceFlags: --header-row and --sheet override the mapping's source
// section on check and import, and a column not found shows the header
// that was read.
func TestSourceFlags(t *testing.T) {
	t.Parallel()
	_, environ := importSandbox(t, 24122, sandbox.Faults{})
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "mapping", "sheet", "partnerek.xlsx")
	m := filepath.Join(dir, "m.yaml")
	r := runCLI(t, environ, "mapping", "init", "--source", src, "--header-row", "2", "--sheet", "Partnerek", "-o", m, "--rpm", "600000")
	if r.code != exitOK {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	text, _ := os.ReadFile(m)
	if !strings.Contains(string(text), "  sheet: Partnerek\n  header_row: 2\n") {
		t.Errorf("the flags are not in the source section:\n%s", text)
	}

	r = runCLI(t, environ, "mapping", "check", "--mapping", m, "--header-row", "1", "--rpm", "600000")
	if r.code != exitFatal || !strings.Contains(r.stdout, "header in row 1") ||
		!strings.Contains(r.stderr, `the header read has 1 column(s): "Partnerlista – exportálva a régi rendszerből"`) {
		t.Errorf("check --header-row 1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, environ, "import", "--mapping", m, "--sheet", "2", "--header-row", "1", "--state", filepath.Join(dir, "st"), "--out", filepath.Join(dir, "o"),
		"--rpm", "600000", "--progress", "none")
	if r.code != exitFatal || !strings.Contains(r.stderr, `read sheet "Megjegyzések"`) || !strings.Contains(r.stderr, "the header read has") {
		t.Errorf("import --sheet 2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, environ, "mapping", "check", "--mapping", m, "--header-row", "-1"); r.code != exitUsage {
		t.Errorf("--header-row -1: exit %d", r.code)
	}
}
