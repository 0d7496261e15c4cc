package source

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
)

// The bounds of an XLSX reading. A workbook is a ZIP: a few MB of it can
// decompress to gigabytes, so every part that is held in memory is held
// to a budget, checked while reading, never after.
const (
	// maxCellBytes is the most text one cell may hold, the same as CSV's
	// limit for one line (maxRecordBytes). Excel itself stops at 32,767
	// characters; a MiniCRM field holds far less.
	maxCellBytes = 1 << 20
	// maxRowBytes is the most text one row's cells may hold together.
	maxRowBytes = 4 << 20
	// sstBudget is the memory the shared strings table may take: the text
	// of every string plus 8 bytes a string for its index. A workbook over
	// it is refused with a message that names the part; saved as CSV, the
	// same data streams in constant memory.
	sstBudget = 64 << 20
	// maxMerges is the most merged ranges a sheet may have (each is kept
	// in memory while the sheet is read).
	maxMerges = 1 << 18
)

// sstChunk is the size of the blocks the shared strings are stored in:
// one allocation each, so that growing the table never copies it (a
// doubling slice would need twice the budget for a moment).
const sstChunk = 1 << 20

// sstTable is the shared strings: every string's text in blocks, and for
// string i its place. A string over maxCellBytes is not kept; only the
// cells that use it are errors.
type sstTable struct {
	blocks [][]byte
	index  [][]sstRef // blocks of 8192 refs
	n      int
	bytes  int64 // memory taken, against sstBudget
	budget int64
}

type sstRef struct {
	block uint32 // +1; 0 means the string was too long and is not kept
	off   uint32 // offset in the block; for a string too long: its length, capped
	len   uint32
}

const sstIndexBlock = 8192

// errSSTBudget says the table went over its budget.
var errSSTBudget = errors.New("over budget")

func (s *sstTable) add(text []byte, tooLong bool) error {
	ref := sstRef{}
	if !tooLong {
		if len(s.blocks) == 0 || len(s.blocks[len(s.blocks)-1])+len(text) > cap(s.blocks[len(s.blocks)-1]) {
			size := max(sstChunk, len(text))
			s.blocks = append(s.blocks, make([]byte, 0, size))
			s.bytes += int64(size)
		}
		b := len(s.blocks) - 1
		ref = sstRef{block: uint32(b + 1), off: uint32(len(s.blocks[b])), len: uint32(len(text))}
		s.blocks[b] = append(s.blocks[b], text...)
	}
	if s.n%sstIndexBlock == 0 {
		s.index = append(s.index, make([]sstRef, 0, sstIndexBlock))
		s.bytes += sstIndexBlock * 12
	}
	s.index[len(s.index)-1] = append(s.index[len(s.index)-1], ref)
	s.n++
	if s.bytes > s.budget {
		return errSSTBudget
	}
	return nil
}

// get gives string i; ok is false when there is none; tooLong when it is
// longer than a cell may be.
func (s *sstTable) get(i int) (text string, ok, tooLong bool) {
	if s == nil || i < 0 || i >= s.n {
		return "", false, false
	}
	r := s.index[i/sstIndexBlock][i%sstIndexBlock]
	if r.block == 0 {
		return "", true, true
	}
	return string(s.blocks[r.block-1][r.off : r.off+r.len]), true, false
}

// readSST reads the shared strings: the text of each <si>, runs joined,
// phonetic hints (<rPh>) left out, within budget bytes of memory.
func readSST(f *zip.File, part string, budget int64) (*sstTable, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(xmllimit.NewReader(rc, maxCellBytes), 64<<10))
	sst := &sstTable{budget: budget}
	var (
		buf      []byte
		inSI     bool
		inT, inP bool
		tooLong  bool
	)
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return sst, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, buf, tooLong = true, buf[:0], false
			case "rPh":
				inP = true
			case "t":
				inT = inSI && !inP
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				text := unescapeXString(string(buf))
				if err := sst.add([]byte(text), tooLong || len(text) > maxCellBytes); err != nil {
					return nil, fmt.Errorf("%w: %s holds more text than this program keeps in memory (%s, reached at string %d); "+
						"save the sheet as CSV UTF-8 and import that: a CSV file is read a row at a time", ErrTooBig, part, xmllimit.Size(budget), sst.n)
				}
				inSI = false
				if cap(buf) > 64<<10 {
					buf = nil // do not keep a long string's buffer for the short ones
				}
			case "rPh":
				inP = false
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT && !tooLong {
				if len(buf)+len(t) > maxCellBytes {
					tooLong = true
				} else {
					buf = append(buf, t...)
				}
			}
		case xml.ProcInst:
			if inT && t.Target == xmllimit.CutTarget {
				tooLong = true
			}
		}
	}
}
