package xmlfeed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
)

// idSet is the duplicate-Id check of a build: it says whether a Project Id
// came before, and on which line, in about 8 to 16 bytes of memory an Id
// (16 MB for a million), however long the Ids are.
//
// The Ids themselves go to a temporary file (line and Id, one record
// after the other); the memory holds an open-addressing table of 64-bit
// slots, each a 24-bit fingerprint of an Id and the offset of its record.
// A fingerprint that matches is only a candidate: the record is read back
// and the Ids compared, so the answer is exact — a false "duplicate" is
// impossible, and the disk is read only for real duplicates and about one
// Id in eight million others. Growing the table re-reads the file, which
// the OS keeps in its page cache (outside the process's memory). The table
// itself is mapped memory outside the Go heap where the OS allows it
// (slotTable), so the garbage collector, whose target is a multiple of the
// live heap, does not multiply it.
type idSet struct {
	// sum is an Id's hash, sumBytes the same of an Id read back (a test
	// may give a poor one: setHash).
	sum      func(string) uint64
	sumBytes func([]byte) uint64
	slots    slotTable // 0: empty; else fingerprint<<offsetBits | offset
	n        int

	f       *os.File
	path    string // still to remove at close (where an open file cannot be removed)
	flushed int64  // bytes of records in the file
	pend    []byte // records not yet written, from offset flushed
	scratch []byte
}

const (
	offsetBits = 40 // records up to 1 TB
	offsetMask = 1<<offsetBits - 1
	// A fingerprint has its top bit set, so that no slot in use is 0.
	fpTop = 1 << (63 - offsetBits)
)

// initialSlots is the table's first size: room for 786,432 Ids before it
// grows. Growing re-reads every Id from the file and puts it again at a
// random place, which was two thirds of the check's time at a million Ids
// when the table started at 65,536 slots. Its 8 MiB are taken as they are
// touched, outside the Go heap.
const initialSlots = 1 << 20

// slotsFor is the first size of the table for about rows Ids (0: not
// known): room for them below the load at which it grows, from 65,536 to
// 2^21 slots (16 MiB); initialSlots when not known. An estimate too high by
// far (a file of long multi-line values) costs at most the 16 MiB.
func slotsFor(rows int) int {
	if rows <= 0 {
		return initialSlots
	}
	n := 1 << 16
	for n*3/4 <= rows+rows/16 && n < 1<<21 {
		n *= 2
	}
	return n
}

// newIDSet makes the set, its file in dir (a hidden temporary file,
// removed at once where the OS allows it, else at Close).
func newIDSet(dir string) (*idSet, error) { return newIDSetSize(dir, initialSlots) }

// newIDSetSize is newIDSet with a table of n slots (a power of 2) to start.
func newIDSetSize(dir string, n int) (*idSet, error) {
	f, err := os.CreateTemp(dir, ".minicrm-bulk-ids-*")
	if err != nil {
		return nil, fmt.Errorf("duplicate-Id check: %w", err)
	}
	seed := maphash.MakeSeed()
	slots, err := newSlotTable(n)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("duplicate-Id check: %w", err)
	}
	// maphash.Bytes(seed, b) is maphash.String(seed, string(b)), without
	// the copy of the Id.
	s := &idSet{sum: func(id string) uint64 { return maphash.String(seed, id) },
		sumBytes: func(id []byte) uint64 { return maphash.Bytes(seed, id) }, slots: slots, f: f, path: f.Name()}
	if os.Remove(f.Name()) == nil {
		s.path = ""
	}
	return s, nil
}

// Close removes the file and frees the table.
func (s *idSet) Close() error {
	s.slots.free()
	err := s.f.Close()
	if s.path != "" {
		if rerr := os.Remove(s.path); err == nil {
			err = rerr
		}
	}
	return err
}

// setHash makes f the set's hash (a test's).
func (s *idSet) setHash(f func(string) uint64) {
	s.sum, s.sumBytes = f, func(id []byte) uint64 { return f(string(id)) }
}

func (s *idSet) split(h uint64) (home int, fp uint64) {
	return int(h & uint64(s.slots.len()-1)), (h>>(offsetBits+1) | fpTop)
}

// Hash is an Id's hash as Add and AddHashed take it: a build's workers
// work it out, so that the one goroutine adding Ids does not.
func (s *idSet) Hash(id string) uint64 { return s.sum(id) }

// Touch reads the slot where an Id of hash h starts its search and gives
// it back: reading the slots of a batch's Ids one after the other, before
// adding them, lets the memory fetch them at once instead of one cache
// miss after the other.
func (s *idSet) Touch(h uint64) uint64 {
	home, _ := s.split(h)
	return s.slots.get(home)
}

// Add records the Id of a line; when an earlier line had it, dup is true,
// first is that line and nothing is recorded.
func (s *idSet) Add(id string, line int) (first int, dup bool, err error) {
	return s.AddHashed(id, s.sum(id), line)
}

// AddHashed is Add with the Id's hash (Hash) worked out before.
func (s *idSet) AddHashed(id string, h uint64, line int) (first int, dup bool, err error) {
	home, fp := s.split(h)
	mask := s.slots.len() - 1
	i := home
	for ; ; i = (i + 1) & mask {
		v := s.slots.get(i)
		if v == 0 {
			break // not there: i is where it goes
		}
		if v>>offsetBits != fp {
			continue
		}
		got, l, err := s.record(int64(v & offsetMask))
		if err != nil {
			return 0, false, err
		}
		if got == id {
			return l, true, nil
		}
	}
	off := s.flushed + int64(len(s.pend))
	if off > offsetMask {
		return 0, false, errors.New("duplicate-Id check: over a terabyte of Ids; use --no-duplicate-check")
	}
	s.pend = binary.AppendUvarint(s.pend, uint64(line))
	s.pend = binary.AppendUvarint(s.pend, uint64(len(id)))
	s.pend = append(s.pend, id...)
	s.slots.set(i, fp<<offsetBits|uint64(off))
	s.n++
	if len(s.pend) >= 64<<10 {
		if err := s.flush(); err != nil {
			return 0, false, err
		}
	}
	if s.n*4 > s.slots.len()*3 {
		return 0, false, s.grow()
	}
	return 0, false, nil
}

func (s *idSet) flush() error {
	if len(s.pend) == 0 {
		return nil
	}
	if _, err := s.f.WriteAt(s.pend, s.flushed); err != nil {
		return fmt.Errorf("duplicate-Id check: %w", err)
	}
	s.flushed += int64(len(s.pend))
	s.pend = s.pend[:0]
	return nil
}

// record reads the record at off: an Id and its line.
func (s *idSet) record(off int64) (id string, line int, err error) {
	var head [2 * binary.MaxVarintLen64]byte
	var b []byte
	if off >= s.flushed {
		b = s.pend[off-s.flushed:]
	} else {
		n, err := s.f.ReadAt(head[:], off)
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			return "", 0, fmt.Errorf("duplicate-Id check: %w", err)
		}
		b = head[:n]
	}
	l, n1 := binary.Uvarint(b)
	size, n2 := 0, 0
	if n1 > 0 {
		var u uint64
		u, n2 = binary.Uvarint(b[n1:])
		size = int(u)
	}
	if n1 <= 0 || n2 <= 0 {
		return "", 0, errors.New("duplicate-Id check: its temporary file is damaged")
	}
	start := int64(n1 + n2)
	if off >= s.flushed {
		if int(start)+size > len(b) {
			return "", 0, errors.New("duplicate-Id check: its temporary file is damaged")
		}
		return string(b[start : int(start)+size]), int(l), nil
	}
	if cap(s.scratch) < size {
		s.scratch = make([]byte, size)
	}
	buf := s.scratch[:size]
	if _, err := s.f.ReadAt(buf, off+start); err != nil {
		return "", 0, fmt.Errorf("duplicate-Id check: %w", err)
	}
	return string(buf), int(l), nil
}

// grow doubles the table, putting every Id again from the file.
func (s *idSet) grow() error {
	if err := s.flush(); err != nil {
		return err
	}
	slots, err := newSlotTable(2 * s.slots.len())
	if err != nil {
		return fmt.Errorf("duplicate-Id check: %w", err)
	}
	s.slots.free()
	s.slots = slots
	mask := s.slots.len() - 1
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.flushed), 256<<10)
	var off int64
	for off < s.flushed {
		line, err := binary.ReadUvarint(r)
		if err != nil {
			return fmt.Errorf("duplicate-Id check: %w", err)
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return fmt.Errorf("duplicate-Id check: %w", err)
		}
		if cap(s.scratch) < int(size) {
			s.scratch = make([]byte, size)
		}
		buf := s.scratch[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("duplicate-Id check: %w", err)
		}
		h := s.sumBytes(buf)
		i, fp := int(h&uint64(mask)), h>>(offsetBits+1)|fpTop
		for s.slots.get(i) != 0 {
			i = (i + 1) & mask
		}
		s.slots.set(i, fp<<offsetBits|uint64(off))
		off += int64(uvarintLen(line) + uvarintLen(size) + int(size))
	}
	return nil
}

func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}
