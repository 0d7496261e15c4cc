package mapping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Rejected is a row that cannot be imported: where it is, every problem
// found in it, and its original values (aligned with the source header).
type Rejected struct {
	Loc      source.Location
	Problems []*CellError
	Values   []string
}

// Columns, Fields and Reasons join the problems' parts for one output line.
func (r *Rejected) Columns() string { return r.join(func(e *CellError) string { return e.Column }) }
func (r *Rejected) Fields() string  { return r.join(func(e *CellError) string { return e.Field }) }
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

// CheckSummary counts what a dry mapping of every row found.
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
// calls reject for each row that cannot be imported. Every row is counted
// exactly once: ok, skipped or rejected. A source error that is not a row
// error (an unreadable file) ends the check.
func CheckRows(ctx context.Context, p *Plan, r source.Reader, reject func(*Rejected) error) (*CheckSummary, error) {
	sum := &CheckSummary{ByField: map[string]int{}, Example: map[string]string{}, SkipReasons: map[string]int{}}
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		row, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return sum, nil
		}
		var rowErr *source.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return sum, err
		}
		sum.Rows++
		var rej *Rejected
		if rowErr != nil {
			rej = &Rejected{Loc: rowErr.Loc, Values: cellValues(row.Cells),
				Problems: []*CellError{{Loc: rowErr.Loc, Column: rowErr.Name, Field: "(source)", Reason: rowErr.Err.Error()}}}
		} else {
			_, err := p.Map(row)
			var skipped *Skipped
			var errs RowErrors
			switch {
			case err == nil:
				sum.OK++
				continue
			case errors.As(err, &skipped):
				sum.Skipped++
				sum.SkipReasons[skipped.Reason]++
				continue
			case errors.As(err, &errs):
				rej = &Rejected{Loc: row.Loc, Problems: errs, Values: cellValues(row.Cells)}
			default:
				return sum, err
			}
		}
		sum.Rejected++
		seen := map[string]bool{}
		for _, e := range rej.Problems {
			if !seen[e.Field] {
				seen[e.Field] = true
				sum.ByField[e.Field]++
				if _, ok := sum.Example[e.Field]; !ok {
					sum.Example[e.Field] = e.Error()
				}
			}
		}
		if reject != nil {
			if err := reject(rej); err != nil {
				return sum, err
			}
		}
	}
}

func cellValues(cells []source.Cell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.Raw
	}
	return out
}
