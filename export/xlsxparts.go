package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The parts of an XLSX package besides its sheets, and the XML text rules
// of its cells.

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// writeParts writes, after the sheets, every other part of the package:
// the content types, the relationships, the workbook (the sheets' names,
// their autofilters), the styles, the theme and the document properties.
// excelize writes them into a workbook of empty sheets, which is small;
// they are copied from it as they are, compressed, its sheets left out:
// the sheets written here take their places (checked: the workbook's
// relationships must name sheet N xl/worksheets/sheetN.xml).
func (x *xlsxWriter) writeParts() error {
	for _, s := range x.sheets {
		if err := x.f.AutoFilter(s.name, s.filter, nil); err != nil {
			return x.fail(err)
		}
	}
	buf, err := x.f.WriteToBuffer()
	if err != nil {
		return x.fail(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return x.fail(err)
	}
	if err := x.checkSheetParts(zr); err != nil {
		return x.fail(err)
	}
	written := map[string]bool{}
	for i := range x.sheets {
		written[sheetPath(i+1)] = true
	}
	for _, zf := range zr.File {
		var err error
		switch {
		case written[zf.Name]:
			continue
		case zf.Name == "xl/workbook.xml" && slices.ContainsFunc(x.sheets, func(s xlsxSheet) bool { return strings.Contains(s.name, "'") }):
			err = x.quoteFilterNames(zf)
		default:
			err = copyZipEntry(x.zw, zf)
		}
		if err != nil {
			return x.fail(err)
		}
	}
	return nil
}

// quoteFilterNames writes the workbook with the autofilters' references to
// sheets whose name holds an apostrophe quoted as Excel reads them
// ('O”Brien'!$A$1:$C$9): excelize writes 'O'Brien'!, which Excel takes
// for a damaged file.
func (x *xlsxWriter) quoteFilterNames(zf *zip.File) error {
	r, err := zf.Open()
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return err
	}
	esc := func(s string) []byte {
		var buf bytes.Buffer
		_ = xml.EscapeText(&buf, []byte(s))
		return buf.Bytes()
	}
	for _, s := range x.sheets {
		if strings.Contains(s.name, "'") {
			b = bytes.ReplaceAll(b, append([]byte(">"), esc("'"+s.name+"'!")...),
				append([]byte(">"), esc("'"+strings.ReplaceAll(s.name, "'", "''")+"'!")...))
		}
	}
	w, err := x.zw.Create(zf.Name)
	if err == nil {
		_, err = w.Write(b)
	}
	return err
}

// checkSheetParts checks that the workbook's sheets are the parts written
// for them, in order.
func (x *xlsxWriter) checkSheetParts(zr *zip.Reader) error {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			Id     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	for name, v := range map[string]any{"xl/workbook.xml": &wb, "xl/_rels/workbook.xml.rels": &rels} {
		r, err := zr.Open(name)
		if err != nil {
			return err
		}
		err = xml.NewDecoder(r).Decode(v)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(wb.Sheets) != len(x.sheets) {
		return fmt.Errorf("export: the workbook has %d sheets, %d were written", len(wb.Sheets), len(x.sheets))
	}
	for i, s := range wb.Sheets {
		target := ""
		for _, r := range rels.Rel {
			if r.Id == s.RID {
				target = "xl/" + strings.TrimPrefix(r.Target, "/xl/")
			}
		}
		if s.Name != x.sheets[i].name || target != sheetPath(i+1) {
			return fmt.Errorf("export: the workbook's sheet %d is %q in %s, not %q in %s", i+1, s.Name, target,
				x.sheets[i].name, sheetPath(i+1))
		}
	}
	return nil
}

// sheetPath is the part of the nth sheet.
func sheetPath(n int) string { return fmt.Sprintf("xl/worksheets/sheet%d.xml", n) }

// copyZipEntry copies a zip entry as it is, compressed.
func copyZipEntry(zw *zip.Writer, zf *zip.File) error {
	r, err := zf.OpenRaw()
	if err != nil {
		return err
	}
	fh := zf.FileHeader
	w, err := zw.CreateRaw(&fh)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

func escaped(s string) string { return string(appendEscaped(nil, s)) }

// appendEscaped appends s as XML text (element content or an attribute
// value): the markup characters as entities, the line breaks and tabs as
// character references (so that no parser normalizes them away), and what
// XML 1.0 cannot hold at all (other control characters, invalid UTF-8) as
// U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"':
			b = append(b, "&quot;"...)
		case r == '\t':
			b = append(b, "&#x9;"...)
		case r == '\n':
			b = append(b, "&#xA;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			b = utf8.AppendRune(b, '\uFFFD')
		default:
			b = append(b, s[i-size:i]...)
		}
	}
	return b
}

// xmlChar reports whether XML 1.0 can hold r.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// maxCellChars is the most a cell holds, in UTF-16 units.
const maxCellChars = 32767

// appendCellText appends a text cell's value: at most what a cell holds,
// XML-escaped, and with the ST_Xstring rule applied: a control character
// XML cannot hold is written _x0001_, so a literal "_x0041_" in the text
// is written with its underscore escaped (_x005F_x0041_), else a
// spreadsheet would read it as "A".
func appendCellText(b []byte, s string) []byte {
	s = truncateUTF16(s, maxCellChars)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '_' && isXstringEscape(s[i:]):
			b = append(b, "_x005F"...)
			b = append(b, '_')
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			b = append(b, "_x00"...)
			b = append(b, "0123456789ABCDEF"[r>>4], "0123456789ABCDEF"[r&15], '_')
		case r == '\n': // as Excel writes it
			b = append(b, '\n')
		default:
			b = appendEscaped(b, s[i:i+size])
		}
		i += size
	}
	return b
}

// isXstringEscape reports whether s starts with _xHHHH_.
func isXstringEscape(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// truncateUTF16 cuts s to at most n UTF-16 units, a character whole.
func truncateUTF16(s string, n int) string {
	if len(s) <= n { // a byte is at most one unit
		return s
	}
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// excelTime is a time as an Excel serial date (days since 1899-12-30,
// the fraction the time of day, in the 1900 date system with its 29
// February 1900), read as wall-clock time; false before 1900.
func excelTime(t time.Time) (float64, bool) {
	_, offset := t.Zone()
	wall := t.Unix() + int64(offset)
	epoch := time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC).Unix()
	if wall < epoch {
		return 0, false
	}
	secs := wall - epoch
	days, rem := secs/86400, (secs%86400)*int64(time.Second)+int64(t.Nanosecond())
	v := float64(days) + float64(rem)/float64(24*time.Hour)
	if wall >= time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC).Unix() {
		v++ // Excel counts 1900-02-29, which did not exist
	}
	return v, v > 0
}
