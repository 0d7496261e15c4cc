package pipeline

import (
	"strconv"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The plan of a dry run: the plan.csv lines the writers make of each
// record (what they would write), beside the writes they do not send.

// planRow is one line of plan.csv.
type planRow = report.PlanRow

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
