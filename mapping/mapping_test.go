package mapping

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	schemasOnce sync.Once
	schemasVal  *Schemas
	schemasErr  error
)

// sandboxSchemas fetches the schemas of the built-in sandbox system through
// the real client over loopback, once per test binary.
func sandboxSchemas(t testing.TB) *Schemas {
	t.Helper()
	schemasOnce.Do(func() {
		const key = "0123456789abcdef0123456789abcdef"
		srv, err := sandbox.New(sandbox.Config{SystemID: 12345, APIKey: key, RPM: 0, Dataset: sandbox.EmptyDataset()})
		if err != nil {
			schemasErr = err
			return
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID("12345"), restapi.WithAPIKey(key), restapi.WithRPM(100000))
		if err != nil {
			schemasErr = err
			return
		}
		m := &Mapping{Project: &Entity{Category: "Értékesítés"}, Business: &Entity{Address: &AddressSpec{}}}
		schemasVal, schemasErr = crm.FetchSchemas(context.Background(), c, m.SchemaNeeds())
	})
	if schemasErr != nil {
		t.Fatalf("fetching schemas from the sandbox: %v", schemasErr)
	}
	return schemasVal
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "mapping", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./mapping -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (-update rewrites it)\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

func readHeader(t testing.TB, m *Mapping) (source.Reader, []string) {
	t.Helper()
	r, err := m.OpenSource("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, r.Header()
}

// planAndReader loads a mapping, compiles it against the sandbox's schemas
// and its source's header, and gives the source, positioned after the
// header.
func planAndReader(t testing.TB, file string) (*Plan, source.Reader) {
	t.Helper()
	m, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	r, header := readHeader(t, m)
	plan, err := Compile(m, sandboxSchemas(t), header)
	if err != nil {
		t.Fatal(err)
	}
	return plan, r
}

// planAndRows loads a mapping, compiles it against the sandbox's schemas
// and its source's header, and reads every row of the source.
func planAndRows(t testing.TB, file string) (*Plan, []source.Row) {
	t.Helper()
	plan, r := planAndReader(t, file)
	var rows []source.Row
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return plan, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		file string
		want string // a substring of the error, with its line
	}{
		{"syntax.yaml", "syntax.yaml:2: YAML: did not find expected key"},
		{"unknown-key.yaml", "unknown-key.yaml:3: YAML: field persons is not a known key in"},
		{"empty.yaml", "empty.yaml:1: the mapping file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(filepath.Join("..", "testdata", "mapping", tt.file))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestCompileReportsEveryProblem checks that one run lists every mistake of
// bad.yaml, each with its line and an actionable message (golden file).
func TestCompileReportsEveryProblem(t *testing.T) {
	m, err := Load(filepath.Join("..", "testdata", "mapping", "bad.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, header := readHeader(t, m)
	_, err = Compile(m, sandboxSchemas(t), header)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	if len(ps) < 15 {
		t.Errorf("only %d problems found:\n%v", len(ps), err)
	}
	for _, p := range ps {
		if p.Line == 0 {
			t.Errorf("problem without a line: %s", p)
		}
	}
	golden(t, "bad.golden", strings.ReplaceAll(err.Error(), string(filepath.Separator), "/")+"\n")
}

// TestMapRows maps every row of clients.csv: two good rows, one row with
// several bad values (all reported, with columns), one row skipped by the
// filter and one row missing required values. Every row ends in exactly one
// outcome.
func TestMapRows(t *testing.T) {
	plan, r := planAndReader(t, filepath.Join("..", "testdata", "mapping", "good.yaml"))
	var out strings.Builder
	rows := 0
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		b, err := plan.Map(row)
		var skipped *Skipped
		var rowErrs RowErrors
		switch {
		case err == nil:
			out.WriteString("ok " + row.Loc.String() + "\n")
			for _, rec := range b.Records() {
				out.WriteString("  " + string(rec.Kind) + ":")
				for _, f := range rec.Order {
					out.WriteString(" " + f + "=" + ValueString(rec.Fields[f]))
				}
				out.WriteString(" | keys " + strings.Join([]string{rec.Keys.Email, rec.Keys.Phone, rec.Keys.ExternalID, rec.Keys.VatNumber, rec.Keys.Name}, ",") + "\n")
			}
		case errors.As(err, &skipped):
			out.WriteString("skipped " + skipped.Error() + "\n")
		case errors.As(err, &rowErrs):
			out.WriteString("error\n")
			for _, e := range rowErrs {
				out.WriteString("  " + e.Error() + "\n")
			}
		default:
			t.Fatalf("row %s: unexpected error type %T: %v", row.Loc, err, err)
		}
	}
	if rows != 5 {
		t.Errorf("read %d rows, want 5", rows)
	}
	golden(t, "clients.golden", strings.ReplaceAll(out.String(), string(filepath.Separator), "/"))
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		bad  bool
	}{
		{"1 250 000", 1250000, false},
		{"1\u00a0250\u00a0000 Ft", 1250000, false},
		{"1.250.000 Ft", 1250000, false},
		{"12,5", 12.5, false},
		{"1 000,00", 1000, false},
		{"1,250,000.50", 1250000.5, false},
		{"-3.5", -3.5, false},
		{"(100)", -100, false},
		{"27%", 27, false},
		{"HUF 100", 100, false},
		{"0,5", 0.5, false},
		{"abc", 0, true},
		{"1.2.3", 0, true},
		{"1,2,3", 0, true},
		{"12,50,0", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestDates(t *testing.T) {
	p, err := NewDateParser([]string{"hu", "iso", "excel"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"2024.03.15.":      "2024-03-15 00:00:00",
		"2024. 03. 15.":    "2024-03-15 00:00:00",
		"2024.03.15":       "2024-03-15 00:00:00",
		"2024-03-15":       "2024-03-15 00:00:00",
		"45366":            "2024-03-15 00:00:00",
		"45366.5":          "2024-03-15 12:00:00",
		"2024.03.15. 8:05": "2024-03-15 08:05:00",
		"15/03/2024":       "",
		"2024.13.45.":      "",
		"tegnap":           "",
	} {
		got, err := p.Parse(in)
		switch {
		case want == "" && err == nil:
			t.Errorf("Parse(%q) = %v, want an error", in, got)
		case want != "" && (err != nil || got.Format("2006-01-02 15:04:05") != want):
			t.Errorf("Parse(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	// The 1904 system is 1462 days behind.
	if a, b := ExcelSerialToTime(45366, false), ExcelSerialToTime(45366-1462, true); !a.Equal(b) {
		t.Errorf("1900 and 1904 systems disagree: %v vs %v", a, b)
	}
	if _, err := NewDateParser([]string{"magyar"}); err == nil {
		t.Error("an unknown date preset was accepted")
	}
}

func TestPhonesAndEmails(t *testing.T) {
	p := PhoneNormalizer{Region: "HU"}
	forms := []string{"06 (20) 236 7532", "+36 20 236 7532", "0036-20-236-7532", "06-20-236-7532", "+36202367532"}
	for _, f := range forms {
		got, err := p.Normalize(f)
		if err != nil || got != "+36 20 236 7532" {
			t.Errorf("Normalize(%q) = %q, %v", f, got, err)
		}
		if k := p.Key(f); k != "+36202367532" {
			t.Errorf("Key(%q) = %q", f, k)
		}
	}
	for _, bad := range []string{"123", "06 20 236", "telefon"} {
		if got, err := p.Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
	for in, want := range map[string]string{" Kiss.Janos@Pelda.HU ": "kiss.janos@pelda.hu", "Kiss János <kiss@pelda.hu>": "kiss@pelda.hu"} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"nem-email", "a@b", "x@", "@pelda.hu"} {
		if got, err := NormalizeEmail(bad); err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", bad, got)
		}
	}
	for in, want := range map[string]bool{"Igen": true, "nem": false, "YES": true, "0": false, "x": true} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseBool("talán"); err == nil {
		t.Error("ParseBool(talán) succeeded")
	}
}

func TestDidYouMean(t *testing.T) {
	if got := didYouMean("Nme", []string{"Name", "Email", "Phone"}); !strings.Contains(got, `"Name"`) {
		t.Errorf("didYouMean(Nme) = %q", got)
	}
	if got := didYouMean("Adoszam", []string{"Adószám", "Cégnév"}); !strings.Contains(got, `"Adószám"`) {
		t.Errorf("didYouMean(Adoszam) = %q", got)
	}
	if got := didYouMean("Zzzz", []string{"Name"}); got != "" {
		t.Errorf("didYouMean(Zzzz) = %q, want nothing", got)
	}
}

// TestSchemasFileRoundTrip saves the sandbox's schemas and checks a mapping
// compiles the same against the saved file (offline work).
func TestSchemasFileRoundTrip(t *testing.T) {
	s := sandboxSchemas(t)
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSchemas(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(filepath.Join("..", "testdata", "mapping", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, header := readHeader(t, m)
	if _, err := Compile(m, loaded, header); err != nil {
		t.Fatalf("compiling against the saved schemas: %v", err)
	}
	if id, ok := loaded.CategoryID("ertekesites"); !ok || id != 10 {
		t.Errorf("CategoryID(ertekesites) = %d, %v", id, ok)
	}
}

// TestSuggest writes the one-section mappings of `init --entity` for
// clients.csv and checks that they parse and compile: the company's
// section holds only company columns (never the person's e-mail).
func TestSuggest(t *testing.T) {
	m, err := Load(filepath.Join("..", "testdata", "mapping", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, header := readHeader(t, m)
	smp, err := ReadSample(context.Background(), r, SampleRows)
	if err != nil {
		t.Fatal(err)
	}
	s := sandboxSchemas(t)
	for _, kind := range []EntityKind{KindPerson, KindBusiness} {
		text, err := SuggestSheet(smp, SheetOptions{SourceFile: "clients.csv", Only: kind}, s)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "suggest-"+kind.key()+".golden", text)
		sm, err := Parse(filepath.Join("..", "testdata", "mapping", "suggested.yaml"), []byte(text))
		if err != nil {
			t.Fatalf("the suggested %s mapping does not parse: %v\n%s", kind, err, text)
		}
		if len(sm.Entities()) != 1 || sm.Entities()[0] != kind {
			t.Errorf("--entity %s wrote %v", kind, sm.Entities())
		}
		if _, err := Compile(sm, s, header); err != nil {
			t.Errorf("the suggested %s mapping does not compile: %v\n%s", kind, err, text)
		}
	}
}
