package pipeline

import (
	"bufio"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// successRow is one line of success.csv: one record of a row that was
// imported (created, updated or unchanged), or a row skipped on purpose
// (entity empty, action "skipped", the reason in note).
type successRow struct {
	File    string `csv:"file"`
	Row     int    `csv:"row"`
	Entity  string `csv:"entity"`
	Action  string `csv:"action"`
	Id      string `csv:"minicrm_id"`
	Changed string `csv:"changed_fields"`
	Note    string `csv:"note"`
}

// planRow is one line of plan.csv (a dry run): one field a record would get
// (created), one field that would change (updated: old and new value), one
// line for a record that would not change, or a skipped row.
type planRow struct {
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

// outputs are the files of OutDir.
type outputs struct {
	dir     string
	dry     bool
	plan    *mapping.Plan
	f       *os.File
	bw      *bufio.Writer
	cw      *gocsv.SafeCSVWriter
	rejects *report.RejectWriter
	closed  bool
}

func openOutputs(dir string, header []string, dry bool, plan *mapping.Plan) (*outputs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	o := &outputs{dir: dir, dry: dry, plan: plan}
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
		err = gocsv.MarshalCSV([]planRow{}, o.cw)
	} else {
		err = gocsv.MarshalCSV([]successRow{}, o.cw)
	}
	if err == nil {
		o.rejects, err = report.CreateRejects(filepath.Join(dir, ErrorsFile), header)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// write puts a row in exactly one output: errors.csv when it failed,
// otherwise success.csv (plan.csv in a dry run).
func (o *outputs) write(oc *outcome) error {
	r := oc.row
	if r.Status == RowError {
		return o.rejects.Write(report.Reject{File: oc.loc.File, Row: r.Line, Column: r.Column, Field: r.Field,
			Reason: r.Reason, Values: oc.values})
	}
	if o.dry {
		rows := oc.plan
		if r.Status == RowSkipped {
			rows = []planRow{{File: oc.loc.File, Row: r.Line, Action: ActionSkipped, Note: r.Reason}}
		}
		for i := range rows { // plan.csv is opened in a spreadsheet: its values are the source's
			p := &rows[i]
			p.File, p.Entity, p.Field, p.Old, p.New, p.Note = csvsafe.Neutralize(p.File), csvsafe.Neutralize(p.Entity),
				csvsafe.Neutralize(p.Field), csvsafe.Neutralize(p.Old), csvsafe.Neutralize(p.New), csvsafe.Neutralize(p.Note)
		}
		return gocsv.MarshalCSVWithoutHeaders(rows, o.cw)
	}
	var rows []successRow
	if r.Status == RowSkipped {
		rows = append(rows, successRow{File: csvsafe.Neutralize(oc.loc.File), Row: r.Line, Action: ActionSkipped, Note: csvsafe.Neutralize(r.Reason)})
	}
	for _, e := range r.Entities {
		id := ""
		if e.Id > 0 {
			id = strconv.Itoa(e.Id)
		}
		rows = append(rows, successRow{File: csvsafe.Neutralize(oc.loc.File), Row: r.Line, Entity: e.Kind, Action: e.Action, Id: id,
			Changed: strings.Join(e.Changed, ";"), Note: csvsafe.Neutralize(e.Reason)})
	}
	return gocsv.MarshalCSVWithoutHeaders(rows, o.cw)
}

// close flushes and closes the files; it may be called again.
func (o *outputs) close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	var errs []error
	o.cw.Flush()
	errs = append(errs, o.cw.Error(), o.bw.Flush(), o.f.Close(), o.rejects.Close())
	return errors.Join(errs...)
}

// display renders a canonical value for people: dropdowns by their label.
func (w *worker) display(kind mapping.EntityKind, field, v string) string {
	if v == "" {
		return ""
	}
	if w.r.canon.field(kind, field).Kind == restapi.KindEnum {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			if label, ok := w.r.plan.Option(kind, field, id); ok {
				return label
			}
		}
	}
	return v
}

// planCreate, planUpdate and planUnchanged make a dry run's plan.csv lines
// (nothing in a real run).
func (w *worker) planCreate(j *rowJob, rec *mapping.Record) []planRow {
	if !w.r.cfg.DryRun {
		return nil
	}
	var out []planRow
	for _, f := range rec.Order {
		v := rec.Fields[f]
		if v == nil {
			continue
		}
		out = append(out, planRow{File: j.row.Loc.File, Row: j.row.Loc.Line, Entity: string(rec.Kind), Action: ActionCreated,
			Field: f, New: w.display(rec.Kind, f, local(f, v))})
	}
	return out
}

func (w *worker) planUpdate(j *rowJob, rec *mapping.Record, c *state.MirrorRecord, changes restapi.Fields, names []string) []planRow {
	if !w.r.cfg.DryRun {
		return nil
	}
	var out []planRow
	for _, f := range names {
		old, _ := w.current(rec, c, f)
		nv := local(f, changes[f])
		switch f {
		case "BusinessId":
			old = strconv.Itoa(c.BusinessId)
		case "ContactId":
			old = strconv.Itoa(c.ContactId)
		}
		out = append(out, planRow{File: j.row.Loc.File, Row: j.row.Loc.Line, Entity: string(rec.Kind), Action: ActionUpdated,
			Id: idText(c.Id), Field: f, Old: w.display(rec.Kind, f, old), New: w.display(rec.Kind, f, nv)})
	}
	return out
}

func (w *worker) planUnchanged(j *rowJob, rec *mapping.Record, id int) []planRow {
	if !w.r.cfg.DryRun {
		return nil
	}
	return []planRow{{File: j.row.Loc.File, Row: j.row.Loc.Line, Entity: string(rec.Kind), Action: ActionUnchanged, Id: idText(id)}}
}

func idText(id int) string {
	if id <= 0 {
		return ""
	}
	return strconv.Itoa(id)
}
