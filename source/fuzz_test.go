package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func addFixtureSeeds(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*"+ext))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzCSV: any bytes read as CSV never panic; every row and row error
// carries the file and a line within the file, lines only go forward, and
// every record after the header is exactly one of row, row error or
// skipped.
func FuzzCSV(f *testing.F) {
	addFixtureSeeds(f, ".csv")
	f.Add([]byte("a;b\n\"x\n1;2\n\"\"\n"))
	f.Add([]byte("sep=|\na|b\n1|2|3\n"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00\n\x001\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "f.csv"
		r, err := open(name, bytes.NewReader(data), int64(len(data)), nil, Options{})
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		defer r.Close()
		cr := r.(*csvReader)
		maxLine := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		last, rows, rowErrs := cr.det.HeaderRow, 0, 0
		for {
			row, err := r.Next(t.Context())
			if err == io.EOF {
				break
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				t.Fatalf("fatal error on bytes: %v", err)
			}
			loc := row.Loc
			if re != nil {
				rowErrs++
				if re.Loc != loc || !strings.HasPrefix(re.Error(), loc.String()+": ") {
					t.Fatalf("row error %q at %v", re, loc)
				}
			} else {
				rows++
				if len(row.Cells) != len(r.Header()) {
					t.Fatalf("%v: %d cells, %d columns", loc, len(row.Cells), len(r.Header()))
				}
			}
			if loc.File != name || loc.Line <= last || loc.Line > maxLine {
				t.Fatalf("location %v after line %d (file has at most %d lines)", loc, last, maxLine)
			}
			last = loc.Line
		}
		if cr.records != cr.rows+cr.rowErrors+cr.skipped || cr.rows != rows || cr.rowErrors != rowErrs {
			t.Fatalf("records %d != rows %d + errors %d + skipped %d (seen %d rows, %d errors)", cr.records, cr.rows, cr.rowErrors, cr.skipped, rows, rowErrs)
		}
		// Read again into the cells of the row before, as a flow that
		// reuses them does: the same rows and errors.
		reopen := func() Reader {
			r, err := open(name, bytes.NewReader(data), int64(len(data)), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if got, want := readBack(t, reopen(), true), readBack(t, reopen(), false); !reflect.DeepEqual(got, want) {
			t.Fatalf("NextInto read\n%v\nNext read\n%v", got, want)
		}
	})
}

// readBack reads r to the end, with Next or with NextInto given the cells
// of the row before (as a flow that reuses them does), and gives each
// row's location, cells and error; it closes r.
func readBack(t *testing.T, r Reader, into bool) []string {
	defer r.Close()
	var out []string
	var cells []Cell
	for {
		var row Row
		var err error
		if into {
			row, err = r.(Refiller).NextInto(t.Context(), cells)
			cells = row.Cells
		} else {
			row, err = r.Next(t.Context())
		}
		if errors.Is(err, io.EOF) {
			return out
		}
		if re := (*RowError)(nil); err != nil && !errors.As(err, &re) {
			t.Fatalf("reading back: %v", err)
		}
		out = append(out, fmt.Sprintf("%v %+v %v", row.Loc, row.Cells, err))
	}
}

// FuzzXLSX: mutated workbooks never panic, and what is read is well
// formed. An input that is not a ZIP is taken as the XML of the sheet (or,
// after a NUL byte, of the sheet and then the shared strings) of an
// otherwise valid workbook, so that mutations reach the XML readers
// instead of failing the ZIP checksums.
func FuzzXLSX(f *testing.F) {
	// Small seeds only: the fuzzer minimises every input that finds new
	// code, which takes minutes for inputs of a few kilobytes.
	parts := excelLikeParts()
	sheet := `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>B</t></is></c><c r="C1" t="s"><v>8</v></c></row>` +
		`<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" s="1"><v>45366</v></c><c r="C2" t="b"><v>1</v></c><c r="D2"><v>1</v></c></row>` +
		`<row><c t="d"><v>2024-03-15</v></c><c><f>1+1</f></c><c t="str"><v>x_x000D_</v></c></row></sheetData>` +
		`<mergeCells><mergeCell ref="A2:A4"/></mergeCells></worksheet>`
	sst := `<sst><si><t>A</t></si><si><r><t>r</t></r><rPh><t>p</t></rPh></si></sst>`
	f.Add([]byte(sheet))
	f.Add([]byte(sheet + "\x00" + sst))
	ps := slices.Clone(parts)
	for i := range ps {
		switch ps[i].name {
		case "xl/worksheets/sheet1.xml":
			ps[i].body = sheet
		case "xl/sharedStrings.xml":
			ps[i].body = sst
		}
	}
	small, err := buildWorkbook(ps, zip.Deflate)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "f.xlsx"
		if !bytes.HasPrefix(data, []byte("PK")) {
			sheetXML, sstXML, hasSST := bytes.Cut(data, []byte{0})
			ps := slices.Clone(parts)
			for i := range ps {
				switch {
				case ps[i].name == "xl/worksheets/sheet1.xml":
					ps[i].body = string(sheetXML)
				case ps[i].name == "xl/sharedStrings.xml" && hasSST:
					ps[i].body = string(sstXML)
				}
			}
			var err error
			if data, err = buildWorkbook(ps, zip.Store); err != nil {
				t.Fatal(err)
			}
		}
		r, err := open(name, bytes.NewReader(data), int64(len(data)), nil, Options{})
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		defer r.Close()
		for range 100000 {
			row, err := r.Next(t.Context())
			if err == io.EOF {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				if !strings.Contains(err.Error(), name) {
					t.Fatalf("error does not name the file: %v", err)
				}
				return
			}
			if row.Loc.File != name || row.Loc.Sheet == "" || row.Loc.Line < 1 {
				t.Fatalf("location %+v", row.Loc)
			}
			if len(row.Cells) != len(r.Header()) {
				t.Fatalf("%v: %d cells, %d columns", row.Loc, len(row.Cells), len(r.Header()))
			}
			for _, c := range row.Cells {
				if (c.Kind == Error) != (c.Err != nil) {
					t.Fatalf("%v: cell %+v", row.Loc, c)
				}
			}
		}
	})
}
