package source

//go:generate go test -run "^(TestFixtures|TestGolden)$" -update .

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/source and the golden files")

const fixtureDir = "../testdata/source"

// csvFixtures are the CSV fixtures as UTF-8 text and the encoding they are
// written in. Line ends are as given.
var csvFixtures = []struct {
	name, text, encoding string
}{
	{"utf8.csv", "Név,Email,Város\nKovács Őrs,ors@example.hu,Győr\nSzűcs Ürmös,urmos@example.hu,Pécs\n", "utf-8"},
	{"utf8-bom.csv", "\uFEFFNév;Email;Város\r\nKovács Őrs;ors@example.hu;Győr\r\n", "utf-8"},
	// Excel's "Unicode text": UTF-16LE with BOM, tab-separated.
	{"utf16le-bom.csv", "\uFEFFNév\tEmail\tMegjegyzés\r\nŐri Űrsula\tursula@example.hu\t\"idézőjel \"\"benne\"\"\"\r\n", "utf-16le"},
	{"utf16be-bom.csv", "\uFEFFNév|Város\nÁrvíztűrő Tükörfúrógép|Győr\n", "utf-16be"},
	// Hungarian Excel's "CSV (pontosvesszővel tagolt)": windows-1250, ';', CRLF.
	{"windows-1250.csv", "Név;Cég;Összeg;Megjegyzés\r\nŐsz Ödön;„Fűrész” Kft.;1 250 000;ár – 5%\r\nWürtz Éva;Szőlő Bt.;1,5;€ 20\r\n", "windows-1250"},
	{"iso-8859-2.csv", "Név;Város\nŐsz Ödön;Győr\nŠtefan Ťažký;Pozsony\n", "iso-8859-2"},
	{"comma.csv", "id,name,city\n1,\"Kiss, János\",Budapest\n2,Nagy Éva,Szeged\n", "utf-8"},
	{"semicolon.csv", "id;név;összeg\n1;Kiss János;1,5\n2;Nagy Éva;2,25\n", "utf-8"},
	{"tab.csv", "id\tname\tnote\n1\tKiss\ta, b; c\n2\tNagy\t\n", "utf-8"},
	{"pipe.csv", "id|name|note\n1|Kiss|a, b; c\n2|Nagy|x\n", "utf-8"},
	{"sep-line.csv", "sep=;\r\nNév;Összeg\r\nKiss, János;1,5\r\n", "windows-1250"},
	// A quoted cell over three lines (CRLF), then a ragged row: its line
	// number must count the cell's lines.
	{"multiline-crlf.csv", "Név;Cím;Megjegyzés\r\nKiss János;\"Fő utca 1.\r\n2. emelet\r\n3. ajtó\";ok\r\nNagy Éva;Kossuth tér 2.\r\nSzabó Pál;Petőfi u. 3.;x;extra\r\nTóth Ede;\"a \"\"b\"\" c\";\r\n", "utf-8"},
	{"ragged.csv", "a,b,c\n1,2,3\n\n4,5\n6,7,8,9\n10,11,12,,\n\"x\ny\",13,14\n15,16\n", "utf-8"},
	// A quote that is never closed on line 3, text after a closing quote on
	// line 5; the rows around them must survive.
	{"broken-quote.csv", "name;note\nKiss;ok\nNagy;\"never closed\nSzabó;fine\n\"Tóth\" Ede;x\nVarga;5\" monitor\n", "utf-8"},
	{"empty.csv", "", "utf-8"},
	{"blank-only.csv", "\r\n\r\n  \r\n", "utf-8"},
	{"header-only.csv", "Név;Email\r\n", "utf-8"},
	{"duplicate-header.csv", "Név;Email;Telefon;email\nKiss;a@b.hu;1;c@d.hu\n", "utf-8"},
	{"blank-rows.csv", "\n\nNév;Email\n\n;\n  ;  \nKiss;k@example.hu\n\n", "utf-8"},
	{"really-csv.xlsx", "Név;Email\nKiss;k@example.hu\n", "utf-8"},
	{"old-mac-cr.csv", "Név;Város\rKiss;Győr\rNagy;Pécs\r", "windows-1250"},
}

func TestFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fixtures")
	}
	if err := os.MkdirAll(filepath.Join(fixtureDir, "golden"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range csvFixtures {
		b := encodeText(t, f.text, f.encoding)
		writeFixture(t, f.name, b)
	}
	// Binary junk with a .csv name.
	writeFixture(t, "nul-junk.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"))
	// An old .xls (OLE2 compound file) header.
	writeFixture(t, "old.xls", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...))

	clients := clientsWorkbook(t)
	writeFixture(t, "clients.xlsx", clients)
	writeFixture(t, "really-xlsx.csv", clients)
	writeFixture(t, "date1904.xlsx", date1904Workbook(t))
	writeFixture(t, "hidden-first.xlsx", hiddenFirstWorkbook(t))
	writeFixture(t, "excel-like.xlsx", excelLikeWorkbook(t))
}

func writeFixture(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(fixtureDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func encodeText(t *testing.T, text, enc string) []byte {
	t.Helper()
	var e interface {
		Bytes([]byte) ([]byte, error)
	}
	switch enc {
	case "utf-8":
		return []byte(text)
	case "utf-16le":
		e = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder()
	case "utf-16be":
		e = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder()
	case "windows-1250":
		e = charmap.Windows1250.NewEncoder()
	case "iso-8859-2":
		e = charmap.ISO8859_2.NewEncoder()
	default:
		t.Fatalf("encoding %s", enc)
	}
	b, err := e.Bytes([]byte(text))
	if err != nil {
		t.Fatalf("encode %q as %s: %v", text, enc, err)
	}
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func saveBook(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	must(t, err)
	return buf.Bytes()
}

// clientsWorkbook is a workbook as an office user makes it: a title row
// merged across the table, a blank row, the header in row 3, a company
// merged over the rows of its two contacts, dates, big numbers, booleans,
// a blank row inside the data, a value outside the table; and a second
// sheet.
func clientsWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	const s = "Ügyfelek"
	must(t, f.SetSheetName("Sheet1", s))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	huDate := "yyyy\\.mm\\.dd\\."
	huDateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &huDate})
	must(t, err)
	money, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	must(t, err)

	must(t, f.SetCellValue(s, "A1", "Ügyféllista – 2024. március"))
	must(t, f.MergeCell(s, "A1", "H1"))
	must(t, f.SetSheetRow(s, "A3", &[]any{"Név", "Cég", "Email", "Születésnap", "Árbevétel", "Azonosító", "Aktív", "Megjegyzés"}))
	rows := [][]any{
		{"Kovács Őrs", "Példa Kft.", "ors@example.hu", time.Date(1985, 3, 15, 0, 0, 0, 0, time.UTC), 1250000, int64(36201234567), true, "első"},
		{"Szűcs Ürmös", nil, "urmos@example.hu", time.Date(1990, 12, 1, 0, 0, 0, 0, time.UTC), 0.1 + 0.2, int64(36209876543), false, nil},
		{"Nagy Éva", "Minta Bt.", nil, nil, -42.5, int64(1), true, "sor\nkettő"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		must(t, f.SetSheetRow(s, cell, &r))
	}
	must(t, f.MergeCell(s, "B4", "B5"))
	must(t, f.SetCellStyle(s, "D4", "D6", date))
	must(t, f.SetCellStyle(s, "D5", "D5", huDateStyle))
	must(t, f.SetCellStyle(s, "E4", "E6", money))
	// Row 7 blank; row 8 has a value right of the table (column J).
	must(t, f.SetSheetRow(s, "A8", &[]any{"Tóth Ede", "Tóth és Tsa", "ede@example.hu"}))
	must(t, f.SetCellValue(s, "J8", "összesen?"))
	// Row 9: a formula with a cached value written by excelize.
	must(t, f.SetCellValue(s, "A9", "Varga Vera"))
	must(t, f.SetCellFormula(s, "E9", "E4*2"))

	_, err = f.NewSheet("Munka2")
	must(t, err)
	must(t, f.SetSheetRow("Munka2", "A1", &[]any{"Kód", "Érték"}))
	must(t, f.SetSheetRow("Munka2", "A2", &[]any{"X1", 10}))
	return saveBook(t, f)
}

func date1904Workbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	must(t, err)
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Esemény", "Időpont"}))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"Alapítás", time.Date(2024, 3, 15, 14, 30, 0, 0, time.UTC)}))
	must(t, f.SetSheetRow("Sheet1", "A3", &[]any{"Régi", time.Date(1905, 1, 2, 0, 0, 0, 0, time.UTC)}))
	must(t, f.SetCellStyle("Sheet1", "B2", "B3", date))
	return saveBook(t, f)
}

func hiddenFirstWorkbook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetSheetName("Sheet1", "Listák"))
	must(t, f.SetSheetRow("Listák", "A1", &[]any{"Lista"}))
	_, err := f.NewSheet("Adatok")
	must(t, err)
	must(t, f.SetSheetRow("Adatok", "A1", &[]any{"Név"}))
	must(t, f.SetSheetRow("Adatok", "A2", &[]any{"Kiss"}))
	f.SetActiveSheet(1)
	must(t, f.SetSheetVisible("Listák", false))
	return saveBook(t, f)
}

// excelLikeWorkbook is written part by part, the way Excel writes what
// excelize does not: error values, cached formula results, shared strings
// with rich text and phonetic runs, an ISO date cell, cells without a
// reference, _x000D_ escapes.
func excelLikeWorkbook(t *testing.T) []byte {
	b, err := buildWorkbook(excelLikeParts(), zip.Deflate)
	must(t, err)
	return b
}

type xlsxPart struct{ name, body string }

func excelLikeParts() []xlsxPart {
	return []xlsxPart{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="Munka1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`},
		// xf 0 General, 1 yyyy.mm.dd (custom 164), 2 [h]:mm (elapsed), 3 h:mm (20), 4 "0 ""db"""
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\.mm\.dd\.;@"/><numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" formatCode="0&quot; db&quot;"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" xfId="0"/><xf numFmtId="164" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" xfId="0" applyNumberFormat="1"/><xf numFmtId="20" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9"><si><t>Név</t></si><si><t>Érték</t></si><si><t>Megjegyzés</t></si><si><r><rPr><b/></rPr><t>Kovács</t></r><r><t xml:space="preserve"> Őrs</t></r><rPh sb="0" eb="1"><t>コ</t></rPh></si><si><t>sor1_x000D_
sor2</t></si><si><t xml:space="preserve">  szóközök  </t></si><si><t>36201234567</t></si><si><t>#N/A</t></si><si><t>Típus</t></si></sst>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D12"/><sheetData>` +
			`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>8</v></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>1250000</v></c><c r="C2" t="s"><v>4</v></c><c r="D2" t="inlineStr"><is><t>szám</t></is></c></row>` +
			`<row r="3"><c r="A3" t="inlineStr"><is><r><t>Nagy</t></r><r><t xml:space="preserve"> Éva</t></r></is></c><c r="B3"><v>3.6201234567E10</v></c><c r="C3" t="s"><v>6</v></c><c r="D3" t="str"><v>hosszú szám és szöveg</v></c></row>` +
			`<row r="4"><c r="A4" t="str"><f>"Szabó"&amp;" Pál"</f><v>Szabó Pál</v></c><c r="B4"><f>0.1+0.2</f><v>0.30000000000000004</v></c><c r="C4" t="s"><v>5</v></c><c r="D4" t="b"><f>B4&gt;0</f><v>1</v></c></row>` +
			`<row r="5"><c r="A5" t="s"><v>7</v></c><c r="B5" t="e"><f>VLOOKUP(A5,X:Y,2,0)</f><v>#N/A</v></c><c r="C5" t="e"><v>#DIV/0!</v></c><c r="D5" t="e"><f>#REF!+1</f><v>#REF!</v></c></row>` +
			`<row r="6"><c r="A6" t="inlineStr"><is><t>Dátumok</t></is></c><c r="B6" s="1"><v>45366</v></c><c r="C6" t="d"><v>2024-03-15T14:30:00</v></c><c r="D6" s="3"><v>0.5625</v></c></row>` +
			`<row r="7"><c t="inlineStr"><is><t>ref nélkül</t></is></c><c><v>7</v></c><c/><c t="b"><v>0</v></c></row>` +
			`<row r="8"><c r="A8" t="inlineStr"><is><t>Eltelt idő</t></is></c><c r="B8" s="2"><v>1.5</v></c><c r="C8" s="4"><v>12</v></c><c r="D8" s="1"/></row>` +
			`<row r="9" spans="1:4" ht="20" customHeight="1"/>` +
			`<row r="10"><c r="A10" t="inlineStr"><is><t>Képlet érték nélkül</t></is></c><c r="B10"><f>SUM(B2:B3)</f></c><c r="C10" t="str"><f>A1&amp;""</f><v></v></c></row>` +
			`<row r="12"><c r="A12" t="inlineStr"><is><t>Nagy szám</t></is></c><c r="B12"><v>1.2345678901234567E+19</v></c><c r="C12"><v>-0</v></c><c r="D12"><v>1E-7</v></c></row>` +
			`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`},
	}
}

// buildWorkbook zips the parts into a workbook.
func buildWorkbook(parts []xlsxPart, method uint16) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(strings.TrimSpace(p.body))); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
