package source

// Why the worksheet is read here and not with excelize's Rows iterator:
// Rows.Columns gives each cell as a string only, without its type (t="n",
// "s", "b", "e", "d", "str") or style, so 36201234567 and the text
// "36201234567", TRUE and 1, #N/A and the text "#N/A", or a date and its
// serial number cannot be told apart; and the calls that do tell
// (GetCellType, GetCellStyle, GetMergeCells) load the whole worksheet into
// memory. excelize.OpenFile also reads every part of the package under 16
// MiB into memory. So this file reads the package with archive/zip and the
// worksheet token by token with encoding/xml, in constant memory, and uses
// excelize for what it does well: Excel's serial dates in both date systems
// (ExcelDateToTime, with the 1900 leap-year bug) and, in the tests, writing
// the fixture workbooks.
//
// This file opens a workbook and finds its header; xlsx_package.go reads
// the package's small parts, xlsxstrings.go the shared strings,
// xlsx_merges.go the merged ranges, xlsx_cells.go the rows and
// xlsx_dates.go the date styles.

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
)

const (
	maxRows    = 1 << 20 // 1048576, Excel's limit
	maxCols    = 1 << 14 // 16384 (XFD)
	maxXMLPart = 64 << 20
)

type xlsxReader struct {
	name   string
	closer io.Closer
	det    Detected
	header []string
	width  int

	sst        *sstTable
	dateStyles []bool // by cell style (xf) index
	date1904   bool

	rc      io.ReadCloser
	dec     *xml.Decoder
	lastRow int
	done    bool
	own     []xcell // scratch: the current row's cells

	merges   []mergeRange // sorted by first row
	mergeIdx int
	active   []*mergeRange

	records, rows, rowErrors, skipped int
}

func openXLSX(name string, ra io.ReaderAt, size int64, closer io.Closer, opts Options) (*xlsxReader, error) {
	w, err := openWorkbook(name, ra, size)
	if err != nil {
		return nil, err
	}
	x := &xlsxReader{name: name, closer: closer}
	x.date1904 = w.Pr.Date1904 == "1" || strings.EqualFold(w.Pr.Date1904, "true")
	x.det = Detected{Format: "xlsx", Date1904: x.date1904}
	for _, s := range w.Sheets {
		x.det.Sheets = append(x.det.Sheets, s.Name)
	}
	if len(w.Sheets) == 0 {
		return nil, badWorkbook(name, "it has no sheets", nil)
	}
	pick, err := w.pickSheet(name, strings.TrimSpace(opts.Sheet), x.det.Sheets)
	if err != nil {
		return nil, err
	}
	x.det.Sheet = w.Sheets[pick].Name
	sheetFile, err := w.sheetPart(name, pick)
	if err != nil {
		return nil, err
	}
	if err := x.readParts(w, sheetFile); err != nil {
		return nil, err
	}
	if err := x.start(sheetFile, opts.HeaderRow); err != nil {
		return nil, err
	}
	return x, nil
}

// readParts reads what the rows need from the other parts: the styles
// (which cell styles show numbers as dates), the shared strings and the
// sheet's merged ranges.
func (x *xlsxReader) readParts(w *workbook, sheetFile *zip.File) error {
	if p, ok := w.types["styles"]; ok {
		var st xStyles
		if _, err := w.pkg.unmarshal(p, &st); err != nil {
			return badWorkbook(x.name, "the styles cannot be read", err)
		}
		x.dateStyles = dateStyles(st)
	}
	var err error
	if p, ok := w.types["sharedStrings"]; ok && w.pkg[strings.ToLower(p)] != nil {
		if x.sst, err = readSST(w.pkg[strings.ToLower(p)], p, sstBudget); err != nil {
			if errors.Is(err, ErrTooBig) {
				return fmt.Errorf("%s: %w", x.name, err)
			}
			return badWorkbook(x.name, "the shared strings cannot be read", err)
		}
	}
	if x.merges, err = scanMerges(sheetFile); err != nil {
		if errors.Is(err, errTooManyMerges) {
			return fmt.Errorf("%s: %w: sheet %q %v", x.name, ErrTooBig, x.det.Sheet, err)
		}
		return badWorkbook(x.name, fmt.Sprintf("sheet %q cannot be read", x.det.Sheet), err)
	}
	return nil
}

// start opens the sheet and reads its header: row headerRow, else the row
// probeHeader finds.
func (x *xlsxReader) start(sheetFile *zip.File, headerRow int) error {
	var err error
	if x.rc, err = sheetFile.Open(); err != nil {
		return badWorkbook(x.name, fmt.Sprintf("sheet %q cannot be read", x.det.Sheet), err)
	}
	x.dec = newSheetDecoder(x.rc)
	if headerRow == 0 {
		// Find the header on a first look at the top rows, then read the
		// sheet from its start again with the header's row known: the
		// merged ranges are tracked row by row, so the rows looked at
		// cannot simply be replayed.
		if headerRow, err = x.probeHeader(); err != nil {
			x.rc.Close()
			return err
		}
		x.rc.Close()
		if x.rc, err = sheetFile.Open(); err != nil {
			return badWorkbook(x.name, fmt.Sprintf("sheet %q cannot be read", x.det.Sheet), err)
		}
		x.dec = newSheetDecoder(x.rc)
		x.lastRow, x.done = 0, false
	}
	if err := x.readHeader(headerRow); err != nil {
		x.rc.Close()
		return err
	}
	return nil
}

// newSheetDecoder reads a sheet's XML through the cell-size limit (every
// pass over a sheet must: the limit is what keeps memory bounded).
func newSheetDecoder(rc io.Reader) *xml.Decoder {
	dec := xml.NewDecoder(bufio.NewReaderSize(xmllimit.NewReader(rc, maxCellBytes), 64<<10))
	dec.Strict = true
	return dec
}

func (x *xlsxReader) loc(row int) Location {
	return Location{File: x.name, Sheet: x.det.Sheet, Line: row}
}

func (x *xlsxReader) readHeader(headerRow int) error {
	for {
		rowNum, own, err := x.readRow()
		if err == io.EOF {
			if headerRow > 0 {
				return fmt.Errorf("%s: %w: the header should be in row %d, but the sheet has nothing there", x.loc(0), ErrEmpty, headerRow)
			}
			return fmt.Errorf("%s: %w: the sheet has no rows", x.loc(0), ErrEmpty)
		}
		if err != nil {
			return err
		}
		x.trackMerges(rowNum, own)
		if headerRow > 0 && rowNum < headerRow {
			continue
		}
		if headerRow > 0 && (rowNum > headerRow || countValues(own) == 0) {
			return fmt.Errorf("%s: %w: the header should be in row %d, but that row is empty", x.loc(headerRow), ErrEmpty, headerRow)
		}
		if countValues(own) == 0 || headerRow == 0 && x.isMergedTitle(rowNum, own) {
			continue
		}
		width := 0
		for _, c := range own {
			if c.cell.Kind != Empty {
				width = max(width, c.col)
			}
		}
		for _, m := range x.active {
			if m.val.Kind != Empty && m.c1 <= width+1 {
				width = max(width, min(m.c2, maxCols))
			}
		}
		cells := x.align(rowNum, own, width)
		names := make([]string, len(cells))
		for i, c := range cells {
			names[i] = strings.TrimSpace(c.Raw)
			if names[i] != "" {
				x.width = i + 1
			}
		}
		x.header = names[:x.width]
		x.det.HeaderRow = rowNum
		return checkDuplicates(x.loc(rowNum), x.header, columnName)
	}
}

// probeHeader reads the first rows and picks the header's row (see
// pickHeader); 0 when the sheet has no rows, which readHeader reports.
func (x *xlsxReader) probeHeader() (int, error) {
	var probes []probe
	var nums []int
	for len(probes) < probeRows {
		rowNum, own, err := x.readRow()
		if err == io.EOF {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			// A row that cannot be read (a cell over the size limit): the
			// header is among the rows above it, and the second pass
			// returns it as the row error it is.
			break
		}
		if err != nil {
			return 0, err
		}
		p := probe{}
		for _, c := range own {
			if c.col > maxCols {
				continue
			}
			for len(p) < c.col {
				p = append(p, probeCell{})
			}
			p[c.col-1] = probeCell{val: c.cell.Raw, text: c.cell.Kind == String}
			if c.cell.Kind == Empty {
				p[c.col-1].val = ""
			}
		}
		probes = append(probes, p)
		nums = append(nums, rowNum)
	}
	h := pickHeader(probes)
	if h < 0 {
		return 0, nil
	}
	return nums[h], nil
}

// isMergedTitle tells whether a row holds one value, in a range merged
// across columns: a title above the table, not its header.
func (x *xlsxReader) isMergedTitle(rowNum int, own []xcell) bool {
	if countValues(own) != 1 {
		return false
	}
	for _, m := range x.active {
		if m.r1 == rowNum && m.c1 == own[0].col && m.c2 > m.c1 {
			return true
		}
	}
	return false
}

func countValues(own []xcell) int {
	n := 0
	for _, c := range own {
		if c.cell.Kind != Empty {
			n++
		}
	}
	return n
}

func (x *xlsxReader) Header() []string   { return x.header }
func (x *xlsxReader) Detected() Detected { return x.det }

func (x *xlsxReader) Close() error {
	var err error
	if x.rc != nil {
		err = x.rc.Close()
		x.rc = nil
	}
	if x.closer != nil {
		if cerr := x.closer.Close(); err == nil {
			err = cerr
		}
		x.closer = nil
	}
	return err
}

func (x *xlsxReader) Next(ctx context.Context) (Row, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Row{}, err
		}
		rowNum, own, err := x.readRow()
		var tooLong *RowError
		if errors.As(err, &tooLong) {
			// A cell too long: the row is an error, the reading goes on.
			x.trackMerges(rowNum, own)
			x.records++
			x.rowErrors++
			return Row{Loc: x.loc(rowNum), Cells: x.align(rowNum, own, x.width)}, err
		}
		if err != nil {
			return Row{}, err
		}
		x.trackMerges(rowNum, own)
		x.records++
		if countValues(own) == 0 {
			x.skipped++ // blank; values filled in from a merged range do not count
			continue
		}
		loc := x.loc(rowNum)
		row := Row{Loc: loc, Cells: x.align(rowNum, own, x.width)}
		for _, c := range own {
			if c.col > x.width && c.cell.Kind != Empty {
				x.rowErrors++
				return row, &RowError{Loc: loc, Col: c.col, Err: detail(ErrTooManyCells,
					"cell %s%d holds %s but column %s has no name in the header row (row %d); name the column or clear the cell",
					columnName(c.col), rowNum, quoteShort(c.cell.Raw), columnName(c.col), x.det.HeaderRow)}
			}
		}
		x.rows++
		return row, nil
	}
}
