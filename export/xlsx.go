package export

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// widthRows is how many rows the XLSX writer holds back to size the
// columns: excelize's StreamWriter takes column widths before the first row.
const widthRows = 100

// xlsxWriter writes a workbook through excelize's StreamWriter, a sheet per
// table: rows go to the sheet's XML as they come (excelize moves them to a
// temporary file past 16 MB), so memory does not grow with the rows. Numbers
// are number cells, dates and times real Excel dates with a number format;
// the header row is bold and frozen, with an autofilter over the table.
type xlsxWriter struct {
	path string
	f    *excelize.File
	out  *atomicFile

	sheets  int
	sheet   string
	sw      *excelize.StreamWriter
	cols    []Column
	held    [][]Cell // the first rows, until the widths are set
	started bool     // header and widths written
	row     int      // the last row written
	vals    []any

	styleHeader, styleDate, styleDateTime, styleInt, styleFloat int
	styleTotal, styleTotalText                                  int
	err                                                         error

	// totalLabel starts a totals row ("Total"); totals are kept for the
	// Sum columns of a table, per value of its Group column.
	totalLabel string
	totals     map[string][]*big.Rat
}

// NewXLSXWriter returns a Writer of an XLSX workbook at path.
func NewXLSXWriter(path string) (Writer, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{path: path, f: f}
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
	x.totalLabel = "Total"
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

// SheetName makes a valid, unique sheet name: at most 31 characters, none of
// : \ / ? * [ ].
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
	if err := x.endTable(); err != nil {
		return err
	}
	name = sheetName(name, func(s string) bool { idx, _ := x.f.GetSheetIndex(s); return idx >= 0 && x.sheets > 0 })
	if x.sheets == 0 {
		if err := x.f.SetSheetName(x.f.GetSheetName(0), name); err != nil {
			return x.fail(err)
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return x.fail(err)
	}
	x.sheets++
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return x.fail(err)
	}
	x.sheet, x.sw, x.cols, x.held, x.started, x.row = name, sw, cols, nil, false, 0
	x.totals = nil
	x.vals = make([]any, len(cols))
	return nil
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
	for i, c := range x.cols {
		w := utf8.RuneCountInString(c.Name) + 3 // the autofilter's button
		for _, r := range x.held {
			if n := cellWidth(r[i]); n > w {
				w = n
			}
		}
		w = min(max(w+1, 8), 60)
		if err := x.sw.SetColWidth(i+1, i+1, float64(w)); err != nil {
			return x.fail(err)
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return x.fail(err)
	}
	for i, c := range x.cols {
		x.vals[i] = excelize.Cell{StyleID: x.styleHeader, Value: c.Name}
	}
	x.row = 1
	if err := x.sw.SetRow("A1", x.vals, excelize.RowOpts{StyleID: x.styleHeader}); err != nil {
		return x.fail(err)
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

func (x *xlsxWriter) write(cells []Cell) error {
	x.row++
	x.addTotals(cells)
	for i, c := range cells {
		switch c.Kind {
		case CellEmpty:
			x.vals[i] = nil
		case CellInt:
			style := x.styleInt
			if x.cols[i].IsID {
				style = 0
			}
			x.vals[i] = excelize.Cell{StyleID: style, Value: c.Int}
		case CellFloat:
			x.vals[i] = excelize.Cell{StyleID: x.styleFloat, Value: c.Float}
		case CellDate:
			x.vals[i] = excelize.Cell{StyleID: x.styleDate, Value: c.Time}
		case CellDateTime:
			x.vals[i] = excelize.Cell{StyleID: x.styleDateTime, Value: c.Time}
		default:
			x.vals[i] = c.Text
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return x.fail(err)
	}
	if err := x.sw.SetRow(cell, x.vals); err != nil {
		return x.fail(err)
	}
	return nil
}

// endTable writes what is held back, sets the autofilter over the table
// and ends the sheet.
func (x *xlsxWriter) endTable() error {
	if x.sw == nil {
		return nil
	}
	if !x.started {
		if err := x.start(); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(max(len(x.cols), 1), max(x.row, 1))
	if err != nil {
		return x.fail(err)
	}
	if err := x.writeTotals(); err != nil {
		return err
	}
	// The autofilter is part of the worksheet written by Flush.
	if err := x.f.AutoFilter(x.sheet, "A1:"+last, nil); err != nil {
		return x.fail(err)
	}
	if err := x.sw.Flush(); err != nil {
		return x.fail(err)
	}
	x.sw = nil
	return nil
}

func (x *xlsxWriter) Close() error {
	if x.f == nil {
		return x.err
	}
	defer func() { x.f.Close(); x.f = nil }()
	if x.err == nil && x.sheets == 0 {
		x.fail(errors.New("export: nothing to write"))
	}
	if err := x.endTable(); err != nil {
		return err
	}
	if x.err != nil {
		return x.err
	}
	out, err := createAtomic(x.path)
	if err != nil {
		return x.fail(err)
	}
	if err := x.f.Write(out.pf); err != nil {
		out.discard()
		return x.fail(err)
	}
	if err := out.commit(); err != nil {
		return x.fail(err)
	}
	return nil
}

func (x *xlsxWriter) Abort() {
	if x.f != nil {
		x.f.Close() // removes the stream writers' temporary files
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
// column a SUMIF formula (SUM without a Group column) with its value
// computed, so that the file reads right before Excel recalculates it.
func (x *xlsxWriter) writeTotals() error {
	if len(x.totals) == 0 || x.row < 2 {
		return nil
	}
	groupCol := slices.IndexFunc(x.cols, func(c Column) bool { return c.Group })
	first, last := 2, x.row
	colName := func(i int) string { n, _ := excelize.ColumnNumberToName(i + 1); return n }
	groups := make([]string, 0, len(x.totals))
	for g := range x.totals {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	for _, g := range groups {
		sums := x.totals[g]
		for i := range x.vals {
			x.vals[i] = nil
		}
		label := x.totalLabel
		if g != "" {
			label += " " + g
		}
		x.vals[0] = excelize.Cell{StyleID: x.styleTotalText, Value: label}
		for i, c := range x.cols {
			switch {
			case c.Sum:
				var f float64
				if sums[i] != nil {
					f, _ = sums[i].Float64()
				}
				rng := fmt.Sprintf("%s%d:%s%d", colName(i), first, colName(i), last)
				var crit []string // SUMIFS criteria: the currency, and the rows left out
				if groupCol >= 0 {
					gc := colName(groupCol)
					crit = append(crit, fmt.Sprintf("$%s$%d:$%s$%d,\"%s\"", gc, first, gc, last, strings.ReplaceAll(g, `"`, `""`)))
				}
				for j, oc := range x.cols {
					if oc.NotSummed != "" {
						cn := colName(j)
						crit = append(crit, fmt.Sprintf("$%s$%d:$%s$%d,\"<>%s\"", cn, first, cn, last, strings.ReplaceAll(oc.NotSummed, `"`, `""`)))
					}
				}
				formula := "SUM(" + rng + ")"
				if len(crit) > 0 {
					formula = "SUMIFS(" + rng + "," + strings.Join(crit, ",") + ")"
				}
				x.vals[i] = excelize.Cell{StyleID: x.styleTotal, Value: f, Formula: formula}
			case i == groupCol && i != 0:
				x.vals[i] = excelize.Cell{StyleID: x.styleTotalText, Value: g}
			case i != 0:
				x.vals[i] = excelize.Cell{StyleID: x.styleTotalText}
			}
		}
		x.row++
		cell, err := excelize.CoordinatesToCellName(1, x.row)
		if err != nil {
			return x.fail(err)
		}
		if err := x.sw.SetRow(cell, x.vals); err != nil {
			return x.fail(err)
		}
	}
	return nil
}
