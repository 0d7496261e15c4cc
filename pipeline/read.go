package pipeline

import (
	"context"
	"fmt"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The first step of a row's path: read and mapped in the one row flow
// (package rowflow), the way the feed build and the mapping check read
// theirs. A row ends here when the journal of the run being resumed has
// it, when the mapping skips it, or when it is rejected; the others go on
// to the planner (match.go) in file order.

// mapped is what the flow's stage made of a row: taken from the journal
// (replayed), or the mapping's outcome.
type mapped struct {
	replayed bool
	journal  state.RowOutcome
	mapping.Outcome
}

// readRows runs the flow over the source: mapping on rowflow's workers,
// then, in file order, the rows done at once go to the outcomes and the
// others in batches to the planner. It stops early, without error, when
// ctx (the user) ends the run.
func (r *run) readRows(ctx, gctx context.Context, src source.Reader, jobs chan<- []*rowJob, outcomes chan<- *outcome) error {
	fctx, cancel := context.WithCancel(gctx)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	var planErr error
	err := rowflow.Run(fctx, src, rowflow.Options{BatchSize: r.cfg.BatchSize}, r.mapStage,
		rowflow.SinkFunc[mapped](func(_ context.Context, b *rowflow.Batch[mapped]) error {
			planErr = r.dispatch(gctx, b, jobs, outcomes)
			return planErr
		}))
	switch {
	case err == nil || stopped(err) && fctx.Err() != nil:
		return nil
	case err == planErr:
		return err
	}
	return fmt.Errorf("reading the source: %w", err)
}

// mapStage maps the rows of a batch (on a worker of the flow). A row the
// journal of the run being resumed has done is not mapped again.
func (r *run) mapStage() rowflow.Stage[mapped] {
	return rowflow.StageFunc[mapped](func(b *rowflow.Batch[mapped]) {
		for i := range b.Rows {
			row, m := &b.Rows[i], &b.Items[i]
			if r.resume {
				if j, ok := r.journal[row.Loc().Line]; ok && j.Done {
					m.replayed, m.journal = true, j
					continue
				}
			}
			m.Outcome = r.plan.MapRow(row, nil)
		}
	})
}

// dispatch takes a mapped batch in file order: each row becomes an outcome
// at once (replayed, skipped or rejected) or a job for the planner.
func (r *run) dispatch(gctx context.Context, b *rowflow.Batch[mapped], jobs chan<- []*rowJob, outcomes chan<- *outcome) error {
	batch := make([]*rowJob, 0, len(b.Rows))
	for i := range b.Rows {
		row, m := &b.Rows[i], &b.Items[i]
		line := row.Loc().Line
		o := outcome{seq: row.Seq, loc: row.Loc(), values: row.Values()}
		switch {
		case m.replayed:
			o.row, o.replayed = m.journal, true
		case m.Err != nil:
			return m.Err
		case m.Skipped != nil:
			o.row = state.RowOutcome{Line: line, Done: true, Status: RowSkipped, Reason: m.Skipped.Reason}
		case m.Rejected != nil:
			rej := m.Rejected
			for _, ce := range rej.Problems {
				if ce.NotAnOption {
					r.warns.add(WarnUnmatchedOption, line, "%s: %q is not an option (column %q): add it to the field's enum: table", ce.Field, ce.Value, ce.Column)
				}
			}
			o.row = state.RowOutcome{Line: line, Done: true, Status: RowError, Column: rej.Columns(), Field: rej.Fields(),
				Reason: rej.Reasons()}
		default:
			batch = append(batch, &rowJob{seq: row.Seq, row: row.Row, b: m.Bundle, base: o, carry: r.carry[line]})
			continue
		}
		outcomes <- &o
	}
	if len(batch) == 0 {
		return nil
	}
	select {
	case jobs <- batch:
		return nil
	case <-gctx.Done():
		return gctx.Err()
	}
}
