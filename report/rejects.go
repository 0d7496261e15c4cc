package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
)

// RejectWriter writes rows that could not be imported: file, row, column,
// field and reason, followed by the row's original values under the source's
// own column names, so the file can be corrected and imported again with the
// same mapping. The columns vary with the source, which is why this writer
// uses encoding/csv rather than gocsv's struct tags.
//
// The file is opened in a spreadsheet, so every cell goes through
// csvsafe.Neutralize: a value such as =HYPERLINK(...) gets an apostrophe
// in front, which the CSV reader takes off again when the corrected file is
// imported (the values come back exact). A value longer than MaxValue is
// cut, with a marker saying how much is missing and where the whole value
// is: a spreadsheet cell holds no more (Excel: 32,767 characters), and a
// copy of a huge value helps no one.
type RejectWriter struct {
	f      *os.File
	bw     *bufio.Writer
	w      *csv.Writer
	header []string
	n      int
}

// Reject is one failed row.
type Reject struct {
	File   string
	Row    int
	Column string
	Field  string
	Reason string
	Values []string // the row's cells, aligned with the source header
}

// MaxValue is the most bytes of one value an errors.csv cell holds.
const MaxValue = 32 << 10

// Cut gives v, cut to MaxValue bytes (at a character boundary) with a
// marker when it is longer; where says where the whole value is.
func Cut(v, where string) string {
	if len(v) <= MaxValue {
		return v
	}
	end := MaxValue
	for end > 0 && !utf8.RuneStart(v[end]) {
		end--
	}
	return fmt.Sprintf("%s…[cut: %d more bytes; the whole value is in %s]", v[:end], len(v)-end, where)
}

// FixedColumns are the columns every errors.csv starts with.
var FixedColumns = []string{"file", "row", "column", "field", "reason"}

// CreateRejects creates (truncates) path and writes the header: the fixed
// columns and then the source's columns.
func CreateRejects(path string, sourceHeader []string) (*RejectWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	rw := newRejectWriter(f, sourceHeader)
	rw.f = f
	if err := rw.writeHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return rw, nil
}

// NewRejectWriter writes to w (the header first).
func NewRejectWriter(w io.Writer, sourceHeader []string) (*RejectWriter, error) {
	rw := newRejectWriter(w, sourceHeader)
	return rw, rw.writeHeader()
}

func newRejectWriter(w io.Writer, header []string) *RejectWriter {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // opened most often in Excel
	return &RejectWriter{bw: bw, w: cw, header: header}
}

func (rw *RejectWriter) writeHeader() error {
	cols := append(append([]string(nil), FixedColumns...), rw.header...)
	for i := range cols {
		cols[i] = csvsafe.Neutralize(cols[i])
	}
	if err := rw.w.Write(cols); err != nil {
		return err
	}
	return nil
}

// Write adds one failed row.
func (rw *RejectWriter) Write(r Reject) error {
	where := fmt.Sprintf("%s, row %d", r.File, r.Row)
	rec := []string{r.File, fmt.Sprint(r.Row), r.Column, r.Field, Cut(r.Reason, where)}
	for i := range rw.header {
		v := ""
		if i < len(r.Values) {
			v = Cut(r.Values[i], where)
		}
		rec = append(rec, v)
	}
	for i := range rec {
		rec[i] = csvsafe.Neutralize(rec[i])
	}
	rw.n++
	return rw.w.Write(rec)
}

// Rejection is a failed row as a stage reports it (mapping.Rejected is
// one): where it is, its columns, fields and reasons joined for one line,
// and its original cells.
type Rejection interface {
	Where() (file string, row int)
	Columns() string
	Fields() string
	Reasons() string
	Cells() []string
}

// Add writes a rejection: the one conversion from a stage's rejected row
// to an errors.csv line.
func (rw *RejectWriter) Add(r Rejection) error {
	file, row := r.Where()
	return rw.Write(Reject{File: file, Row: row, Column: r.Columns(), Field: r.Fields(), Reason: r.Reasons(), Values: r.Cells()})
}

// Count is how many rows were written.
func (rw *RejectWriter) Count() int { return rw.n }

// Close flushes and closes the file.
func (rw *RejectWriter) Close() error {
	rw.w.Flush()
	err := rw.w.Error()
	if ferr := rw.bw.Flush(); err == nil {
		err = ferr
	}
	if rw.f != nil {
		if cerr := rw.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
