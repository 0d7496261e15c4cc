package source

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHeaderDetection covers what sits above a header in real files: a
// title, a date line, a note, blank lines, Excel's trailing delimiters.
func TestHeaderDetection(t *testing.T) {
	cases := []struct {
		name      string
		data      string
		headerRow int
		header0   string
		rows      int
	}{
		{"title with Excel's trailing delimiters", "Partnerlista;;;\nAzonosító;Cég;Adószám;Email\nP-1;Alfa;1-1;a@x.hu\nP-2;Béta;2-2;b@x.hu\n", 2, "Azonosító", 2},
		{"title, date and blank line", "Partnerlista\nKészült: 2026.01.05.;;\n\nnév;email;város\nKiss;k@x.hu;Pécs\nNagy;n@x.hu;Győr\n", 4, "név", 2},
		{"a note of two cells above a wide table", "Exportálva:;2026.01.05.;;;;\n;;;;;\na;b;c;d;e;f\n1;2;3;4;5;6\n1;2;3;4;5;6\n", 3, "a", 2},
		{"header on the first line", "a;b;c\n1;2;3\n", 1, "a", 1},
		{"a header with a repeated name is still the header", "Lista;;\na;b;a\n1;2;3\n", 0, "", 0},
		{"data rows with empty trailing cells", "Cím;;;\na;b;c;d\n1;;;\n2;3;;\n", 2, "a", 2},
		{"one stray wide row below the header", "T;;;;\na;b;c;;\n1;2;3;;\n1;2;3;;\n1;2;3;9;\n1;2;3;;\n1;2;3;;\n", 2, "a", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := open("mem.csv", strings.NewReader(tc.data), int64(len(tc.data)), nil, Options{})
			if tc.headerRow == 0 {
				if err == nil || !strings.Contains(err.Error(), "duplicate column name") {
					t.Fatalf("want the duplicate column error, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := r.Detected(); d.HeaderRow != tc.headerRow || r.Header()[0] != tc.header0 {
				t.Fatalf("header on line %d %q; want line %d starting %q", d.HeaderRow, r.Header(), tc.headerRow, tc.header0)
			}
			rows, _ := readAll(t, r)
			if len(rows) != tc.rows {
				t.Errorf("%d rows, want %d", len(rows), tc.rows)
			}
		})
	}
}

// TestTitleRowWorkbook reads a workbook like the practice sheet: a title
// in A1 (not merged, with styled empty cells after it), the header in row
// 2, and a second sheet.
func TestTitleRowWorkbook(t *testing.T) {
	path := filepath.Join("..", "testdata", "mapping", "sheet", "partnerek.xlsx")
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := r.Detected()
	if d.Sheet != "Partnerek" || d.HeaderRow != 2 || r.Header()[0] != "Azonosító" || len(r.Header()) != 13 {
		t.Fatalf("read %v, header %q", d, r.Header())
	}
	if got := d.String(); got != `read sheet "Partnerek", header in row 2` {
		t.Errorf("Detected = %q", got)
	}
	rows, errs := readAll(t, r)
	if len(rows) != 49 || len(errs) != 0 || rows[0].Loc.Line != 3 {
		t.Errorf("%d rows (first at %v), errors %v", len(rows), rows[0].Loc, errs)
	}
	// Named by hand, the title row is the header, as asked.
	r2, err := Open(path, Options{HeaderRow: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if h := r2.Header(); len(h) != 1 || !strings.HasPrefix(h[0], "Partnerlista") {
		t.Errorf("with HeaderRow 1: %q", h)
	}
	// The second sheet, by position.
	r3, err := Open(path, Options{Sheet: "2"})
	if err != nil {
		t.Fatal(err)
	}
	defer r3.Close()
	if d := r3.Detected(); d.Sheet != "Megjegyzések" {
		t.Errorf("sheet 2: %v", d)
	}
}

func TestPickHeader(t *testing.T) {
	row := func(cells ...string) probe { return textProbe(cells) }
	cases := []struct {
		name string
		rows []probe
		want int
	}{
		{"empty", nil, -1},
		{"blank only", []probe{row("", ""), row()}, -1},
		{"title then table", []probe{row("Lista"), row("a", "b", "c"), row("1", "2", "3")}, 1},
		{"numbers are not names", []probe{{{"x", true}}, {{"1", false}, {"2", false}, {"3", false}}, row("a", "b", "c"), row("1", "2", "3")}, 1},
		{"too many one-cell lines: the first is the header", []probe{row("h"), row("1"), row("2"), row("3"), row("4"), row("5"), row("6"), row("a", "b"), row("c", "d"), row("c", "d")}, 0},
	}
	for _, tc := range cases {
		if got := pickHeader(tc.rows); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// FuzzPickHeader: for any rows, the header picked is a non-blank row, -1
// only when every row is blank, and every non-blank row skipped above it
// is narrow (at most half as many values as the table has columns), at
// most maxTitleLines of them; the table's width is one a quarter of the
// rows (and at least two) reach.
func FuzzPickHeader(f *testing.F) {
	f.Add("Lista;;\na;b;c\n1;2;3\n")
	f.Add("\n\nx\na;a;b\n")
	f.Add("a\nb\nc\nd\ne\nf\ng\nh;i\n")
	f.Add("Exportálva:;2026\n;\na;b;c;d;e\n1;2;3;4;5\n")
	f.Fuzz(func(t *testing.T, data string) {
		var rows []probe
		for _, line := range strings.Split(data, "\n") {
			if len(rows) == probeRows {
				break
			}
			rows = append(rows, textProbe(strings.Split(line, ";")))
		}
		h := pickHeader(rows)
		blank := true
		for _, p := range rows {
			if p.width() > 0 {
				blank = false
			}
		}
		if (h < 0) != blank {
			t.Fatalf("pick %d; all blank %v", h, blank)
		}
		if h < 0 {
			return
		}
		if h >= len(rows) || rows[h].width() == 0 {
			t.Fatalf("picked row %d, blank or out of range", h)
		}
		var widths []int
		for _, p := range rows {
			if w := p.width(); w > 0 {
				widths = append(widths, w)
			}
		}
		table := tableWidth(widths)
		reach := 0
		for _, w := range widths {
			if w >= table {
				reach++
			}
		}
		if reach*4 < len(widths) || reach < min(2, len(widths)) {
			t.Fatalf("table width %d reached by %d of %d rows", table, reach, len(widths))
		}
		skipped := 0
		for _, p := range rows[:h] {
			if p.width() == 0 {
				continue
			}
			skipped++
			if p.count()*2 > table {
				t.Fatalf("skipped a wide row %v above the header %d (table width %d)", p, h, table)
			}
		}
		if skipped > maxTitleLines {
			t.Fatalf("skipped %d rows", skipped)
		}
	})
}
