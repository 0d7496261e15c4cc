package xmlfeed

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
)

// spill keeps the orders of a build (and their customers' cards) in a
// temporary file until the source has been read, so that a customer's
// orders, wherever they are in the file, go under one <Project> without
// the build holding them in memory. A record is the offset of an earlier
// record (a customer's previous order, or -1), the length of its JSON, and
// the JSON; a customer's orders are read back by following these links.
type spill struct {
	f    *os.File
	path string // still to remove at close (where an open file cannot be removed)
	w    *bufio.Writer
	size int64
	hdr  [12]byte
	buf  []byte
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, ".minicrm-bulk-orders-*")
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	s := &spill{f: f, path: f.Name(), w: bufio.NewWriterSize(f, 64<<10)}
	if os.Remove(f.Name()) == nil {
		s.path = ""
	}
	return s, nil
}

// put appends a record linked to prev and returns its offset.
func (s *spill) put(prev int64, v any) (int64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	off := s.size
	binary.LittleEndian.PutUint64(s.hdr[:8], uint64(prev))
	binary.LittleEndian.PutUint32(s.hdr[8:], uint32(len(b)))
	if _, err := s.w.Write(s.hdr[:]); err != nil {
		return 0, fmt.Errorf("orders: %w", err)
	}
	if _, err := s.w.Write(b); err != nil {
		return 0, fmt.Errorf("orders: %w", err)
	}
	s.size += int64(len(s.hdr) + len(b))
	return off, nil
}

// done ends the writing; get may be called from then on.
func (s *spill) done() error { return s.w.Flush() }

// get reads the record at off into v and returns the offset it links to.
func (s *spill) get(off int64, v any) (prev int64, err error) {
	var hdr [12]byte
	if _, err := s.f.ReadAt(hdr[:], off); err != nil {
		return 0, fmt.Errorf("orders: reading back: %w", err)
	}
	n := int(binary.LittleEndian.Uint32(hdr[8:]))
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	b := s.buf[:n]
	if _, err := s.f.ReadAt(b, off+int64(len(hdr))); err != nil {
		return 0, fmt.Errorf("orders: reading back: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return 0, fmt.Errorf("orders: reading back: %w", err)
	}
	return int64(binary.LittleEndian.Uint64(hdr[:8])), nil
}

func (s *spill) close() error {
	err := s.f.Close()
	if s.path != "" {
		if rerr := os.Remove(s.path); err == nil {
			err = rerr
		}
	}
	return err
}
