package rowflow

import "slices"

// Reorder gives back values put in any order in the order of their
// sequence numbers, from Start's: a value waits
// until every value before it has come. The zero value starts at 0.
type Reorder[T any] struct {
	next int
	held map[int]T
}

// Start sets the first sequence number (before the first Put).
func (r *Reorder[T]) Start(seq int) { r.next = seq }

// Put holds v under seq.
func (r *Reorder[T]) Put(seq int, v T) {
	if r.held == nil {
		r.held = map[int]T{}
	}
	r.held[seq] = v
}

// Next takes the next value in order, if it has come.
func (r *Reorder[T]) Next() (T, bool) {
	v, ok := r.held[r.next]
	if ok {
		delete(r.held, r.next)
		r.next++
	}
	return v, ok
}

// Rest takes the values still held (those after a gap that will not be
// filled), in order.
func (r *Reorder[T]) Rest() []T {
	seqs := make([]int, 0, len(r.held))
	for s := range r.held {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	out := make([]T, len(seqs))
	for i, s := range seqs {
		out[i] = r.held[s]
		delete(r.held, s)
	}
	return out
}
