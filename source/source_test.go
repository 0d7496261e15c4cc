package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// readAll reads a file to the end: the rows and the row errors in order.
func readAll(t *testing.T, r Reader) (rows []Row, errs []*RowError) {
	t.Helper()
	ctx := t.Context()
	for {
		row, err := r.Next(ctx)
		if err == io.EOF {
			return rows, errs
		}
		var re *RowError
		if errors.As(err, &re) {
			if row.Loc != re.Loc {
				t.Errorf("row error %v: row.Loc %v differs", re, row.Loc)
			}
			errs = append(errs, re)
			continue
		}
		if err != nil {
			t.Fatalf("fatal error: %v", err)
		}
		if len(row.Cells) != len(r.Header()) {
			t.Errorf("%v: %d cells for %d columns", row.Loc, len(row.Cells), len(r.Header()))
		}
		rows = append(rows, row)
	}
}

// dump renders what a reader gives, for the golden files: one line per
// row or error, cells as kind:value.
func dump(t *testing.T, path string, opts Options) string {
	t.Helper()
	var b strings.Builder
	r, err := Open(path, opts)
	if err != nil {
		fmt.Fprintf(&b, "open error: %v\n", err)
		return b.String()
	}
	defer r.Close()
	fmt.Fprintf(&b, "detected: %s\n", r.Detected())
	fmt.Fprintf(&b, "header: %s\n", quoteAll(r.Header()))
	ctx := t.Context()
	for {
		row, err := r.Next(ctx)
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			fmt.Fprintf(&b, "ERROR %v\n", err)
			continue
		}
		if err != nil {
			fmt.Fprintf(&b, "FATAL %v\n", err)
			break
		}
		fmt.Fprintf(&b, "%v:", row.Loc)
		for _, c := range row.Cells {
			b.WriteString(" | ")
			b.WriteString(cellString(c))
		}
		b.WriteString("\n")
		for _, c := range row.Cells {
			if c.Err != nil {
				fmt.Fprintf(&b, "  cell error: %v\n", c.Err)
			}
		}
	}
	return b.String()
}

func cellString(c Cell) string {
	switch c.Kind {
	case Empty:
		return "-"
	case String:
		return strconv.Quote(c.Raw)
	default:
		return c.Kind.String() + ":" + c.Raw
	}
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(q, " ") + "]"
}

// TestGolden reads every fixture and compares the dump with
// testdata/source/golden/<file>.txt (rewritten by -update).
func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		opts Options
		tag  string // golden name suffix when opts differ
	}{
		{file: "utf8.csv"},
		{file: "utf8-bom.csv"},
		{file: "utf16le-bom.csv"},
		{file: "utf16be-bom.csv"},
		{file: "windows-1250.csv"},
		{file: "iso-8859-2.csv"},
		{file: "iso-8859-2.csv", opts: Options{Encoding: "iso-8859-2"}, tag: "as-8859-2"},
		{file: "comma.csv"},
		{file: "semicolon.csv"},
		{file: "tab.csv"},
		{file: "pipe.csv"},
		{file: "sep-line.csv"},
		{file: "multiline-crlf.csv"},
		{file: "ragged.csv"},
		{file: "broken-quote.csv"},
		{file: "empty.csv"},
		{file: "blank-only.csv"},
		{file: "header-only.csv"},
		{file: "duplicate-header.csv"},
		{file: "blank-rows.csv"},
		{file: "nul-junk.csv"},
		{file: "really-xlsx.csv"},
		{file: "really-csv.xlsx"},
		{file: "old.xls"},
		{file: "old-mac-cr.csv"},
		{file: "clients.xlsx"},
		{file: "clients.xlsx", opts: Options{HeaderRow: 3}, tag: "header3"},
		{file: "clients.xlsx", opts: Options{Sheet: "2"}, tag: "sheet2"},
		{file: "clients.xlsx", opts: Options{Sheet: "munka2"}, tag: "sheet-name"},
		{file: "clients.xlsx", opts: Options{Sheet: "Nincs"}, tag: "no-sheet"},
		{file: "date1904.xlsx"},
		{file: "hidden-first.xlsx"},
		{file: "hidden-first.xlsx", opts: Options{Sheet: "1"}, tag: "sheet1"},
		{file: "excel-like.xlsx"},
	}
	for _, tc := range cases {
		name := tc.file
		if tc.tag != "" {
			name += "." + tc.tag
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := dump(t, filepath.Join(fixtureDir, tc.file), tc.opts)
			golden := filepath.Join(fixtureDir, "golden", name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./source -update to write the golden files)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (go test ./source -update rewrites it; review with git diff)\n--- got:\n%s--- want:\n%s", tc.file, golden, got, want)
			}
		})
	}
}

func TestCSV(t *testing.T) {
	type rowWant struct {
		line  int
		cells []string
	}
	type errWant struct {
		line, col int
		is        error
	}
	cases := []struct {
		file      string
		opts      Options
		encoding  string
		guessed   bool
		delim     rune
		header    []string
		rows      []rowWant
		errs      []errWant
		headerRow int
	}{
		{file: "utf8.csv", encoding: "utf-8", guessed: true, delim: ',', header: []string{"Név", "Email", "Város"},
			rows: []rowWant{{2, []string{"Kovács Őrs", "ors@example.hu", "Győr"}}, {3, []string{"Szűcs Ürmös", "urmos@example.hu", "Pécs"}}}},
		{file: "utf8-bom.csv", encoding: "utf-8", delim: ';', header: []string{"Név", "Email", "Város"},
			rows: []rowWant{{2, []string{"Kovács Őrs", "ors@example.hu", "Győr"}}}},
		{file: "utf16le-bom.csv", encoding: "utf-16le", delim: '\t', header: []string{"Név", "Email", "Megjegyzés"},
			rows: []rowWant{{2, []string{"Őri Űrsula", "ursula@example.hu", `idézőjel "benne"`}}}},
		{file: "utf16be-bom.csv", encoding: "utf-16be", delim: '|',
			rows: []rowWant{{2, []string{"Árvíztűrő Tükörfúrógép", "Győr"}}}},
		{file: "windows-1250.csv", encoding: "windows-1250", guessed: true, delim: ';', header: []string{"Név", "Cég", "Összeg", "Megjegyzés"},
			rows: []rowWant{{2, []string{"Ősz Ödön", "„Fűrész” Kft.", "1 250 000", "ár – 5%"}}, {3, []string{"Würtz Éva", "Szőlő Bt.", "1,5", "€ 20"}}}},
		// Guessed as windows-1250: ő/ű are right, the Slovak letters are not.
		{file: "iso-8859-2.csv", encoding: "windows-1250", guessed: true, delim: ';',
			rows: []rowWant{{2, []string{"Ősz Ödön", "Győr"}}, {3, []string{"©tefan «aľký", "Pozsony"}}}},
		{file: "iso-8859-2.csv", opts: Options{Encoding: "latin2"}, encoding: "iso-8859-2", delim: ';',
			rows: []rowWant{{2, []string{"Ősz Ödön", "Győr"}}, {3, []string{"Štefan Ťažký", "Pozsony"}}}},
		{file: "comma.csv", delim: ',', encoding: "utf-8", guessed: true, rows: []rowWant{{2, []string{"1", "Kiss, János", "Budapest"}}, {3, []string{"2", "Nagy Éva", "Szeged"}}}},
		{file: "semicolon.csv", delim: ';', encoding: "utf-8", guessed: true, rows: []rowWant{{2, []string{"1", "Kiss János", "1,5"}}, {3, []string{"2", "Nagy Éva", "2,25"}}}},
		{file: "tab.csv", delim: '\t', encoding: "utf-8", guessed: true, rows: []rowWant{{2, []string{"1", "Kiss", "a, b; c"}}, {3, []string{"2", "Nagy", ""}}}},
		{file: "pipe.csv", delim: '|', encoding: "utf-8", guessed: true, rows: []rowWant{{2, []string{"1", "Kiss", "a, b; c"}}, {3, []string{"2", "Nagy", "x"}}}},
		{file: "pipe.csv", opts: Options{Delimiter: ','}, delim: ',', encoding: "utf-8", guessed: true, header: []string{"id|name|note"},
			errs: []errWant{{2, 0, ErrTooManyCells}}, rows: []rowWant{{3, []string{"2|Nagy|x"}}}},
		{file: "sep-line.csv", delim: ';', encoding: "windows-1250", guessed: true, headerRow: 2, rows: []rowWant{{3, []string{"Kiss, János", "1,5"}}}},
		{file: "multiline-crlf.csv", delim: ';', encoding: "utf-8", guessed: true,
			rows: []rowWant{{2, []string{"Kiss János", "Fő utca 1.\n2. emelet\n3. ajtó", "ok"}}, {7, []string{"Tóth Ede", `a "b" c`, ""}}},
			errs: []errWant{{5, 0, ErrTooFewCells}, {6, 0, ErrTooManyCells}}},
		{file: "ragged.csv", delim: ',', encoding: "utf-8", guessed: true,
			rows: []rowWant{{2, []string{"1", "2", "3"}}, {6, []string{"10", "11", "12"}}, {7, []string{"x\ny", "13", "14"}}},
			errs: []errWant{{4, 0, ErrTooFewCells}, {5, 0, ErrTooManyCells}, {9, 0, ErrTooFewCells}}},
		{file: "broken-quote.csv", delim: ';', encoding: "utf-8", guessed: true,
			rows: []rowWant{{2, []string{"Kiss", "ok"}}, {4, []string{"Szabó", "fine"}}, {6, []string{"Varga", `5" monitor`}}},
			errs: []errWant{{3, 2, ErrQuote}, {5, 1, ErrQuote}}},
		{file: "header-only.csv", delim: ';', encoding: "utf-8", guessed: true, header: []string{"Név", "Email"}},
		{file: "blank-rows.csv", delim: ';', encoding: "utf-8", guessed: true, headerRow: 3, rows: []rowWant{{7, []string{"Kiss", "k@example.hu"}}}},
		{file: "old-mac-cr.csv", delim: ';', encoding: "windows-1250", guessed: true, rows: []rowWant{{2, []string{"Kiss", "Győr"}}, {3, []string{"Nagy", "Pécs"}}}},
		{file: "semicolon.csv", opts: Options{HeaderRow: 2}, delim: ';', encoding: "utf-8", guessed: true, headerRow: 2,
			header: []string{"1", "Kiss János", "1,5"}, rows: []rowWant{{3, []string{"2", "Nagy Éva", "2,25"}}}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s%+v", tc.file, tc.opts), func(t *testing.T) {
			t.Parallel()
			r, err := Open(filepath.Join(fixtureDir, tc.file), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			d := r.Detected()
			if d.Encoding != tc.encoding || d.Guessed != tc.guessed || d.Delimiter != tc.delim {
				t.Errorf("detected %+v, want encoding %s (guessed %v), delimiter %q", d, tc.encoding, tc.guessed, tc.delim)
			}
			if tc.headerRow == 0 {
				tc.headerRow = 1
			}
			if d.HeaderRow != tc.headerRow {
				t.Errorf("header row %d, want %d", d.HeaderRow, tc.headerRow)
			}
			if tc.header != nil && quoteAll(r.Header()) != quoteAll(tc.header) {
				t.Errorf("header %s, want %s", quoteAll(r.Header()), quoteAll(tc.header))
			}
			rows, errs := readAll(t, r)
			if len(rows) != len(tc.rows) {
				t.Errorf("%d rows, want %d", len(rows), len(tc.rows))
			}
			for i := range min(len(rows), len(tc.rows)) {
				var got []string
				for _, c := range rows[i].Cells {
					got = append(got, c.Raw)
					if (c.Raw == "") != (c.Kind == Empty) || (c.Kind != Empty && c.Kind != String) {
						t.Errorf("%v: cell %q has kind %v", rows[i].Loc, c.Raw, c.Kind)
					}
				}
				if rows[i].Loc.Line != tc.rows[i].line || quoteAll(got) != quoteAll(tc.rows[i].cells) {
					t.Errorf("row %d: line %d %s, want line %d %s", i, rows[i].Loc.Line, quoteAll(got), tc.rows[i].line, quoteAll(tc.rows[i].cells))
				}
				if rows[i].Loc.File != filepath.Join(fixtureDir, tc.file) {
					t.Errorf("row %d: file %q", i, rows[i].Loc.File)
				}
			}
			if len(errs) != len(tc.errs) {
				t.Errorf("%d row errors, want %d: %v", len(errs), len(tc.errs), errs)
			}
			for i := range min(len(errs), len(tc.errs)) {
				e, w := errs[i], tc.errs[i]
				if e.Loc.Line != w.line || e.Col != w.col || !errors.Is(e, w.is) {
					t.Errorf("row error %d: %v (line %d, col %d), want line %d, col %d, %v", i, e, e.Loc.Line, e.Col, w.line, w.col, w.is)
				}
				if !strings.HasPrefix(e.Error(), filepath.Join(fixtureDir, tc.file)+":"+strconv.Itoa(w.line)+": ") {
					t.Errorf("message %q does not start with the location", e)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct {
		file string
		opts Options
		is   error
		msg  string
	}{
		{file: "empty.csv", is: ErrEmpty, msg: "empty.csv: file is empty"},
		{file: "blank-only.csv", is: ErrEmpty, msg: "file is empty"},
		{file: "duplicate-header.csv", is: ErrDuplicateHeader, msg: `duplicate-header.csv:1: duplicate column name: columns 2 and 4 are both named "email"`},
		{file: "nul-junk.csv", is: ErrNotText, msg: "not a text/CSV file"},
		{file: "really-xlsx.csv", is: ErrWrongFormat, msg: "this is an Excel workbook (.xlsx), not a CSV file; rename it to .xlsx"},
		{file: "really-csv.xlsx", is: ErrWrongFormat, msg: "this is a text (CSV) file, not an .xlsx workbook; rename it to .csv"},
		{file: "old.xls", is: ErrWrongFormat, msg: "old-style Excel 97-2003 workbook (.xls)"},
		{file: "clients.xlsx", opts: Options{Sheet: "Nincs"}, is: ErrNoSheet, msg: `there is no sheet "Nincs"; the workbook has "Ügyfelek", "Munka2"`},
		{file: "clients.xlsx", opts: Options{Sheet: "3"}, is: ErrNoSheet},
		{file: "clients.xlsx", opts: Options{HeaderRow: 2}, is: ErrEmpty, msg: "clients.xlsx[Ügyfelek]:2: file is empty: the header should be in row 2, but that row is empty"},
		{file: "clients.xlsx", opts: Options{Format: "csv"}, is: ErrWrongFormat},
		{file: "utf8.csv", opts: Options{Encoding: "klingon"}, msg: `unknown encoding "klingon"`},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s%+v", tc.file, tc.opts), func(t *testing.T) {
			t.Parallel()
			r, err := Open(filepath.Join(fixtureDir, tc.file), tc.opts)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if !strings.Contains(err.Error(), tc.file) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestEncodingLateNonASCII: the first non-ASCII byte comes long after the
// first 64 KiB; the guess must still see it.
func TestEncodingLateNonASCII(t *testing.T) {
	var b strings.Builder
	b.WriteString("name;city\n")
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, "Kiss %d;Budapest\n", i)
	}
	b.WriteString("Ősz Ödön;Győr\n")
	for _, enc := range []string{"utf-8", "windows-1250"} {
		t.Run(enc, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "late.csv")
			if err := os.WriteFile(path, encodeText(t, b.String(), enc), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Detected().Encoding; got != enc {
				t.Errorf("encoding %s, want %s", got, enc)
			}
			rows, errs := readAll(t, r)
			last := rows[len(rows)-1]
			if last.Cells[0].Raw != "Ősz Ödön" || len(errs) != 0 {
				t.Errorf("last row %v, errors %v", last, errs)
			}
		})
	}
}

// TestUnclosedQuoteLimit: a quote never closed in a large file costs one
// row, not the rest of the file.
func TestUnclosedQuoteLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("a;b\n1;\"open\n")
	n := 0
	for b.Len() < 3<<20 {
		fmt.Fprintf(&b, "x%d;y\n", n)
		n++
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, errs := readAll(t, r)
	if len(errs) != 1 || errs[0].Loc.Line != 2 || !errors.Is(errs[0], ErrQuote) {
		t.Fatalf("errors %v", errs)
	}
	if len(rows) != n || rows[0].Loc.Line != 3 || rows[n-1].Loc.Line != n+2 {
		t.Errorf("%d rows (want %d), first %v, last %v", len(rows), n, rows[0].Loc, rows[n-1].Loc)
	}
}

func TestContextCanceled(t *testing.T) {
	r, err := Open(filepath.Join(fixtureDir, "utf8.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

func TestLocationString(t *testing.T) {
	for _, tc := range []struct {
		loc  Location
		want string
	}{
		{Location{File: "clients.csv", Line: 12}, "clients.csv:12"},
		{Location{File: "clients.xlsx", Sheet: "Ügyfelek", Line: 7}, "clients.xlsx[Ügyfelek]:7"},
		{Location{File: "clients.xlsx", Sheet: "Ügyfelek"}, "clients.xlsx[Ügyfelek]"},
	} {
		if got := tc.loc.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.loc, got, tc.want)
		}
	}
	e := &RowError{Loc: Location{File: "c.xlsx", Sheet: "S", Line: 7}, Col: 3, Name: "Email", Err: errors.New("boom")}
	if got, want := e.Error(), `c.xlsx[S]:7: column C "Email": boom`; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestCSVInMemory covers cases that need no fixture file.
func TestCSVInMemory(t *testing.T) {
	long := strings.Repeat("ascii;line\n", 7000) // more than the 64 KiB sniff window
	cases := []struct {
		name      string
		data      string
		opts      Options
		encoding  string
		delim     rune
		headerRow int
		rows      int
		errIs     []error
	}{
		{name: "mixed encodings", data: "a;b\nŐsz;x\n" + long + "\xF5r;y\n", encoding: "utf-8", delim: ';', rows: 7001, errIs: []error{ErrBadText}},
		{name: "NUL late in the file", data: "a;b\n" + long + "x\x00;y\n", encoding: "utf-8", delim: ';', rows: 7000, errIs: []error{ErrBadText}},
		{name: "utf-16le without BOM", data: string(encodeText(t, "név\tváros\nŐsz\tGyőr\n", "utf-16le")), encoding: "utf-16le", delim: '\t', rows: 1},
		{name: "delimiter option beats sep line", data: "sep=;\na|b;c\n1|2;3\n", opts: Options{Delimiter: '|'}, encoding: "utf-8", delim: '|', rows: 1},
		{name: "title lines above a CSV header are skipped", data: "Ügyfelek\n2024. március\n\na;b\n1;2\n", encoding: "utf-8", delim: ';', headerRow: 4, rows: 1},
		{name: "title with the delimiter in it", data: "Ügyfelek;2024\na;b;c\n1;2;3\n4;5;6\n", encoding: "utf-8", delim: ';', rows: 0, errIs: []error{ErrTooManyCells, ErrTooManyCells, ErrTooManyCells}},
		{name: "one column", data: "Email\na@b.hu\nc@d.hu\n", encoding: "utf-8", delim: ',', rows: 2},
		{name: "more one-cell lines than a title has", data: "h\n1\n2\n3\n4\n5\n6\na;b\nc;d\nc;d\nc;d\nc;d\nc;d\nc;d\nc;d\n", encoding: "utf-8", delim: ';', rows: 6, errIs: []error{ErrTooManyCells, ErrTooManyCells, ErrTooManyCells, ErrTooManyCells, ErrTooManyCells, ErrTooManyCells, ErrTooManyCells, ErrTooManyCells}},
		{name: "title line skipped with HeaderRow", data: "Ügyfelek\na;b\n1;2\n", opts: Options{HeaderRow: 2}, encoding: "utf-8", delim: ';', rows: 1},
		{name: "title line named as the header is the header", data: "Ügyfelek\na;b\n1;2\n", opts: Options{HeaderRow: 1}, encoding: "utf-8", delim: ';', headerRow: 1, rows: 0, errIs: []error{ErrTooManyCells, ErrTooManyCells}},
		{name: "no final newline", data: "a,b\n1,2", encoding: "utf-8", delim: ',', rows: 1},
		{name: "quoted header", data: "\"a;1\";b\n1;2\n", encoding: "utf-8", delim: ';', rows: 1},
		// A record's lines are checked whole, the values only when a line
		// fails: a bad byte on the second line of a quoted value counts.
		{name: "NUL in a quoted value's second line", data: "a;b\n" + long + "\"x\ny\x00\";z\n1;2\n", encoding: "utf-8", delim: ';', rows: 7001, errIs: []error{ErrBadText}},
		{name: "not UTF-8 in a quoted value's second line", data: "a;b\nŐsz;x\n" + long + "1;\"x\n\xF5\"\n1;2\n", encoding: "utf-8", delim: ';', rows: 7002, errIs: []error{ErrBadText}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := open("mem.csv", strings.NewReader(tc.data), int64(len(tc.data)), nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			d := r.Detected()
			if d.Encoding != tc.encoding || d.Delimiter != tc.delim {
				t.Errorf("detected %v, want %s and %q", d, tc.encoding, tc.delim)
			}
			if tc.headerRow != 0 && d.HeaderRow != tc.headerRow {
				t.Errorf("header on line %d, want %d", d.HeaderRow, tc.headerRow)
			}
			rows, errs := readAll(t, r)
			if len(rows) != tc.rows || len(errs) != len(tc.errIs) {
				t.Fatalf("%d rows, %d errors %v; want %d rows, %d errors", len(rows), len(errs), errs, tc.rows, len(tc.errIs))
			}
			for i, e := range errs {
				if !errors.Is(e, tc.errIs[i]) {
					t.Errorf("error %v is not %v", e, tc.errIs[i])
				}
			}
		})
	}
}

// TestNextIntoIsNext reads every CSV fixture twice, with Next and with
// NextInto given the cells of the row before (as a flow that reuses them
// does), and compares the rows and errors.
func TestNextIntoIsNext(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "source", "*.csv"))
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	readEach := func(path string, into bool) ([]string, error) {
		r, err := Open(path, Options{})
		if err != nil {
			return nil, err
		}
		return readBack(t, r, into), nil
	}
	for _, f := range files {
		want, werr := readEach(f, false)
		got, gerr := readEach(f, true)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: NextInto read\n%v %v\nNext read\n%v %v", filepath.Base(f), got, gerr, want, werr)
		}
	}
}

// TestLinesAbout: a CSV's Detected.Lines is its line count when the file
// fits the 64 KiB sample, and near it for a larger file.
func TestLinesAbout(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		lines int
		exact bool
	}{
		{"small.csv", 40, true},
		{"large.csv", 20000, false},
	} {
		var b strings.Builder
		b.WriteString("id;név;város\r\n")
		for i := 1; i < tc.lines; i++ {
			fmt.Fprintf(&b, "P-%d;Kovács János %d;Győr\r\n", i, i%97)
		}
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := r.Detected().Lines
		r.Close()
		if tc.exact && got != tc.lines || !tc.exact && (got < tc.lines*95/100 || got > tc.lines*105/100) {
			t.Errorf("%s: Lines %d for %d lines", tc.name, got, tc.lines)
		}
	}
	r, err := Open(filepath.Join("..", "testdata", "source", "clients.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := r.Detected().Lines; n != 0 {
		t.Errorf("a workbook's Lines: %d, want 0 (not known)", n)
	}
}
