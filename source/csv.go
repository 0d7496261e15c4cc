package source

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
)

const (
	// maxRecordBytes bounds one CSV record (a line, or a quoted cell running
	// over several lines). A quote that is never closed is noticed at this
	// size (or at the end of the file) instead of swallowing the rest of a
	// large file, and the lines after the opening quote are read again.
	maxRecordBytes = 1 << 20
	// sniffBytes is how much is looked at to detect the encoding and the
	// delimiter.
	sniffBytes = 64 << 10
	// sniffRecords is how many records the delimiter detection compares.
	sniffRecords = 50
	// maxTitleLines is how many one-cell lines above a header of several
	// columns are taken as a title.
	maxTitleLines = 5
)

// delimiters are the candidates of the delimiter detection, in order of
// preference when they score the same: ';' first because Hungarian Excel
// writes it (the decimal separator is the comma).
var delimiters = []rune{';', ',', '\t', '|'}

type csvReader struct {
	name   string
	size   int64 // the file's bytes
	closer io.Closer
	p      *csvParser
	header []string
	det    Detected
	utf8   bool // the text was not decoded, so it must be checked
	// fields is the values' slice of the last record Next read, used
	// again for the next.
	fields []string
	// pending holds records read while looking for the header, to be
	// returned first.
	pending    []record
	pendingErr *pendingErr // after pending
	cols       int         // the most common number of cells in the first records

	// Accounting, for tests: every record after the header is exactly one
	// of a row, a row error or a skipped (all-empty) record.
	records, rows, rowErrors, skipped int
}

func openCSV(name string, ra io.ReaderAt, size int64, closer io.Closer, opts Options) (*csvReader, error) {
	if opts.Delimiter == '"' || opts.Delimiter == '\r' || opts.Delimiter == '\n' || opts.Delimiter == utf8.RuneError || opts.Delimiter < 0 {
		return nil, fmt.Errorf("%s: %q cannot be the delimiter", name, opts.Delimiter)
	}
	te, err := detectEncoding(name, ra, size, opts.Encoding)
	if err != nil {
		return nil, err
	}
	var text io.Reader = io.NewSectionReader(ra, int64(te.bomLen), size-int64(te.bomLen))
	if te.enc != nil {
		text = transform.NewReader(text, te.enc.NewDecoder())
	}
	br := bufio.NewReaderSize(text, sniffBytes)
	sample, _ := br.Peek(sniffBytes)
	if bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0 {
		br = bufio.NewReaderSize(crToLF{br}, sniffBytes) // old Mac line ends
	}

	r := &csvReader{
		name:   name,
		size:   size,
		closer: closer,
		utf8:   te.enc == nil,
		det: Detected{
			Format:   "csv",
			Encoding: te.name,
			BOM:      te.bomLen > 0,
			Guessed:  te.guessed,
		},
	}
	r.p = &csvParser{lr: lineReader{br: br}}

	if err := r.findDelimiter(br, opts.Delimiter, opts.HeaderRow); err != nil {
		return nil, err
	}
	if err := r.readHeader(opts.HeaderRow); err != nil {
		return nil, err
	}
	return r, nil
}

// findDelimiter reads Excel's "sep=" line if there is one, skips to line
// headerRow (when given), and settles the delimiter: delim if given, else
// the sep line's, else the one the text there suggests.
func (r *csvReader) findDelimiter(br *bufio.Reader, delim rune, headerRow int) error {
	// Excel's "sep=;" first line names the delimiter and is not data.
	if sep, ok := sepLine(br); ok {
		if _, _, _, err := r.p.lr.next(); err != nil && err != io.EOF {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		r.det.SepLine = true
		if delim == 0 {
			delim = sep
		}
	}
	for r.p.lr.n < headerRow-1 {
		if _, _, _, err := r.p.lr.next(); err != nil {
			if err == io.EOF {
				return fmt.Errorf("%s: the header should be on line %d but the file has only %d lines", r.name, headerRow, r.p.lr.n)
			}
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	sample, err := br.Peek(sniffBytes)
	truncated := err == nil
	if delim == 0 {
		delim = sniffDelimiter(sample, truncated)
	}
	cols, _ := columnsFor(sample, truncated, delim)
	r.cols = cols
	r.det.Lines = linesAbout(sample, truncated, r.size)
	r.det.Delimiter = delim
	r.p.delim = []byte(string(delim))
	return nil
}

// linesAbout estimates a file's lines from a sample of its start (the
// whole text when not truncated) and its size in bytes: the sample's line
// ends, scaled to the file. (A decoded sample is longer than the bytes it
// came from, so a file in a one-byte encoding gets a low estimate.)
func linesAbout(sample []byte, truncated bool, size int64) int {
	n := bytes.Count(sample, []byte{'\n'})
	if !truncated {
		if len(sample) > 0 && sample[len(sample)-1] != '\n' {
			n++
		}
		return n
	}
	if n == 0 {
		return 1
	}
	return int(size * int64(n) / int64(len(sample)))
}

// readHeader reads the header: the first record at or after line
// headerRow when given, else the one pickHeader finds among the first
// records. The records after the header that it read are kept for Next.
func (r *csvReader) readHeader(headerRow int) error {
	// The header: the line HeaderRow names, else the one pickHeader finds
	// among the first records (skipping a title, a note, blank lines).
	var buf []record
	for len(buf) < probeRows {
		rec, rerr, err := r.p.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if rerr != nil {
			rerr.Loc = Location{File: r.name, Line: rerr.Loc.Line}
			if !anyNonBlank(buf) {
				return headerError(rerr)
			}
			// A broken record below the header: it stays a row error,
			// returned in its turn; detection looks no further.
			r.pendingErr = &pendingErr{rec: rec, rerr: rerr}
			break
		}
		buf = append(buf, rec)
		if headerRow > 0 && !isBlank(rec.fields) {
			break // the named line (or the first record after it)
		}
	}
	h := -1
	if headerRow > 0 {
		for i, rec := range buf {
			if !isBlank(rec.fields) {
				h = i
				break
			}
		}
	} else {
		probes := make([]probe, len(buf))
		for i, rec := range buf {
			probes[i] = textProbe(rec.fields)
		}
		h = pickHeader(probes)
	}
	if h < 0 {
		if r.p.lr.n > 0 && !r.det.SepLine {
			return fmt.Errorf("%s: %w: it holds only blank lines, no header row", r.name, ErrEmpty)
		}
		return fmt.Errorf("%s: %w", r.name, ErrEmpty)
	}
	rec := buf[h]
	r.pending = buf[h+1:]
	loc := Location{File: r.name, Line: rec.line}
	for i, f := range rec.fields {
		if err := r.checkText(f); err != nil {
			return headerError(&RowError{Loc: loc, Col: i + 1, Err: err})
		}
	}
	for i, f := range rec.fields {
		rec.fields[i] = csvsafe.Restore(f) // a header written by our CSV writers
	}
	r.header = headerNames(rec.fields)
	r.det.HeaderRow = rec.line
	return checkDuplicates(loc, r.header, strconv.Itoa)
}

// pendingErr is a broken record read while looking for the header.
type pendingErr struct {
	rec  record
	rerr *RowError
}

func anyNonBlank(recs []record) bool {
	for _, r := range recs {
		if !isBlank(r.fields) {
			return true
		}
	}
	return false
}

// headerError is a problem in the header row: fatal, since the columns are
// not known without it.
func headerError(e *RowError) error {
	return fmt.Errorf("%w (in the header row, so the file cannot be read)", e)
}

// sepLine recognises Excel's "sep=X" first line.
func sepLine(br *bufio.Reader) (rune, bool) {
	b, _ := br.Peek(16)
	if len(b) < 5 || !strings.EqualFold(string(b[:4]), "sep=") {
		return 0, false
	}
	rest := b[4:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	} else if len(b) == 16 {
		return 0, false
	}
	rest = bytes.TrimRight(rest, "\r \t")
	if len(rest) == 0 && b[4] == '\t' {
		return '\t', true
	}
	r, n := utf8.DecodeRune(rest)
	if n == 0 || n != len(rest) || r == utf8.RuneError || r == '"' {
		return 0, false
	}
	return r, true
}

// sniffDelimiter picks, among ';' ',' tab and '|', the one that splits the
// first records (quotes respected, multi-line cells included) most
// consistently into the same number of cells (the most common number, so
// a title line above the header does not spoil it); ties go to the one
// giving more columns, then to the order of delimiters. A file with a
// single column gets ','.
func sniffDelimiter(sample []byte, truncated bool) rune {
	best, bestFrac, bestCols := ',', -1.0, 1
	for _, d := range delimiters {
		cols, frac := columnsFor(sample, truncated, d)
		if cols <= 1 {
			continue
		}
		if frac > bestFrac || (frac == bestFrac && cols > bestCols) {
			best, bestFrac, bestCols = d, frac, cols
		}
	}
	return best
}

// columnsFor splits the first records of sample with delimiter d and gives
// the most common number of cells and the share of records that have it.
func columnsFor(sample []byte, truncated bool, d rune) (cols int, frac float64) {
	p := &csvParser{lr: lineReader{br: bufio.NewReaderSize(bytes.NewReader(sample), 4096)}, delim: []byte(string(d))}
	var counts []int
	for len(counts) < sniffRecords {
		rec, rerr, err := p.read()
		if err != nil {
			break
		}
		if rerr != nil {
			counts = append(counts, -1)
			continue
		}
		if isBlank(rec.fields) {
			continue
		}
		counts = append(counts, len(rec.fields))
	}
	if truncated && len(counts) > 1 {
		counts = counts[:len(counts)-1] // the last record may be cut short
	}
	if len(counts) == 0 {
		return 0, 0
	}
	freq := map[int]int{}
	for _, c := range counts {
		freq[c]++
		if c > 0 && (freq[c] > freq[cols] || freq[c] == freq[cols] && c > cols) {
			cols = c
		}
	}
	return cols, float64(freq[cols]) / float64(len(counts))
}

func (r *csvReader) Header() []string   { return r.header }
func (r *csvReader) Detected() Detected { return r.det }

func (r *csvReader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

func (r *csvReader) Next(ctx context.Context) (Row, error) { return r.NextInto(ctx, nil) }

// NextInto is Next, the row's Cells in cells' memory when it has room
// (source.Refiller): a build of a million rows otherwise allocates a
// million slices of cells, the reader's largest cost.
func (r *csvReader) NextInto(ctx context.Context, cells []Cell) (Row, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Row{}, err
		}
		var (
			rec  record
			rerr *RowError
			err  error
		)
		if len(r.pending) > 0 {
			rec, r.pending = r.pending[0], r.pending[1:]
		} else if r.pendingErr != nil {
			rec, rerr, r.pendingErr = r.pendingErr.rec, r.pendingErr.rerr, nil
		} else {
			// The values' slice is the reader's, used again: a record
			// read here lives only until its cells are made.
			r.p.dst = r.fields[:0]
			rec, rerr, err = r.p.read()
			r.p.dst = nil
			if rec.fields != nil {
				r.fields = rec.fields
			}
		}
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, fmt.Errorf("%s:%d: %w", r.name, r.p.lr.n, err)
		}
		r.records++
		loc := Location{File: r.name, Line: rec.line}
		if rerr != nil {
			rerr.Loc = loc
			if rerr.Col > 0 && rerr.Col <= len(r.header) {
				rerr.Name = r.header[rerr.Col-1]
			}
			r.rowErrors++
			return Row{Loc: loc}, rerr
		}
		if isBlank(rec.fields) {
			r.skipped++
			continue
		}
		row := Row{Loc: loc, Cells: slices.Grow(cells[:0], len(rec.fields))[:len(rec.fields)]}
		var bad *RowError
		for i, f := range rec.fields {
			f = csvsafe.Restore(f) // the apostrophe our CSV writers put in front of =, +, -, @
			row.Cells[i] = Cell{Raw: f, Kind: String}
			if f == "" {
				row.Cells[i].Kind = Empty
			}
			// The record's lines were checked whole (a NUL, or bytes
			// that are not UTF-8, can only be in a value): only a line
			// that failed has its values checked, to name the column.
			if rec.suspect && bad == nil {
				if err := r.checkText(f); err != nil {
					bad = r.rowError(loc, i+1, err)
				}
			}
		}
		if bad == nil {
			bad = r.checkWidth(loc, &row)
		}
		if bad != nil {
			r.rowErrors++
			return row, bad
		}
		r.rows++
		return row, nil
	}
}

func (r *csvReader) rowError(loc Location, col int, err error) *RowError {
	e := &RowError{Loc: loc, Col: col, Err: err}
	if col > 0 && col <= len(r.header) {
		e.Name = r.header[col-1]
	}
	return e
}

// checkText refuses NUL characters, and bytes that are not UTF-8 in a file
// read as UTF-8 (a file that mixes encodings).
func (r *csvReader) checkText(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return detail(ErrBadText, "the value holds a NUL character (binary data)")
	}
	if r.utf8 && !utf8.ValidString(s) {
		return detail(ErrBadText, "the value is not valid UTF-8 (the file mixes encodings?); save the file as \"CSV UTF-8\", or name its encoding")
	}
	return nil
}

// checkWidth compares a row with the header. Extra cells that are empty
// (a trailing delimiter) are dropped; anything else is an error.
func (r *csvReader) checkWidth(loc Location, row *Row) *RowError {
	n, want := len(row.Cells), len(r.header)
	if n > want {
		extra := -1
		for i := want; i < n; i++ {
			if strings.TrimSpace(row.Cells[i].Raw) != "" {
				extra = i
				break
			}
		}
		if extra < 0 {
			row.Cells = row.Cells[:want]
			return nil
		}
		hint := fmt.Sprintf("a value probably holds the delimiter %s without quotes around it", delimName(r.det.Delimiter))
		if want < r.cols {
			hint = fmt.Sprintf("most lines have %d cells: if line %d is a title and not the header, say on which line the header is", r.cols, r.det.HeaderRow)
		}
		return &RowError{Loc: loc, Err: detail(ErrTooManyCells,
			"the row has %d cells but the header has %d columns (cell %d holds %s); %s",
			n, want, extra+1, quoteShort(row.Cells[extra].Raw), hint)}
	}
	if n < want {
		missing := make([]string, 0, 3)
		for i := n; i < want && len(missing) < 3; i++ {
			missing = append(missing, strconv.Quote(r.header[i]))
		}
		more := ""
		if want-n > 3 {
			more = ", ..."
		}
		return &RowError{Loc: loc, Err: detail(ErrTooFewCells,
			"the row has %d cells but the header has %d columns (nothing for %s%s); a delimiter is missing, or a value breaks the line without quotes around it",
			n, want, strings.Join(missing, ", "), more)}
	}
	return nil
}

func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}

func isBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerNames trims the names (and a BOM left by a wrong encoding option).
func headerNames(fields []string) []string {
	h := make([]string, len(fields))
	for i, f := range fields {
		h[i] = strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF"))
	}
	return h
}

// checkDuplicates refuses two columns with the same name, ignoring case:
// a mapping refers to columns by name, so one of them would be lost.
// colRef renders a 1-based column for the message.
func checkDuplicates(loc Location, header []string, colRef func(int) string) error {
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			continue
		}
		k := strings.ToLower(h)
		if j, ok := seen[k]; ok {
			return fmt.Errorf("%s: %w: columns %s and %s are both named %s; mappings refer to columns by name, so rename one of them",
				loc, ErrDuplicateHeader, colRef(j+1), colRef(i+1), strconv.Quote(h))
		}
		seen[k] = i
	}
	return nil
}

// record is one parsed CSV record.
type record struct {
	fields  []string
	line    int  // physical line where it starts
	suspect bool // a line of it holds a NUL or bytes that are not UTF-8
}

// csvParser splits decoded text into records. It differs from
// encoding/csv where a migration needs it to: it keeps physical line
// numbers, a broken quote costs one row rather than the rest of the file,
// and a quote inside an unquoted value ("5" monitor") is taken literally.
type csvParser struct {
	lr       lineReader
	delim    []byte
	fieldBuf []byte
	width    int      // how many values the last record had: the next one's capacity
	dst      []string // when set, the memory of the next record's values
	cont     []line   // the lines after the first of the current record, kept to re-read them after a broken quote
}

// read gives the next record, skipping blank lines. A problem with the
// record is a *RowError (its Loc.Line set, the file left to the caller);
// err is io.EOF or a read error.
func (p *csvParser) read() (record, *RowError, error) {
	for {
		text, no, tooLong, err := p.lr.next()
		if err != nil {
			return record{}, nil, err
		}
		if tooLong {
			return record{line: no}, &RowError{Loc: Location{Line: no}, Err: detail(ErrTooLong,
				"the line is longer than %d MiB; is this really a CSV file?", maxRecordBytes>>20)}, nil
		}
		if len(text) == 0 {
			continue // blank line
		}
		return p.parse(text, no)
	}
}

func (p *csvParser) parse(text []byte, start int) (record, *RowError, error) {
	fields := p.dst
	if fields == nil {
		fields = make([]string, 0, p.width)
	}
	suspect := suspectText(text)
	pos, size := 0, len(text)
	p.cont = p.cont[:0]
	// Unquoted values are pieces of one string of the line: one
	// allocation a line rather than one a value.
	var str string
	strOK := false
	sub := func(from, to int) string {
		if !strOK {
			str, strOK = string(text), true
		}
		return str[from:to]
	}
	for {
		if pos < len(text) && text[pos] == '"' {
			pos++
			buf := p.fieldBuf[:0]
			for {
				i := bytes.IndexByte(text[pos:], '"')
				if i < 0 {
					// The quoted value goes on on the next line.
					buf = append(buf, text[pos:]...)
					buf = append(buf, '\n')
					next, no, tooLong, err := p.lr.next()
					if err != nil && err != io.EOF {
						return record{}, nil, err
					}
					if err == io.EOF || tooLong || size+len(next) > maxRecordBytes {
						if err == nil && !tooLong {
							p.cont = append(p.cont, line{text: bytes.Clone(next), no: no})
						}
						p.fieldBuf = buf
						where := fmt.Sprintf("%d MiB of text", maxRecordBytes>>20)
						if err == io.EOF {
							where = "the end of the file"
						}
						end := start
						if len(p.cont) > 0 {
							end = p.cont[len(p.cont)-1].no
						}
						return p.unclosed(start, len(fields)+1, fmt.Sprintf("no closing quote until line %d, %s", end, where))
					}
					p.cont = append(p.cont, line{text: bytes.Clone(next), no: no})
					text, pos, strOK = p.cont[len(p.cont)-1].text, 0, false
					suspect = suspect || suspectText(text)
					size += len(next) + 1
					continue
				}
				buf = append(buf, text[pos:pos+i]...)
				pos += i + 1
				if pos < len(text) && text[pos] == '"' { // "" is a quote
					buf = append(buf, '"')
					pos++
					continue
				}
				break
			}
			fields = append(fields, string(buf))
			p.fieldBuf = buf
			if pos == len(text) {
				break
			}
			if bytes.HasPrefix(text[pos:], p.delim) {
				pos += len(p.delim)
				continue
			}
			after := text[pos:]
			if j := bytes.Index(after, p.delim); j >= 0 {
				after = after[:j]
			}
			if len(p.cont) > 0 {
				// The value ran over several lines and then did not end
				// well: most likely its opening quote was never meant to
				// be closed. Read the lines after the first again.
				return p.unclosed(start, len(fields), fmt.Sprintf(
					"the quote that seems to close it, on line %d, is followed by %s", p.cont[len(p.cont)-1].no, quoteShort(string(after))))
			}
			return record{line: start}, &RowError{Loc: Location{Line: start}, Col: len(fields), Err: detail(ErrQuote,
				"text %s follows the closing quote of the value %s; a quote inside a quoted value must be doubled (\"\")",
				quoteShort(string(after)), quoteShort(fields[len(fields)-1]))}, nil
		}
		i := bytes.Index(text[pos:], p.delim)
		if i < 0 {
			fields = append(fields, sub(pos, len(text)))
			break
		}
		fields = append(fields, sub(pos, pos+i))
		pos += i + len(p.delim)
	}
	p.width = len(fields)
	return record{fields: fields, line: start, suspect: suspect}, nil, nil
}

// suspectText tells whether a line holds a NUL or bytes that are not
// UTF-8: then its values are checked one by one (csvReader.checkText).
// One look at the whole line costs less than one a value.
func suspectText(text []byte) bool {
	return bytes.IndexByte(text, 0) >= 0 || !utf8.Valid(text)
}

// unclosed reports a quoted value, opened in column col of the record
// starting at line start, that never ends well (why says how), and
// arranges for the lines after that one to be read again: most likely only
// the first line has a stray quote.
func (p *csvParser) unclosed(start, col int, why string) (record, *RowError, error) {
	p.lr.unread(p.cont)
	p.cont = p.cont[:0]
	return record{line: start}, &RowError{Loc: Location{Line: start}, Col: col, Err: detail(ErrQuote,
		"a quoted value starts on this line but its closing quote (\") is missing (%s); the lines after this one are read as rows of their own", why)}, nil
}

// line is a physical line of text, without its line end.
type line struct {
	text []byte
	no   int
}

// lineReader gives physical lines and counts them.
type lineReader struct {
	br      *bufio.Reader
	n       int    // number of the last line read from br
	pending []line // lines to give again, before reading on
	scratch []byte
	err     error // sticky: io.EOF or a read error
}

// next gives the next line without its "\n" or "\r\n". text is valid until
// the next call. tooLong: the line is longer than maxRecordBytes (text is
// cut).
func (lr *lineReader) next() (text []byte, no int, tooLong bool, err error) {
	if len(lr.pending) > 0 {
		l := lr.pending[0]
		lr.pending = lr.pending[1:]
		return l.text, l.no, false, nil
	}
	if lr.err != nil {
		return nil, 0, false, lr.err
	}
	lr.scratch = lr.scratch[:0]
	long := false
	for {
		b, err := lr.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(lr.scratch)+len(b) <= maxRecordBytes {
				lr.scratch = append(lr.scratch, b...)
			} else {
				long = true
			}
			continue
		}
		if err != nil && err != io.EOF {
			lr.err = err
			return nil, 0, false, err
		}
		if err == io.EOF {
			lr.err = io.EOF
			if len(b) == 0 && len(lr.scratch) == 0 && !long {
				return nil, 0, false, io.EOF
			}
		}
		if len(lr.scratch) > 0 || long {
			if len(lr.scratch)+len(b) <= maxRecordBytes {
				lr.scratch = append(lr.scratch, b...)
			} else {
				long = true
			}
			b = lr.scratch
		}
		lr.n++
		b = bytes.TrimSuffix(b, []byte{'\n'})
		b = bytes.TrimSuffix(b, []byte{'\r'})
		return b, lr.n, long, nil
	}
}

// unread puts lines back to be read again, before anything else.
func (lr *lineReader) unread(lines []line) {
	if len(lines) == 0 {
		return
	}
	pending := make([]line, 0, len(lines)+len(lr.pending))
	pending = append(pending, lines...)
	lr.pending = append(pending, lr.pending...)
}
