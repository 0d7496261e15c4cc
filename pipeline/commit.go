package pipeline

import (
	"sync"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// commitEvery is how often the committer writes what has gathered. A crash
// loses at most this much of the journal; nothing is lost for good, because
// a create's pending entry is on disk before its request leaves, and an
// update found unjournaled is diffed again (to "unchanged").
const commitEvery = 200 * time.Millisecond

// committer gathers journal entries and mirror changes and writes them to the
// state database in one transaction every commitEvery: one fsync for many
// rows instead of one per row. A dry run journals nothing and keeps the
// mirror as the refresh left it (what a dry run "writes" is imaginary).
type committer struct {
	db          *state.DB
	job, system string
	dry         bool

	mu  sync.Mutex
	b   state.Batch
	err error

	flushMu sync.Mutex // one transaction at a time, in order
	stopCh  chan struct{}
}

func newCommitter(db *state.DB, job, system string, dry bool) *committer {
	return &committer{db: db, job: job, system: system, dry: dry}
}

// start flushes every commitEvery until stop; onErr is called once if a
// flush fails (the run cannot go on without its checkpoint).
func (c *committer) start(onErr func()) chan struct{} {
	c.stopCh = make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(commitEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stopCh:
				return
			case <-t.C:
				if err := c.flush(); err != nil {
					onErr()
					return
				}
			}
		}
	}()
	return done
}

// stop ends the flushing loop and flushes what is left.
func (c *committer) stop(done chan struct{}) error {
	close(c.stopCh)
	<-done
	return c.flush()
}

// flush commits the gathered batch.
func (c *committer) flush() error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	b := c.b
	c.b = state.Batch{}
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.db.Commit(c.job, c.system, &b); err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return err
	}
	return nil
}

// journal adds a row's journal entry.
func (c *committer) journal(o state.RowOutcome) {
	if c.dry {
		return
	}
	c.mu.Lock()
	c.b.Journal = append(c.b.Journal, o)
	c.mu.Unlock()
}

// mirror adds changed mirror records.
func (c *committer) mirror(recs ...state.MirrorRecord) {
	if c.dry {
		return
	}
	c.mu.Lock()
	c.b.Mirror = append(c.b.Mirror, recs...)
	c.mu.Unlock()
}

// removed adds a mirror record found deleted in MiniCRM.
func (c *committer) removed(rec state.MirrorRecord) {
	if c.dry {
		return
	}
	c.mu.Lock()
	c.b.Removed = append(c.b.Removed, rec)
	c.mu.Unlock()
}

// created records a create that MiniCRM carried out: the record, the row's
// journal entry so far, and the pending entry it settles, all in the same
// transaction.
func (c *committer) created(rec state.MirrorRecord, row state.RowOutcome, pendingKey string) {
	if c.dry {
		return
	}
	c.mu.Lock()
	c.b.Mirror = append(c.b.Mirror, rec)
	c.b.Journal = append(c.b.Journal, row)
	c.b.PendingDone = append(c.b.PendingDone, pendingKey)
	c.mu.Unlock()
}

// pendingDone settles a pending create that did not happen.
func (c *committer) pendingDone(key string) {
	if c.dry {
		return
	}
	c.mu.Lock()
	c.b.PendingDone = append(c.b.PendingDone, key)
	c.mu.Unlock()
}
