//go:build !unix

package xmlfeed

// newSlotTable makes n zeroed slots on the Go heap.
func newSlotTable(n int) (slotTable, error) { return slotTable{b: make([]byte, 8*n)}, nil }

func (t *slotTable) free() { t.b = nil }
