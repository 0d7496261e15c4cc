package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The last step of a row's path: its outcome is journaled, counted in the
// summary, and written, in file order, to exactly one of the outputs
// (package report writes the files).

// outcome is what became of one source row: the journal entry, and what the
// outputs need (the row's original values for errors.csv, the field-level
// plan of a dry run).
type outcome struct {
	seq    int
	loc    source.Location
	values []string
	row    state.RowOutcome
	// replayed outcomes come from the journal of the run being resumed.
	replayed bool
	// incomplete rows were cut short by an interruption or a fatal error:
	// they are neither journaled nor written out, and run again on resume.
	incomplete bool
	plan       []planRow
}

// sink is the last stage: it journals each row's outcome and writes the
// outputs in file order.
func (r *run) sink(in <-chan *outcome) error {
	var firstErr error
	var order rowflow.Reorder[*outcome]
	order.Start(1)
	emit := func(o *outcome) {
		if o.incomplete || firstErr != nil {
			return
		}
		if err := r.out.write(o); err != nil {
			firstErr = fmt.Errorf("writing the outputs: %w", err)
		}
	}
	for o := range in {
		if !o.incomplete {
			if !o.replayed {
				r.com.journal(o.row)
			}
			r.sum.count(o)
			r.rowsDone.Add(1)
		}
		order.Put(o.seq, o)
		for h, ok := order.Next(); ok; h, ok = order.Next() {
			emit(h)
		}
	}
	// A fatal error can leave holes (rows never finished): write the rest.
	for _, h := range order.Rest() {
		emit(h)
	}
	return firstErr
}

// outputs turn outcomes into the lines of the output files.
type outputs struct {
	dry   bool
	files *report.Outcomes
}

func openOutputs(dir string, header []string, dry bool) (*outputs, error) {
	f, err := report.CreateOutcomes(dir, header, dry)
	if err != nil {
		return nil, err
	}
	return &outputs{dry: dry, files: f}, nil
}

// write puts a row in exactly one output: errors.csv when it failed,
// otherwise success.csv (plan.csv in a dry run).
func (o *outputs) write(oc *outcome) error {
	r := oc.row
	if r.Status == RowError {
		return o.files.Reject(report.Reject{File: oc.loc.File, Row: r.Line, Column: r.Column, Field: r.Field,
			Reason: r.Reason, Values: oc.values})
	}
	if o.dry {
		rows := oc.plan
		if r.Status == RowSkipped {
			rows = []planRow{{File: oc.loc.File, Row: r.Line, Action: ActionSkipped, Note: r.Reason}}
		}
		return o.files.Plan(rows)
	}
	var rows []report.SuccessRow
	if r.Status == RowSkipped {
		rows = append(rows, report.SuccessRow{File: oc.loc.File, Row: r.Line, Action: ActionSkipped, Note: r.Reason})
	}
	for _, e := range r.Entities {
		id := ""
		if e.Id > 0 {
			id = strconv.Itoa(e.Id)
		}
		rows = append(rows, report.SuccessRow{File: oc.loc.File, Row: r.Line, Entity: e.Kind, Action: e.Action, Id: id,
			Changed: strings.Join(e.Changed, ";"), Note: e.Reason})
	}
	return o.files.Success(rows)
}

// close flushes and closes the files; it may be called again.
func (o *outputs) close() error { return o.files.Close() }
