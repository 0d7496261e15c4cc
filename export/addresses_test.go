package export_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

var updateAddresses = flag.Bool("update-addresses", false, "rewrite testdata/export/addresses.golden.csv")

// addressesDataset is the built-in system plus an address whose text a
// spreadsheet would run as a formula.
func addressesDataset() *sandbox.Dataset {
	ds := sandbox.DefaultDataset()
	ds.Addresses = append(ds.Addresses, sandbox.SeedAddress{Id: 8009, ContactId: 7453, Name: "Raktár", Type: "Telephely",
		City: "Győr", Address: "=HYPERLINK(\"http://x.example\")", CreatedAt: "2020-01-02 03:04:05"})
	return ds
}

func TestExportAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, addressesDataset())
	c := e.client()
	out := filepath.Join(e.dir, "addresses.csv")
	sum, err := export.ExportAddresses(t.Context(), export.AddressesConfig{Client: c, Output: out, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	// One listing page, an AddressList per contact, a detail per address.
	if sum.Contacts != 7 || sum.Addresses != 5 || sum.Requests != 1+7+5 {
		t.Errorf("summary %+v, want 7 contacts, 5 addresses, 13 requests", sum)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden := "../testdata/export/addresses.golden.csv"
	if *updateAddresses {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("addresses.csv differs from %s:\n%s", golden, got)
	}
	if !strings.Contains(string(got), `'=HYPERLINK`) {
		t.Errorf("a formula-like address was not neutralized")
	}

	// Persons only, as a workbook with typed cells.
	xlsx := filepath.Join(e.dir, "persons.xlsx")
	sum, err = export.ExportAddresses(t.Context(), export.AddressesConfig{Client: c, Output: xlsx, ContactType: "Person"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Contacts != 4 || sum.Addresses != 1 {
		t.Errorf("persons: %+v", sum)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("addresses")
	if err != nil || len(rows) != 2 || rows[1][0] != "8004" || rows[1][2] != "Leskó Norbert" || rows[1][7] != "Hungary" {
		t.Errorf("persons.xlsx rows %q, %v", rows, err)
	}

	if _, err := export.ExportAddresses(t.Context(), export.AddressesConfig{Client: c, Output: out, ContactType: "Robot"}); err == nil {
		t.Error("an unknown contact type passed")
	}
}

// TestExportAddressesKeepsOldFileOnError: a failing read leaves the previous
// file as it was.
func TestExportAddressesKeepsOldFileOnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, addressesDataset())
	out := filepath.Join(e.dir, "addresses.csv")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetFaults(sandbox.Faults{FailRate: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := export.ExportAddresses(t.Context(), export.AddressesConfig{Client: e.client(), Output: out}); err == nil {
		t.Fatal("export passed with every request failing")
	}
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("the old file was replaced: %q", b)
	}
}

// TestExportAddressesStreams: with 1,100 contacts (11 listing pages) the
// listing never runs more than its window ahead of the writing, every
// contact is counted once, and the rows come in contact order.
func TestExportAddressesStreams(t *testing.T) {
	t.Parallel()
	ds := bigDataset(1000) // 1,000 persons and 100 companies
	for i := range 200 {
		ds.Addresses = append(ds.Addresses, sandbox.SeedAddress{Id: 900_000 + i, ContactId: 2_000_000 + i*5, Type: "Levelezési cím", Name: "Posta",
			City: "Győr", CreatedAt: "2024-01-02 10:00:00"})
	}
	e := newEnv(t, ds)
	out := filepath.Join(e.dir, "addresses.csv")
	const workers = 3
	ahead, calls := 0, 0
	sum, err := export.ExportAddresses(t.Context(), export.AddressesConfig{Client: e.client(), Output: out, Workers: workers,
		Progress: func(done, listed int) {
			calls++
			ahead = max(ahead, listed-done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	// 12 listing pages: 11 full ones and the empty one that ends the walk.
	if sum.Contacts != 1100 || sum.Addresses != 200 || calls != 1100 || sum.Requests != 12+1100+200 {
		t.Errorf("summary %+v after %d progress calls; want 1,100 contacts, 200 addresses, 1,312 requests", sum, calls)
	}
	if limit := 4 * workers; ahead > limit || ahead == 0 {
		t.Errorf("the listing ran %d contacts ahead of the writing (the window is %d)", ahead, limit)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	last := 0
	for _, l := range lines {
		contact, err := strconv.Atoi(strings.Split(l, ",")[1])
		if err != nil || contact <= last {
			t.Fatalf("row %q after contact %d", l, last)
		}
		last = contact
	}
	if len(lines) != 200 {
		t.Errorf("%d rows", len(lines))
	}
}
