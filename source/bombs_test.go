package source

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestXLSXBombs reads the XLSX bombs of the bad-input corpus (written by
// testdata/badinput/gen_bombs.go): each is refused, or has its one bad row
// refused, with a message naming the file, the sheet and the cell or part,
// and the reading goes on where it can.
func TestXLSXBombs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		fatal    string // the Open or Next error, "" if the rows are read
		rowErr   string // row 3's error
		sentinel error
	}{
		{file: "cell-bomb.xlsx", rowErr: `cell-bomb.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 holds more text than the 1 MiB a cell may hold`, sentinel: ErrTooLong},
		{file: "value-bomb.xlsx", rowErr: `value-bomb.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 holds more text than the 1 MiB`, sentinel: ErrTooLong},
		{file: "shared-string-bomb.xlsx", rowErr: `shared-string-bomb.xlsx[Ügyfelek]:3: column D "Telefon": cell D3 refers to shared text number 1, which holds more text than the 1 MiB`, sentinel: ErrTooLong},
		{file: "shared-strings-bomb.xlsx", fatal: "shared-strings-bomb.xlsx: the workbook is too big to read: xl/sharedStrings.xml holds more text than this program keeps in memory (64 MiB", sentinel: ErrTooBig},
		{file: "attribute-bomb.xlsx", fatal: "attribute-bomb.xlsx[Ügyfelek]: the workbook cannot be read: near row 3, a tag at byte 1196 of the sheet's XML is longer than 1 MiB", sentinel: ErrBadWorkbook},
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
