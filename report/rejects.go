package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
)

// RejectWriter writes rows that could not be imported: file, row, column,
// field and reason, followed by the row's original values under the source's
// own column names, so the file can be corrected and imported again with the
// same mapping. The columns vary with the source, which is why this writer
// uses encoding/csv rather than gocsv's struct tags.
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
	if err := rw.w.Write(cols); err != nil {
		return err
	}
	return nil
}

// Write adds one failed row.
func (rw *RejectWriter) Write(r Reject) error {
	rec := []string{r.File, fmt.Sprint(r.Row), r.Column, r.Field, r.Reason}
	for i := range rw.header {
		v := ""
		if i < len(r.Values) {
			v = r.Values[i]
		}
		rec = append(rec, v)
	}
	rw.n++
	return rw.w.Write(rec)
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
