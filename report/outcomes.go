package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/gocarina/gocsv"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
)

// The files of an import's output folder.
const (
	SuccessFile = "success.csv"
	ErrorsFile  = "errors.csv"
	PlanFile    = "plan.csv"
	SummaryFile = "summary.json"
)

// SuccessRow is one line of success.csv: one record of a row that was
// imported (created, updated or unchanged), or a row skipped on purpose
// (entity empty, action "skipped", the reason in note).
type SuccessRow struct {
	File    string `csv:"file"`
	Row     int    `csv:"row"`
	Entity  string `csv:"entity"`
	Action  string `csv:"action"`
	Id      string `csv:"minicrm_id"`
	Changed string `csv:"changed_fields"`
	Note    string `csv:"note"`
}

// PlanRow is one line of plan.csv (a dry run): one field a record would get
// (created), one field that would change (updated: old and new value), one
// line for a record that would not change, or a skipped row.
type PlanRow struct {
	File   string `csv:"file"`
	Row    int    `csv:"row"`
	Entity string `csv:"entity"`
	Action string `csv:"action"`
	Id     string `csv:"minicrm_id"`
	Field  string `csv:"field"`
	Old    string `csv:"old"`
	New    string `csv:"new"`
	Note   string `csv:"note"`
}

// Outcomes writes the row outcomes of an import into its folder: every
// row in exactly one of errors.csv and success.csv (plan.csv on a dry
// run). The files are opened in spreadsheets: the values that come from
// the source go through csvsafe.Neutralize.
type Outcomes struct {
	dry     bool
	f       *os.File
	bw      *bufio.Writer
	cw      *gocsv.SafeCSVWriter
	rejects *RejectWriter
	closed  bool
}

// CreateOutcomes creates dir and its files with their headers; header is
// the source's (errors.csv repeats the rows under it).
func CreateOutcomes(dir string, header []string, dry bool) (*Outcomes, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	o := &Outcomes{dry: dry}
	name := SuccessFile
	if dry {
		name = PlanFile
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	o.f, o.bw = f, bufio.NewWriter(f)
	w := csv.NewWriter(o.bw)
	w.UseCRLF = true // opened most often in Excel
	o.cw = gocsv.NewSafeCSVWriter(w)
	if dry {
		err = gocsv.MarshalCSV([]PlanRow{}, o.cw)
	} else {
		err = gocsv.MarshalCSV([]SuccessRow{}, o.cw)
	}
	if err == nil {
		o.rejects, err = CreateRejects(filepath.Join(dir, ErrorsFile), header)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// Reject writes a failed row to errors.csv.
func (o *Outcomes) Reject(r Reject) error { return o.rejects.Write(r) }

// Success writes a row's lines to success.csv.
func (o *Outcomes) Success(rows []SuccessRow) error {
	for i := range rows {
		r := &rows[i]
		r.File, r.Note = csvsafe.Neutralize(r.File), csvsafe.Neutralize(r.Note)
	}
	return gocsv.MarshalCSVWithoutHeaders(rows, o.cw)
}

// Plan writes a row's lines to plan.csv.
func (o *Outcomes) Plan(rows []PlanRow) error {
	for i := range rows { // plan.csv is opened in a spreadsheet: its values are the source's
		p := &rows[i]
		p.File, p.Entity, p.Field, p.Old, p.New, p.Note = csvsafe.Neutralize(p.File), csvsafe.Neutralize(p.Entity),
			csvsafe.Neutralize(p.Field), csvsafe.Neutralize(p.Old), csvsafe.Neutralize(p.New), csvsafe.Neutralize(p.Note)
	}
	return gocsv.MarshalCSVWithoutHeaders(rows, o.cw)
}

// Close flushes and closes the files; it may be called again.
func (o *Outcomes) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.cw.Flush()
	return errors.Join(o.cw.Error(), o.bw.Flush(), o.f.Close(), o.rejects.Close())
}

// WriteSummary writes v as dir/summary.json (indented, one final newline).
func WriteSummary(dir string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, SummaryFile), append(b, '\n'), 0o644)
}
