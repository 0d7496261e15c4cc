package source

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func openFixture(t *testing.T, file string, opts Options) Reader {
	t.Helper()
	r, err := Open(filepath.Join(fixtureDir, file), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// rowsByLine reads everything; rows and row errors by line.
func rowsByLine(t *testing.T, r Reader) (map[int]Row, map[int]*RowError) {
	t.Helper()
	rows, errs := readAll(t, r)
	rm, em := map[int]Row{}, map[int]*RowError{}
	for _, row := range rows {
		rm[row.Loc.Line] = row
	}
	for _, e := range errs {
		em[e.Loc.Line] = e
	}
	return rm, em
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestXLSXClients(t *testing.T) {
	for _, opts := range []Options{{}, {HeaderRow: 3}, {Sheet: "Ügyfelek"}, {Sheet: "1"}, {Sheet: "ügyfelek"}} {
		r := openFixture(t, "clients.xlsx", opts)
		d := r.Detected()
		if d.Format != "xlsx" || d.Sheet != "Ügyfelek" || d.HeaderRow != 3 || d.Date1904 || strings.Join(d.Sheets, ",") != "Ügyfelek,Munka2" {
			t.Errorf("%+v: detected %+v", opts, d)
		}
	}
	r := openFixture(t, "clients.xlsx", Options{})
	if got := strings.Join(r.Header(), ","); got != "Név,Cég,Email,Születésnap,Árbevétel,Azonosító,Aktív,Megjegyzés" {
		t.Errorf("header %s", got)
	}
	rows, errs := rowsByLine(t, r)
	if len(rows) != 4 || len(errs) != 1 {
		t.Fatalf("rows %v, errors %v", rows, errs)
	}
	r4 := rows[4].Cells
	checks := []struct {
		name string
		got  Cell
		want Cell
	}{
		{"text", r4[0], Cell{Raw: "Kovács Őrs", Kind: String}},
		{"date", r4[3], Cell{Raw: "1985-03-15", Kind: Date, Number: 31121, Time: day(1985, 3, 15)}},
		{"number with #,##0", r4[4], Cell{Raw: "1250000", Kind: Number, Number: 1250000}},
		{"long id", r4[5], Cell{Raw: "36201234567", Kind: Number, Number: 36201234567}},
		{"bool", r4[6], Cell{Raw: "TRUE", Kind: Bool, Bool: true}},
		{"merged, top-left", r4[1], Cell{Raw: "Példa Kft.", Kind: String}},
		{"merged, filled", rows[5].Cells[1], Cell{Raw: "Példa Kft.", Kind: String}},
		{"custom date format", rows[5].Cells[3], Cell{Raw: "1990-12-01", Kind: Date, Number: 33208, Time: day(1990, 12, 1)}},
		{"15 digits", rows[5].Cells[4], Cell{Raw: "0.3", Kind: Number, Number: 0.1 + 0.2}},
		{"false", rows[5].Cells[6], Cell{Raw: "FALSE", Kind: Bool}},
		{"blank", rows[5].Cells[7], Cell{}},
		{"negative", rows[6].Cells[4], Cell{Raw: "-42.5", Kind: Number, Number: -42.5}},
		{"line break", rows[6].Cells[7], Cell{Raw: "sor\nkettő", Kind: String}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
	if _, ok := rows[7]; ok {
		t.Error("blank row 7 was returned")
	}
	if e := errs[8]; e == nil || e.Col != 10 || !errors.Is(e, ErrTooManyCells) || !strings.Contains(e.Error(), "cell J8") {
		t.Errorf("row 8: %v", e)
	}
	f := rows[9].Cells[4]
	if f.Kind != Error || !errors.Is(f.Err, ErrCellValue) || !strings.Contains(f.Err.Error(), `clients.xlsx[Ügyfelek]:9: column E "Árbevétel": the formula has no saved result`) {
		t.Errorf("formula without value: %+v", f)
	}
}

func TestXLSXExcelLike(t *testing.T) {
	r := openFixture(t, "excel-like.xlsx", Options{})
	rows, errs := rowsByLine(t, r)
	if len(errs) != 0 {
		t.Errorf("errors %v", errs)
	}
	at := func(line, col int) Cell { return rows[line].Cells[col-1] }
	checks := []struct {
		name      string
		got, want Cell
	}{
		{"rich text without phonetics", at(2, 1), Cell{Raw: "Kovács Őrs", Kind: String}},
		{"_x000D_", at(2, 3), Cell{Raw: "sor1\nsor2", Kind: String}},
		{"inline string", at(2, 4), Cell{Raw: "szám", Kind: String}},
		{"rich inline string", at(3, 1), Cell{Raw: "Nagy Éva", Kind: String}},
		{"number in E notation", at(3, 2), Cell{Raw: "36201234567", Kind: Number, Number: 36201234567}},
		{"digits as text stay text", at(3, 3), Cell{Raw: "36201234567", Kind: String}},
		{"formula text result", at(4, 1), Cell{Raw: "Szabó Pál", Kind: String}},
		{"formula number result", at(4, 2), Cell{Raw: "0.3", Kind: Number, Number: 0.30000000000000004}},
		{"spaces kept", at(4, 3), Cell{Raw: "  szóközök  ", Kind: String}},
		{"formula bool result", at(4, 4), Cell{Raw: "TRUE", Kind: Bool, Bool: true}},
		{"#N/A as text is text", at(5, 1), Cell{Raw: "#N/A", Kind: String}},
		{"custom date", at(6, 2), Cell{Raw: "2024-03-15", Kind: Date, Number: 45366, Time: day(2024, 3, 15)}},
		{"ISO date cell", at(6, 3), Cell{Raw: "2024-03-15 14:30:00", Kind: Date, Time: time.Date(2024, 3, 15, 14, 30, 0, 0, time.UTC)}},
		{"time of day", at(6, 4), Cell{Raw: "13:30:00", Kind: Date, Number: 0.5625, Time: time.Date(1899, 12, 30, 13, 30, 0, 0, time.UTC)}},
		{"no cell reference", at(7, 2), Cell{Raw: "7", Kind: Number, Number: 7}},
		{"empty cell element", at(7, 3), Cell{}},
		{"elapsed time is a number", at(8, 2), Cell{Raw: "1.5", Kind: Number, Number: 1.5}},
		{"quoted text in format is not a date", at(8, 3), Cell{Raw: "12", Kind: Number, Number: 12}},
		{"empty string formula result", at(10, 3), Cell{}},
		{"huge number without E", at(12, 2), Cell{Raw: "12345678901234600000", Kind: Number, Number: 1.2345678901234567e19}},
		{"minus zero", at(12, 3), Cell{Raw: "0", Kind: Number}},
		{"tiny number without E", at(12, 4), Cell{Raw: "0.0000001", Kind: Number, Number: 1e-7}},
	}
	for _, c := range checks {
		c.got.Err = nil
		if c.got.Time.Equal(c.want.Time) {
			c.got.Time = c.want.Time
		}
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
	wantErrs := map[int]string{
		2: `excel-like.xlsx[Munka1]:5: column B "Érték": the cell holds the error #N/A (a lookup found no value)`,
		3: `excel-like.xlsx[Munka1]:5: column C "Megjegyzés": the cell holds the error #DIV/0!`,
		4: `excel-like.xlsx[Munka1]:5: column D "Típus": the cell holds the error #REF!`,
	}
	for col, want := range wantErrs {
		c := at(5, col)
		var re *RowError
		if c.Kind != Error || !errors.As(c.Err, &re) || !errors.Is(c.Err, ErrCellValue) || re.Loc.Line != 5 || re.Col != col || !strings.Contains(c.Err.Error(), want) {
			t.Errorf("column %d: %+v, want an error %q", col, c, want)
		}
	}
	if c := at(10, 2); c.Kind != Error || !strings.Contains(c.Err.Error(), "no saved result") {
		t.Errorf("formula without a value: %+v", c)
	}
	if _, ok := rows[9]; ok {
		t.Error("row 9 (no cells) was returned")
	}
}

func TestXLSXDate1904(t *testing.T) {
	r := openFixture(t, "date1904.xlsx", Options{})
	if !r.Detected().Date1904 {
		t.Error("date1904 not detected")
	}
	rows, _ := rowsByLine(t, r)
	for line, want := range map[int]time.Time{2: time.Date(2024, 3, 15, 14, 30, 0, 0, time.UTC), 3: day(1905, 1, 2)} {
		c := rows[line].Cells[1]
		if c.Kind != Date || !c.Time.Equal(want) {
			t.Errorf("row %d: %+v, want %v", line, c, want)
		}
	}
	// The same date in the 1900 system has a serial 1462 days larger.
	if c := rows[3].Cells[1]; c.Number != 367 {
		t.Errorf("1905-01-02 in the 1904 system is serial %v, want 367", c.Number)
	}
}

func TestXLSXSheets(t *testing.T) {
	cases := []struct {
		file, sheet, want string
	}{
		{"hidden-first.xlsx", "", "Adatok"}, // the first visible sheet
		{"hidden-first.xlsx", "1", "Listák"},
		{"hidden-first.xlsx", "Listák", "Listák"},
		{"clients.xlsx", "2", "Munka2"},
		{"clients.xlsx", "MUNKA2", "Munka2"},
	}
	for _, tc := range cases {
		r := openFixture(t, tc.file, Options{Sheet: tc.sheet})
		if got := r.Detected().Sheet; got != tc.want {
			t.Errorf("%s sheet %q: read %q, want %q", tc.file, tc.sheet, got, tc.want)
		}
	}
}

func TestIsDateFormat(t *testing.T) {
	for code, want := range map[string]bool{
		"yyyy\\.mm\\.dd\\.;@":                   true,
		"yyyy/mm/dd":                            true,
		"m/d/yy h:mm":                           true,
		"[$-40E]yyyy\\. mmmm d\\.":              true,
		"h:mm AM/PM":                            true,
		"General":                               false,
		"0.00":                                  false,
		"#,##0 \"Ft\"":                          false,
		"0\" db\"":                              false,
		"[h]:mm":                                false,
		"[Red]0.00;[Blue]-0.00":                 false,
		"0.00E+00":                              false,
		"@":                                     false,
		"#,##0\\ \"Ft\";[Red]\\-#,##0\\ \"Ft\"": false,
	} {
		if got := isDateFormat(code); got != want {
			t.Errorf("isDateFormat(%q) = %v", code, got)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for f, want := range map[float64]string{
		1250000: "1250000", 36201234567: "36201234567", 0.1 + 0.2: "0.3", -42.5: "-42.5",
		1e-7: "0.0000001", 123456789012345678: "123456789012346000", 0: "0", 1.5e15: "1500000000000000",
	} {
		if got := formatNumber(f); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestRefs(t *testing.T) {
	for ref, want := range map[string]int{"A1": 1, "Z9": 26, "AA1": 27, "XFD1": 16384, "c7": 3, "": 0, "7": 0} {
		if got := refColumn(ref); got != want {
			t.Errorf("refColumn(%q) = %d, want %d", ref, got, want)
		}
	}
	if m, ok := parseMergeTag([]byte(`mergeCell ref="B4:C5"/`)); !ok || m != (mergeRange{r1: 4, c1: 2, r2: 5, c2: 3}) {
		t.Errorf("parseMergeTag: %+v %v", m, ok)
	}
	if got := unescapeXString("a_x000D_b_x005F_x000D_"); got != "a\rb_x000D_" {
		t.Errorf("unescapeXString: %q", got)
	}
}

// TestXLSXChartSheetFirst: by default the first visible worksheet is read,
// so a chart sheet before it is passed over; asked for by name, the chart
// sheet is refused as "a chart, not a table".
func TestXLSXChartSheetFirst(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	// Sheets: the chart, then the table it shows.
	chart := &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{
		{Name: "Adatok!$B$1", Categories: "Adatok!$A$2:$A$3", Values: "Adatok!$B$2:$B$3"}}}
	if err := f.AddChartSheet("Grafikon", chart); err != nil {
		t.Fatal(err)
	}
	idx, err := f.NewSheet("Adatok")
	if err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(idx)
	for i, row := range [][]any{{"Hónap", "Bevétel"}, {"Január", 100}, {"Február", 120}} {
		if err := f.SetSheetRow("Adatok", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	r, err := open("chart.xlsx", bytes.NewReader(b), int64(len(b)), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if d := r.Detected(); d.Sheet != "Adatok" || strings.Join(d.Sheets, ",") != "Grafikon,Adatok" || r.Header()[0] != "Hónap" {
		t.Errorf("read %v, header %q; want sheet Adatok, past the chart", d, r.Header())
	}
	_, err = open("chart.xlsx", bytes.NewReader(b), int64(len(b)), nil, Options{Sheet: "Grafikon"})
	if !errors.Is(err, ErrNoSheet) || !strings.Contains(err.Error(), `sheet "Grafikon" is a chart, not a table`) {
		t.Errorf("sheet Grafikon: %v, want ErrNoSheet for a chart", err)
	}
}
