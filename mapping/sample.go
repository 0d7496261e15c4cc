package mapping

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// SampleRows is how many rows `mapping init` reads to learn a sheet's
// values: enough for every status of a real sheet, few enough to keep
// memory small on a huge one.
const SampleRows = 20000

// maxDistinct is how many distinct values of one column a Sample keeps.
const maxDistinct = 200

// keepRows is how many rows a Sample keeps whole, to see which columns go
// together (an id and a VAT number); the values of every row read count.
const keepRows = 5000

// Sample is what init learns from the rows of a source: the header, the
// rows read (up to a limit) and, per column, the distinct values.
type Sample struct {
	Header []string
	// Detected is how the source was read (sheet, header row, encoding).
	Detected source.Detected
	// N is the number of rows read.
	N int
	// Rows are the cells of the first rows read (up to keepRows), aligned
	// with Header.
	Rows [][]string
	// All says every row of the source was read.
	All bool
	// RowErrors counts rows the source could not read (they are left out).
	RowErrors int

	distinct []map[string]int // per column: trimmed value → count, up to maxDistinct values
	order    [][]string       // per column: the distinct values in first-seen order
	many     []bool           // per column: more distinct values than kept
	filled   []int            // per column: non-empty cells
}

// ReadSample reads up to limit rows of r.
func ReadSample(ctx context.Context, r source.Reader, limit int) (*Sample, error) {
	h := r.Header()
	s := &Sample{Header: h, Detected: r.Detected(), distinct: make([]map[string]int, len(h)),
		order: make([][]string, len(h)), many: make([]bool, len(h)), filled: make([]int, len(h))}
	for i := range h {
		s.distinct[i] = map[string]int{}
	}
	for s.N < limit {
		row, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			s.All = true
			break
		}
		var re *source.RowError
		if errors.As(err, &re) {
			s.RowErrors++
			continue
		}
		if err != nil {
			return nil, err
		}
		cells := make([]string, len(h))
		for i := range h {
			if i < len(row.Cells) {
				cells[i] = row.Cells[i].Raw
			}
		}
		s.add(cells)
	}
	return s, nil
}

// NewSample makes a Sample from rows in memory (tests, and callers that
// have the rows already).
func NewSample(header []string, rows [][]string) *Sample {
	s := &Sample{Header: header, All: true, distinct: make([]map[string]int, len(header)),
		order: make([][]string, len(header)), many: make([]bool, len(header)), filled: make([]int, len(header))}
	for i := range header {
		s.distinct[i] = map[string]int{}
	}
	for _, r := range rows {
		cells := make([]string, len(header))
		copy(cells, r)
		s.add(cells)
	}
	return s
}

func (s *Sample) add(cells []string) {
	s.N++
	if len(s.Rows) < keepRows {
		s.Rows = append(s.Rows, cells)
	}
	for i, c := range cells {
		v := strings.TrimSpace(c)
		if v == "" {
			continue
		}
		s.filled[i]++
		if _, ok := s.distinct[i][v]; ok {
			s.distinct[i][v]++
			continue
		}
		if len(s.distinct[i]) >= maxDistinct {
			s.many[i] = true
			continue
		}
		s.distinct[i][v] = 1
		s.order[i] = append(s.order[i], v)
	}
}

// values is column i's distinct values in first-seen order, and whether
// there were more than kept.
func (s *Sample) values(i int) ([]string, bool) { return s.order[i], s.many[i] }

// share is the part of column i's non-empty values for which ok holds.
func (s *Sample) share(i int, ok func(string) bool) float64 {
	n, good := 0, 0
	for v, c := range s.distinct[i] {
		n += c
		if ok(v) {
			good += c
		}
	}
	if n == 0 {
		return 0
	}
	return float64(good) / float64(n)
}

// oneToOne tells whether columns a and b determine each other in the rows
// read: every value of a comes with one value of b, and the other way round
// (a company's own id and its VAT number do; a person's id and the VAT
// number of the person's company do not).
func (s *Sample) oneToOne(a, b int) bool {
	ab, ba := map[string]string{}, map[string]string{}
	for _, r := range s.Rows {
		// Compared as match keys are: case, accents and spacing aside
		// (a person repeated with JANKA@X.HU and janka@x.hu is one).
		x, y := fold(CollapseSpace(r[a])), fold(CollapseSpace(r[b]))
		if x == "" || y == "" {
			continue
		}
		if v, ok := ab[x]; ok && v != y {
			return false
		}
		if v, ok := ba[y]; ok && v != x {
			return false
		}
		ab[x], ba[y] = y, x
	}
	return len(ab) > 0
}

// repeats tells whether some value of column i is on two rows or more.
func (s *Sample) repeats(i int) bool {
	for _, n := range s.distinct[i] {
		if n > 1 {
			return true
		}
	}
	return false
}
