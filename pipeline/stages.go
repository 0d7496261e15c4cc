package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// rowItem is a source row on its way to the mapper: a row, or a row the
// reader could not read (rowErr). seq numbers the rows in file order.
type rowItem struct {
	seq    int
	row    source.Row
	rowErr *source.RowError
}

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

func cellValues(cells []source.Cell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.Raw
	}
	return out
}

// read is the first stage: source rows in batches. It stops early, without
// error, when ctx (the user) ends the run.
func (r *run) read(ctx, gctx context.Context, src source.Reader, out chan<- []rowItem) error {
	seq := 0
	batch := make([]rowItem, 0, r.cfg.BatchSize)
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case out <- batch:
			batch = make([]rowItem, 0, r.cfg.BatchSize)
			return true
		case <-gctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		row, err := src.Next(gctx)
		if errors.Is(err, io.EOF) {
			break
		}
		var re *source.RowError
		if err != nil && !errors.As(err, &re) {
			if stopped(err) {
				break
			}
			return fmt.Errorf("reading the source: %w", err)
		}
		seq++
		batch = append(batch, rowItem{seq: seq, row: row, rowErr: re})
		if len(batch) == cap(batch) && !send() {
			return nil
		}
	}
	send()
	return nil
}

// mapRows is the second stage: each row becomes a bundle of records, or an
// outcome at once (skipped, rejected, or replayed from the journal).
func (r *run) mapRows(gctx context.Context, in <-chan []rowItem, out chan<- []*rowJob, outcomes chan<- *outcome) error {
	for batch := range in {
		jobs := make([]*rowJob, 0, len(batch))
		for _, it := range batch {
			line := it.row.Loc.Line
			base := outcome{seq: it.seq, loc: it.row.Loc, values: cellValues(it.row.Cells)}
			if it.rowErr != nil {
				base.loc = it.rowErr.Loc
				line = it.rowErr.Loc.Line
			}
			if r.resume {
				if j, ok := r.journal[line]; ok && j.Done {
					o := base
					o.row, o.replayed = j, true
					outcomes <- &o
					continue
				}
			}
			if it.rowErr != nil {
				o := base
				col := it.rowErr.Name
				if col == "" {
					col = it.rowErr.ColumnRef()
				}
				o.row = state.RowOutcome{Line: line, Done: true, Status: RowError, Column: col, Field: "(source)",
					Reason: it.rowErr.Err.Error()}
				outcomes <- &o
				continue
			}
			b, err := r.plan.Map(it.row)
			var skipped *mapping.Skipped
			var rowErrs mapping.RowErrors
			switch {
			case err == nil:
				jobs = append(jobs, &rowJob{seq: it.seq, row: it.row, b: b, base: base, carry: r.carry[line]})
			case errors.As(err, &skipped):
				o := base
				o.row = state.RowOutcome{Line: line, Done: true, Status: RowSkipped, Reason: skipped.Reason}
				outcomes <- &o
			case errors.As(err, &rowErrs):
				for _, ce := range rowErrs {
					if ce.NotAnOption {
						r.warns.add(WarnUnmatchedOption, line, "%s: %q is not an option (column %q): add it to the field's enum: table", ce.Field, ce.Value, ce.Column)
					}
				}
				rej := &mapping.Rejected{Loc: it.row.Loc, Problems: rowErrs, Values: base.values}
				o := base
				o.row = state.RowOutcome{Line: line, Done: true, Status: RowError, Column: rej.Columns(), Field: rej.Fields(),
					Reason: rej.Reasons()}
				outcomes <- &o
			default:
				return err
			}
		}
		if len(jobs) == 0 {
			continue
		}
		select {
		case out <- jobs:
		case <-gctx.Done():
			return nil
		}
	}
	return nil
}

// sink is the last stage: it journals each row's outcome and writes the
// outputs in file order.
func (r *run) sink(in <-chan *outcome) error {
	var firstErr error
	next := 1
	held := map[int]*outcome{}
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
		held[o.seq] = o
		for h, ok := held[next]; ok; h, ok = held[next] {
			delete(held, next)
			emit(h)
			next++
		}
	}
	// A fatal error can leave holes (rows never finished): write the rest.
	rest := make([]int, 0, len(held))
	for seq := range held {
		rest = append(rest, seq)
	}
	slices.Sort(rest)
	for _, seq := range rest {
		emit(held[seq])
	}
	return firstErr
}

// rowLabel names a row in messages.
func rowLabel(loc source.Location) string { return loc.String() }

func itoa(n int) string { return strconv.Itoa(n) }
