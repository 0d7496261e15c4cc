package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportDocumentsCommand exports the built-in sandbox's invoices and
// orders the way an accountant would ask for them, and checks the flags
// that only documents take.
func TestExportDocumentsCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "szamlak.csv")
	r := runCLI(t, nil, "export", "invoices", "--items", "--excel", "--headers", "hu", "--since", "2025-01-01",
		"--until", "2025-12-31", "-o", out, "--sandbox", "--rpm", "100000", "--progress", "none")
	if r.code != exitOK {
		t.Fatalf("export invoices: %+v", r)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\r\n")
	if !strings.HasPrefix(lines[0], "\ufeffAzonosító;Sorszám;Típus;Státusz") || !strings.Contains(lines[0], ";Bruttó;") {
		t.Errorf("header %q", lines[0])
	}
	// The built-in data has 12 invoices issued in 2025 (and the example
	// of 2013, left out).
	if len(lines) != 13 || !strings.Contains(string(b), "2025-E-EUR/") {
		t.Errorf("%d lines:\n%s", len(lines), b)
	}
	items, err := os.ReadFile(filepath.Join(dir, "szamlak-tetelek.csv"))
	if err != nil || !strings.Contains(string(items), "Nettó egységár") || !strings.Contains(string(items), ";AAM;") {
		t.Errorf("the lines: %v\n%s", err, items)
	}

	xlsx := filepath.Join(dir, "orders.xlsx")
	r = runCLI(t, nil, "export", "orders", "--items", "--status", "Success", "-o", xlsx, "--sandbox", "--rpm", "100000", "--progress", "none")
	if r.code != exitOK {
		t.Fatalf("export orders: %+v", r)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Orders,OrderItems" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := f.GetRows("Orders")
	// The header, the 2 paid orders (USD and EUR), a total per currency.
	if len(rows) != 5 || rows[3][0] != "Total EUR" || rows[4][0] != "Total USD" {
		t.Errorf("orders %v", rows)
	}

	for _, args := range [][]string{
		{"export", "persons", "-o", "x.csv", "--items"},
		{"export", "invoices", "-o", "x.csv", "--since", "2025-13-01"},
		{"export", "invoices", "-o", "x.csv", "--since", "2025-02-01", "--until", "2025-01-01"},
		{"export", "invoices", "-o", "x.csv", "--headers", "de"},
		{"export", "invoices", "-o", "x.csv", "--columns", "Id="},
	} {
		if r := runCLI(t, nil, append(args, "--sandbox")...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, r.code, exitUsage, r.stderr)
		}
	}
}
