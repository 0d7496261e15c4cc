package source

// Merged cells: the sheet's merged ranges, scanned ahead of the rows (they
// are listed after the cells), and the top-left value each range spreads
// over its cells as the rows go by.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

type mergeRange struct {
	r1, c1, r2, c2 int
	val            Cell // the top-left cell's value, once its row is read
}

// trackMerges keeps the merged ranges that cover row rowNum active, and
// takes the value of a range's top-left cell when its row goes by.
func (x *xlsxReader) trackMerges(rowNum int, own []xcell) {
	for x.mergeIdx < len(x.merges) && x.merges[x.mergeIdx].r1 <= rowNum {
		m := &x.merges[x.mergeIdx]
		x.mergeIdx++
		if m.r1 == rowNum {
			for _, c := range own {
				if c.col == m.c1 {
					m.val = c.cell
				}
			}
		}
		x.active = append(x.active, m)
	}
	x.active = slices.DeleteFunc(x.active, func(m *mergeRange) bool { return m.r2 < rowNum })
}

var errTooManyMerges = fmt.Errorf("has more than %d merged ranges; unmerge the cells or save the sheet as CSV UTF-8 and import that", maxMerges)

// scanMerges finds the sheet's merged ranges. They are listed after the
// cells (<mergeCells> follows <sheetData>), so a streaming reader needs
// them first: this pass decompresses the sheet once more and looks for
// <mergeCell ref="A1:B2"/> tags with a plain byte search, which costs a
// fraction of parsing the XML.
func scanMerges(f *zip.File) ([]mergeRange, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const tag = "mergeCell"
	var ranges []mergeRange
	buf := make([]byte, 64<<10)
	keep := 0
	for {
		n, err := io.ReadFull(rc, buf[keep:])
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return nil, err
		}
		data := buf[:keep+n]
		pos, carry := 0, -1
		for {
			i := bytes.Index(data[pos:], []byte(tag))
			if i < 0 {
				break
			}
			j := pos + i
			k := bytes.IndexByte(data[j:], '>')
			if k < 0 {
				carry = j
				break
			}
			pos = j + k + 1
			if j == 0 || (data[j-1] != '<' && data[j-1] != ':') || j+len(tag) >= len(data) {
				continue
			}
			if c := data[j+len(tag)]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				continue // <mergeCells count="...">
			}
			if m, ok := parseMergeTag(data[j : j+k]); ok {
				if len(ranges) == maxMerges {
					return nil, errTooManyMerges
				}
				ranges = append(ranges, m)
			}
		}
		if eof {
			break
		}
		if carry < 0 || len(data)-carry > 4096 {
			carry = max(pos, len(data)-len(tag))
		}
		keep = copy(buf, data[carry:])
	}
	slices.SortStableFunc(ranges, func(a, b mergeRange) int { return a.r1 - b.r1 })
	return ranges, nil
}

func parseMergeTag(tag []byte) (mergeRange, bool) {
	i := bytes.Index(tag, []byte("ref="))
	if i < 0 || i+5 > len(tag) {
		return mergeRange{}, false
	}
	q := tag[i+4]
	rest := tag[i+5:]
	j := bytes.IndexByte(rest, q)
	if j < 0 {
		return mergeRange{}, false
	}
	a, b, ok := strings.Cut(string(rest[:j]), ":")
	if !ok {
		return mergeRange{}, false
	}
	c1, r1, ok1 := refCell(a)
	c2, r2, ok2 := refCell(b)
	if !ok1 || !ok2 {
		return mergeRange{}, false
	}
	return mergeRange{r1: min(r1, r2), c1: min(c1, c2), r2: max(r1, r2), c2: max(c1, c2)}, true
}
