package export_test

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
)

func text(s string) export.Cell { return export.Cell{Kind: export.CellText, Text: s} }

func integer(n int64) export.Cell {
	return export.Cell{Kind: export.CellInt, Int: n, Text: strconv.FormatInt(n, 10)}
}

func float(s string) export.Cell {
	f, _ := strconv.ParseFloat(s, 64)
	return export.Cell{Kind: export.CellFloat, Float: f, Text: s}
}

func date(s string) export.Cell {
	t, _ := time.Parse("2006-01-02", s)
	return export.Cell{Kind: export.CellDate, Time: t, Text: s}
}

func dateTime(s string) export.Cell {
	t, _ := time.Parse("2006-01-02 15:04:05", s)
	return export.Cell{Kind: export.CellDateTime, Time: t, Text: s}
}

// TestXLSXWriterRoundTrip writes every kind of cell the exports write,
// and the texts XML and SpreadsheetML treat specially, through the XLSX
// writer and reads them back with excelize: each cell reads back as
// written (typed, formatted), the totals rows carry their formulas and
// values, and the sheets their names, frozen headers and autofilters.
func TestXLSXWriterRoundTrip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 40000)
	texts := []struct{ in, want string }{
		{"plain", "plain"},
		{" leading and trailing ", " leading and trailing "},
		{"two\nlines", "two\nlines"},
		{"crlf\r\nend\r", "crlf\r\nend\r"},
		{"tab\there", "tab\there"},
		{`<b>&amp; "quoted" 'single'</b>`, `<b>&amp; "quoted" 'single'</b>`},
		{"_x0041_ is not A", "_x0041_ is not A"}, // SpreadsheetML's escape, written escaped
		{"_x005F_ and _x00e9_", "_x005F_ and _x00e9_"},
		{"control \x01\x1f kept", "control \x01\x1f kept"},
		{"bad utf-8 \xff", "bad utf-8 \uFFFD"},
		{"Árvíztűrő tükörfúrógép 🙂", "Árvíztűrő tükörfúrógép 🙂"},
		{"=1+1", "=1+1"},       // a text cell, never a formula
		{long, long[:32767*2]}, // a cell holds 32,767 characters
	}
	path := filepath.Join(t.TempDir(), "out.xlsx")
	w, err := export.NewXLSXWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Table("Texts", []export.Column{{Name: "Text"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range texts {
		if err := w.Row([]export.Cell{text(tc.in)}); err != nil {
			t.Fatal(err)
		}
	}
	cols := []export.Column{{Name: "Id", Kind: export.ColInt, IsID: true}, {Name: "Count", Kind: export.ColInt},
		{Name: "Amount", Kind: export.ColFloat, Sum: true}, {Name: "Currency", Group: true},
		{Name: "Status", NotSummed: "Failed"}, {Name: "Day", Kind: export.ColDate}, {Name: "At", Kind: export.ColDateTime}}
	values := [][]export.Cell{
		{integer(1), integer(1234567), float("1234.5"), text("HUF"), text("Open"), date("2025-01-02"), dateTime("2026-05-01 13:30:00")},
		{integer(2), integer(-5), float("0.1"), text("EUR"), text("Failed"), date("1900-02-28"), dateTime("1900-03-01 06:00:00")},
		{integer(3), integer(1 << 40), float("-20.25"), text("HUF"), text("Open"), date("1899-01-01"), {}},
		{integer(4), {}, export.Cell{Kind: export.CellFloat, Float: math.NaN(), Text: "NaN"}, text("EUR"), text("Open"), {}, {}},
	}
	if err := w.Table("texts", cols); err != nil { // the same name but for case: a sheet of its own
		t.Fatal(err)
	}
	for _, r := range values {
		if err := w.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Table("O'Brien: [empty]", cols[:2]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Texts", "texts (2)", "O'Brien_ _empty_"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	rows, err := f.GetRows("Texts", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(texts)+1 || rows[0][0] != "Text" {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for i, tc := range texts {
		if got := rows[i+1][0]; got != tc.want {
			t.Errorf("text %q reads back as %q, want %q", trunc(tc.in), trunc(got), trunc(tc.want))
		}
		if typ, _ := f.GetCellType("Texts", "A"+strconv.Itoa(i+2)); typ != excelize.CellTypeInlineString {
			t.Errorf("text %q: cell type %v", trunc(tc.in), typ)
		}
	}

	sheet := "texts (2)"
	cell := func(ref string, raw bool) string {
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ ref, raw, shown string }{
		{"A2", "1", "1"}, {"B2", "1234567", "1,234,567"}, {"C2", "1234.5", "1,234.50"}, {"D2", "HUF", "HUF"},
		{"F2", "45659", "2025-01-02"}, {"G2", "46143.5625", "2026-05-01 13:30:00"},
		{"B3", "-5", "-5"}, {"C3", "0.1", "0.10"},
		{"F3", "59", "1900-02-28"}, {"G3", "61.25", "1900-03-01 06:00:00"}, // Excel's 29 February 1900 between them
		{"B4", "1099511627776", "1,099,511,627,776"}, {"F4", "1899-01-01", "1899-01-01"}, {"G4", "", ""},
		{"B5", "", ""}, {"C5", "NaN", "NaN"},
	} {
		if got := cell(tc.ref, true); got != tc.raw {
			t.Errorf("%s raw %q, want %q", tc.ref, got, tc.raw)
		}
		if got := cell(tc.ref, false); got != tc.shown {
			t.Errorf("%s shows %q, want %q", tc.ref, got, tc.shown)
		}
	}
	for ref, want := range map[string]excelize.CellType{"A2": excelize.CellTypeUnset, "C2": excelize.CellTypeUnset,
		"F2": excelize.CellTypeUnset, "D2": excelize.CellTypeInlineString, "F4": excelize.CellTypeInlineString} {
		if typ, _ := f.GetCellType(sheet, ref); typ != want {
			t.Errorf("%s: cell type %v, want %v", ref, typ, want)
		}
	}
	// Totals: a row per currency in order, the cancelled row left out.
	for _, tc := range []struct{ row, label, cur, value string }{{"6", "Total EUR", "EUR", "0"}, {"7", "Total HUF", "HUF", "1214.25"}} {
		if got := cell("A"+tc.row, true); got != tc.label {
			t.Errorf("totals row %s label %q, want %q", tc.row, got, tc.label)
		}
		if got := cell("D"+tc.row, true); got != tc.cur {
			t.Errorf("totals row %s currency %q", tc.row, got)
		}
		if got := cell("C"+tc.row, true); got != tc.value {
			t.Errorf("totals row %s value %q, want %s", tc.row, got, tc.value)
		}
		formula, _ := f.GetCellFormula(sheet, "C"+tc.row)
		if want := `SUMIFS(C2:C5,$D$2:$D$5,"` + tc.cur + `",$E$2:$E$5,"<>Failed")`; formula != want {
			t.Errorf("totals row %s formula %q, want %q", tc.row, formula, want)
		}
	}
	if rows, _ := f.GetRows(sheet); len(rows) != 7 {
		t.Errorf("%d rows, want the header, 4 rows and 2 totals", len(rows))
	}
	// The header: bold, frozen, autofiltered over the data rows only.
	sid, _ := f.GetCellStyle(sheet, "A1")
	if st, _ := f.GetStyle(sid); st == nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
		t.Errorf("header style %+v", st)
	}
	for _, s := range f.GetSheetList() {
		if panes, _ := f.GetPanes(s); !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: panes %+v", s, panes)
		}
	}
	filters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	for scope, want := range map[string]string{"Texts": "'Texts'!$A$1:$A$14", "texts (2)": "'texts (2)'!$A$1:$G$5",
		"O'Brien_ _empty_": "'O''Brien_ _empty_'!$A$1:$B$1"} {
		if filters[scope] != want {
			t.Errorf("%s: autofilter %q, want %q (%v)", scope, filters[scope], want, filters)
		}
	}
	if w, _ := f.GetColWidth(sheet, "A"); w != 8 {
		t.Errorf("column A width %v, want 8 (the least)", w)
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// TestXLSXWriterLeavesNothing: a writer aborted, or closed with nothing
// written, leaves no file behind, and a file that was there before as it
// was.
func TestXLSXWriterLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.xlsx")
	if err := os.WriteFile(path, []byte("the previous export"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := export.NewXLSXWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Table("T", []export.Column{{Name: "A"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Row([]export.Cell{text("x")}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w.Abort()
	w, _ = export.NewXLSXWriter(path)
	if err := w.Close(); err == nil {
		t.Error("closing a workbook without a table: no error")
	}
	ents, _ := os.ReadDir(dir)
	if b, _ := os.ReadFile(path); len(ents) != 1 || string(b) != "the previous export" {
		t.Errorf("after Abort: %v, %q", ents, b)
	}
}

// FuzzXLSXText: any text written to a cell reads back as it was, but for
// what a cell cannot hold: bytes that are not UTF-8 and the characters XML
// 1.0 forbids above U+001F become U+FFFD, and a cell keeps its first 32,767
// UTF-16 units.
func FuzzXLSXText(f *testing.F) {
	for _, s := range []string{"", "plain", " x ", "_x0041_", "_x005F_x0041_", "__x0001_", "\x01x0041_", "_x00\x01",
		"a\r\nb", "\t", "\xff\xfe", "\uFFFE", "🙂", "<&>\"'", "=SUM(A1)"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		want := []rune{}
		units := 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if units += utf16.RuneLen(r); units > 32767 {
				break
			}
			if r == utf8.RuneError && size == 1 || r >= 0x20 && !(r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) {
				r = '\uFFFD'
			}
			want = append(want, r)
		}
		path := filepath.Join(dir, "fuzz.xlsx")
		w, err := export.NewXLSXWriter(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Table("T", []export.Column{{Name: "A"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Row([]export.Cell{text(s)}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		xf, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer xf.Close()
		got, err := xf.GetCellValue("T", "A2", excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%q reads back as %q, want %q", s, got, string(want))
		}
	})
}
