package export

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// widthRows is how many rows the XLSX writer holds back to size the
// columns: the widths come before the first row in a sheet's XML.
const widthRows = 100

// xlsxWriter writes a workbook (SpreadsheetML, ECMA-376) straight into the
// zip archive of the output file, a sheet per table: each row goes through
// the compressor to the file (temporary, renamed on Close) as it comes, so
// memory does not grow with the rows. The sheets' XML is written here
// rather than through excelize's StreamWriter, which is what keeps memory
// flat: the StreamWriter holds up to 16 MB of every sheet's XML in memory
// (more while its buffer grows) until the workbook is saved, and saving
// assembles the whole compressed file in memory before writing a byte of
// it. Tables come one after the other, so one zip entry is open at a time.
// The small parts (workbook, styles, theme, relationships) come from an
// excelize workbook of empty sheets, written at Close (see writeParts).
//
// Numbers are number cells, dates and times real Excel dates with a number
// format, text inline strings (no shared-strings table to keep); the header
// row is bold and frozen, with an autofilter over the table.
type xlsxWriter struct {
	path string
	f    *excelize.File // the workbook without its sheets' rows
	out  *atomicFile
	zw   *zip.Writer
	w    *bufio.Writer // the current sheet's XML

	sheets  []xlsxSheet // every sheet begun
	cols    []Column
	refs    []string // the columns' letters
	held    [][]Cell // the first rows, until the widths are set
	started bool     // header and widths written
	row     int      // the last row written
	buf     []byte   // the row being written
	err     error

	styleHeader, styleDate, styleDateTime, styleInt, styleFloat int
	styleTotal, styleTotalText                                  int

	// totalLabel starts a totals row ("Total"); totals are kept for the
	// Sum columns of a table, per value of its Group column.
	totalLabel string
	totals     map[string][]*big.Rat
}

// xlsxSheet is a sheet of the workbook: its name and the range its
// autofilter covers (A1:K42), set when the sheet is done.
type xlsxSheet struct{ name, filter string }

// NewXLSXWriter returns a Writer of an XLSX workbook at path. Nothing is
// created there until the first table.
func NewXLSXWriter(path string) (Writer, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{path: path, f: f, totalLabel: "Total"}
	var err error
	style := func(s *excelize.Style) int {
		id, e := f.NewStyle(s)
		err = errors.Join(err, e)
		return id
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	x.styleHeader = style(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}})
	x.styleDate = style(&excelize.Style{CustomNumFmt: &dateFmt})
	x.styleDateTime = style(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	x.styleInt = style(&excelize.Style{NumFmt: 3})   // #,##0
	x.styleFloat = style(&excelize.Style{NumFmt: 4}) // #,##0.00
	x.styleTotal = style(&excelize.Style{NumFmt: 4, Font: &excelize.Font{Bold: true},
		Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}})
	x.styleTotalText = style(&excelize.Style{Font: &excelize.Font{Bold: true},
		Border: []excelize.Border{{Type: "top", Color: "000000", Style: 1}}})
	if err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxWriter) Paths() []string { return []string{x.path} }

func (x *xlsxWriter) fail(err error) error {
	if x.err == nil {
		x.err = err
	}
	return x.err
}

// sheetName makes a valid, unique sheet name: at most 31 characters, none of
// : \ / ? * [ ], not starting or ending with an apostrophe.
func sheetName(name string, used func(string) bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, strings.Trim(name, "'"))
	if name == "" {
		name = "Sheet"
	}
	trim := func(s string, n int) string {
		for utf8.RuneCountInString(s) > n {
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
		return s
	}
	name = trim(name, 31)
	base := name
	for i := 2; used(name); i++ {
		suffix := " (" + itoa(i) + ")"
		name = trim(base, 31-len(suffix)) + suffix
	}
	return name
}

func (x *xlsxWriter) Table(name string, cols []Column) error {
	if x.err != nil {
		return x.err
	}
	if x.f == nil {
		return x.fail(errors.New("export: the workbook is closed"))
	}
	if err := x.endTable(); err != nil {
		return err
	}
	name = sheetName(name, func(s string) bool { idx, _ := x.f.GetSheetIndex(s); return idx >= 0 && len(x.sheets) > 0 })
	if len(x.sheets) == 0 {
		if err := x.f.SetSheetName(x.f.GetSheetName(0), name); err != nil {
			return x.fail(err)
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return x.fail(err)
	}
	if x.out == nil {
		out, err := createAtomic(x.path)
		if err != nil {
			return x.fail(err)
		}
		x.out, x.zw = out, zip.NewWriter(out.pf)
	}
	x.sheets = append(x.sheets, xlsxSheet{name: name})
	part, err := x.zw.Create(sheetPath(len(x.sheets)))
	if err != nil {
		return x.fail(err)
	}
	if x.w == nil {
		x.w = bufio.NewWriterSize(part, 64<<10)
	} else {
		x.w.Reset(part)
	}
	x.cols, x.held, x.started, x.row, x.totals = cols, nil, false, 0, nil
	x.refs = make([]string, len(cols))
	for i := range cols {
		x.refs[i] = columnName(i + 1)
	}
	return nil
}

// columnName is a column's letters: 1 is A, 27 AA.
func columnName(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append(b, byte('A'+(n-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

func (x *xlsxWriter) Row(cells []Cell) error {
	if x.err != nil {
		return x.err
	}
	if !x.started {
		x.held = append(x.held, append([]Cell(nil), cells...))
		if len(x.held) < widthRows {
			return nil
		}
		return x.start()
	}
	return x.write(cells)
}

// start sizes the columns from the header and the rows held back, freezes
// the header row, and writes them.
func (x *xlsxWriter) start() error {
	x.started = true
	b := append(x.buf[:0], xmlHeader...)
	b = append(b, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	b = append(b, `<sheetViews><sheetView `...)
	if len(x.sheets) == 1 {
		b = append(b, `tabSelected="1" `...)
	}
	b = append(b, `workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>`+
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>`+
		`<sheetFormatPr defaultRowHeight="15"/>`...)
	if len(x.cols) > 0 {
		b = append(b, "<cols>"...)
		for i, c := range x.cols {
			w := utf8.RuneCountInString(c.Name) + 3 // the autofilter's button
			for _, r := range x.held {
				if n := cellWidth(r[i]); n > w {
					w = n
				}
			}
			w = min(max(w+1, 8), 60)
			b = fmt.Appendf(b, `<col min="%d" max="%d" width="%d" customWidth="1"/>`, i+1, i+1, w)
		}
		b = append(b, "</cols>"...)
	}
	b = append(b, `<sheetData><row r="1" s="`+strconv.Itoa(x.styleHeader)+`" customFormat="1">`...)
	for i, c := range x.cols {
		b = x.textCell(b, i, 1, x.styleHeader, c.Name)
	}
	b = append(b, "</row>"...)
	x.row = 1
	if err := x.flushRow(b); err != nil {
		return err
	}
	held := x.held
	x.held = nil
	for _, r := range held {
		if err := x.write(r); err != nil {
			return err
		}
	}
	return nil
}

// cellWidth is about how many characters wide a cell shows.
func cellWidth(c Cell) int {
	switch c.Kind {
	case CellDate:
		return 10
	case CellDateTime:
		return 19
	case CellInt, CellFloat:
		return len(c.Text) + len(c.Text)/3 + 3
	}
	n := 0
	for _, line := range strings.Split(c.Text, "\n") {
		n = max(n, utf8.RuneCountInString(line))
	}
	return n
}

// flushRow writes a row's XML and keeps its buffer for the next.
func (x *xlsxWriter) flushRow(b []byte) error {
	x.buf = b[:0]
	if _, err := x.w.Write(b); err != nil {
		return x.fail(err)
	}
	return nil
}

func (x *xlsxWriter) write(cells []Cell) error {
	x.row++
	x.addTotals(cells)
	b := strconv.AppendInt(append(x.buf[:0], `<row r="`...), int64(x.row), 10)
	b = append(b, `">`...)
	for i, c := range cells {
		switch c.Kind {
		case CellEmpty:
		case CellInt:
			style := x.styleInt
			if x.cols[i].IsID {
				style = 0
			}
			b = x.numberCell(b, i, x.row, style, strconv.AppendInt(nil, c.Int, 10))
		case CellFloat:
			b = x.floatCell(b, i, x.row, x.styleFloat, c.Float)
		case CellDate, CellDateTime:
			style := x.styleDate
			if c.Kind == CellDateTime {
				style = x.styleDateTime
			}
			if v, ok := excelTime(c.Time); ok {
				b = x.numberCell(b, i, x.row, style, strconv.AppendFloat(nil, v, 'f', -1, 64))
			} else { // before 1900: no Excel date
				b = x.textCell(b, i, x.row, 0, c.Text)
			}
		default:
			b = x.textCell(b, i, x.row, 0, c.Text)
		}
	}
	return x.flushRow(append(b, "</row>"...))
}

// cellStart opens a cell: its reference, format and type.
func (x *xlsxWriter) cellStart(b []byte, col, row, style int, typ string) []byte {
	b = append(b, `<c r="`...)
	b = append(b, x.refs[col]...)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, '"')
	if style != 0 {
		b = append(append(append(b, ` s="`...), strconv.Itoa(style)...), '"')
	}
	if typ != "" {
		b = append(append(append(b, ` t="`...), typ...), '"')
	}
	return append(b, '>')
}

func (x *xlsxWriter) numberCell(b []byte, col, row, style int, v []byte) []byte {
	b = x.cellStart(b, col, row, style, "")
	return append(append(append(b, "<v>"...), v...), "</v></c>"...)
}

// floatCell is a number; NaN and infinity, which a sheet cannot hold, as
// text.
func (x *xlsxWriter) floatCell(b []byte, col, row, style int, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return x.textCell(b, col, row, 0, fmt.Sprint(f))
	}
	return x.numberCell(b, col, row, style, strconv.AppendFloat(nil, f, 'f', -1, 64))
}

// textCell is an inline string (t="inlineStr"), which a spreadsheet never
// reads as a formula.
func (x *xlsxWriter) textCell(b []byte, col, row, style int, s string) []byte {
	b = x.cellStart(b, col, row, style, "inlineStr")
	b = append(b, "<is><t"...)
	if s != "" && (isXMLSpace(s[0]) || isXMLSpace(s[len(s)-1])) {
		b = append(b, ` xml:space="preserve"`...)
	}
	b = append(b, '>')
	b = appendCellText(b, s)
	return append(b, "</t></is></c>"...)
}

// styledCell is an empty cell with a format (the totals row's border).
func (x *xlsxWriter) styledCell(b []byte, col, row, style int) []byte {
	b = x.cellStart(b, col, row, style, "")
	return append(b[:len(b)-1], "/>"...)
}

// endTable writes what is held back and the totals, sets the autofilter
// over the table (its data rows: sorting leaves the totals at the bottom)
// and ends the sheet.
func (x *xlsxWriter) endTable() error {
	if x.w == nil || len(x.sheets) == 0 || x.sheets[len(x.sheets)-1].filter != "" {
		return nil
	}
	if !x.started {
		if err := x.start(); err != nil {
			return err
		}
	}
	filter := "A1:" + columnName(max(len(x.cols), 1)) + strconv.Itoa(max(x.row, 1))
	if err := x.writeTotals(); err != nil {
		return err
	}
	b := append(x.buf[:0], `</sheetData><autoFilter ref="`...)
	b = append(b, filter...)
	b = append(b, `"/></worksheet>`...)
	if err := x.flushRow(b); err != nil {
		return err
	}
	if err := x.w.Flush(); err != nil {
		return x.fail(err)
	}
	x.sheets[len(x.sheets)-1].filter = filter
	x.held, x.totals = nil, nil
	return nil
}

func (x *xlsxWriter) Close() error {
	if x.err == nil && len(x.sheets) == 0 {
		x.fail(errors.New("export: nothing to write"))
	}
	if x.err == nil && x.endTable() == nil && x.writeParts() == nil {
		if err := x.zw.Close(); err != nil {
			x.fail(err)
		}
	}
	if x.err != nil {
		x.Abort()
		return x.err
	}
	err := x.out.commit()
	x.out, x.zw = nil, nil
	x.Abort()
	if err != nil {
		return x.fail(err)
	}
	return nil
}

// Abort discards the file being written. It is harmless after Close.
func (x *xlsxWriter) Abort() {
	if x.out != nil {
		x.out.discard()
		x.out, x.zw = nil, nil
	}
	if x.f != nil {
		x.f.Close()
		x.f = nil
	}
}

// addTotals adds a row's Sum cells to its group's totals.
func (x *xlsxWriter) addTotals(cells []Cell) {
	group, any, skip := "", false, false
	for i, c := range x.cols {
		any = any || c.Sum
		if c.Group {
			group = cells[i].Text
		}
		if c.NotSummed != "" && cells[i].Text == c.NotSummed {
			skip = true
		}
	}
	if !any {
		return
	}
	if x.totals == nil {
		x.totals = map[string][]*big.Rat{}
	}
	t := x.totals[group]
	if t == nil {
		t = make([]*big.Rat, len(x.cols))
		x.totals[group] = t // a currency whose every row is left out still gets its (zero) total
	}
	if skip {
		return
	}
	for i, c := range x.cols {
		if !c.Sum || cells[i].Kind != CellFloat && cells[i].Kind != CellInt {
			continue
		}
		v, ok := new(big.Rat).SetString(cells[i].Text)
		if !ok {
			continue
		}
		if t[i] == nil {
			t[i] = new(big.Rat)
		}
		t[i].Add(t[i], v)
	}
}

// writeTotals writes, under the table, a totals row per group (currency)
// in the group's alphabetical order: the label, the group, and for each Sum
// column a SUMIFS formula (SUM without a Group column) with its value
// computed, so that the file reads right before Excel recalculates it.
func (x *xlsxWriter) writeTotals() error {
	if len(x.totals) == 0 || x.row < 2 {
		return nil
	}
	groupCol := slices.IndexFunc(x.cols, func(c Column) bool { return c.Group })
	first, last := 2, x.row
	groups := make([]string, 0, len(x.totals))
	for g := range x.totals {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	column := func(i int) string { return fmt.Sprintf("%s%d:%s%d", x.refs[i], first, x.refs[i], last) }
	var crit []string // SUMIFS criteria after the currency's: the rows left out
	for j, oc := range x.cols {
		if oc.NotSummed != "" {
			crit = append(crit, fmt.Sprintf("$%s$%d:$%s$%d,\"<>%s\"", x.refs[j], first, x.refs[j], last,
				strings.ReplaceAll(oc.NotSummed, `"`, `""`)))
		}
	}
	for _, g := range groups {
		sums := x.totals[g]
		label := x.totalLabel
		if g != "" {
			label += " " + g
		}
		x.row++
		b := strconv.AppendInt(append(x.buf[:0], `<row r="`...), int64(x.row), 10)
		b = append(b, `">`...)
		for i, c := range x.cols {
			switch {
			case c.Sum:
				var f float64
				if sums[i] != nil {
					f, _ = sums[i].Float64()
				}
				all := crit
				if groupCol >= 0 {
					gc := x.refs[groupCol]
					all = append([]string{fmt.Sprintf("$%s$%d:$%s$%d,\"%s\"", gc, first, gc, last,
						strings.ReplaceAll(g, `"`, `""`))}, crit...)
				}
				formula := "SUM(" + column(i) + ")"
				if len(all) > 0 {
					formula = "SUMIFS(" + column(i) + "," + strings.Join(all, ",") + ")"
				}
				b = x.cellStart(b, i, x.row, x.styleTotal, "")
				b = appendEscaped(append(b, "<f>"...), formula)
				b = strconv.AppendFloat(append(b, "</f><v>"...), f, 'f', -1, 64)
				b = append(b, "</v></c>"...)
			case i == 0:
				b = x.textCell(b, i, x.row, x.styleTotalText, label)
			case i == groupCol:
				b = x.textCell(b, i, x.row, x.styleTotalText, g)
			default:
				b = x.styledCell(b, i, x.row, x.styleTotalText)
			}
		}
		if err := x.flushRow(append(b, "</row>"...)); err != nil {
			return err
		}
	}
	return nil
}
