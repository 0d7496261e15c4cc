package source

// The XLSX package: telling a workbook from other ZIP files, and reading
// the small XML parts (workbook, relationships, styles) that say where the
// worksheets are.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
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

// badWorkbook is ErrBadWorkbook for file name: what is wrong, with the
// error met reading it, if any.
func badWorkbook(name, what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w: %s (%v); is the file complete? Open it in Excel and save it again", name, ErrBadWorkbook, what, err)
	}
	return fmt.Errorf("%s: %w: %s; open it in Excel and save it again", name, ErrBadWorkbook, what)
}

// workbook is a package's workbook part and where its other parts are.
type workbook struct {
	xWorkbook
	pkg   xlsxPackage
	rels  map[string]string // relationship id → part
	types map[string]string // relationship type → part; id+"#type" → type
}

// openWorkbook reads the ZIP's directory, the workbook part (where the
// package's relationships say, else the usual place) and its
// relationships.
func openWorkbook(name string, ra io.ReaderAt, size int64) (*workbook, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, badWorkbook(name, "its ZIP structure cannot be read", err)
	}
	w := &workbook{pkg: xlsxPackage{}}
	for _, f := range zr.File {
		w.pkg[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}
	wbPath := "xl/workbook.xml"
	if _, byType, err := w.pkg.rels(""); err == nil {
		if t, ok := byType["officeDocument"]; ok {
			wbPath = t
		}
	}
	found, err := w.pkg.unmarshal(wbPath, &w.xWorkbook)
	if err != nil {
		return nil, badWorkbook(name, "xl/workbook.xml cannot be read", err)
	}
	if !found {
		return nil, badWorkbook(name, "it has no workbook part (xl/workbook.xml)", nil)
	}
	if w.rels, w.types, err = w.pkg.rels(wbPath); err != nil {
		return nil, badWorkbook(name, "the workbook's relationships cannot be read", err)
	}
	return w, nil
}

// pickSheet gives the index of the sheet to read: want by its name (as
// written, else ignoring case and surrounding spaces) or its 1-based
// position; without want, the first visible worksheet. sheets are the
// names, for the error.
func (w *workbook) pickSheet(name, want string, sheets []string) (int, error) {
	if want == "" {
		for i, s := range w.Sheets {
			if (s.State == "" || s.State == "visible") && w.types[s.RID+"#type"] == "worksheet" {
				return i, nil
			}
		}
		return -1, fmt.Errorf("%s: %w: the workbook has no visible worksheet (sheets: %s)", name, ErrNoSheet, quoteList(sheets))
	}
	for i, s := range w.Sheets {
		if s.Name == want {
			return i, nil
		}
	}
	for i, s := range w.Sheets {
		if strings.EqualFold(strings.TrimSpace(s.Name), want) {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(w.Sheets) {
		return n - 1, nil
	}
	return -1, fmt.Errorf("%s: %w: there is no sheet %q; the workbook has %s (a name or a number from 1 to %d)",
		name, ErrNoSheet, want, quoteList(sheets), len(w.Sheets))
}

// sheetPart is the part of sheet i, which must be a worksheet.
func (w *workbook) sheetPart(name string, i int) (*zip.File, error) {
	sheet := w.Sheets[i]
	if t := w.types[sheet.RID+"#type"]; t != "worksheet" {
		what := "not a worksheet"
		if t == "chartsheet" {
			what = "a chart, not a table"
		}
		return nil, fmt.Errorf("%s: %w: sheet %q is %s", name, ErrNoSheet, sheet.Name, what)
	}
	f := w.pkg[strings.ToLower(w.rels[sheet.RID])]
	if f == nil {
		return nil, badWorkbook(name, fmt.Sprintf("the part of sheet %q (%s) is missing", sheet.Name, w.rels[sheet.RID]), nil)
	}
	return f, nil
}

// quoteList is names quoted and joined with commas.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
