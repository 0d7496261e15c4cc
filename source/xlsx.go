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

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
)

const (
	maxRows    = 1 << 20 // 1048576, Excel's limit
	maxCols    = 1 << 14 // 16384 (XFD)
	maxXMLPart = 64 << 20
)

// zipKind tells what a ZIP file holds.
func zipKind(ra io.ReaderAt, size int64) contentKind {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return contentXLSX // damaged or cut short: openXLSX says so
	}
	ods := false
	for _, f := range zr.File {
		n := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		switch {
		case strings.HasPrefix(n, "xl/"):
			return contentXLSX
		case n == "mimetype":
			if rc, err := f.Open(); err == nil {
				b := make([]byte, 64)
				k, _ := io.ReadFull(rc, b)
				rc.Close()
				ods = bytes.HasPrefix(b[:k], []byte("application/vnd.oasis.opendocument.spreadsheet"))
			}
		}
	}
	if ods {
		return contentODS
	}
	return contentZIP
}

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

type xcell struct {
	col  int
	cell Cell
}

type mergeRange struct {
	r1, c1, r2, c2 int
	val            Cell // the top-left cell's value, once its row is read
}

type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

type xWorkbook struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"` // r:id
	} `xml:"sheets>sheet"`
}

type xStyles struct {
	NumFmts []struct {
		ID   string `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID string `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// xlsxPackage is the parts of the ZIP by lower-case name.
type xlsxPackage map[string]*zip.File

func (p xlsxPackage) unmarshal(name string, v any) (bool, error) {
	f := p[strings.ToLower(name)]
	if f == nil {
		return false, nil
	}
	rc, err := f.Open()
	if err != nil {
		return true, err
	}
	defer rc.Close()
	return true, xml.NewDecoder(xmllimit.NewReader(io.LimitReader(rc, maxXMLPart), maxCellBytes)).Decode(v)
}

// rels reads the relationships of a part: id → resolved target.
func (p xlsxPackage) rels(part string) (map[string]string, map[string]string, error) {
	dir, base := path.Split(part)
	var r xRels
	if _, err := p.unmarshal(dir+"_rels/"+base+".rels", &r); err != nil {
		return nil, nil, err
	}
	byID, byType := map[string]string{}, map[string]string{}
	for _, rel := range r.Rels {
		if strings.EqualFold(rel.Mode, "External") {
			continue
		}
		t := strings.ReplaceAll(rel.Target, "\\", "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(path.Clean(t), "/")
		} else {
			t = path.Clean(path.Join(dir, t))
		}
		byID[rel.ID] = t
		typ := rel.Type[strings.LastIndexByte(rel.Type, '/')+1:]
		if _, ok := byType[typ]; !ok {
			byType[typ] = t
		}
		byType[rel.ID+"#type"] = typ
	}
	return byID, byType, nil
}

func openXLSX(name string, ra io.ReaderAt, size int64, closer io.Closer, opts Options) (*xlsxReader, error) {
	damaged := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w: %s (%v); is the file complete? Open it in Excel and save it again", name, ErrBadWorkbook, what, err)
		}
		return fmt.Errorf("%s: %w: %s; open it in Excel and save it again", name, ErrBadWorkbook, what)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, damaged("its ZIP structure cannot be read", err)
	}
	pkg := xlsxPackage{}
	for _, f := range zr.File {
		pkg[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}

	// The workbook part: from the package relationships, else the usual place.
	wbPath := "xl/workbook.xml"
	if _, byType, err := pkg.rels(""); err == nil {
		if t, ok := byType["officeDocument"]; ok {
			wbPath = t
		}
	}
	var wb xWorkbook
	found, err := pkg.unmarshal(wbPath, &wb)
	if err != nil {
		return nil, damaged("xl/workbook.xml cannot be read", err)
	}
	if !found {
		return nil, damaged("it has no workbook part (xl/workbook.xml)", nil)
	}
	wbRels, wbTypes, err := pkg.rels(wbPath)
	if err != nil {
		return nil, damaged("the workbook's relationships cannot be read", err)
	}
	x := &xlsxReader{name: name, closer: closer}
	x.date1904 = wb.Pr.Date1904 == "1" || strings.EqualFold(wb.Pr.Date1904, "true")
	x.det = Detected{Format: "xlsx", Date1904: x.date1904}
	for _, s := range wb.Sheets {
		x.det.Sheets = append(x.det.Sheets, s.Name)
	}
	if len(wb.Sheets) == 0 {
		return nil, damaged("it has no sheets", nil)
	}

	// Which sheet.
	pick := -1
	want := strings.TrimSpace(opts.Sheet)
	switch {
	case want == "":
		for i, s := range wb.Sheets {
			if s.State == "" || s.State == "visible" {
				if wbTypes[s.RID+"#type"] == "worksheet" {
					pick = i
					break
				}
			}
		}
		if pick < 0 {
			return nil, fmt.Errorf("%s: %w: the workbook has no visible worksheet (sheets: %s)", name, ErrNoSheet, quoteList(x.det.Sheets))
		}
	default:
		for i, s := range wb.Sheets {
			if s.Name == want {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i, s := range wb.Sheets {
				if strings.EqualFold(strings.TrimSpace(s.Name), want) {
					pick = i
					break
				}
			}
		}
		if pick < 0 {
			if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(wb.Sheets) {
				pick = n - 1
			}
		}
		if pick < 0 {
			return nil, fmt.Errorf("%s: %w: there is no sheet %q; the workbook has %s (a name or a number from 1 to %d)",
				name, ErrNoSheet, want, quoteList(x.det.Sheets), len(wb.Sheets))
		}
	}
	sheet := wb.Sheets[pick]
	x.det.Sheet = sheet.Name
	if t := wbTypes[sheet.RID+"#type"]; t != "worksheet" {
		what := "not a worksheet"
		if t == "chartsheet" {
			what = "a chart, not a table"
		}
		return nil, fmt.Errorf("%s: %w: sheet %q is %s", name, ErrNoSheet, sheet.Name, what)
	}
	sheetFile := pkg[strings.ToLower(wbRels[sheet.RID])]
	if sheetFile == nil {
		return nil, damaged(fmt.Sprintf("the part of sheet %q (%s) is missing", sheet.Name, wbRels[sheet.RID]), nil)
	}

	// Styles: which cell styles show numbers as dates.
	if p, ok := wbTypes["styles"]; ok {
		var st xStyles
		if _, err := pkg.unmarshal(p, &st); err != nil {
			return nil, damaged("the styles cannot be read", err)
		}
		x.dateStyles = dateStyles(st)
	}
	if p, ok := wbTypes["sharedStrings"]; ok && pkg[strings.ToLower(p)] != nil {
		if x.sst, err = readSST(pkg[strings.ToLower(p)], p, sstBudget); err != nil {
			if errors.Is(err, ErrTooBig) {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return nil, damaged("the shared strings cannot be read", err)
		}
	}
	if x.merges, err = scanMerges(sheetFile); err != nil {
		if errors.Is(err, errTooManyMerges) {
			return nil, fmt.Errorf("%s: %w: sheet %q %v", name, ErrTooBig, sheet.Name, err)
		}
		return nil, damaged(fmt.Sprintf("sheet %q cannot be read", sheet.Name), err)
	}
	if x.rc, err = sheetFile.Open(); err != nil {
		return nil, damaged(fmt.Sprintf("sheet %q cannot be read", sheet.Name), err)
	}
	x.dec = newSheetDecoder(x.rc)

	headerRow := opts.HeaderRow
	if headerRow == 0 {
		// Find the header on a first look at the top rows, then read the
		// sheet from its start again with the header's row known: the
		// merged ranges are tracked row by row, so the rows looked at
		// cannot simply be replayed.
		if headerRow, err = x.probeHeader(); err != nil {
			x.rc.Close()
			return nil, err
		}
		x.rc.Close()
		if x.rc, err = sheetFile.Open(); err != nil {
			return nil, damaged(fmt.Sprintf("sheet %q cannot be read", sheet.Name), err)
		}
		x.dec = newSheetDecoder(x.rc)
		x.lastRow, x.done = 0, false
	}
	if err := x.readHeader(headerRow); err != nil {
		x.rc.Close()
		return nil, err
	}
	return x, nil
}

// newSheetDecoder reads a sheet's XML through the cell-size limit (every
// pass over a sheet must: the limit is what keeps memory bounded).
func newSheetDecoder(rc io.Reader) *xml.Decoder {
	dec := xml.NewDecoder(bufio.NewReaderSize(xmllimit.NewReader(rc, maxCellBytes), 64<<10))
	dec.Strict = true
	return dec
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
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

// trackMerges keeps the merged ranges that cover row rowNum active, and
// takes the value of a range's top-left cell when its row goes by.
func (x *xlsxReader) trackMerges(rowNum int, own []xcell) {
	for x.mergeIdx < len(x.merges) && x.merges[x.mergeIdx].r1 <= rowNum {
		m := &x.merges[x.mergeIdx]
		x.mergeIdx++
		if m.r1 == rowNum {
			for _, c := range own {
				if c.col == m.c1 {
					m.val = c.cell
				}
			}
		}
		x.active = append(x.active, m)
	}
	x.active = slices.DeleteFunc(x.active, func(m *mergeRange) bool { return m.r2 < rowNum })
}

// align lays a row's cells out by column, 1..width, and fills the cells
// covered by a merged range with the range's value: a merged cell shows
// one value over all its cells, and a migration wants every row of a
// vertically merged "Company" cell to have the company.
func (x *xlsxReader) align(rowNum int, own []xcell, width int) []Cell {
	out := make([]Cell, width)
	for _, c := range own {
		if c.col <= width {
			out[c.col-1] = c.cell
		}
	}
	for _, m := range x.active {
		if m.val.Kind == Empty || m.r2 < rowNum {
			continue
		}
		for col := m.c1; col <= min(m.c2, width); col++ {
			if out[col-1].Kind == Empty && (rowNum != m.r1 || col != m.c1) {
				out[col-1] = m.val
			}
		}
	}
	return out
}

// readRow reads the next <row> of sheetData: its number and its cells in
// column order. io.EOF at the end of sheetData.
func (x *xlsxReader) readRow() (int, []xcell, error) {
	if x.done {
		return 0, nil, io.EOF
	}
	for {
		tok, err := x.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				x.done = true
				return 0, nil, io.EOF
			}
			return 0, nil, x.damagedErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "row" {
				continue
			}
			rowNum := x.lastRow + 1
			if v, ok := attr(t, "r"); ok {
				if n, err := strconv.Atoi(v); err == nil && n >= 1 {
					rowNum = n
				}
			}
			if rowNum > maxRows {
				return 0, nil, fmt.Errorf("%s: %w: the sheet has more than %d rows, Excel's limit (a row numbered %d follows row %d); "+
					"the program that wrote it went past what a workbook can hold: split the data into several files, or save it as CSV",
					x.loc(0), ErrTooBig, maxRows, rowNum, x.lastRow)
			}
			x.lastRow = rowNum
			own, err := x.readCells(rowNum)
			return rowNum, own, err
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				x.done = true
				return 0, nil, io.EOF
			}
		}
	}
}

func (x *xlsxReader) damagedErr(err error) error {
	var tl *xmllimit.TooLongError
	if errors.As(err, &tl) {
		return fmt.Errorf("%s: %w: near row %d, %s at byte %d of the sheet's XML is longer than %s; a workbook saved by a spreadsheet program "+
			"has nothing like it: open the file in Excel and save it again", x.loc(0), ErrBadWorkbook, x.lastRow, tl.What, tl.Offset, xmllimit.Size(int64(tl.Limit)))
	}
	return fmt.Errorf("%s: %w: the sheet's XML is broken after row %d (%v); open the file in Excel and save it again",
		x.loc(0), ErrBadWorkbook, x.lastRow, err)
}

func attr(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// readCells reads the <c> elements of one row, up to </row>. A cell
// with more text than a cell may hold, or a row with more than a row may,
// is a *RowError, returned with the rest of the row once </row> is read
// (the reading goes on with the next row).
func (x *xlsxReader) readCells(rowNum int) ([]xcell, error) {
	own := x.own[:0]
	col := 0
	rowBytes := 0
	var rowErr error
	for {
		tok, err := x.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, x.damagedErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			var typ, style, ref string
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "t":
					typ = a.Value
				case "s":
					style = a.Value
				case "r":
					ref = a.Value
				}
			}
			if c := refColumn(ref); c > 0 {
				col = c
			} else {
				col++
			}
			if col > maxCols {
				return nil, x.damagedErr(fmt.Errorf("a cell beyond column %s", columnName(maxCols)))
			}
			cell, tooLong, err := x.readCell(rowNum, col, typ, style)
			if err != nil {
				return nil, err
			}
			if tooLong != "" {
				if rowErr == nil {
					rowErr = x.tooLongErr(rowNum, col, "cell %s%d %s than the %s a cell may hold; is this the right file, and the right column?",
						columnName(col), rowNum, tooLong, xmllimit.Size(maxCellBytes))
				}
				continue
			}
			if rowBytes += len(cell.Raw); rowBytes > maxRowBytes && rowErr == nil {
				rowErr = x.tooLongErr(rowNum, 0, "the row's cells hold more than %s of text together (at cell %s%d); is this the right file?",
					xmllimit.Size(maxRowBytes), columnName(col), rowNum)
			}
			if rowErr != nil {
				continue // keep no more of the row than what is already read
			}
			if cell.Kind != Empty {
				own = append(own, xcell{col: col, cell: cell})
			}
		case xml.EndElement:
			if t.Name.Local == "row" {
				x.own = own // reused: the caller is done with it before the next row
				return own, rowErr
			}
		}
	}
}

func (x *xlsxReader) tooLongErr(rowNum, col int, format string, args ...any) error {
	e := &RowError{Loc: x.loc(rowNum), Col: col, Err: detail(ErrTooLong, format, args...)}
	if col > 0 && col <= len(x.header) {
		e.Name = x.header[col-1]
	}
	return e
}

// readCell reads one <c> after its start tag, up to </c>, and types it.
// tooLong, when not "", says the cell's text is longer than a cell may be
// ("holds more text"): the text read so far is dropped.
func (x *xlsxReader) readCell(rowNum, col int, typ, style string) (_ Cell, tooLong string, _ error) {
	var (
		v, is             []byte
		hasV, hasF, hasIS bool
		inV, inT, inPh    bool
		depthIS           int
	)
	for {
		tok, err := x.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Cell{}, "", x.damagedErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				inV, hasV = true, true
			case "f":
				hasF = true
			case "is":
				hasIS = true
				depthIS++
			case "rPh":
				inPh = true
			case "t":
				inT = depthIS > 0 && !inPh
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				depthIS--
			case "rPh":
				inPh = false
			case "t":
				inT = false
			case "c":
				if tooLong != "" {
					return Cell{}, tooLong, nil
				}
				if typ == "s" && hasV {
					if i, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil {
						if _, ok, long := x.sst.get(i); ok && long {
							return Cell{}, fmt.Sprintf("refers to shared text number %d, which holds more text", i), nil
						}
					}
				}
				return x.typed(rowNum, col, typ, style, string(v), hasV, hasF, unescapeXString(string(is)), hasIS), "", nil
			}
		case xml.CharData:
			switch {
			case tooLong != "":
			case (inV || inT) && len(v)+len(is)+len(t) > maxCellBytes:
				tooLong, v, is = "holds more text", nil, nil
			case inV:
				v = append(v, t...)
			case inT:
				is = append(is, t...)
			}
		case xml.ProcInst:
			if (inV || inT) && t.Target == xmllimit.CutTarget {
				tooLong, v, is = "holds more text", nil, nil
			}
		}
	}
}

// cellErr makes the Err of an error cell.
func (x *xlsxReader) cellErr(rowNum, col int, format string, args ...any) error {
	e := &RowError{Loc: x.loc(rowNum), Col: col, Err: detail(ErrCellValue, format, args...)}
	if col <= len(x.header) {
		e.Name = x.header[col-1]
	}
	return e
}

// errorValues explains Excel's error values to someone who did not write
// the formula.
var errorValues = map[string]string{
	"#N/A":          "a lookup found no value",
	"#DIV/0!":       "a division by zero",
	"#REF!":         "a formula refers to cells that were deleted",
	"#VALUE!":       "a formula got the wrong type of value",
	"#NAME?":        "a formula uses an unknown function or name",
	"#NUM!":         "a formula gave an impossible number",
	"#NULL!":        "two ranges of a formula do not meet",
	"#SPILL!":       "a formula's result has no room to spill",
	"#CALC!":        "a formula could not be calculated",
	"#GETTING_DATA": "the value was still loading when the file was saved",
}

func (x *xlsxReader) typed(rowNum, col int, typ, style, v string, hasV, hasF bool, is string, hasIS bool) Cell {
	// A formula's result is saved in <v>; a text result may be empty, other
	// results may not.
	if hasF && (!hasV || strings.TrimSpace(v) == "" && typ != "str" && typ != "s" && typ != "inlineStr") {
		return Cell{Kind: Error, Err: x.cellErr(rowNum, col,
			"the formula has no saved result (the program that wrote the file did not calculate it); open the file in Excel and save it again")}
	}
	switch typ {
	case "s":
		if !hasV || strings.TrimSpace(v) == "" {
			return Cell{}
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		text, ok, _ := x.sst.get(i)
		if err != nil || !ok {
			return Cell{Raw: v, Kind: Error, Err: x.cellErr(rowNum, col,
				"the workbook is damaged: the cell refers to shared text number %s, which does not exist", v)}
		}
		return textCell(text)
	case "inlineStr":
		if hasIS {
			return textCell(is)
		}
		return textCell(v)
	case "str":
		return textCell(unescapeXString(v))
	case "b":
		switch strings.TrimSpace(v) {
		case "1", "true", "TRUE":
			return Cell{Raw: "TRUE", Kind: Bool, Bool: true}
		case "0", "false", "FALSE":
			return Cell{Raw: "FALSE", Kind: Bool}
		}
		if !hasV {
			break
		}
		return textCell(v)
	case "e":
		code := strings.TrimSpace(v)
		why := errorValues[code]
		if why != "" {
			why = " (" + why + ")"
		}
		return Cell{Raw: code, Kind: Error, Err: x.cellErr(rowNum, col,
			"the cell holds the error %s%s; fix it in the workbook, or leave this column out of the mapping", code, why)}
	case "d":
		if t, ok := parseISODate(strings.TrimSpace(v)); ok {
			return Cell{Raw: formatTime(t), Kind: Date, Time: t}
		}
		if hasV {
			return textCell(v)
		}
	default: // "n" or none: a number
		s := strings.TrimSpace(v)
		if s == "" {
			break
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return textCell(v)
		}
		if x.isDateStyle(style) && f >= 0 && f < 2958466 { // up to 9999-12-31
			if t, err := excelize.ExcelDateToTime(f, x.date1904); err == nil {
				raw := formatTime(t)
				if f < 1 {
					raw = t.Format("15:04:05")
				}
				return Cell{Raw: raw, Kind: Date, Number: f, Time: t}
			}
		}
		return Cell{Raw: formatNumber(f), Kind: Number, Number: f}
	}
	return Cell{}
}

// textCell makes a String cell; line breaks become "\n", as in CSV cells
// (Excel writes a pasted CR as _x000D_), and csvsafe's mark is undone.
func textCell(s string) Cell {
	if s == "" {
		return Cell{}
	}
	// A corrected errors.csv saved as a workbook keeps the apostrophe our
	// CSV writers put in front of =, +, -, @ (see csvsafe).
	s = csvsafe.Restore(s)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return Cell{Raw: s, Kind: String}
}

func (x *xlsxReader) isDateStyle(style string) bool {
	if style == "" {
		return false
	}
	i, err := strconv.Atoi(style)
	return err == nil && i >= 0 && i < len(x.dateStyles) && x.dateStyles[i]
}

// formatNumber renders a number the way Excel shows it with the General
// format, but never in scientific notation: at most 15 significant digits
// (so a sum stored as 0.30000000000000004 is 0.3), integers without ".0"
// (1250000, 36201234567).
func formatNumber(f float64) string {
	g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		g = f
	}
	if g == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(g, 'f', -1, 64)
}

func formatTime(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

func parseISODate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "15:04:05.999999999", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// unescapeXString undoes OOXML's _xHHHH_ escapes (Excel writes a carriage
// return in a cell as _x000D_, and a literal "_x" as _x005F_x).
func unescapeXString(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	out := b.String()
	if !utf8.ValidString(out) {
		return s
	}
	return out
}

// refColumn gives the 1-based column of a cell reference such as "C7", 0
// if there is none.
func refColumn(ref string) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		case c == '$' && i == 0:
			continue
		default:
			if i == 0 {
				return 0
			}
			return col
		}
		if col > maxCols {
			return maxCols + 1
		}
	}
	return col
}

// refCell parses "C7" into column 3, row 7.
func refCell(ref string) (col, row int, ok bool) {
	ref = strings.ReplaceAll(strings.TrimSpace(ref), "$", "")
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		i++
	}
	if i == 0 || i > 3 {
		return 0, 0, false
	}
	col = refColumn(ref[:i])
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > maxRows || col > maxCols {
		return 0, 0, false
	}
	return col, row, true
}

// columnName gives Excel's letters for a 1-based column: 1 → A, 28 → AB.
func columnName(col int) string {
	if name, err := excelize.ColumnNumberToName(col); err == nil {
		return name
	}
	return strconv.Itoa(col)
}

// dateStyles tells, for each cell style, whether its number format shows a
// date or time.
func dateStyles(st xStyles) []bool {
	custom := map[int]string{}
	for _, nf := range st.NumFmts {
		if id, err := strconv.Atoi(strings.TrimSpace(nf.ID)); err == nil {
			custom[id] = nf.Code
		}
	}
	out := make([]bool, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		id, err := strconv.Atoi(strings.TrimSpace(xf.NumFmtID))
		if err != nil {
			continue
		}
		if code, ok := custom[id]; ok {
			out[i] = isDateFormat(code)
		} else {
			out[i] = isBuiltinDate(id)
		}
	}
	return out
}

// isBuiltinDate: Excel's built-in formats 14–22 (dates and times), 45–47
// (times), 27–36 and 50–58 (East Asian dates).
func isBuiltinDate(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat tells whether a custom number format shows a date or time:
// its first section has d, m, y, h or s outside quoted text, escapes and
// [brackets] (colours, locales, and elapsed times such as [h]:mm, which are
// durations, not dates).
func isDateFormat(code string) bool {
	inQuote := false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal, or padding
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return false // elapsed time: a duration
			}
			i += j
		case c == ';':
			return false
		default:
			switch c | 0x20 {
			case 'd', 'm', 'y', 'h', 's':
				return true
			}
		}
	}
	return false
}

var errTooManyMerges = fmt.Errorf("has more than %d merged ranges; unmerge the cells or save the sheet as CSV UTF-8 and import that", maxMerges)

// scanMerges finds the sheet's merged ranges. They are listed after the
// cells (<mergeCells> follows <sheetData>), so a streaming reader needs
// them first: this pass decompresses the sheet once more and looks for
// <mergeCell ref="A1:B2"/> tags with a plain byte search, which costs a
// fraction of parsing the XML.
func scanMerges(f *zip.File) ([]mergeRange, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const tag = "mergeCell"
	var ranges []mergeRange
	buf := make([]byte, 64<<10)
	keep := 0
	for {
		n, err := io.ReadFull(rc, buf[keep:])
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return nil, err
		}
		data := buf[:keep+n]
		pos, carry := 0, -1
		for {
			i := bytes.Index(data[pos:], []byte(tag))
			if i < 0 {
				break
			}
			j := pos + i
			k := bytes.IndexByte(data[j:], '>')
			if k < 0 {
				carry = j
				break
			}
			pos = j + k + 1
			if j == 0 || (data[j-1] != '<' && data[j-1] != ':') || j+len(tag) >= len(data) {
				continue
			}
			if c := data[j+len(tag)]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				continue // <mergeCells count="...">
			}
			if m, ok := parseMergeTag(data[j : j+k]); ok {
				if len(ranges) == maxMerges {
					return nil, errTooManyMerges
				}
				ranges = append(ranges, m)
			}
		}
		if eof {
			break
		}
		if carry < 0 || len(data)-carry > 4096 {
			carry = max(pos, len(data)-len(tag))
		}
		keep = copy(buf, data[carry:])
	}
	slices.SortStableFunc(ranges, func(a, b mergeRange) int { return a.r1 - b.r1 })
	return ranges, nil
}

func parseMergeTag(tag []byte) (mergeRange, bool) {
	i := bytes.Index(tag, []byte("ref="))
	if i < 0 || i+5 > len(tag) {
		return mergeRange{}, false
	}
	q := tag[i+4]
	rest := tag[i+5:]
	j := bytes.IndexByte(rest, q)
	if j < 0 {
		return mergeRange{}, false
	}
	a, b, ok := strings.Cut(string(rest[:j]), ":")
	if !ok {
		return mergeRange{}, false
	}
	c1, r1, ok1 := refCell(a)
	c2, r2, ok2 := refCell(b)
	if !ok1 || !ok2 {
		return mergeRange{}, false
	}
	return mergeRange{r1: min(r1, r2), c1: min(c1, c2), r2: max(r1, r2), c2: max(c1, c2)}, true
}
