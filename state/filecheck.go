package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// checkFile checks a bbolt file read from disk, a page at a time, and
// never through bbolt's memory map: the consistency check Open runs. It
// finds
//
//   - every offset bbolt will follow that leaves the file: the chosen meta
//     page, every page reachable from it, its child page ids, and each
//     element's key and value. bbolt trusts these offsets; a damaged one
//     makes it read outside its memory map, which crashes the process (a
//     fault, not a panic) on a goroutine of bbolt's own, out of reach of
//     recover;
//   - what bbolt's own check (Tx.Check) finds: a page of the wrong type, a
//     page reached twice, a page both in use and free, a page neither in
//     use nor free (lost), a page freed twice, keys out of order in a page
//     or outside the range their parent's keys give them.
//
// Reading the file rather than the map is what keeps the check's memory
// flat: a page read through the map stays in the process's resident set
// (file-backed) until the kernel is told to drop it, so a check of a large
// export snapshot through the map made the process's RSS grow with the
// snapshot. Here each page goes into a buffer per tree level, reused; what
// grows with the file is two bits per page (in use, free).
//
// The layout is bbolt's (v1, native byte order): a 16-byte page header
// (id, flags, count, overflow), then 16-byte elements whose keys and
// values sit at an offset from the element.
func checkFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt says what is wrong with opening it
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < 2*minPage {
		return nil // bbolt refuses a file this short with its own words
	}
	return (&fileChecker{f: f, size: st.Size()}).check()
}

func (c *fileChecker) check() error {
	m, err := c.meta()
	if err != nil {
		return err
	}
	c.ps, c.hw = uint64(m.pageSize), m.pgid
	if c.hw > uint64(c.size)/c.ps { // a division: a damaged count must not overflow
		return fmt.Errorf("the file is %d bytes, but its pages reach byte %d: it was cut short", c.size, c.hw*c.ps)
	}
	if c.hw < 3 {
		return fmt.Errorf("its meta page counts %d pages, fewer than an empty database has", c.hw)
	}
	c.used, c.free = make([]uint64, (c.hw+63)/64), make([]uint64, (c.hw+63)/64)
	set(c.used, 0)
	set(c.used, 1) // the meta pages
	synced := m.freelist != noFreelist
	if synced {
		if err := c.freelist(m.freelist); err != nil {
			return fmt.Errorf("freelist: %w", err)
		}
	}
	if _, err := c.walk(m.root, 0, nil, nil); err != nil {
		return err
	}
	if synced { // else bbolt takes every page not in use for free
		for id := uint64(2); id < c.hw; id++ {
			if !has(c.used, id) && !has(c.free, id) {
				return fmt.Errorf("page %d is neither in use nor free: it was lost", id)
			}
		}
	}
	return nil
}

const (
	minPage      = 1024
	noFreelist   = ^uint64(0)
	metaMagic    = 0xED0CDAED
	branchFlag   = 0x01
	leafFlag     = 0x02
	freelistFlag = 0x10
	bucketLeaf   = 0x01
	maxDepth     = 64
)

type fileChecker struct {
	f      *os.File
	size   int64
	ps, hw uint64
	// used and free are bitsets of page ids: reached from the meta page,
	// and listed in the freelist.
	used, free []uint64
	// bufs holds the page being read at each depth of the walk: a page's
	// keys stay valid while its children (one level down) are read.
	bufs [maxDepth + 2][]byte
}

func set(bits []uint64, id uint64)      { bits[id/64] |= 1 << (id % 64) }
func has(bits []uint64, id uint64) bool { return bits[id/64]&(1<<(id%64)) != 0 }

type fileMeta struct {
	pageSize                   uint32
	root, freelist, pgid, txid uint64
}

// meta picks the meta page bbolt would: of the two, a valid one with the
// higher transaction id.
func (c *fileChecker) meta() (fileMeta, error) {
	var best fileMeta
	found := false
	for i := 0; i < 2; i++ {
		// The page size is not known before a meta is read: meta 0 is at
		// byte 0; meta 1 at byte pageSize of meta 0 (or 4096).
		off := int64(0)
		if i == 1 {
			off = 4096
			if found {
				off = int64(best.pageSize)
			}
		}
		b := make([]byte, 16+64)
		if _, err := c.f.ReadAt(b, off); err != nil && err != io.EOF {
			continue
		}
		m := b[16:]
		h := fnv.New64a()
		h.Write(m[:56])
		if binary.NativeEndian.Uint32(m[0:]) != metaMagic || binary.NativeEndian.Uint32(m[4:]) != 2 ||
			h.Sum64() != binary.NativeEndian.Uint64(m[56:]) {
			continue
		}
		fm := fileMeta{pageSize: binary.NativeEndian.Uint32(m[8:]), root: binary.NativeEndian.Uint64(m[16:]),
			freelist: binary.NativeEndian.Uint64(m[32:]), pgid: binary.NativeEndian.Uint64(m[40:]), txid: binary.NativeEndian.Uint64(m[48:])}
		if fm.pageSize < minPage || fm.pageSize > 1<<20 {
			continue
		}
		if !found || fm.txid > best.txid {
			best, found = fm, true
		}
	}
	if !found {
		return best, fmt.Errorf("neither of its two meta pages is valid")
	}
	return best, nil
}

// page reads page id with its overflow pages into the buffer of depth.
func (c *fileChecker) page(id uint64, depth int) ([]byte, error) {
	if id < 2 || id >= c.hw {
		return nil, fmt.Errorf("page id %d is outside the file's %d pages", id, c.hw)
	}
	buf := c.bufs[depth]
	if uint64(len(buf)) < c.ps {
		buf = make([]byte, c.ps)
	}
	p := buf[:c.ps]
	if _, err := c.f.ReadAt(p, int64(id*c.ps)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if got := binary.NativeEndian.Uint64(p); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	over := uint64(binary.NativeEndian.Uint32(p[12:]))
	if id+over >= c.hw {
		return nil, fmt.Errorf("page %d runs over %d pages, past the file's %d", id, over, c.hw)
	}
	if n := (over + 1) * c.ps; n > c.ps {
		if uint64(cap(buf)) < n {
			buf = append(buf[:c.ps], make([]byte, n-c.ps)...)
		}
		p = buf[:n]
		if _, err := c.f.ReadAt(p[c.ps:], int64((id+1)*c.ps)); err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
	}
	c.bufs[depth] = buf
	// Every page of the run is in use once, and none of them free.
	for i := id; i <= id+over; i++ {
		if has(c.used, i) {
			return nil, fmt.Errorf("page %d is reached twice", i)
		}
		if has(c.free, i) {
			return nil, fmt.Errorf("page %d is in use, yet listed as free", i)
		}
		set(c.used, i)
	}
	return p, nil
}

// freelist reads the freelist page (and its overflow pages): each id it
// lists must be a page of the file, listed once.
func (c *fileChecker) freelist(id uint64) error {
	p, err := c.page(id, 0)
	if err != nil {
		return err
	}
	if flags := binary.NativeEndian.Uint16(p[8:]); flags != freelistFlag {
		return fmt.Errorf("page %d has type %#x where the freelist belongs", id, flags)
	}
	at, n := uint64(16), uint64(binary.NativeEndian.Uint16(p[10:]))
	if n == 0xFFFF { // the count is the first element
		n, at = binary.NativeEndian.Uint64(p[16:]), 24
	}
	if n > (uint64(len(p))-at)/8 {
		return fmt.Errorf("page %d lists more ids than it holds", id)
	}
	for i := range n {
		fid := binary.NativeEndian.Uint64(p[at+8*i:])
		switch {
		case fid < 2 || fid >= c.hw:
			return fmt.Errorf("page %d lists page %d as free, outside the file's %d pages", id, fid, c.hw)
		case has(c.free, fid):
			return fmt.Errorf("page %d lists page %d as free twice", id, fid)
		case has(c.used, fid):
			return fmt.Errorf("page %d lists itself as free", fid)
		}
		set(c.free, fid)
	}
	return nil
}

// walk checks the tree of a bucket whose root is page id, and the keys in
// it: in order, and each at least lo (when not nil) and below hi (when not
// nil), as a branch element's key bounds its child. It returns the tree's
// last key (a copy), which the next key of the parent must pass.
func (c *fileChecker) walk(id uint64, depth int, lo, hi []byte) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("page %d: the tree is more than %d levels deep", id, maxDepth)
	}
	p, err := c.page(id, depth)
	if err != nil {
		return nil, err
	}
	return c.elements(p, id, depth, lo, hi)
}

// elements checks the elements of page p (inline pages have id 0), read at
// depth.
func (c *fileChecker) elements(p []byte, id uint64, depth int, lo, hi []byte) ([]byte, error) {
	if len(p) < 16 {
		return nil, fmt.Errorf("page %d is shorter than its header", id)
	}
	flags, n := binary.NativeEndian.Uint16(p[8:]), int(binary.NativeEndian.Uint16(p[10:]))
	if flags != branchFlag && flags != leafFlag {
		return nil, fmt.Errorf("page %d has type %#x where a branch or leaf page belongs", id, flags)
	}
	if 16+16*n > len(p) {
		return nil, fmt.Errorf("page %d claims %d elements, more than it holds", id, n)
	}
	prev, last := lo, []byte(nil)
	for i := 0; i < n; i++ {
		e := p[16+16*i:]
		at := uint64(16 + 16*i)
		if flags == branchFlag {
			pos, ks, child := uint64(binary.NativeEndian.Uint32(e)), uint64(binary.NativeEndian.Uint32(e[4:])), binary.NativeEndian.Uint64(e[8:])
			if at+pos+ks > uint64(len(p)) {
				return nil, fmt.Errorf("page %d, element %d: its key lies outside the page", id, i)
			}
			key := p[at+pos : at+pos+ks]
			if err := keyOrder(id, i, key, prev, hi); err != nil {
				return nil, err
			}
			next := hi
			if i < n-1 {
				ne := p[16+16*(i+1):]
				npos, nks := uint64(binary.NativeEndian.Uint32(ne)), uint64(binary.NativeEndian.Uint32(ne[4:]))
				if at+16+npos+nks > uint64(len(p)) {
					return nil, fmt.Errorf("page %d, element %d: its key lies outside the page", id, i+1)
				}
				next = p[at+16+npos : at+16+npos+nks]
			}
			max, err := c.walk(child, depth+1, key, next)
			if err != nil {
				return nil, err
			}
			prev, last = max, max
			continue
		}
		fl, pos := binary.NativeEndian.Uint32(e), uint64(binary.NativeEndian.Uint32(e[4:]))
		ks, vs := uint64(binary.NativeEndian.Uint32(e[8:])), uint64(binary.NativeEndian.Uint32(e[12:]))
		if at+pos+ks+vs > uint64(len(p)) {
			return nil, fmt.Errorf("page %d, element %d: its key or value lies outside the page", id, i)
		}
		key := p[at+pos : at+pos+ks]
		if err := keyOrder(id, i, key, prev, hi); err != nil {
			return nil, err
		}
		prev = key
		if fl&bucketLeaf == 0 {
			continue
		}
		v := p[at+pos+ks : at+pos+ks+vs]
		if len(v) < 16 {
			return nil, fmt.Errorf("page %d, element %d: a bucket header too short", id, i)
		}
		// A nested bucket's keys are its own: no bounds from this tree.
		var err error
		if root := binary.NativeEndian.Uint64(v); root != 0 {
			_, err = c.walk(root, depth+1, nil, nil)
		} else {
			_, err = c.elements(v[16:], 0, depth+1, nil, nil)
		}
		if err != nil {
			return nil, err
		}
	}
	if flags == leafFlag && n > 0 {
		last = prev
	}
	return bytes.Clone(last), nil
}

// keyOrder checks element i's key against the key before it (or the
// parent's lower bound, which the first key may equal) and the upper bound,
// as bbolt's check does.
func keyOrder(id uint64, i int, key, prev, hi []byte) error {
	if prev != nil || i > 0 {
		if c := bytes.Compare(prev, key); c > 0 || (c == 0 && i > 0) {
			return fmt.Errorf("page %d, element %d: its key is not after the key before it", id, i)
		}
	}
	if hi != nil && bytes.Compare(key, hi) >= 0 {
		return fmt.Errorf("page %d, element %d: its key is not before the key that follows it in the parent page", id, i)
	}
	return nil
}
