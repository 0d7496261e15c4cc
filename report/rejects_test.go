package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"testing"
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
