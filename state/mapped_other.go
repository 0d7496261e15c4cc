//go:build !linux

package state

// ReleaseMapped is a no-op outside Linux.
func (d *DB) ReleaseMapped() {}
