package source

// The XLSX package: telling a workbook from other ZIP files, and reading
// the small XML parts (workbook, relationships, styles) that say where the
// worksheets are.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
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
