package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged means the state database is damaged (a disk error, a bit
// flipped, a file cut short or overwritten): every such problem, whether
// bbolt returns it, panics on it, or a stored value no longer decodes, is a
// *DamagedError wrapping it.
var ErrDamaged = errors.New("the state database is damaged")

// DamagedError says what is damaged and what to do.
type DamagedError struct {
	Path string
	What string // bbolt's or the decoder's words
	// Opening is true when the damage was found while opening the file:
	// nothing was sent to MiniCRM yet.
	Opening bool
}

func (e *DamagedError) Unwrap() error { return ErrDamaged }

func (e *DamagedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v (%s). ", e.Path, ErrDamaged, e.What)
	if e.Opening {
		b.WriteString("MiniCRM was not touched: nothing was written to it. ")
	} else {
		b.WriteString("The run stopped; what it wrote to MiniCRM before stays there and is listed in success.csv. ")
	}
	fmt.Fprintf(&b, "Move the file aside (mv %s %s.damaged) and run again: the copy of MiniCRM's records kept in it is rebuilt "+
		"from MiniCRM (the first run lists every record again, so it takes longer), and the next export is a full one. "+
		"What is lost is the journal of an interrupted import: --resume cannot continue it, so run the import again without "+
		"--resume; the records created before are found in MiniCRM by the mapping's match keys and come out unchanged, not twice.",
		e.Path, e.Path)
	return b.String()
}

// damaged wraps what went wrong in a *DamagedError when it says the file
// is damaged, and passes any other error on.
func (d *DB) damaged(err error, opening bool) error {
	if err == nil {
		return nil
	}
	var de *DamagedError
	if errors.As(err, &de) {
		return err
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &se), errors.As(err, &te), errors.As(err, &pe), errors.Is(err, bolt.ErrIncompatibleValue),
		errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrChecksum),
		errors.Is(err, bolt.ErrVersionMismatch), errors.Is(err, bolt.ErrInvalidMapping), errors.Is(err, errCorrupt):
		return &DamagedError{Path: d.path, What: err.Error(), Opening: opening}
	}
	return err
}

// errCorrupt marks errors found by the consistency check or a recovered
// panic.
var errCorrupt = errors.New("corrupt")

type corruptError struct{ what string }

func (e *corruptError) Error() string { return e.what }
func (e *corruptError) Unwrap() error { return errCorrupt }

// recovered turns a panic of bbolt (which panics on some damaged pages
// instead of returning an error) into a *DamagedError in *err.
func (d *DB) recovered(err *error, opening bool) {
	if r := recover(); r != nil {
		*err = &DamagedError{Path: d.path, What: fmt.Sprintf("the database library failed on it: %v", r), Opening: opening}
	}
}

// faultsPanic makes a memory fault of this goroutine (bbolt reading a
// page that a damaged file points past the end of its memory map) a panic
// that recovered can turn into a DamagedError, instead of a crash. It
// returns the function that restores the setting.
func faultsPanic() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

func (d *DB) view(fn func(*bolt.Tx) error) (err error) {
	defer d.recovered(&err, false)
	defer faultsPanic()()
	return d.damaged(d.db.View(fn), false)
}

func (d *DB) update(fn func(*bolt.Tx) error) (err error) {
	defer d.recovered(&err, false)
	defer faultsPanic()()
	return d.damaged(d.db.Update(fn), false)
}

// batch is bbolt's Batch. A panic inside fn comes back as an error; one
// in bbolt's own commit would happen on its timer's goroutine, out of
// reach, which is why Open checks every page first (check).
func (d *DB) batch(fn func(*bolt.Tx) error) (err error) {
	defer d.recovered(&err, false)
	defer faultsPanic()()
	err = d.db.Batch(fn)
	if err != nil && strings.Contains(err.Error(), "panic") {
		return &DamagedError{Path: d.path, What: err.Error()}
	}
	return d.damaged(err, false)
}

// check is the consistency check Open runs before anything else reads the
// file: checkFile, which reads the file page by page from disk, never
// through bbolt's memory map (see there for what it finds and why). What it
// lets through, bbolt can read without leaving its map, and bbolt's own
// check (Tx.Check) finds nothing in it: TestCheckAgreesWithBbolt holds the
// two to that. bbolt's check is not run here: it reads every page through
// the map, which would put the whole file in the process's resident set.
func (d *DB) check() (err error) {
	defer d.recovered(&err, true)
	if err := checkFile(d.path); err != nil {
		return &DamagedError{Path: d.path, What: err.Error(), Opening: true}
	}
	return nil
}
