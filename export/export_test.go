package export_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
)

func TestCSVDialects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(3))

	// UTF-8 (the default): no BOM, ",", LF, "." decimals, labels.
	cfg := e.config("b.csv", export.Businesses)
	cfg.Details = true
	sum := e.export(cfg)
	if sum.Rows() != 3 || sum.Tables[0].Name != "Businesses" {
		t.Fatalf("summary %+v", sum)
	}
	raw, _ := os.ReadFile(cfg.Output)
	if bytes.HasPrefix(raw, []byte("\ufeff")) || bytes.Contains(raw, []byte("\r\n")) {
		t.Errorf("default dialect has a BOM or CRLF: %q", raw[:40])
	}
	_, rows := readCSV(t, cfg.Output, ',')
	r := rows[0]
	if r["Name"] != "Példa 1 Kft." || r["Iparag"] != "Informatika" || r["HitelKeret"] != "1250000.5" {
		t.Errorf("row %v", r)
	}
	// Formula neutralization, with the opt-out.
	if r["Description"] != `'=HYPERLINK("http://evil.example","katt")` {
		t.Errorf("formula not neutralized: %q", r["Description"])
	}
	cfg.CSV.RawFormulas = true
	e.export(cfg)
	_, rows = readCSV(t, cfg.Output, ',')
	if rows[0]["Description"] != `=HYPERLINK("http://evil.example","katt")` {
		t.Errorf("--raw-formulas: %q", rows[0]["Description"])
	}

	// Hungarian Excel: BOM, ";", CRLF, "," decimals, accents intact.
	cfg = e.config("b-excel.csv", export.Businesses)
	cfg.Details, cfg.CSV.Excel = true, true
	e.export(cfg)
	raw, _ = os.ReadFile(cfg.Output)
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbfId;")) || !bytes.Contains(raw, []byte("\r\n")) || bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
		t.Errorf("excel dialect: %q", raw[:60])
	}
	_, rows = readCSV(t, cfg.Output, ';')
	if rows[0]["Name"] != "Példa 1 Kft." || rows[0]["HitelKeret"] != "1250000,5" {
		t.Errorf("excel row %v", rows[0])
	}
}

func TestNeutralize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0", "-2+3+cmd|x": "'-2+3+cmd|x",
		"\t=x": "'\t=x", "+36 20 236 7532": "+36 20 236 7532", "-12,5": "-12,5", "Kiss": "Kiss", "": "", "-": "'-",
	} {
		if got := export.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestListColumnsLabelsIDs exports without details: the list columns, the
// accountant columns, labels or ids, --columns.
func TestListColumnsLabelsIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(2))
	cfg := e.config("p.csv", export.Projects)
	cfg.Category = 10
	e.export(cfg)
	header, rows := readCSV(t, cfg.Output, ',')
	want := []string{"Id", "CategoryId", "Name", "StatusId", "UserId", "ContactId", "BusinessId", "ContactName", "ContactEmail",
		"BusinessName", "BusinessEmail"}
	if !slices.Equal(header, want) {
		t.Fatalf("header %v, want %v", header, want)
	}
	r := rows[0]
	if len(rows) != 4 || r["CategoryId"] != "Értékesítés" || r["StatusId"] != "Érdeklődő" || r["UserId"] != "Kovács Anna" ||
		r["ContactName"] != "Szabó Éva" || r["ContactEmail"] != "szemely1@pelda.example" || r["BusinessName"] != "Példa 1 Kft." ||
		r["BusinessEmail"] != "info1@pelda.example" {
		t.Errorf("rows %v", rows)
	}

	cfg.IDs = true
	cfg.Columns = mustColumns(t, "id,StatusId,BusinessName")
	e.export(cfg)
	header, rows = readCSV(t, cfg.Output, ',')
	if !slices.Equal(header, []string{"Id", "StatusId", "BusinessName"}) || rows[0]["StatusId"] != "2620" {
		t.Errorf("--ids --columns: %v %v", header, rows[0])
	}

	cfg.Columns = mustColumns(t, "Id,Nincs")
	if _, err := export.Export(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "Nincs") {
		t.Errorf("an unknown column: %v", err)
	}
}

// TestXLSX reads an `all` workbook back: a sheet per entity, typed cells,
// a bold frozen header with an autofilter.
func TestXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(3))
	cfg := e.config("all.xlsx", export.WithToDos...)
	cfg.Details = true
	sum := e.export(cfg)
	f, err := excelize.OpenFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Businesses", "Persons", "Projects", "ToDos"}) {
		t.Fatalf("sheets %v", got)
	}
	if sum.Rows() != 3+6+6+2 {
		t.Errorf("rows %d: %+v", sum.Rows(), sum.Tables)
	}
	rows, err := f.GetRows("Projects")
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) + 1 }
	cell := func(c, r int) string { n, _ := excelize.CoordinatesToCellName(c, r); return n }
	for _, tc := range []struct {
		name string
		typ  excelize.CellType
	}{{"VarhatoArbevetel", excelize.CellTypeUnset}, {"Valoszinuseg", excelize.CellTypeUnset}, // no t attribute: a number
		{"KovetkezoHivasIdpontja", excelize.CellTypeUnset}, {"Name", excelize.CellTypeInlineString}} {
		typ, err := f.GetCellType("Projects", cell(col(tc.name), 2))
		if err != nil || typ != tc.typ {
			t.Errorf("%s: cell type %v, want %v (%v)", tc.name, typ, tc.typ, err)
		}
	}
	if v, _ := f.GetCellValue("Projects", cell(col("VarhatoArbevetel"), 2), excelize.Options{RawCellValue: true}); v != "100000" {
		t.Errorf("VarhatoArbevetel raw %q", v)
	}
	if v, _ := f.GetCellValue("Projects", cell(col("VarhatoArbevetel"), 2)); v != "100,000" {
		t.Errorf("VarhatoArbevetel shown %q", v)
	}
	// A date is a number with a date format: the raw value is a serial,
	// the formatted one the date.
	dt := cell(col("KovetkezoHivasIdpontja"), 2)
	raw, _ := f.GetCellValue("Projects", dt, excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("Projects", dt)
	if !strings.HasPrefix(raw, "46") || shown != "2026-05-01 13:30:00" {
		t.Errorf("date cell raw %q shown %q", raw, shown)
	}
	if v, _ := f.GetCellValue("Projects", cell(col("StatusId"), 2)); v != "Érdeklődő" {
		t.Errorf("status label %q", v)
	}
	if v, _ := f.GetCellValue("Projects", cell(col("BusinessName"), 2)); v != "Példa 1 Kft." {
		t.Errorf("business name %q", v)
	}
	// Header: bold, frozen, autofiltered.
	sid, _ := f.GetCellStyle("Projects", "A1")
	st, _ := f.GetStyle(sid)
	if st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v", st)
	}
	panes, _ := f.GetPanes("Projects")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v", panes)
	}
	names := f.GetDefinedName()
	if !slices.ContainsFunc(names, func(d excelize.DefinedName) bool {
		return d.Name == "_xlnm._FilterDatabase" && strings.Contains(d.RefersTo, "Projects")
	}) {
		t.Errorf("no autofilter on Projects: %+v", names)
	}
	if w, _ := f.GetColWidth("Projects", "A"); w < 6 || w > 60 {
		t.Errorf("column width %v", w)
	}
	// Nothing else is left in the directory: the temporary file was renamed.
	ents, _ := os.ReadDir(filepath.Dir(cfg.Output))
	if len(ents) != 1 {
		t.Errorf("files beside the export: %v", ents)
	}
}
