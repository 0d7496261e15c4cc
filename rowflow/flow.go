package rowflow

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Source gives the rows of a file one at a time, io.EOF after the last; a
// *source.RowError is a row it could not read (source.Reader is one).
type Source interface {
	Next(ctx context.Context) (source.Row, error)
}

// Row is one source row on its way: its place among the rows read (Seq,
// from 1), the row, and, when the source could not read it, the source's
// complaint (Row then holds what could be read).
type Row struct {
	Seq int
	Row source.Row
	Err *source.RowError
}

// Loc is where the row is in the source.
func (r *Row) Loc() source.Location {
	if r.Err != nil {
		return r.Err.Loc
	}
	return r.Row.Loc
}

// Values are the row's original cells, aligned with the source header: what
// an errors.csv line repeats.
func (r *Row) Values() []string { return Values(r.Row.Cells) }

// Values are cells' original texts, for a row read outside a flow (the
// feed's order grouping reads its rows itself).
func Values(cells []source.Cell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.Raw
	}
	return out
}

// Batch is rows that travel together, with what the stage made of each
// (Items[i] is Rows[i]'s, zeroed before the stage sees it). Arena is memory
// the stage may fill for the batch's items (the feed's encoded cards); it
// is used again, like the rest of the batch, once the sink is done.
type Batch[T any] struct {
	Rows  []Row
	Items []T
	Arena []byte
	seq   int
	err   error // a source error that ends the flow, after Rows
}

// Stage works on whole batches on a worker goroutine: it fills the
// batch's Items from its Rows. A Stage belongs to one worker.
type Stage[T any] interface {
	Work(b *Batch[T])
}

// StageFunc is a Stage.
type StageFunc[T any] func(b *Batch[T])

// Work calls f.
func (f StageFunc[T]) Work(b *Batch[T]) { f(b) }

// Sink takes the batches in source order on the goroutine that called Run.
// The batch is used again once Write returns: a sink copies what it keeps.
// An error stops the flow and is Run's.
type Sink[T any] interface {
	Write(ctx context.Context, b *Batch[T]) error
}

// SinkFunc is a Sink.
type SinkFunc[T any] func(ctx context.Context, b *Batch[T]) error

// Write calls f.
func (f SinkFunc[T]) Write(ctx context.Context, b *Batch[T]) error { return f(ctx, b) }

// DefaultBatchSize is the rows a batch holds unless Options say otherwise.
const DefaultBatchSize = 256

// Options tune a flow; the zero value is fine.
type Options struct {
	// BatchSize is the rows a batch holds (default DefaultBatchSize).
	BatchSize int
	// Workers is the number of stage workers (default GOMAXPROCS).
	Workers int
	// ReuseCells says that neither the stage nor the sink keeps a row's
	// Cells once the sink's Write has returned (what they keep, they copy:
	// mapping.Reject copies the values): a source that is a
	// source.Refiller then reads new rows into the cells of a batch used
	// before, instead of allocating them for each row.
	ReuseCells bool
}

// Run moves every row of src through a stage (one from newStage per
// worker) to sink, batch by batch, in source order. It returns the sink's
// first error, a source error that is not a row's (after the rows before
// it reached the sink), or ctx's error; nil when the source ended. Every
// goroutine it started is gone when it returns.
func Run[T any](ctx context.Context, src Source, o Options, newStage func() Stage[T], sink Sink[T]) error {
	size := o.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	workers := o.Workers
	if workers <= 0 {
		workers = max(1, runtime.GOMAXPROCS(0))
	}
	ctx, cancel := context.WithCancel(ctx)
	pool := sync.Pool{New: func() any { return &Batch[T]{Rows: make([]Row, 0, size)} }}
	todo := make(chan *Batch[T], workers)
	done := make(chan *Batch[T], workers)
	var reader, working sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		defer close(todo)
		read(ctx, src, size, o.ReuseCells, &pool, todo)
	}()
	for range workers {
		working.Add(1)
		st := newStage()
		go func() {
			defer working.Done()
			for b := range todo {
				if ctx.Err() != nil {
					return
				}
				b.Items = fresh(b.Items, len(b.Rows))
				st.Work(b)
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { working.Wait(); close(done) }()
	defer func() {
		cancel()
		for range done { // let the workers go
		}
		reader.Wait()
	}()

	var order Reorder[*Batch[T]]
	for b := range done {
		order.Put(b.seq, b)
		for b, ok := order.Next(); ok; b, ok = order.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(b.Rows) > 0 {
				if err := sink.Write(ctx, b); err != nil {
					return err
				}
			}
			if b.err != nil {
				return b.err
			}
			pool.Put(b)
		}
	}
	return ctx.Err()
}

// read is the reading goroutine: the rows in batches, numbered.
func read[T any](ctx context.Context, src Source, size int, reuse bool, pool *sync.Pool, todo chan<- *Batch[T]) {
	seq, rows := 0, 0
	var fill source.Refiller
	if reuse {
		fill, _ = src.(source.Refiller)
	}
	get := func() *Batch[T] {
		b := pool.Get().(*Batch[T])
		b.Rows, b.err = b.Rows[:0], nil
		return b
	}
	cur := get()
	send := func() bool {
		cur.seq = seq
		seq++
		select {
		case todo <- cur:
			cur = get()
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		var (
			row source.Row
			err error
		)
		if fill != nil {
			// The cells of the row this batch held at this place when it
			// was used before, if it was.
			var cells []source.Cell
			if n := len(cur.Rows); n < cap(cur.Rows) {
				cells = cur.Rows[:n+1][n].Row.Cells
			}
			row, err = fill.NextInto(ctx, cells)
		} else {
			row, err = src.Next(ctx)
		}
		if errors.Is(err, io.EOF) {
			if len(cur.Rows) > 0 {
				send()
			}
			return
		}
		var re *source.RowError
		if err != nil {
			if re = rowError(err); re == nil {
				cur.err = err
				send()
				return
			}
		}
		rows++
		cur.Rows = append(cur.Rows, Row{Seq: rows, Row: row, Err: re})
		if len(cur.Rows) == size && !send() {
			return
		}
	}
}

// rowError is err's *source.RowError, or nil. (A function of its own: the
// target of errors.As lives on the heap, and only rows with an error should
// pay for it.)
func rowError(err error) *source.RowError {
	var re *source.RowError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// fresh gives items n zero values, in its own memory when it has room.
func fresh[T any](items []T, n int) []T {
	if cap(items) < n {
		return make([]T, n)
	}
	items = items[:n]
	clear(items)
	return items
}
