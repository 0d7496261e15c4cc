package xmlfeed

import "encoding/binary"

// slotTable is the idSet's table: n 64-bit slots, all 0 when made, in
// memory the garbage collector does not manage where the OS gives it
// (slots_unix.go), else on the Go heap (slots_other.go).
type slotTable struct {
	b      []byte
	mapped bool
}

func (t slotTable) len() int { return len(t.b) / 8 }

func (t slotTable) get(i int) uint64 { return binary.LittleEndian.Uint64(t.b[8*i:]) }

func (t slotTable) set(i int, v uint64) { binary.LittleEndian.PutUint64(t.b[8*i:], v) }
