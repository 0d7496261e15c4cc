package xmlfeed

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestIDSet checks the duplicate-Id check against a map: ids of every
// length (empty, long, beyond the write buffer), repeated at once and long
// after, through several growths of the table; with the real hash and
// with one that gives ids of the same length the same fingerprint, so that
// only reading the file back can tell them apart.
func TestIDSet(t *testing.T) {
	for _, tc := range []struct {
		name string
		sum  func(string) uint64
	}{
		{"maphash", nil},
		{"colliding", func(id string) uint64 { return uint64(len(id)%7) * 0x9E3779B97F4A7C15 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := newIDSetSize(dir, 1<<16)
			if err != nil {
				t.Fatal(err)
			}
			if tc.sum != nil {
				s.setHash(tc.sum)
			}
			n := 120000 // the table grows from 65,536 slots twice
			if tc.sum != nil {
				n = 1000 // every lookup walks a long run of slots
			}
			want := map[string]int{}
			dups := 0
			for line := 1; line <= n; line++ {
				id := fmt.Sprintf("P-%d", line)
				switch {
				case line%10 == 0:
					id = fmt.Sprintf("P-%d", line/3) // an earlier one (or itself, new)
				case line%97 == 0:
					id = strings.Repeat("x", 70000+line%5) // longer than the write buffer
				case line == 5:
					id = ""
				}
				add := s.Add
				if line%2 == 1 { // as a build adds: hashed by a worker before
					add = func(id string, line int) (int, bool, error) { return s.AddHashed(id, s.Hash(id), line) }
				}
				first, dup, err := add(id, line)
				if err != nil {
					t.Fatal(err)
				}
				if l, ok := want[id]; ok {
					dups++
					if !dup || first != l {
						t.Fatalf("line %d, %.20q: dup %v first %d; want line %d", line, id, dup, first, l)
					}
					continue
				}
				if dup {
					t.Fatalf("line %d, %.20q: a duplicate of line %d, but new", line, id, first)
				}
				want[id] = line
			}
			if s.n != len(want) || dups == 0 {
				t.Errorf("%d ids held, want %d (%d duplicates)", s.n, len(want), dups)
			}
			if tc.sum == nil && s.slots.len() != 1<<18 {
				t.Errorf("%d slots for %d ids", s.slots.len(), s.n)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}

// BenchmarkIDSet adds a million distinct Ids of the benchmark sheet's
// form, as a 1M-row build does: the table's growth included.
func BenchmarkIDSet(b *testing.B) {
	ids := make([]string, 1_000_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("P-%d-%d", 5000+i%150, i/150)
	}
	b.ResetTimer()
	for range b.N {
		s, err := newIDSet(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for line, id := range ids {
			if _, dup, err := s.Add(id, line+2); err != nil || dup {
				b.Fatalf("%s: dup %v, %v", id, dup, err)
			}
		}
		s.Close()
	}
}

// TestSlotsFor: the table is made large enough for the expected Ids (with
// a sixteenth to spare) not to grow, within 65,536 and 2^21 slots.
func TestSlotsFor(t *testing.T) {
	for _, tc := range []struct{ rows, slots int }{
		{0, initialSlots}, {-1, initialSlots}, {1, 1 << 16}, {40000, 1 << 16}, {50000, 1 << 17},
		{100000, 1 << 18}, {1000000, 1 << 21}, {1500000, 1 << 21}, {50000000, 1 << 21},
	} {
		got := slotsFor(tc.rows)
		if got != tc.slots {
			t.Errorf("slotsFor(%d) = %d, want %d", tc.rows, got, tc.slots)
		}
		if tc.rows > 0 && tc.slots < 1<<21 && (tc.rows+tc.rows/16)*4 > got*3 {
			t.Errorf("slotsFor(%d) = %d: the table would grow", tc.rows, got)
		}
	}
}
