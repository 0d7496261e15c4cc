package source

import (
	"slices"
	"strings"
)

// probeRows is how many records (CSV) or rows (XLSX) from the top of a
// table the header detection looks at.
const probeRows = 30

// probeCell is one cell of a row looked at by the header detection: its
// text, and whether it holds text (a CSV cell always does; an XLSX cell
// holding a number, a date or a boolean does not).
type probeCell struct {
	val  string
	text bool
}

// probe is one row from the top of a table, its cells laid out by column.
type probe []probeCell

// width is the 1-based column of the row's last value; 0 for a blank row.
func (p probe) width() int {
	for i := len(p) - 1; i >= 0; i-- {
		if strings.TrimSpace(p[i].val) != "" {
			return i + 1
		}
	}
	return 0
}

// count is how many cells hold a value.
func (p probe) count() int {
	n := 0
	for _, c := range p {
		if strings.TrimSpace(c.val) != "" {
			n++
		}
	}
	return n
}

// headerLike tells whether a row can name columns: every value is a text,
// and no two are the same (ignoring case).
func (p probe) headerLike() bool {
	seen := map[string]bool{}
	for _, c := range p {
		v := strings.ToLower(strings.TrimSpace(c.val))
		if v == "" {
			continue
		}
		if !c.text || seen[v] {
			return false
		}
		seen[v] = true
	}
	return len(seen) > 0
}

// pickHeader finds the header among the rows at the top of a table: the
// first row whose values are distinct texts and whose width the following
// rows keep to. Above it, rows holding at most half as many values as the
// table has columns (a title, a date, a note: "Partnerlista, 2024. március",
// "Készült:" + a date) and blank rows are skipped, up to maxTitleLines of
// them. A wide row that is not a clean header (two columns of the same
// name, a number among the names) is still the header: Open then reports
// what is wrong with it, rather than silently taking a data row as the
// header. With nothing better, the first non-blank row is the header.
// It returns an index into rows; -1 when every row is blank.
func pickHeader(rows []probe) int {
	first := -1
	var widths []int
	for i, p := range rows {
		if w := p.width(); w > 0 {
			widths = append(widths, w)
			if first < 0 {
				first = i
			}
		}
	}
	if first < 0 {
		return -1
	}
	table := tableWidth(widths)
	skipped := 0
	for i, p := range rows {
		w := p.width()
		if w == 0 {
			continue
		}
		if p.headerLike() && fits(rows[i+1:], w) {
			return i
		}
		if p.count()*2 > table {
			return i // a wide row: the header, whatever it holds
		}
		if skipped++; skipped > maxTitleLines {
			return first
		}
	}
	return first
}

// tableWidth is the width of the table the rows hold: the widest that a
// quarter of the non-blank rows reach, and at least two of them. Data rows
// with empty cells at the end are narrower than the table, and a stray
// value right of it does not widen it.
func tableWidth(widths []int) int {
	sorted := slices.Clone(widths)
	slices.Sort(sorted)
	need := min(max((len(sorted)+3)/4, 2), len(sorted))
	return sorted[len(sorted)-need]
}

// fits tells whether the rows after a candidate header keep to its width:
// of the next (up to 10) non-blank rows, at most one in five is wider (a
// stray value right of the table is a row error, not a reason to doubt the
// header).
func fits(after []probe, width int) bool {
	seen, wider := 0, 0
	for _, p := range after {
		w := p.width()
		if w == 0 {
			continue
		}
		seen++
		if w > width {
			wider++
		}
		if seen == 10 {
			break
		}
	}
	return wider*5 <= seen
}

// textProbe is a CSV record as a probe: every cell is text.
func textProbe(fields []string) probe {
	p := make(probe, len(fields))
	for i, f := range fields {
		p[i] = probeCell{val: f, text: true}
	}
	return p
}
