package source

// The row decoder of a worksheet: each <row> read token by token into
// typed cells, within the bounds of a cell's and a row's text, with error
// values, numbers and cell references as Excel writes them.

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
	"github.com/xuri/excelize/v2"
)

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

type xcell struct {
	col  int
	cell Cell
}
