package state

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// ReleaseMapped tells the kernel this process no longer needs the pages of
// the database file it has mapped (bbolt reads through a read-only shared
// mapping of state.db): they leave the process's resident set, stay in the
// page cache, and come back on the next read. Without it a scan of a large
// export snapshot keeps every page it touched resident, so the process's
// RSS grows with the snapshot although none of it is the process's own
// memory. Safe at any time: bbolt writes through the file, not the
// mapping, and a page dropped is read again when touched.
func (d *DB) ReleaseMapped() {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	abs, err := filepath.Abs(d.path)
	if err != nil {
		return
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	path := []byte(abs)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasSuffix(line, path) {
			continue
		}
		rng, _, _ := bytes.Cut(line, []byte(" "))
		lo, hi, ok := bytes.Cut(rng, []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		// madvise by address: the mapping is bbolt's, the range the
		// kernel's own report of it.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
	}
}
