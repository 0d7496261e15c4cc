package export_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/export/golden")

// documentsDataset is a small, fixed system for golden files: two
// companies (tax ids, an accent, a formula-like name), a person of one,
// and invoices with fixed ids and dates: HUF and EUR, Hungarian and plain
// prices, 27%, 5% and exempt lines, one paid, one cancelled.
func documentsDataset() *sandbox.Dataset {
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{
		{Id: 701, Type: "Business", CreatedAt: "2024-01-02 10:00:00", Fields: map[string]any{"Name": "Árvíztűrő Kft.",
			"VatNumber": "12345678-2-41", "RegistrationNumber": "01-09-123456"}},
		{Id: 702, Type: "Person", BusinessId: 701, CreatedAt: "2024-01-02 10:00:00",
			Fields: map[string]any{"FirstName": "Éva", "LastName": "Szabó"}},
		{Id: 703, Type: "Business", CreatedAt: "2024-01-02 10:00:00", Fields: map[string]any{"Name": "=Cég Bt.",
			"VatNumber": "87654321-1-13"}},
	}
	line := func(name, price, qty, vat string) map[string]any {
		return map[string]any{"Name": name, "PriceNet": price, "Quantity": qty, "Unit": "db", "VAT": vat}
	}
	ds.Invoices = []map[string]any{
		{"Id": 801, "CustomerId": 702, "Issued": "2025-01-15", "Prompt": "2025-01-23", "Paid": "2025-01-20",
			"Items": []any{line("CRM licenc", "12 900,00", "2", "27%"), line("Szakkönyv", "6990", "1", "5%")}},
		{"Id": 802, "CustomerId": 703, "Issued": "2025-02-03", "CurrencyCode": "EUR", "PaymentMethod": "Cash",
			"Items": []any{line("Oktatás", "112.50", "1.5", "AAM")}},
		{"Id": 803, "CustomerId": 701, "Issued": "2025-02-28", "Status": "Storno",
			"Items": []any{line("Tanácsadás", "18000", "3", "27%")}},
	}
	return ds
}

// TestDocumentsGolden writes the golden invoices and their lines in both
// CSV dialects and both header modes. go test ./export -run Golden -update
// rewrites them; review the diff.
func TestDocumentsGolden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, documentsDataset())
	for _, tc := range []struct {
		name    string
		excel   bool
		headers export.Headers
	}{{"api", false, export.HeadersAPI}, {"api-excel", true, export.HeadersAPI},
		{"hu", false, export.HeadersHU}, {"hu-excel", true, export.HeadersHU}} {
		cfg := e.config("invoices-"+tc.name+".csv", export.Invoices)
		cfg.Items, cfg.CSV.Excel, cfg.Headers = true, tc.excel, tc.headers
		sum := e.export(cfg)
		if len(sum.Files) != 2 {
			t.Fatalf("%s: files %v", tc.name, sum.Files)
		}
		for _, path := range sum.Files {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The download links name the test server and its system.
			got = bytes.ReplaceAll(got, []byte(e.ts.URL+"/"+e.system+"/"), []byte("http://sandbox/SYSTEM/"))
			golden := filepath.Join("..", "testdata", "export", "golden", filepath.Base(path))
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./export -run Golden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", path, golden, firstDiff(string(want), string(got)))
			}
		}
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\nwant " + a + "\ngot  " + b
		}
	}
	return ""
}

// TestAllHungarian is the second "done when": export all with
// details and Hungarian headers has an Adószám column on the companies and
// the persons sheets, the company's VAT number on each person, and a sheet
// per module, named after it, with that module's fields only.
func TestAllHungarian(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(3))
	cfg := e.config("all.xlsx", export.WithToDos...)
	cfg.Details, cfg.Headers, cfg.PerModule = true, export.HeadersHU, true
	e.export(cfg)
	f, err := excelize.OpenFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Cégek", "Személyek"}
	for _, c := range sandbox.EmptyDataset().Categories {
		want = append(want, c.Name) // EmptyDataset lists them in id order
	}
	want = append(want, "Teendők")
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	companies := sheetBy(t, f, "Cégek", "Név")
	if c := companies["Példa 2 Kft."]; c["Adószám"] != "10000001-2-41" || c["Azonosító"] == "" || c["Iparag"] != "Kereskedelem" {
		t.Errorf("Cégek row %v", c)
	}
	persons := sheetBy(t, f, "Személyek", "Név")
	header, _ := f.GetRows("Személyek")
	if !slices.Contains(header[0], "Adószám") || !slices.Contains(header[0], "Cég adószáma") {
		t.Errorf("Személyek header %v", header[0])
	}
	if p := persons["Szabó Éva"]; p["Cég neve"] != "Példa 1 Kft." || p["Cég adószáma"] != "10000000-2-41" || p["E-mail"] == "" {
		t.Errorf("Személyek row %v", p)
	}
	sales, _ := f.GetRows("Értékesítés")
	help, _ := f.GetRows("Ügyfélszolgálat")
	if len(sales) != 7 || !slices.Contains(sales[0], "VarhatoArbevetel") || slices.Contains(sales[0], "Prioritas") ||
		slices.Contains(sales[0], "Modul") || !slices.Contains(sales[0], "Cég adószáma") {
		t.Errorf("Értékesítés: %d rows, header %v", len(sales), sales[0])
	}
	if len(help) != 1 || !slices.Contains(help[0], "Prioritas") || slices.Contains(help[0], "VarhatoArbevetel") {
		t.Errorf("Ügyfélszolgálat: %d rows, header %v", len(help), help[0])
	}

	// In CSV: a file per table, the modules' named after them.
	cfg = e.config("all-csv", export.WithToDos...)
	cfg.Details, cfg.Headers, cfg.PerModule = true, export.HeadersHU, true
	sum := e.export(cfg)
	if len(sum.Files) != len(want) {
		t.Errorf("files %v", sum.Files)
	}
	header2, rows := readCSV(t, filepath.Join(cfg.Output, "Értékesítés.csv"), ',')
	if len(rows) != 6 || !slices.Contains(header2, "VarhatoArbevetel") || slices.Contains(header2, "Prioritas") {
		t.Errorf("Értékesítés.csv: %d rows, header %v", len(rows), header2)
	}
	if _, err := os.Stat(filepath.Join(cfg.Output, "Személyek.csv")); err != nil {
		t.Error(err)
	}
}

// sheetBy reads a sheet's rows keyed by one column.
func sheetBy(t *testing.T, f *excelize.File, name, key string) map[string]map[string]string {
	t.Helper()
	rows, err := f.GetRows(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out[m[key]] = m
	}
	return out
}

// TestColumnsRename renames columns with --columns Field=Header, by API
// name or by the Hungarian header, and refuses a malformed entry.
func TestColumnsRename(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(2))
	cfg := e.config("p.csv", export.Persons)
	cfg.Headers = export.HeadersHU
	cfg.Columns = mustColumns(t, "Id=Kód, név ,BusinessName=Cégnév")
	e.export(cfg)
	header, rows := readCSV(t, cfg.Output, ',')
	if !slices.Equal(header, []string{"Kód", "Név", "Cégnév"}) || rows[0]["Cégnév"] != "Példa 1 Kft." {
		t.Errorf("header %v, row %v", header, rows[0])
	}
	for _, bad := range []string{"Id=", "=Név", "a,=b"} {
		if _, err := export.ParseColumns(bad); err == nil {
			t.Errorf("ParseColumns(%q) took it", bad)
		}
	}
}

func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{"Id,Name=Név", " a = b ,,c", "=x", "Id=", "VatNumber=Adószám,Email"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		specs, err := export.ParseColumns(s)
		if err != nil {
			return
		}
		for _, sp := range specs {
			if sp.Field == "" || strings.ContainsAny(sp.Field, ",=") || strings.Contains(sp.Header, ",") ||
				sp.Field != strings.TrimSpace(sp.Field) || sp.Header != strings.TrimSpace(sp.Header) {
				t.Fatalf("ParseColumns(%q): %+v", s, sp)
			}
		}
	})
}

// TestPersonsCompanyTaxIDs exports persons with details: each carries its
// company's VAT and registration numbers, read from the details of the
// companies the persons name and of no other.
func TestPersonsCompanyTaxIDs(t *testing.T) {
	t.Parallel()
	ds := dataset(3) // 3 companies, 6 persons
	ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 5001, Type: "Business", CreatedAt: "2020-01-02 10:00:00",
		Fields: map[string]any{"Name": "Magányos Kft.", "VatNumber": "99999999-2-41"}})
	ds.Contacts[0].Fields["RegistrationNumber"] = "01-09-000001"
	e := newEnv(t, ds)
	cfg := e.config("persons.csv", export.Persons)
	cfg.Details = true
	before := e.requests()
	e.export(cfg)
	if got := diff(e.requests(), before)["GET /Api/R3/Contact/{id}"]; got != 9 {
		t.Errorf("%d contact details read, want 9 (6 persons, their 3 companies)", got)
	}
	_, rows := readCSV(t, cfg.Output, ',')
	for _, r := range rows {
		want := map[string][2]string{"Példa 1 Kft.": {"10000000-2-41", "01-09-000001"}, "Példa 2 Kft.": {"10000001-2-41", ""},
			"Példa 3 Kft.": {"10000002-2-41", ""}}[r["BusinessName"]]
		if r["BusinessVatNumber"] != want[0] || r["BusinessRegistrationNumber"] != want[1] || want[0] == "" {
			t.Errorf("person %s of %q: %q %q", r["Id"], r["BusinessName"], r["BusinessVatNumber"], r["BusinessRegistrationNumber"])
		}
	}
}
