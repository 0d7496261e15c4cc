//go:build unix

package xmlfeed

import "syscall"

// newSlotTable maps n zeroed slots outside the Go heap.
func newSlotTable(n int) (slotTable, error) {
	b, err := syscall.Mmap(-1, 0, 8*n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return slotTable{b: make([]byte, 8*n)}, nil // the heap will do
	}
	hugePages(b)
	return slotTable{b: b, mapped: true}, nil
}

func (t *slotTable) free() {
	if t.mapped {
		syscall.Munmap(t.b)
	}
	t.b, t.mapped = nil, false
}
