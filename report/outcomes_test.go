package report

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// rejection is a stage's rejected row, as mapping.Rejected gives it.
type rejection struct{}

func (rejection) Where() (string, int) { return "a.csv", 7 }
func (rejection) Columns() string      { return "E-mail; Név" }
func (rejection) Fields() string       { return "Person.Email; Person.LastName" }
func (rejection) Reasons() string      { return "not an email address; is required" }
func (rejection) Cells() []string      { return []string{"=cmd()", "x"} }

// TestOutcomes checks the outputs of an import: the headers, every row in
// one file, and the cells that come from the source neutralized.
func TestOutcomes(t *testing.T) {
	for _, dry := range []bool{false, true} {
		dir := t.TempDir()
		o, err := CreateOutcomes(dir, []string{"Név", "E-mail"}, dry)
		if err != nil {
			t.Fatal(err)
		}
		if dry {
			err = o.Plan([]PlanRow{{File: "a.csv", Row: 2, Entity: "Person", Action: "updated", Id: "5", Field: "Email", Old: "@old", New: "+new"}})
		} else {
			err = o.Success([]SuccessRow{{File: "a.csv", Row: 2, Entity: "Person", Action: "created", Id: "5", Note: "=note"}})
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Reject(Reject{File: "a.csv", Row: 3, Reason: "bad", Values: []string{"=1+1"}}); err != nil {
			t.Fatal(err)
		}
		if err := o.Close(); err != nil {
			t.Fatal(err)
		}
		if err := o.Close(); err != nil {
			t.Fatalf("a second Close: %v", err)
		}
		name, want := SuccessFile, [][]string{
			{"file", "row", "entity", "action", "minicrm_id", "changed_fields", "note"},
			{"a.csv", "2", "Person", "created", "5", "", "'=note"},
		}
		if dry {
			name, want = PlanFile, [][]string{
				{"file", "row", "entity", "action", "minicrm_id", "field", "old", "new", "note"},
				{"a.csv", "2", "Person", "updated", "5", "Email", "'@old", "'+new", ""},
			}
		}
		if got := readCSV(t, filepath.Join(dir, name)); !reflect.DeepEqual(got, want) {
			t.Errorf("dry %v: %s\n got %q\nwant %q", dry, name, got, want)
		}
		wantErr := [][]string{{"file", "row", "column", "field", "reason", "Név", "E-mail"}, {"a.csv", "3", "", "", "bad", "'=1+1", ""}}
		if got := readCSV(t, filepath.Join(dir, ErrorsFile)); !reflect.DeepEqual(got, wantErr) {
			t.Errorf("dry %v: errors.csv\n got %q\nwant %q", dry, got, wantErr)
		}
	}
}

func TestRejectWriterAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "errors.csv")
	rw, err := CreateRejects(path, []string{"Név", "E-mail"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Add(rejection{}); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"a.csv", "7", "E-mail; Név", "Person.Email; Person.LastName", "not an email address; is required", "'=cmd()", "x"}
	if got := readCSV(t, path); len(got) != 2 || !reflect.DeepEqual(got[1], want) {
		t.Errorf("got %q\nwant the header and %q", got, want)
	}
}

func TestWriteSummary(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSummary(dir, map[string]int{"rows": 3}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := json.Unmarshal(b, &got); err != nil || got["rows"] != 3 || b[len(b)-1] != '\n' {
		t.Errorf("summary.json %q (%v)", b, err)
	}
}
