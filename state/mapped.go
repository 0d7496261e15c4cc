package state

import "time"

// releaseWhile releases the mapped pages (ReleaseMapped) every few
// milliseconds until the returned function is called: the consistency check
// on open reads every page of the file, which would otherwise all stay in
// the process's resident memory.
func (d *DB) releaseWhile() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				d.ReleaseMapped()
				return
			case <-t.C:
				d.ReleaseMapped()
			}
		}
	}()
	return func() { close(done); <-finished }
}
