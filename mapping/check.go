package mapping

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Rejected is a row that cannot be imported: where it is, every problem
// found in it, and its original values (aligned with the source header).
type Rejected struct {
	Loc      source.Location
	Problems []*CellError
	Values   []string
}

// Reject is the rejection of a row for problems: the one way every stage
// (mapping, the feed's duplicate check, the import's writers) turns a row
// into an errors.csv line.
func Reject(r *rowflow.Row, problems ...*CellError) *Rejected {
	return &Rejected{Loc: r.Loc(), Problems: problems, Values: r.Values()}
}

// sourceProblem is a row the source could not read, as a problem of the
// row: the column by its header name, or by letter (sheet) or number (CSV)
// when it has none.
func sourceProblem(e *source.RowError) *CellError {
	col := e.Name
	if col == "" {
		col = e.ColumnRef()
	}
	return &CellError{Loc: e.Loc, Column: col, Field: "(source)", Reason: e.Err.Error()}
}

// Where, Columns, Fields and Reasons give the parts of one errors.csv line
// (report.RejectWriter.Add takes a Rejected through them).
func (r *Rejected) Where() (file string, line int) { return r.Loc.File, r.Loc.Line }
func (r *Rejected) Cells() []string                { return r.Values }
func (r *Rejected) Columns() string                { return r.join(func(e *CellError) string { return e.Column }) }
func (r *Rejected) Fields() string                 { return r.join(func(e *CellError) string { return e.Field }) }
func (r *Rejected) Reasons() string {
	return r.join(func(e *CellError) string {
		if e.Value != "" && !strings.Contains(e.Reason, e.Value) {
			return fmt.Sprintf("%q %s", e.Value, e.Reason)
		}
		return e.Reason
	})
}

func (r *Rejected) join(part func(*CellError) string) string {
	var out []string
	for _, e := range r.Problems {
		if p := part(e); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// Outcome is what mapping one source row gave: exactly one of a Bundle
// (the row maps), Skipped (the mapping's filters leave it out), Rejected
// (the source could not read it, or a value does not fit) or Err (the plan
// failed: it ends the run).
type Outcome struct {
	Bundle   *Bundle
	Skipped  *Skipped
	Rejected *Rejected
	Err      error
}

// MapRow maps a row of a flow into b (a fresh Bundle when b is nil): the
// one place where a row is classified.
func (p *Plan) MapRow(r *rowflow.Row, b *Bundle) Outcome { return p.mapFlowRow(r, b, p.MapInto) }

// MapRowText is MapRow with each record's values as text (MapText): what
// the feed build writes, without the Fields maps.
func (p *Plan) MapRowText(r *rowflow.Row, b *Bundle) Outcome { return p.mapFlowRow(r, b, p.MapText) }

func (p *Plan) mapFlowRow(r *rowflow.Row, b *Bundle, mapInto func(source.Row, *Bundle) (*Bundle, error)) Outcome {
	if r.Err != nil {
		return Outcome{Rejected: Reject(r, sourceProblem(r.Err))}
	}
	if b == nil {
		b = &Bundle{}
	}
	b, err := mapInto(r.Row, b)
	if err == nil {
		return Outcome{Bundle: b}
	}
	// (Only here: the targets of errors.As live on the heap.)
	var skipped *Skipped
	var errs RowErrors
	switch {
	case errors.As(err, &skipped):
		return Outcome{Skipped: skipped}
	case errors.As(err, &errs):
		return Outcome{Rejected: Reject(r, errs...)}
	}
	return Outcome{Err: err}
}

// CheckSummary counts what became of the rows of a flow: every row is
// exactly one of OK, Skipped or Rejected.
type CheckSummary struct {
	Rows     int
	OK       int
	Skipped  int
	Rejected int
	// ByField counts rejected rows by the field (or source column) at fault,
	// with the first example of each.
	ByField map[string]int
	Example map[string]string
	// SkipReasons counts skipped rows by reason.
	SkipReasons map[string]int
}

// NewCheckSummary is an empty count.
func NewCheckSummary() *CheckSummary {
	return &CheckSummary{ByField: map[string]int{}, Example: map[string]string{}, SkipReasons: map[string]int{}}
}

// Pass counts a row that went through.
func (s *CheckSummary) Pass() { s.Rows++; s.OK++ }

// Skip counts a row left out on purpose.
func (s *CheckSummary) Skip(reason string) {
	s.Rows++
	s.Skipped++
	s.SkipReasons[reason]++
}

// Reject counts a rejected row, once under each field at fault.
func (s *CheckSummary) Reject(rej *Rejected) {
	s.Rows++
	s.Rejected++
	seen := map[string]bool{}
	for _, e := range rej.Problems {
		if !seen[e.Field] {
			seen[e.Field] = true
			s.ByField[e.Field]++
			if _, ok := s.Example[e.Field]; !ok {
				s.Example[e.Field] = e.Error()
			}
		}
	}
}

// Reasons lists ByField most frequent first.
func (s *CheckSummary) Reasons() []string {
	keys := make([]string, 0, len(s.ByField))
	for k := range s.ByField {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if s.ByField[keys[i]] != s.ByField[keys[j]] {
			return s.ByField[keys[i]] > s.ByField[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// CheckRows maps every row of r with the plan, without writing anything, and
// calls reject for each row that cannot be imported (in source order, from
// the calling goroutine). Every row is counted exactly once: ok, skipped or
// rejected. A source error that is not a row error (an unreadable file)
// ends the check.
func CheckRows(ctx context.Context, p *Plan, r source.Reader, reject func(*Rejected) error) (*CheckSummary, error) {
	sum := NewCheckSummary()
	err := rowflow.Run(ctx, r, rowflow.Options{ReuseCells: true}, p.checkStage, rowflow.SinkFunc[Outcome](func(_ context.Context, b *rowflow.Batch[Outcome]) error {
		for i := range b.Items {
			o := &b.Items[i]
			switch {
			case o.Err != nil:
				return o.Err
			case o.Skipped != nil:
				sum.Skip(o.Skipped.Reason)
			case o.Rejected != nil:
				sum.Reject(o.Rejected)
				if reject != nil {
					if err := reject(o.Rejected); err != nil {
						return err
					}
				}
			default:
				sum.Pass()
			}
		}
		return nil
	}))
	return sum, err
}

// checkStage maps rows into a worker's own bundle, keeping only what
// became of them.
func (p *Plan) checkStage() rowflow.Stage[Outcome] {
	var scratch Bundle
	return rowflow.StageFunc[Outcome](func(b *rowflow.Batch[Outcome]) {
		for i := range b.Rows {
			o := p.MapRow(&b.Rows[i], &scratch)
			o.Bundle = nil
			b.Items[i] = o
		}
	})
}
