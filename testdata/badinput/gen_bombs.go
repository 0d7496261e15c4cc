//go:build ignore

// gen_bombs writes the XLSX bombs of the bad-input corpus: workbooks of a
// few KB that decompress to tens of MB, each aimed at one bound of the
// XLSX reader (see docs/reliability.md). Run it from this folder:
//
//	go run gen_bombs.go
package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
)

const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

var header = []string{"Vezetéknév", "Keresztnév", "E-mail", "Telefon", "Születési dátum", "Kedvenc étel", "Vásárlások", "Kód"}

func inline(ref, text string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, text)
}

// rows12 is the header and one good row.
func rows12() string {
	var b strings.Builder
	b.WriteString(`<row r="1">`)
	for i, h := range header {
		b.WriteString(inline(fmt.Sprintf("%c1", 'A'+i), h))
	}
	b.WriteString(`</row><row r="2">`)
	for i, v := range []string{"Kiss", "János", "kiss.janos@pelda.hu", "06 30 123 4567", "1978.05.17.", "Alma", "3", "K-1"} {
		b.WriteString(inline(fmt.Sprintf("%c2", 'A'+i), v))
	}
	b.WriteString(`</row>`)
	return b.String()
}

type repeat struct {
	unit string
	n    int
}

// part is a part's body: strings and repeats, streamed into the ZIP.
type part []any

func write(name string, sheet, sst part) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, body part) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			log.Fatal(err)
		}
		for _, p := range body {
			switch p := p.(type) {
			case string:
				io.WriteString(w, p)
			case repeat:
				chunk := strings.Repeat(p.unit, max(1, 64<<10/len(p.unit)))
				per := len(chunk) / len(p.unit)
				for left := p.n; left > 0; left -= per {
					if left < per {
						chunk = strings.Repeat(p.unit, left)
					}
					io.WriteString(w, chunk)
				}
			}
		}
	}
	ct := `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	add("[Content_Types].xml", part{head, ct, `</Types>`})
	add("_rels/.rels", part{head, `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`})
	add("xl/workbook.xml", part{head, `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ügyfelek" sheetId="1" r:id="rId1"/></sheets></workbook>`})
	add("xl/_rels/workbook.xml.rels", part{head, rels, `</Relationships>`})
	add("xl/worksheets/sheet1.xml", append(part{head, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`}, append(sheet, `</sheetData></worksheet>`)...))
	if sst != nil {
		add("xl/sharedStrings.xml", append(part{head, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`}, append(sst, `</sst>`)...))
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes\n", name, buf.Len())
}

func row3(bomb ...any) part {
	p := part{rows12(), `<row r="3">`, inline("A3", "Nagy"), inline("B3", "Éva"), inline("C3", "nagy.eva@pelda.hu")}
	p = append(p, bomb...)
	return append(p, `</row>`)
}

func main() {
	// Cells, a shared string and an attribute just over the 1 MiB bound
	// (2 MiB, a few KB of file): the bad-input corpus runs them through
	// 'mapping check' and 'import', the race detector included.
	write("cell-too-long.xlsx", row3(`<c r="D3" t="inlineStr"><is><t>`, repeat{"A", 2 << 20}, `</t></is></c>`), nil)
	write("value-too-long.xlsx", row3(`<c r="D3"><v>`, repeat{"1", 2 << 20}, `</v></c>`), nil)
	write("shared-string-too-long.xlsx", row3(`<c r="D3" t="s"><v>1</v></c>`),
		part{`<si><t>06 30 111 2222</t></si><si><t>`, repeat{"B", 2 << 20}, `</t></si>`})
	write("attribute-too-long.xlsx", row3(`<c r="D3" x="`, repeat{"C", 2 << 20}, `"><v>1</v></c>`), nil)
	// A row numbered past Excel's last row.
	write("too-many-rows.xlsx", part{rows12(), `<row r="1048577">`, inline("A1048577", "x"), `</row>`}, nil)

	// The bombs proper, for the memory test (cmd/minicrm-bulk/bombs_test.go,
	// which runs the built command): one cell of 64 MiB; 80 MiB of shared
	// strings, more than the table's 64 MiB budget.
	write("cell-bomb.xlsx", row3(`<c r="D3" t="inlineStr"><is><t>`, repeat{"A", 64 << 20}, `</t></is></c>`), nil)
	write("shared-strings-bomb.xlsx", row3(`<c r="D3" t="s"><v>0</v></c>`),
		part{repeat{"<si><t>" + strings.Repeat("x", 1<<20-100) + "</t></si>", 80}})
}
