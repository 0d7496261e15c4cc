package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestExportCommand(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")

	xlsx := filepath.Join(dir, "all.xlsx")
	r := runCLI(t, environ, "export", "all", "--todos", "--details", "-o", xlsx, "--state", state, "--rpm", "100000", "--progress", "none")
	if r.code != exitOK || !strings.Contains(r.stdout, "export finished") || !strings.Contains(r.stdout, "GET /Api/R3/Contact/{id}") {
		t.Fatalf("export all: %+v", r)
	}
	noKey(t, r)
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	// A sheet per module, named after it, in the modules' id order.
	if got := strings.Join(f.GetSheetList(), ","); got != "Businesses,Persons,Partnerek,Ügyfélszolgálat,Projektek,"+
		"Megrendelés,Webshop,Számlázó,Értékesítés,Ajánlatok,Rendezvények,ToDos" {
		t.Errorf("sheets %s", got)
	}
	f.Close()

	csvPath := filepath.Join(dir, "persons.csv")
	r = runCLI(t, environ, "export", "persons", "--excel", "--incremental", "--columns", "Id,Name,BusinessName", "-o", csvPath,
		"--state", state, "--rpm", "100000", "--progress", "log")
	if r.code != exitOK {
		t.Fatalf("export persons: %+v", r)
	}
	b, _ := os.ReadFile(csvPath)
	if !strings.HasPrefix(string(b), "\ufeffId;Name;BusinessName\r\n") || !strings.Contains(string(b), "Leskó Norbert;MiniCRM Zrt.") {
		t.Errorf("persons.csv: %q", b)
	}
	// Again: incremental now.
	r = runCLI(t, environ, "export", "persons", "--excel", "--incremental", "--columns", "Id,Name,BusinessName", "-o", csvPath,
		"--state", state, "--rpm", "100000", "--progress", "none")
	if r.code != exitOK || !strings.Contains(r.stdout, "contacts incremental") {
		t.Errorf("second run: %+v", r)
	}

	for _, args := range [][]string{
		{"export", "persons"},                                   // no -o
		{"export", "everything", "-o", "x.csv"},                 // unknown entity
		{"export", "persons", "-o", "x.xlsx", "--excel"},        // CSV flag on XLSX
		{"export", "persons", "-o", "x.csv", "--format", "ods"}, // unknown format
		{"export", "persons", "-o", "x.csv", "--from-changes", dir + "/none"},
	} {
		if r := runCLI(t, environ, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, r.code, exitUsage, r.stderr)
		}
	}
}

// TestExportAllWithoutToDos: export all reads no to-do list unless --todos
// asks for them (ToDoList costs a request per card on every run).
func TestExportAllWithoutToDos(t *testing.T) {
	t.Parallel()
	environ := cliSandbox(t)
	dir := t.TempDir()
	r := runCLI(t, environ, "export", "all", "--details", "-o", filepath.Join(dir, "all.xlsx"), "--state", filepath.Join(dir, "state"),
		"--rpm", "100000", "--progress", "none")
	if r.code != exitOK || strings.Contains(r.stdout, "ToDoList") || !strings.Contains(r.stdout, "GET /Api/R3/Project/{id}") {
		t.Errorf("export all: exit %d, to-do lists read or no card details:\n%s", r.code, r.stdout)
	}
	r = runCLI(t, environ, "export", "persons", "--todos", "-o", filepath.Join(dir, "p.csv"), "--state", filepath.Join(dir, "state2"))
	if r.code != exitUsage {
		t.Errorf("--todos without all: exit %d", r.code)
	}
}
