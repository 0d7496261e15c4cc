package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Location is where a row came from. It is carried by every row and every
// row error so that each later message (mapping, validation, the API's
// answer) can name the place in the user's file.
type Location struct {
	File  string // the path as given to Open
	Sheet string // XLSX: the sheet's name; empty for CSV
	// Line is, for CSV, the physical line (1-based) on which the record
	// starts: a record with a multi-line quoted cell still has the line of
	// its first character, and blank lines are counted. For XLSX it is the
	// sheet's row number, as Excel shows it.
	Line int
}

// String gives "clients.csv:12" or "clients.xlsx[Ügyfelek]:7".
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	if l.Sheet != "" {
		b.WriteByte('[')
		b.WriteString(l.Sheet)
		b.WriteByte(']')
	}
	if l.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(l.Line))
	}
	return b.String()
}

// Kind is the type of a cell's value.
type Kind int

// The kinds of cell. CSV cells are String or Empty: typing CSV text is the
// mapping's job. XLSX cells carry the type the workbook stores.
const (
	Empty  Kind = iota // no value (an empty CSV cell, a blank XLSX cell)
	String             // text
	Number             // a number; Cell.Number holds it
	Date               // a number formatted as a date or time, or an ISO date cell; Cell.Time holds it
	Bool               // TRUE or FALSE; Cell.Bool holds it
	Error              // an error value such as #N/A, or a cell that could not be read; Cell.Err says what
)

var kindNames = [...]string{"empty", "string", "number", "date", "bool", "error"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is one value of a row.
type Cell struct {
	// Raw is the value as text. CSV: the cell's text exactly as in the file
	// (decoded to UTF-8, quotes removed, line breaks inside the cell as
	// "\n", and the apostrophe this program's CSV writers put in front of
	// a formula-like value taken off: see csvsafe.Restore). XLSX: the value without the cell's number format, the way a
	// migration wants it: text as is; numbers in plain decimal with at most
	// 15 significant digits, as Excel shows them (1250000, 36201234567, 0.3;
	// never 1.25E+06 or 1250000.0); dates as "2006-01-02", "2006-01-02
	// 15:04:05" or, for a time of day alone, "15:04:05"; booleans as TRUE or
	// FALSE; error values as Excel writes them (#N/A).
	Raw    string
	Kind   Kind
	Number float64   // Number and Date: the number as stored (for a date, Excel's serial day number)
	Time   time.Time // Date: the date and time, in UTC (a workbook has no time zone)
	Bool   bool      // Bool: the value
	// Err is set for Kind Error: a *RowError naming the file, sheet, row
	// and column, and saying what is wrong (for example "the cell holds the
	// error #N/A"). A Cell with an error does not make the row an error:
	// only the cells a mapping uses matter, and the mapping decides.
	Err error
}

// Row is one data row of the source.
type Row struct {
	Loc Location
	// Cells has one Cell per column of Header(), in the same order. The
	// only exception is a CSV row returned with a *RowError for having more
	// or fewer cells than the header: then Cells holds the cells as read.
	Cells []Cell
}

// Reader reads rows one at a time; memory does not grow with the size of
// the file. A Reader is not safe for concurrent use.
type Reader interface {
	// Header gives the column names: the header row's cells, trimmed of
	// surrounding spaces. A column without a name is "". Names are unique
	// (ignoring case); Open refuses a file where they are not.
	Header() []string
	// Next gives the next data row. It returns io.EOF after the last row.
	// A problem with one row is a *RowError (use errors.As): Row.Loc is
	// set, Row.Cells holds what could be read, and the next call goes on
	// with the following row. Any other error is fatal (the file cannot
	// be read on, or ctx is done).
	Next(ctx context.Context) (Row, error)
	// Detected says how the file is being read, for messages such as
	// "read as windows-1250, ';'-separated".
	Detected() Detected
	Close() error
}

// Refiller is a Reader that can read the next row into the memory of
// cells a caller is done with (a CSV reader can): for a flow that reads
// millions of rows and keeps none of them past the next read into the
// same cells. The row's Cells use cells' memory when it has room.
type Refiller interface {
	NextInto(ctx context.Context, cells []Cell) (Row, error)
}

// Options tune Open. The zero value detects everything.
type Options struct {
	// Format is "csv" or "xlsx"; "" takes it from the file name's extension
	// (.xlsx, .xlsm → xlsx; anything else → csv, or xlsx when the content
	// is a workbook). Either way the content is checked: a workbook named
	// .csv or a text file named .xlsx is refused with an error that says
	// what the file really is.
	Format string
	// Encoding overrides the CSV encoding detection: "utf-8", "utf-16"
	// (byte order from the BOM, else little-endian), "utf-16le",
	// "utf-16be", "windows-1250" (also "cp1250"), "iso-8859-2" ("latin2"),
	// "windows-1252", "iso-8859-1" ("latin1"), or any WHATWG label.
	Encoding string
	// Delimiter overrides the CSV delimiter detection (and an Excel "sep="
	// line, which is still skipped). It cannot be '"', '\r' or '\n'.
	Delimiter rune
	// Sheet picks the XLSX sheet: its name (exact, else ignoring case) or
	// its 1-based position in the workbook's tab order, hidden sheets
	// included ("2"). Default: the first visible worksheet.
	Sheet string
	// HeaderRow is the 1-based row (XLSX) or physical line (CSV, counting
	// a "sep=" line) of the header; the rows above it (a title, notes) are
	// skipped. 0 finds it, skipping up to 5 title, date or note rows and
	// any blank rows above it (see the package documentation, # Header).
	HeaderRow int
}

// Detected says how a file is being read.
type Detected struct {
	Format string // "csv" or "xlsx"

	Encoding  string // CSV: "utf-8", "utf-16le", "utf-16be", "windows-1250", "iso-8859-2", ...
	BOM       bool   // CSV: the file starts with a byte order mark
	Guessed   bool   // CSV: the encoding was guessed (no BOM, no Options.Encoding)
	Delimiter rune   // CSV
	SepLine   bool   // CSV: the file starts with Excel's "sep=" line, which was honoured and skipped

	Sheet    string   // XLSX: the sheet being read
	Sheets   []string // XLSX: every sheet of the workbook, in tab order
	Date1904 bool     // XLSX: the workbook uses the 1904 date system (old Mac Excel)

	HeaderRow int // the header's line (CSV) or row (XLSX)

	// Lines is about how many lines a CSV file has, from its size and the
	// lines of its first 64 KiB (exact for a smaller file); 0 when not
	// known. A hint for sizing what grows with the rows, not a count.
	Lines int
}

// String gives "read as windows-1250, ';'-separated, header on line 1" or
// "read sheet "Ügyfelek", header in row 3": which sheet and which header
// were read is the first thing to know when a column is not found.
func (d Detected) String() string {
	var b strings.Builder
	switch d.Format {
	case "xlsx":
		fmt.Fprintf(&b, "read sheet %q", d.Sheet)
		if d.Date1904 {
			b.WriteString(" (1904 date system)")
		}
	default:
		b.WriteString("read as ")
		b.WriteString(d.Encoding)
		if d.Guessed {
			b.WriteString(" (guessed)")
		}
		b.WriteString(", ")
		b.WriteString(delimName(d.Delimiter))
		b.WriteString("-separated")
		if d.SepLine {
			b.WriteString(" (from the sep= line)")
		}
	}
	if d.HeaderRow > 0 {
		if d.Format == "xlsx" {
			fmt.Fprintf(&b, ", header in row %d", d.HeaderRow)
		} else {
			fmt.Fprintf(&b, ", header on line %d", d.HeaderRow)
		}
	}
	return b.String()
}

func delimName(r rune) string {
	switch r {
	case '\t':
		return "tab"
	case 0:
		return "?"
	}
	return "'" + string(r) + "'"
}

// Errors that Open and Next wrap; test for them with errors.Is. The
// messages around them name the file, the line or row and the column.
var (
	ErrEmpty           = errors.New("file is empty")
	ErrNotText         = errors.New("not a text/CSV file")
	ErrWrongFormat     = errors.New("wrong file type")
	ErrDuplicateHeader = errors.New("duplicate column name")
	ErrNoSheet         = errors.New("no such sheet")
	ErrBadWorkbook     = errors.New("the workbook cannot be read")
	ErrMixedEncoding   = errors.New("mixed encodings")
	ErrTooBig          = errors.New("the workbook is too big to read")

	ErrTooManyCells = errors.New("more cells than the header has columns")
	ErrTooFewCells  = errors.New("fewer cells than the header has columns")
	ErrQuote        = errors.New("broken quotes")
	ErrBadText      = errors.New("text is not valid in the file's encoding")
	ErrTooLong      = errors.New("row is too long")
	ErrCellValue    = errors.New("the cell holds an error value")
)

// RowError is a problem with one row or one cell. Reading goes on with the
// next row; the row ends in the error outputs.
type RowError struct {
	Loc Location
	// Col is the 1-based column of the problem, 0 when it is the whole row.
	Col int
	// Name is the header name of that column, when it has one.
	Name string
	Err  error
}

// Error gives, for example,
//
//	clients.csv:12: the row has 5 cells but the header has 4 columns ...
//	clients.xlsx[Ügyfelek]:7: column C "Email": the cell holds the error #N/A ...
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.Loc.String())
	b.WriteString(": ")
	if e.Col > 0 {
		b.WriteString("column ")
		b.WriteString(e.ColumnRef())
		if e.Name != "" {
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(e.Name))
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *RowError) Unwrap() error { return e.Err }

// ColumnRef gives the column as the user sees it: a letter for a sheet
// ("C"), a 1-based number for CSV ("3"); "" when there is no column.
func (e *RowError) ColumnRef() string {
	if e.Col <= 0 {
		return ""
	}
	if e.Loc.Sheet != "" {
		return columnName(e.Col)
	}
	return strconv.Itoa(e.Col)
}

// detailError is a sentinel with a message made for the user: Error gives
// the message, errors.Is finds the sentinel.
type detailError struct {
	kind error
	msg  string
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

func detail(kind error, format string, args ...any) error {
	return &detailError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Open opens a CSV or XLSX file for streaming. The format comes from
// Options.Format or the extension and is checked against the content (see
// Options.Format). Errors about the whole file (empty, binary, wrong type,
// duplicate column names, no such sheet) name the file and wrap one of the
// Err variables.
func Open(path string, opts Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a folder, not a file", path)
	}
	r, err := open(path, f, st.Size(), f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// open is Open over any io.ReaderAt, so tests and fuzzers need no files.
// closer (may be nil) is closed by the Reader's Close.
func open(name string, ra io.ReaderAt, size int64, closer io.Closer, opts Options) (Reader, error) {
	if opts.HeaderRow < 0 {
		return nil, fmt.Errorf("%s: header row %d: must be 1 or more (0 finds the first non-empty row)", name, opts.HeaderRow)
	}
	format, err := formatOf(name, opts.Format)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 512)
	n, err := ra.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	head = head[:n]
	content := sniffContent(head, ra, size)
	if format == "" { // unknown extension: go by the content
		format = "csv"
		if content == contentXLSX {
			format = "xlsx"
		}
	}
	if format == "csv" && content != contentText {
		return nil, wrongFormat(name, content, "a CSV file")
	}
	if format == "xlsx" && content != contentXLSX {
		if size == 0 {
			return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
		}
		return nil, wrongFormat(name, content, "an .xlsx workbook")
	}
	if format == "xlsx" {
		return openXLSX(name, ra, size, closer, opts)
	}
	return openCSV(name, ra, size, closer, opts)
}

func formatOf(name, opt string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(opt)) {
	case "csv", "tsv", "txt", "text":
		return "csv", nil
	case "xlsx", "xlsm", "excel":
		return "xlsx", nil
	case "":
	default:
		return "", fmt.Errorf("%s: unknown format %q (want csv or xlsx)", name, opt)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xltx", ".xltm", ".xls":
		return "xlsx", nil
	case ".csv", ".tsv", ".txt", ".tab":
		return "csv", nil
	}
	return "", nil
}

type contentKind int

const (
	contentText contentKind = iota
	contentXLSX
	contentODS
	contentZIP
	contentOLE
	contentHTML
	contentPDF
)

var contentNames = map[contentKind]string{
	contentText: "a text (CSV) file",
	contentXLSX: "an Excel workbook (.xlsx)",
	contentODS:  "an OpenDocument spreadsheet (.ods)",
	contentZIP:  "a ZIP archive",
	contentOLE:  "an old-style Excel 97-2003 workbook (.xls), or a password-protected workbook",
	contentHTML: "a web page (HTML)",
	contentPDF:  "a PDF document",
}

// sniffContent tells what the first bytes say the file is. Text and binary
// junk it cannot name both count as text here: the CSV reader gives the
// precise "not a text/CSV file" error.
func sniffContent(head []byte, ra io.ReaderAt, size int64) contentKind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return zipKind(ra, size)
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return contentOLE
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return contentPDF
	}
	t := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n"))
	for _, p := range []string{"<!doctype html", "<html", "<table"} {
		if bytes.HasPrefix(t, []byte(p)) {
			return contentHTML
		}
	}
	return contentText
}

func wrongFormat(name string, content contentKind, want string) error {
	what := contentNames[content]
	hint := ""
	switch content {
	case contentXLSX:
		hint = "; rename it to .xlsx (or say the format is xlsx)"
	case contentText:
		hint = "; rename it to .csv (or say the format is csv)"
	case contentOLE:
		hint = "; open it in Excel and save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\""
	case contentODS, contentHTML, contentPDF, contentZIP:
		hint = "; open it in a spreadsheet program and save it as .xlsx or CSV"
	}
	return fmt.Errorf("%s: %w: this is %s, not %s%s", name, ErrWrongFormat, what, want, hint)
}
