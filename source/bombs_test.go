package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLSXBombs reads the workbooks of the bad-input corpus that go past
// the reader's bounds (written by testdata/badinput/gen_bombs.go): each is
// refused, or has its one bad row refused, with a message naming the file,
// the sheet and the cell, and the reading goes on where it can.
func TestXLSXBombs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		fatal    string // the Open or Next error, "" if the rows are read
		rowErr   string // row 3's error
		sentinel error
	}{
		{file: "cell-too-long.xlsx", rowErr: `cell-too-long.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 holds more text than the 1 MiB a cell may hold`, sentinel: ErrTooLong},
		{file: "value-too-long.xlsx", rowErr: `value-too-long.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 holds more text than the 1 MiB`, sentinel: ErrTooLong},
		{file: "shared-string-too-long.xlsx", rowErr: `shared-string-too-long.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 refers to shared text number 1, which holds more text than the 1 MiB`, sentinel: ErrTooLong},
		{file: "attribute-too-long.xlsx", fatal: "attribute-too-long.xlsx[Ügyfelek]: the workbook cannot be read: near row 3, a tag at byte 1196 of the sheet's XML is longer than 1 MiB", sentinel: ErrBadWorkbook},
		{file: "too-many-rows.xlsx", fatal: "too-many-rows.xlsx[Ügyfelek]: the workbook is too big to read: the sheet has more than 1048576 rows, Excel's limit", sentinel: ErrTooBig},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			r, err := Open(filepath.Join("..", "testdata", "badinput", c.file), Options{})
			var rows []Row
			var rowErrs []error
			if err == nil {
				defer r.Close()
				for {
					row, err2 := r.Next(t.Context())
					if err2 == io.EOF {
						break
					}
					var re *RowError
					if errors.As(err2, &re) {
						rowErrs = append(rowErrs, err2)
						continue
					}
					if err2 != nil {
						err = err2
						break
					}
					rows = append(rows, row)
				}
			}
			if c.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), c.fatal) || !errors.Is(err, c.sentinel) {
					t.Fatalf("error %v\nwant one saying %q", err, c.fatal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].Loc.Line != 2 || rows[0].Cells[0].Raw != "Kiss" {
				t.Errorf("rows %+v, want row 2 read", rows)
			}
			if len(rowErrs) != 1 || !strings.Contains(rowErrs[0].Error(), c.rowErr) || !errors.Is(rowErrs[0], c.sentinel) {
				t.Errorf("row errors %v\nwant one saying %q", rowErrs, c.rowErr)
			}
		})
	}
}

// TestSSTBudget: the shared strings table stops at its memory budget with
// an error naming the part, and keeps a string over the cell limit as
// "too long" instead of its text. (shared-strings-bomb.xlsx, 80 MiB of
// strings against the real 64 MiB budget, goes through the built command
// in cmd/minicrm-bulk/bombs_test.go.)
func TestSSTBudget(t *testing.T) {
	t.Parallel()
	sst := "<sst>" + strings.Repeat("<si><t>"+strings.Repeat("x", 1000)+"</t></si>", 1600) + "</sst>"
	zf := zipPart(t, "xl/sharedStrings.xml", sst)
	if _, err := readSST(zf, "xl/sharedStrings.xml", 3<<19); !errors.Is(err, ErrTooBig) ||
		!strings.Contains(err.Error(), "xl/sharedStrings.xml holds more text than this program keeps in memory (1.5 MiB") {
		t.Errorf("over budget: %v", err)
	}
	tab, err := readSST(zf, "xl/sharedStrings.xml", 8<<20)
	if err != nil || tab.n != 1600 {
		t.Fatalf("within budget: %v", err)
	}
	if s, ok, long := tab.get(1599); !ok || long || len(s) != 1000 {
		t.Errorf("string 1599: %d bytes, %v %v", len(s), ok, long)
	}
	long := zipPart(t, "s.xml", "<sst><si><t>a</t></si><si><t>"+strings.Repeat("y", maxCellBytes+1)+"</t></si></sst>")
	if tab, err = readSST(long, "s.xml", 8<<20); err != nil {
		t.Fatal(err)
	}
	if _, ok, isLong := tab.get(1); !ok || !isLong {
		t.Errorf("a string over the cell limit: ok %v, too long %v", ok, isLong)
	}
}

// zipPart makes a one-part ZIP and gives its part.
func zipPart(t *testing.T, name, body string) *zip.File {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0]
}
