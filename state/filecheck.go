package state

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// checkFile walks the pages of a bbolt file read from disk (not through
// the memory map) and checks that every offset bbolt will follow stays in
// the file: the chosen meta page, every page reachable from it, its child
// page ids, and each element's key and value. bbolt trusts these offsets;
// a damaged one makes it read outside its memory map, which crashes the
// process (a fault, not a panic) on a goroutine of bbolt's own, out of
// reach of recover. What this finds is reported as the damage; what it
// lets through, bbolt can read safely, and its own check judges the rest
// (key order, pages lost or used twice).
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
	c := &fileChecker{f: f, size: st.Size(), seen: map[uint64]bool{}}
	m, err := c.meta()
	if err != nil {
		return err
	}
	c.ps, c.hw = uint64(m.pageSize), m.pgid
	if c.hw*c.ps > uint64(c.size) {
		return fmt.Errorf("the file is %d bytes, but its pages reach byte %d: it was cut short", c.size, c.hw*c.ps)
	}
	if m.freelist != noFreelist {
		p, err := c.page(m.freelist)
		if err != nil {
			return fmt.Errorf("freelist: %w", err)
		}
		n := uint64(binary.NativeEndian.Uint16(p[10:]))
		if n == 0xFFFF {
			n = binary.NativeEndian.Uint64(p[16:]) + 1
		}
		if 16+8*n > uint64(len(p)) {
			return fmt.Errorf("freelist page %d lists more ids than it holds", m.freelist)
		}
	}
	return c.walk(m.root, 0)
}

const (
	minPage    = 1024
	noFreelist = ^uint64(0)
	metaMagic  = 0xED0CDAED
	branchFlag = 0x01
	leafFlag   = 0x02
	bucketLeaf = 0x01
	maxDepth   = 64
)

type fileChecker struct {
	f      *os.File
	size   int64
	ps, hw uint64
	seen   map[uint64]bool
}

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

// page reads page id with its overflow pages.
func (c *fileChecker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= c.hw {
		return nil, fmt.Errorf("page id %d is outside the file's %d pages", id, c.hw)
	}
	hdr := make([]byte, 16)
	if _, err := c.f.ReadAt(hdr, int64(id*c.ps)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	if got := binary.NativeEndian.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	over := uint64(binary.NativeEndian.Uint32(hdr[12:]))
	if id+over >= c.hw {
		return nil, fmt.Errorf("page %d runs over %d pages, past the file's %d", id, over, c.hw)
	}
	p := make([]byte, (over+1)*c.ps)
	if _, err := c.f.ReadAt(p, int64(id*c.ps)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return p, nil
}

// walk checks the tree of a bucket whose root is page id.
func (c *fileChecker) walk(id uint64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("page %d: the tree is more than %d levels deep", id, maxDepth)
	}
	if c.seen[id] {
		return fmt.Errorf("page %d is reached twice", id)
	}
	c.seen[id] = true
	p, err := c.page(id)
	if err != nil {
		return err
	}
	return c.elements(p, id, depth)
}

// elements checks the elements of page p (inline pages have id 0).
func (c *fileChecker) elements(p []byte, id uint64, depth int) error {
	if len(p) < 16 {
		return fmt.Errorf("page %d is shorter than its header", id)
	}
	flags, n := binary.NativeEndian.Uint16(p[8:]), int(binary.NativeEndian.Uint16(p[10:]))
	if flags != branchFlag && flags != leafFlag {
		return fmt.Errorf("page %d has type %#x where a branch or leaf page belongs", id, flags)
	}
	if 16+16*n > len(p) {
		return fmt.Errorf("page %d claims %d elements, more than it holds", id, n)
	}
	for i := 0; i < n; i++ {
		e := p[16+16*i:]
		at := uint64(16 + 16*i)
		if flags == branchFlag {
			pos, ks, child := uint64(binary.NativeEndian.Uint32(e)), uint64(binary.NativeEndian.Uint32(e[4:])), binary.NativeEndian.Uint64(e[8:])
			if at+pos+ks > uint64(len(p)) {
				return fmt.Errorf("page %d, element %d: its key lies outside the page", id, i)
			}
			if err := c.walk(child, depth+1); err != nil {
				return err
			}
			continue
		}
		fl, pos := binary.NativeEndian.Uint32(e), uint64(binary.NativeEndian.Uint32(e[4:]))
		ks, vs := uint64(binary.NativeEndian.Uint32(e[8:])), uint64(binary.NativeEndian.Uint32(e[12:]))
		if at+pos+ks+vs > uint64(len(p)) {
			return fmt.Errorf("page %d, element %d: its key or value lies outside the page", id, i)
		}
		if fl&bucketLeaf == 0 {
			continue
		}
		v := p[at+pos+ks : at+pos+ks+vs]
		if len(v) < 16 {
			return fmt.Errorf("page %d, element %d: a bucket header too short", id, i)
		}
		if root := binary.NativeEndian.Uint64(v); root != 0 {
			if err := c.walk(root, depth+1); err != nil {
				return err
			}
		} else if err := c.elements(v[16:], 0, depth+1); err != nil {
			return err
		}
	}
	return nil
}
