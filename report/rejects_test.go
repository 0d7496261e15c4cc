package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// TestRejectWriter checks the errors file a person opens in Excel: CRLF,
// quoting of separators, quotes and line breaks, the source's own columns
// after the fixed ones, and short rows padded.
func TestRejectWriter(t *testing.T) {
	var buf bytes.Buffer
	rw, err := NewRejectWriter(&buf, []string{"Név", "E-mail"})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Reject{
		{File: "a.csv", Row: 4, Column: "E-mail", Field: "Person.Email", Reason: `"x" is not an email address`, Values: []string{"Kiss; János", "x"}},
		{File: "a.csv", Row: 9, Reason: "line\nbreak", Values: []string{"only one"}},
	}
	for _, r := range rows {
		if err := rw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	if rw.Count() != 2 {
		t.Errorf("Count = %d", rw.Count())
	}
	if !bytes.Contains(buf.Bytes(), []byte("\r\n")) {
		t.Error("no CRLF line ends")
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"file", "row", "column", "field", "reason", "Név", "E-mail"},
		{"a.csv", "4", "E-mail", "Person.Email", `"x" is not an email address`, "Kiss; János", "x"},
		{"a.csv", "9", "", "", "line\nbreak", "only one", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestCreateRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "errors.csv")
	rw, err := CreateRejects(path, []string{"A"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Write(Reject{File: "f", Row: 2, Reason: "r", Values: []string{"v"}}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "file,row,column,field,reason,A\r\nf,2,,,r,v\r\n" {
		t.Errorf("file = %q", b)
	}
}

// TestRejectsSafeAndExact: errors.csv holds no cell a spreadsheet would
// run, yet read back by the CSV reader (as when the corrected file is
// imported again) every value is the original; a value longer than a
// spreadsheet cell is cut with a marker that says where the whole is.
func TestRejectsSafeAndExact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "errors.csv")
	header := []string{"Név", "=Képlet"}
	rw, err := CreateRejects(path, header)
	if err != nil {
		t.Fatal(err)
	}
	values := [][]string{
		{`=HYPERLINK("http://evil","x")`, "@SUM(1)"},
		{"+1+cmd|' /C calc'!A0", "'=already quoted"},
		{"+36 20 236 7532", "-1250"},
		{strings.Repeat("é", MaxValue), "x"},
	}
	for i, v := range values {
		if err := rw.Write(Reject{File: "a.csv", Row: i + 2, Reason: "=bad", Values: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=@\t\r", rune(cell[0])) || strings.HasPrefix(cell, "+1+") {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	// Read back as a source: the values are exact, but for the cut one.
	r, err := source.Open(path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header()[len(FixedColumns):]; !reflect.DeepEqual(got, header) {
		t.Errorf("header read back %q, want %q", got, header)
	}
	for i, want := range values {
		row, err := r.Next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range row.Cells[len(FixedColumns):] {
			got = append(got, c.Raw)
		}
		if row.Cells[4].Raw != "=bad" {
			t.Errorf("reason read back %q", row.Cells[4].Raw)
		}
		if i == len(values)-1 {
			if len(got[0]) > MaxValue+200 || !strings.HasPrefix(got[0], strings.Repeat("é", MaxValue/2)) ||
				!strings.HasSuffix(got[0], "…[cut: 32768 more bytes; the whole value is in a.csv, row 5]") {
				t.Errorf("the long value is not cut with a marker: ...%q", got[0][len(got[0])-80:])
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row %d read back %q, want %q", i+2, got, want)
		}
	}
}
