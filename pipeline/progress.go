package pipeline

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
)

// Progress is a snapshot of a run for progress displays.
type Progress struct {
	// Phase is "schemas", "mirror", "rows" or "done".
	Phase string
	// Rows is the number of source rows finished, Total the number in the
	// file (0 while unknown).
	Rows, Total int
	// Requests is the number of HTTP requests sent so far by this run.
	Requests int
	// Elapsed is the time since the rows phase began (since the start
	// before that).
	Elapsed time.Duration
	// RPM is the rate limit the client keeps to (requests a minute).
	RPM int
	// RowRequests are the requests sent since the rows phase began: with
	// Rows, what a row costs at this run's pace (a resumed run counts only
	// its own rows and requests).
	RowRequests int
}

// progressMeter is what Progress is made of, updated by the stages.
type progressMeter struct {
	statsStart restapi.Stats
	// startedMono and rowsStart time the run on this machine's monotonic
	// clock (Config.Now may be the server's, which moves in steps).
	startedMono time.Time
	rowsStart   atomic.Pointer[time.Time]
	// rowRequestsStart is Progress.Requests when the rows phase began.
	rowRequestsStart atomic.Int64
	phase            atomic.Value // string
	total            atomic.Int64
	rowsDone         atomic.Int64
}

// startMeter starts the clock and the request count.
func (m *progressMeter) startMeter(c *restapi.Client) {
	m.startedMono = time.Now()
	m.statsStart = c.Stats()
	m.phase.Store("schemas")
}

// startRows marks the start of the rows phase.
func (r *run) startRows() {
	r.phase.Store("rows")
	rowsStart := time.Now()
	r.rowRequestsStart.Store(int64(r.c.Stats().Attempts - r.statsStart.Attempts))
	r.rowsStart.Store(&rowsStart)
}

func (r *run) progress() Progress {
	p := Progress{Phase: r.phase.Load().(string), Rows: int(r.rowsDone.Load()), Total: int(r.total.Load()),
		Requests: r.c.Stats().Attempts - r.statsStart.Attempts, RPM: r.c.RPM()}
	if n := r.rowRequestsStart.Load(); n >= 0 && r.rowsStart.Load() != nil {
		p.RowRequests = p.Requests - int(n)
	}
	if t := r.rowsStart.Load(); t != nil {
		p.Elapsed = time.Since(*t)
	} else {
		p.Elapsed = time.Since(r.startedMono)
	}
	return p
}

func (r *run) startProgress() func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.cfg.Progress(r.progress())
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// countRows reads the source once to know how many rows it has, for the
// progress display's percentage and ETA (a read costs milliseconds; the
// import costs a request a row).
func countRows(ctx context.Context, m *mapping.Mapping, path string) (int, error) {
	src, err := m.OpenSource(path)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	n := 0
	err = rowflow.Run(ctx, src, rowflow.Options{Workers: 1}, func() rowflow.Stage[struct{}] {
		return rowflow.StageFunc[struct{}](func(*rowflow.Batch[struct{}]) {})
	}, rowflow.SinkFunc[struct{}](func(_ context.Context, b *rowflow.Batch[struct{}]) error {
		n += len(b.Rows)
		return nil
	}))
	return n, err
}
