package webhook

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Entry is one line of the change log.
type Entry struct {
	// ReceivedAt is when the Receiver recorded the notification.
	ReceivedAt time.Time `json:"received_at"`
	// Key identifies the change (Payload.Key); a retry has the same key.
	Key string `json:"key"`
	// Payload is the notification as it was received (compacted).
	Payload json.RawMessage `json:"payload"`
	// Answer is the write-back the Receiver answered with, if any.
	Answer map[string]string `json:"answer,omitempty"`
}

// Parse decodes the entry's payload.
func (e Entry) Parse() (*Payload, error) { return ParsePayload(e.Payload) }

const (
	logPrefix = "changes-"
	logSuffix = ".ndjson"
	dayLayout = "2006-01-02"
)

// LogFileName is the change log file for a day: changes-2026-11-22.ndjson.
func LogFileName(day time.Time) string { return logPrefix + day.Format(dayLayout) + logSuffix }

// logFiles lists the change log files of dir, oldest first, with their day.
func logFiles(dir string) ([]string, []time.Time, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	var days []time.Time
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasPrefix(n, logPrefix) || !strings.HasSuffix(n, logSuffix) {
			continue
		}
		day, err := time.Parse(dayLayout, strings.TrimSuffix(strings.TrimPrefix(n, logPrefix), logSuffix))
		if err != nil {
			continue
		}
		names = append(names, filepath.Join(dir, n))
		days = append(days, day)
	}
	// The names sort by day: changes-YYYY-MM-DD.
	return names, days, nil
}

// changeLog appends entries to the file of the current day and fsyncs each
// one. It is not safe for concurrent use; the Receiver serializes it.
type changeLog struct {
	dir string
	loc *time.Location
	day string
	f   *os.File
}

// append writes one entry and syncs it to disk before returning.
func (l *changeLog) append(e Entry) error {
	// Encode keeps "&", "<" and ">" as they came (Marshal would escape
	// them), and ends the line with '\n'.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return err
	}
	line := buf.Bytes()
	day := e.ReceivedAt.In(l.loc).Format(dayLayout)
	if l.f == nil || day != l.day {
		if err := l.open(e.ReceivedAt.In(l.loc)); err != nil {
			return err
		}
	}
	if _, err := l.f.Write(line); err != nil {
		// A short write leaves a torn line; cut it off so the next entry
		// starts on a line of its own.
		l.repair()
		return fmt.Errorf("change log: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	return nil
}

func (l *changeLog) open(day time.Time) error {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	path := filepath.Join(l.dir, LogFileName(day))
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(l.dir) // the new file's name must survive a crash too
	}
	l.f, l.day = f, day.Format(dayLayout)
	return nil
}

// repair cuts the current file back to its last complete line.
func (l *changeLog) repair() {
	if l.f != nil {
		_, _ = truncateTornTail(l.f.Name())
	}
}

func (l *changeLog) close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// truncateTornTail cuts a file back to its last newline: a line written
// only in part (a crash mid-write) was never acknowledged, so MiniCRM sends
// it again. It reports whether anything was cut.
func truncateTornTail(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false, err
	}
	size := fi.Size()
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 {
		n := int64(len(buf))
		if n > end {
			n = end
		}
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return false, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := end - n + int64(i) + 1
			if keep == size {
				return false, nil
			}
			return true, truncateSync(f, keep)
		}
		end -= n
	}
	return true, truncateSync(f, 0)
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// LineError is a line of a change log that is not a valid entry.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ReadLog calls fn with every entry of the change log in dir, oldest file
// first and in the order the lines were written. A last line without its
// newline (a write a crash cut short, never acknowledged) is skipped; any
// other bad line stops the reading with a *LineError. An error from fn stops
// it too and is returned.
func ReadLog(dir string, fn func(Entry) error) error {
	files, _, err := logFiles(dir)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := readLogFile(path, fn); err != nil {
			return err
		}
	}
	return nil
}

func readLogFile(path string, fn func(Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return nil // a torn last line, or nothing
		}
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return &LineError{File: path, Line: n, Err: err}
		}
		if e.Key == "" || len(e.Payload) == 0 {
			return &LineError{File: path, Line: n, Err: errors.New("not a change log entry (no key or payload)")}
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

// Change is the newest state of one record in a change log.
type Change struct {
	Type string
	ID   string
	// Payload is the newest notification of the record: its Data is the
	// whole record as it is now.
	Payload *Payload
	// ReceivedAt is when that notification arrived.
	ReceivedAt time.Time
	// Changed is every field any of the record's notifications named, in
	// the order first seen.
	Changed []string
	// Notifications counts the record's entries that were read.
	Notifications int
	// Uncertain is set when the newest notifications cannot be told apart:
	// the same UpdatedAt (MiniCRM's times have whole seconds), different
	// Data, neither of them the record's creation. Payload is then the one
	// received last, which need not be the newest; read the record again
	// through the API to be sure.
	Uncertain bool
}

// newer compares a record's notification p with the newest one so far
// (nil: none): 1 when p is newer, -1 when older, 0 when it cannot be told.
// UpdatedAt decides ("2006-01-02 15:04:05" sorts as text). Of two with the
// same UpdatedAt, the creation (CreatedAt among Changed) is the older, and
// equal Data are the same state (the later is taken, harmlessly).
func newer(p, best *Payload) int {
	if best == nil {
		return 1
	}
	if c := strings.Compare(p.UpdatedAt(), best.UpdatedAt()); c != 0 {
		return c
	}
	pc, bc := p.hasChanged("CreatedAt"), best.hasChanged("CreatedAt")
	switch {
	case pc && !bc:
		return -1
	case bc && !pc:
		return 1
	case p.sameData(best):
		return 1
	}
	return 0
}

// Latest reads the change log in dir and returns, for each record notified
// at or after since (received time; the zero time for all), its newest
// state: the entry with the latest Data.UpdatedAt. Notifications can arrive
// out of order (a retry waits while a later change goes through), which is
// why arrival alone does not decide; when UpdatedAt cannot decide either,
// Change.Uncertain says so.
// The result is sorted by Type, then by numeric Id.
//
// This is what an export applies to its previous output: each Change
// replaces its record's row (Payload.Data holds every field), and a record
// whose Deleted is 1 leaves it.
func Latest(dir string, since time.Time) ([]Change, error) {
	byKey := map[string]*Change{}
	err := ReadLog(dir, func(e Entry) error {
		if e.ReceivedAt.Before(since) {
			return nil
		}
		p, err := e.Parse()
		if err != nil {
			return fmt.Errorf("change log entry %s: %w", e.Key, err)
		}
		k := p.Type + "/" + p.ID
		c, ok := byKey[k]
		if !ok {
			c = &Change{Type: p.Type, ID: p.ID}
			byKey[k] = c
		}
		c.Notifications++
		for _, f := range p.Changed {
			if !slices.Contains(c.Changed, f) {
				c.Changed = append(c.Changed, f)
			}
		}
		switch newer(p, c.Payload) {
		case 1:
			c.Payload, c.ReceivedAt, c.Uncertain = p, e.ReceivedAt, false
		case 0:
			c.Payload, c.ReceivedAt, c.Uncertain = p, e.ReceivedAt, true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Change) int {
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		ai, _ := strconv.ParseInt(a.ID, 10, 64)
		bi, _ := strconv.ParseInt(b.ID, 10, 64)
		return cmp.Compare(ai, bi)
	})
	return out, nil
}
