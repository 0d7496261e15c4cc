//go:build linux

package xmlfeed

import "syscall"

// hugePages asks Linux to back the table with huge pages where it can
// (transparent huge pages in "madvise" mode, the common default): the
// table is probed at random places, and with 4 KiB pages nearly every
// probe of a large table missed the TLB as well as the cache.
func hugePages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) }
