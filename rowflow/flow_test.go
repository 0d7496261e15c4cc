package rowflow_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// sheet writes a CSV of n rows (id;name) whose rows in bad have a cell too
// many, and opens it.
func sheet(t *testing.T, n int, bad map[int]bool) source.Reader {
	t.Helper()
	var b strings.Builder
	b.WriteString("id;name\n")
	for i := 1; i <= n; i++ {
		if bad[i] {
			fmt.Fprintf(&b, "%d;name %d;extra\n", i, i)
			continue
		}
		fmt.Fprintf(&b, "%d;name %d\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := source.Open(path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// double is a stage: each row's id, doubled (0 for a row with an error).
func double() rowflow.Stage[int] {
	return rowflow.StageFunc[int](func(b *rowflow.Batch[int]) {
		for i := range b.Rows {
			if r := &b.Rows[i]; r.Err == nil {
				n, _ := strconv.Atoi(r.Row.Cells[0].Raw)
				b.Items[i] = 2 * n
			}
		}
	})
}

func TestRunKeepsSourceOrder(t *testing.T) {
	for _, tc := range []struct {
		name             string
		rows, batch, wkr int
		bad              map[int]bool
	}{
		{name: "one batch", rows: 5, batch: 100, wkr: 4},
		{name: "many small batches", rows: 1000, batch: 7, wkr: 4},
		{name: "one worker", rows: 300, batch: 16, wkr: 1},
		{name: "row errors in place", rows: 200, batch: 9, wkr: 3, bad: map[int]bool{1: true, 50: true, 200: true}},
		{name: "empty", rows: 0, batch: 8, wkr: 2},
	} {
		for _, reuse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, reuse %v", tc.name, reuse), func(t *testing.T) {
				keepsSourceOrder(t, tc.rows, tc.batch, tc.wkr, tc.bad, reuse)
			})
		}
	}
}

// refills is a source.Refiller that counts the calls that brought cells to
// fill again.
type refills struct {
	source.Reader
	reused int
}

func (r *refills) NextInto(ctx context.Context, cells []source.Cell) (source.Row, error) {
	if cap(cells) > 0 {
		r.reused++
	}
	return r.Reader.(source.Refiller).NextInto(ctx, cells)
}

// keepsSourceOrder runs rows through a flow and checks that the sink gets
// each in its place, with its own values, and that with reuse the cells of
// batches used before are read into again.
func keepsSourceOrder(t *testing.T, rows, batch, wkr int, bad map[int]bool, reuse bool) {
	t.Helper()
	src := &refills{Reader: sheet(t, rows, bad)}
	seen := 0
	err := rowflow.Run(context.Background(), src, rowflow.Options{BatchSize: batch, Workers: wkr, ReuseCells: reuse}, double,
		rowflow.SinkFunc[int](func(_ context.Context, b *rowflow.Batch[int]) error {
			if len(b.Rows) > batch || len(b.Items) != len(b.Rows) {
				t.Fatalf("batch of %d rows, %d items (size %d)", len(b.Rows), len(b.Items), batch)
			}
			for i := range b.Rows {
				seen++
				r := &b.Rows[i]
				if r.Seq != seen || r.Loc().Line != seen+1 {
					t.Fatalf("row %d came as seq %d, line %d", seen, r.Seq, r.Loc().Line)
				}
				if bad[seen] != (r.Err != nil) {
					t.Fatalf("row %d: error %v, want one: %v", seen, r.Err, bad[seen])
				}
				if want := 2 * seen; r.Err == nil && b.Items[i] != want {
					t.Fatalf("row %d: item %d, want %d", seen, b.Items[i], want)
				}
				if want := fmt.Sprintf("name %d", seen); len(r.Row.Cells) < 2 || r.Row.Cells[1].Raw != want {
					t.Fatalf("row %d: cells %v, want %q second", seen, r.Row.Cells, want)
				}
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	if seen != rows {
		t.Fatalf("the sink saw %d rows of %d", seen, rows)
	}
	// A flow of many batches reads into cells used before only when told.
	if many := rows > 4*batch*max(wkr, 2); reuse && many && src.reused == 0 || !reuse && src.reused > 0 {
		t.Errorf("reuse %v: %d rows read into cells used before", reuse, src.reused)
	}
}

// failing is a source that fails (not a row error) after n rows: a disk
// that goes away under a real reader.
type failing struct {
	rowflow.Source
	n   int
	err error
}

func (f *failing) Next(ctx context.Context) (source.Row, error) {
	if f.n == 0 {
		return source.Row{}, f.err
	}
	f.n--
	return f.Source.Next(ctx)
}

func TestRunStops(t *testing.T) {
	errDisk := errors.New("disk gone")
	errSink := errors.New("sink full")
	t.Run("source error after the rows before it", func(t *testing.T) {
		seen := 0
		err := rowflow.Run(context.Background(), &failing{Source: sheet(t, 100, nil), n: 42, err: errDisk},
			rowflow.Options{BatchSize: 10, Workers: 3}, double,
			rowflow.SinkFunc[int](func(_ context.Context, b *rowflow.Batch[int]) error { seen += len(b.Rows); return nil }))
		if !errors.Is(err, errDisk) || seen != 42 {
			t.Fatalf("err %v after %d rows; want %v after 42", err, seen, errDisk)
		}
	})
	t.Run("sink error", func(t *testing.T) {
		batches := 0
		err := rowflow.Run(context.Background(), sheet(t, 1000, nil), rowflow.Options{BatchSize: 10, Workers: 3}, double,
			rowflow.SinkFunc[int](func(_ context.Context, b *rowflow.Batch[int]) error {
				if batches++; batches == 3 {
					return errSink
				}
				return nil
			}))
		if !errors.Is(err, errSink) || batches != 3 {
			t.Fatalf("err %v after %d batches; want %v after 3", err, batches, errSink)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		seen := 0
		err := rowflow.Run(ctx, sheet(t, 1000, nil), rowflow.Options{BatchSize: 10, Workers: 3}, double,
			rowflow.SinkFunc[int](func(_ context.Context, b *rowflow.Batch[int]) error {
				if seen += len(b.Rows); seen == 50 {
					cancel()
				}
				return nil
			}))
		if !errors.Is(err, context.Canceled) || seen != 50 {
			t.Fatalf("err %v after %d rows; want context.Canceled after 50", err, seen)
		}
	})
}

func TestReorder(t *testing.T) {
	var r rowflow.Reorder[string]
	r.Start(1)
	var got []string
	take := func() {
		for v, ok := r.Next(); ok; v, ok = r.Next() {
			got = append(got, v)
		}
	}
	for _, seq := range []int{3, 2, 5, 1, 7} {
		r.Put(seq, strconv.Itoa(seq))
		take()
	}
	if strings.Join(got, ",") != "1,2,3" {
		t.Fatalf("in order: %v", got)
	}
	if rest := r.Rest(); strings.Join(rest, ",") != "5,7" {
		t.Fatalf("rest after the gap: %v", rest)
	}
	if v, ok := r.Next(); ok {
		t.Fatalf("Next after Rest: %q", v)
	}
}
