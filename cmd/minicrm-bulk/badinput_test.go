package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// badDir is the bad-input corpus: broken sources and mappings, each of which
// must end in a clear message (the file, the row or line, the column where
// there is one), the right exit code and no panic.
var badDir = filepath.Join("..", "..", "testdata", "badinput")

// badCase is one entry of the corpus. source or mapping may be empty (the
// corpus's person.yaml, or the source the mapping names). rows > 0 says how
// many source rows there are: the import must account for every one of
// them (ok + skipped + rejected).
type badCase struct {
	source, mapping string
	code            int
	want            []string // substrings of stderr+stdout ('mapping check'; 'import' for fatal cases)
	rows            int
	// Rejected rows: 'import' puts them in errors.csv; every one is on
	// line 3 of its file, and the last of want is in its reason column.
}

var badCases = []badCase{
	// Whole files that cannot be read: fatal, naming the file.
	{source: "empty.csv", code: exitFatal, want: []string{"empty.csv: file is empty"}},
	{source: "blank-only.csv", code: exitFatal, want: []string{"blank-only.csv: file is empty", "no header row"}},
	{source: "binary-junk.csv", code: exitFatal, want: []string{"binary-junk.csv: not a text/CSV file", "NUL byte at byte"}},
	{source: "nul-junk.csv", code: exitFatal, want: []string{"nul-junk.csv: not a text/CSV file"}},
	{source: "duplicate-header.csv", code: exitFatal, want: []string{"duplicate-header.csv:1: duplicate column name", `columns 2 and 4 are both named "E-mail"`}},
	{source: "csv-renamed.xlsx", code: exitFatal, want: []string{"csv-renamed.xlsx: wrong file type", "rename it to .csv"}},
	{source: "xlsx-renamed.csv", code: exitFatal, want: []string{"xlsx-renamed.csv: wrong file type", "rename it to .xlsx"}},
	{source: "old-excel.xls", code: exitFatal, want: []string{"old-excel.xls: wrong file type", "Excel 97-2003"}},
	{source: "truncated.xlsx", code: exitFatal, want: []string{"truncated.xlsx: the workbook cannot be read", "is the file complete?"}},
	{source: "mixed-encoding.csv", code: exitFatal, want: []string{"mixed-encoding.csv: mixed encodings: line 3 is not UTF-8"}},
	{source: "wrong-header.csv", code: exitFatal, want: []string{"person.yaml:9: person.fields.LastName.column", `column "Vezetéknév" is not in the source header`}},
	{source: "no-such-file.csv", code: exitFatal, want: []string{"no-such-file.csv", "no such file"}},
	// An empty run is not an error.
	{source: "header-only.csv", code: exitOK},
	{source: "ok.csv", code: exitOK, rows: 2},

	// Rows that cannot be read or mapped: exit 1, the rest goes on.
	{source: "broken-quote.csv", code: exitRejected, rows: 3,
		want: []string{`broken-quote.csv:3, column "Vezetéknév"`, "closing quote (\") is missing"}},
	{source: "text-after-quote.csv", code: exitRejected, rows: 2,
		want: []string{`text-after-quote.csv:3, column "Keresztnév"`, `text "x" follows the closing quote`}},
	{source: "ragged.csv", code: exitRejected, rows: 2, want: []string{"ragged.csv:3", "the row has 3 cells but the header has 8 columns"}},
	{source: "bad-email.csv", code: exitRejected, rows: 3, want: []string{`bad-email.csv:3, column "E-mail"`, `"szabo.ede@@pelda" is not an email address`}},
	{source: "bad-phone.csv", code: exitRejected, rows: 2, want: []string{`bad-phone.csv:3, column "Telefon"`, `"12" is not a phone number`}},
	{source: "bad-date.csv", code: exitRejected, rows: 2, want: []string{`bad-date.csv:3, column "Születési dátum"`, `"1990.13.45." is not a real date (month out of range)`}},
	{source: "bad-enum.csv", code: exitRejected, rows: 2, want: []string{`bad-enum.csv:3, column "Kedvenc étel"`, `"Banán" is not an option of KedvencEtele`}},
	{source: "bad-number.csv", code: exitRejected, rows: 2, want: []string{`bad-number.csv:3, column "Vásárlások"`, `"három" is not a number`}},
	{source: "oversized.csv", code: exitRejected, rows: 2, want: []string{`oversized.csv:3, column "Kód"`, "is 80 characters long; KulsoAzonosito holds at most 64"}},
	{source: "missing-required.csv", code: exitRejected, rows: 2, want: []string{`missing-required.csv:3, column "Keresztnév"`, "is empty; MiniCRM needs it"}},
	{source: "many-errors.csv", code: exitRejected, rows: 2,
		want: []string{`many-errors.csv:3, column "E-mail"`, `many-errors.csv:3, column "Telefon"`, `many-errors.csv:3, column "Kedvenc étel"`,
			`"12" is not a phone number`}},
	{source: "formula-errors.xlsx", code: exitRejected, rows: 2,
		want: []string{`formula-errors.xlsx[Ügyfelek]:3, column "E-mail"`, "the cell holds the error #N/A"}},
	{source: "record-too-long.csv", code: exitRejected, rows: 2, want: []string{"record-too-long.csv:3", "the line is longer than 1 MiB"}},

	// XLSX past the reader's bounds (testdata/badinput/gen_bombs.go): a
	// cell too long is a row error; a tag too long or a sheet too long is
	// refused. (The bombs proper, cell-bomb.xlsx and shared-strings-bomb.xlsx,
	// go through the built command in bombs_test.go, which measures its
	// memory too.)
	{source: "cell-too-long.xlsx", code: exitRejected, rows: 2,
		want: []string{`cell-too-long.xlsx[Ügyfelek]:3`, "cell D3 holds more text than the 1 MiB a cell may hold"}},
	{source: "value-too-long.xlsx", code: exitRejected, rows: 2,
		want: []string{`value-too-long.xlsx[Ügyfelek]:3`, "cell D3 holds more text than the 1 MiB a cell may hold"}},
	{source: "shared-string-too-long.xlsx", code: exitRejected, rows: 2,
		want: []string{`shared-string-too-long.xlsx[Ügyfelek]:3`, "cell D3 refers to shared text number 1, which holds more text than the 1 MiB a cell may hold"}},
	{source: "attribute-too-long.xlsx", code: exitFatal,
		want: []string{"attribute-too-long.xlsx[Ügyfelek]: the workbook cannot be read: near row 3, a tag at byte 1196 of the sheet's XML is longer than 1 MiB"}},
	{source: "too-many-rows.xlsx", code: exitFatal,
		want: []string{"too-many-rows.xlsx[Ügyfelek]: the workbook is too big to read: the sheet has more than 1048576 rows, Excel's limit"}},

	// Mappings that are wrong: fatal, naming the mapping file and its line.
	{mapping: "yaml-syntax.yaml", code: exitFatal, want: []string{"yaml-syntax.yaml:2: YAML: did not find expected key"}},
	{mapping: "yaml-tabs.yaml", code: exitFatal, want: []string{"yaml-tabs.yaml:2: YAML: found character that cannot start any token"}},
	{mapping: "yaml-unclosed.yaml", code: exitFatal, want: []string{"yaml-unclosed.yaml:1: YAML:"}},
	{mapping: "empty-mapping.yaml", code: exitFatal, want: []string{"empty-mapping.yaml:1: the mapping file is empty"}},
	{mapping: "unknown-key.yaml", code: exitFatal, want: []string{"unknown-key.yaml:5: YAML: field feilds is not a known key in the entity section"}},
	{mapping: "unknown-field.yaml", code: exitFatal, want: []string{`unknown-field.yaml:9: person.fields.Emial: the Person schema has no field "Emial"; did you mean "Email"?`}},
	{mapping: "unknown-column.yaml", code: exitFatal, want: []string{`unknown-column.yaml:6: person.fields.LastName.column: column "Vezeteknev" is not in the source header; did you mean "Vezetéknév"?`}},
	{mapping: "bad-enum-option.yaml", code: exitFatal, want: []string{`bad-enum-option.yaml:9: person.fields.KedvencEtele.enum.Banán: "Banán" is not an option`}},
	{mapping: "bad-date-format.yaml", code: exitFatal, want: []string{`bad-date-format.yaml:9: person.fields.SzuletesiDatum.date: date format "magyar"`}},
	{mapping: "missing-source.yaml", source: "-", code: exitFatal, want: []string{"nincs-ilyen.csv", "no such file"}},
}

// recordTooLong writes a source whose third row has a cell larger than the
// reader accepts in one record (1 MiB), generated to keep the corpus small.
func recordTooLong(t *testing.T) string {
	t.Helper()
	ok, err := os.ReadFile(filepath.Join(badDir, "ok.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(ok), "\n", 3)
	body := lines[0] + "\n" + lines[1] + "\nSzabó;Ede;szabo.ede@pelda.hu;06 30 111 2222;1990.01.01.;Alma;1;" +
		strings.Repeat("y", 1<<20+10) + "\n"
	path := filepath.Join(t.TempDir(), "record-too-long.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBadInput runs every case of the corpus through 'mapping check' and
// 'import' (the same verdict both ways) against the embedded sandbox.
func TestBadInput(t *testing.T) {
	t.Parallel()
	if len(badCases) < 30 {
		t.Fatalf("the corpus has %d cases, want at least 30", len(badCases))
	}
	tooLong := recordTooLong(t)
	for _, c := range badCases {
		name := c.source
		if c.mapping != "" {
			name = c.mapping
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mappingFile := filepath.Join(badDir, "person.yaml")
			if c.mapping != "" {
				mappingFile = filepath.Join(badDir, c.mapping)
			}
			var src []string
			switch c.source {
			case "-":
			case "":
				src = []string{"--source", filepath.Join(badDir, "ok.csv")}
			case "record-too-long.csv":
				src = []string{"--source", tooLong}
			default:
				src = []string{"--source", filepath.Join(badDir, c.source)}
			}
			check := func(what string, r result, want []string) {
				t.Helper()
				if r.code != c.code {
					t.Errorf("%s: exit %d, want %d\n%s\n%s", what, r.code, c.code, r.stdout, r.stderr)
				}
				all := r.stdout + r.stderr
				for _, w := range want {
					if !strings.Contains(all, w) {
						t.Errorf("%s: the output does not say %q:\n%s", what, w, all)
					}
				}
				if strings.Contains(all, "panic") || strings.Contains(all, "goroutine ") {
					t.Errorf("%s: panicked:\n%s", what, all)
				}
			}
			check("mapping check", runCLI(t, nil, append([]string{"mapping", "check", "--sandbox", "--rpm", "100000", "--mapping", mappingFile}, src...)...), c.want)

			out := filepath.Join(t.TempDir(), "out")
			r := runCLI(t, nil, append([]string{"import", "--sandbox", "--rpm", "100000", "--progress", "none",
				"--mapping", mappingFile, "--out", out}, src...)...)
			if c.code == exitRejected {
				check("import", r, []string{"rows rejected", pipeline.ErrorsFile})
			} else {
				check("import", r, c.want)
			}
			if c.rows == 0 {
				return
			}
			var sum pipeline.Summary
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil || json.Unmarshal(b, &sum) != nil {
				t.Fatalf("summary.json: %v", err)
			}
			if sum.Rows.Total != c.rows || sum.Rows.OK+sum.Rows.Skipped+sum.Rows.Rejected != c.rows {
				t.Errorf("rows not accounted for: %+v, want %d in all", sum.Rows, c.rows)
			}
			if sum.Rows.Rejected == 0 {
				return
			}
			// The rejected rows are in errors.csv with the file, the row and the column.
			f, err := os.Open(filepath.Join(out, pipeline.ErrorsFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs)-1 != sum.Rows.Rejected {
				t.Errorf("errors.csv has %d rows, the summary says %d rejected", len(recs)-1, sum.Rows.Rejected)
			}
			reason := c.want[len(c.want)-1]
			text := ""
			for _, rec := range recs[1:] {
				if len(rec) < 4 || !strings.Contains(rec[0], strings.TrimSuffix(c.source, filepath.Ext(c.source))) || rec[1] != "3" {
					t.Errorf("errors.csv: want the file and row 3 in %q", rec)
				}
				text += strings.Join(rec, "|")
			}
			if !strings.Contains(text, reason) {
				t.Errorf("errors.csv does not say %q:\n%s", reason, text)
			}
		})
	}
}
