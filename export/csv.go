package export

import (
	"bufio"
	"encoding/csv"
	"errors"
	"path/filepath"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
)

// CSVOptions is the CSV dialect.
type CSVOptions struct {
	// Excel writes what Hungarian Excel opens with a double click: a UTF-8
	// BOM (else accents come out garbled), ";" between cells (the list
	// separator of Hungarian Windows; with "," a row lands in one column),
	// CRLF line ends and "," as the decimal mark. Without it: UTF-8 without
	// a BOM, ",", LF and ".", for programs.
	Excel bool
	// RawFormulas turns formula neutralization off (see Neutralize).
	RawFormulas bool
}

// Neutralize defuses a text cell that a spreadsheet would run as a formula
// ("CSV injection"): see csvsafe.Neutralize, which every CSV written for
// people shares. Only text cells are neutralized; numbers and dates are
// written as they are.
func Neutralize(s string) string { return csvsafe.Neutralize(s) }

// csvWriter writes one CSV file per table: to path when there is one
// table, into the directory path (<table>.csv) when there are several.
type csvWriter struct {
	path  string
	multi bool
	opts  CSVOptions
	// pathOf, when set, names each table's file.
	pathOf func(table string) string

	files []*atomicFile
	paths []string
	bw    *bufio.Writer
	w     *csv.Writer
	cols  []Column
	rec   []string
	err   error
}

// NewCSVWriter returns a Writer of CSV files. With multi, path is a
// directory and each table goes to <path>/<table>.csv; otherwise the one
// table goes to path.
func NewCSVWriter(path string, multi bool, opts CSVOptions) Writer {
	return &csvWriter{path: path, multi: multi, opts: opts}
}

func (c *csvWriter) Paths() []string { return c.paths }

func (c *csvWriter) Table(name string, cols []Column) error {
	if c.err != nil {
		return c.err
	}
	if err := c.endTable(); err != nil {
		return err
	}
	path := c.path
	if c.pathOf != nil {
		path = c.pathOf(name)
	} else if c.multi {
		path = filepath.Join(c.path, name+".csv")
	} else if len(c.files) > 0 {
		return c.fail(errors.New("export: several tables need a directory (or XLSX)"))
	}
	f, err := createAtomic(path)
	if err != nil {
		return c.fail(err)
	}
	c.files, c.paths = append(c.files, f), append(c.paths, path)
	c.cols = cols
	c.bw = bufio.NewWriterSize(f.pf, 256<<10)
	c.w = csv.NewWriter(c.bw)
	if c.opts.Excel {
		c.w.Comma, c.w.UseCRLF = ';', true
		if _, err := c.bw.WriteString("\ufeff"); err != nil {
			return c.fail(err)
		}
	}
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = col.Name
	}
	if err := c.w.Write(c.rec); err != nil {
		return c.fail(err)
	}
	return nil
}

func (c *csvWriter) Row(cells []Cell) error {
	if c.err != nil {
		return c.err
	}
	for i, cell := range cells {
		s := cell.Text
		switch cell.Kind {
		case CellText:
			if !c.opts.RawFormulas {
				s = Neutralize(s)
			}
		case CellFloat:
			if c.opts.Excel {
				s = strings.Replace(s, ".", ",", 1)
			}
		}
		c.rec[i] = s
	}
	if err := c.w.Write(c.rec); err != nil {
		return c.fail(err)
	}
	return nil
}

func (c *csvWriter) endTable() error {
	if c.w == nil {
		return nil
	}
	c.w.Flush()
	if err := errors.Join(c.w.Error(), c.bw.Flush()); err != nil {
		return c.fail(err)
	}
	c.w, c.bw = nil, nil
	return nil
}

func (c *csvWriter) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	return c.err
}

func (c *csvWriter) Close() error {
	if err := c.endTable(); err != nil {
		c.Abort()
		return err
	}
	for i, f := range c.files {
		if err := f.commit(); err != nil {
			for _, rest := range c.files[i+1:] {
				rest.discard()
			}
			c.files = nil
			return err
		}
	}
	c.files = nil
	return nil
}

func (c *csvWriter) Abort() {
	for _, f := range c.files {
		f.discard()
	}
	c.files = nil
}
