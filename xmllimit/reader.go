package xmllimit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// TooLongError says that a part of the document that cannot be cut (a
// tag, a comment...) is longer than the limit.
type TooLongError struct {
	What   string // "a tag", "a comment", "a CDATA section", "a processing instruction", "a DOCTYPE"
	Offset int64  // where it starts, in bytes from the start of the document
	Limit  int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("%s at byte %d is longer than %s", e.What, e.Offset, Size(int64(e.Limit)))
}

// Size writes a byte count for people: "1 MiB", "64 KiB", "1.5 GiB".
func Size(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[u])
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}

type state int

const (
	stText      state = iota
	stOpen            // after '<': which kind of markup is not known yet
	stTag             // a start or end tag
	stComment         // <!-- ... -->
	stCDATA           // <![CDATA[ ... ]]>
	stPI              // <? ... ?>
	stDirective       // <!DOCTYPE ...> and the like, with nested <...>
)

var stateNames = map[state]string{
	stTag: "a tag", stComment: "a comment", stCDATA: "a CDATA section",
	stPI: "a processing instruction", stDirective: "a DOCTYPE", stOpen: "a tag",
}

// Reader is an io.Reader over an XML document; see the package comment.
type Reader struct {
	r     io.Reader
	limit int
	err   error

	st     state
	run    int   // bytes of the current text run or markup
	over   int   // bytes of the current text run seen past the limit
	start  int64 // offset of the current markup
	off    int64 // bytes read from r
	pre    []byte
	quote  byte // in a tag or directive: the open quote, 0 if none
	depth  int  // in a directive: nesting of < >
	tail   [2]byte
	ent    int  // in text: bytes since an unfinished '&', 0 if none
	drop   bool // in text: dropping the rest of an over-long run
	mark   bool // the cut marker goes out before the next byte
	cuts   int
	inbuf  []byte
	out    []byte // read and filtered, not yet given out
	outbuf []byte
}

// NewReader returns a Reader that keeps every token of r within limit
// bytes (a text run is cut after about limit bytes, and marked).
func NewReader(r io.Reader, limit int) *Reader {
	return &Reader{r: r, limit: limit, inbuf: make([]byte, 32<<10), outbuf: make([]byte, 0, 33<<10)}
}

// CutTarget is the target of the processing instruction that marks a
// cut: the decoder gives xml.ProcInst{Target: CutTarget} right after the
// kept part of the run.
const CutTarget = "xmllimit-cut"

// Cuts tells how many text runs were cut so far.
func (x *Reader) Cuts() int { return x.cuts }

// Read gives the document with over-long text runs cut.
func (x *Reader) Read(p []byte) (int, error) {
	for len(x.out) == 0 {
		if x.err != nil {
			return 0, x.err
		}
		n, err := x.r.Read(x.inbuf)
		x.out = x.outbuf[:0]
		in := x.inbuf[:n]
		for i := 0; i < len(in); i++ {
			if x.st == stText && x.drop {
				// Skip the rest of an over-long run at once.
				j := bytes.IndexByte(in[i:], '<')
				if j < 0 {
					x.off += int64(len(in) - i)
					break
				}
				x.off += int64(j)
				i += j
			}
			b := in[i]
			keep, ferr := x.step(b)
			if ferr != nil {
				x.err = ferr
				break
			}
			x.off++
			if x.mark {
				x.out = append(x.out, "<?"+CutTarget+"?>"...)
				x.mark = false
			}
			if keep {
				x.out = append(x.out, b)
			}
		}
		x.outbuf = x.out[:0]
		if err != nil && x.err == nil {
			x.err = err
		}
	}
	n := copy(p, x.out)
	x.out = x.out[n:]
	return n, nil
}

// step moves the state machine over one byte and tells whether to keep it.
func (x *Reader) step(b byte) (bool, error) {
	switch x.st {
	case stText:
		if b == '<' {
			x.st, x.run, x.over, x.start, x.pre, x.drop, x.ent = stOpen, 1, 0, x.off, x.pre[:0], false, 0
			return true, nil
		}
		if x.drop {
			return false, nil
		}
		if x.run >= x.limit {
			// Cut before a byte that starts a character (not a UTF-8
			// continuation byte), outside an entity such as &amp;. Input
			// that offers no such place is not valid XML: it is cut
			// anyway, and the decoder says what is wrong.
			x.over++
			if b&0xC0 != 0x80 && x.ent == 0 || x.over > 40 {
				x.drop, x.mark = true, true
				x.cuts++
				return false, nil
			}
		}
		x.run++
		switch {
		case x.ent > 0:
			x.ent++
			if b == ';' || x.ent > 32 {
				x.ent = 0
			}
		case b == '&':
			x.ent = 1
		}
		return true, nil
	case stOpen:
		x.pre = append(x.pre, b)
		switch p := string(x.pre); {
		case p == "!--":
			x.st, x.tail = stComment, [2]byte{}
		case p == "![CDATA[":
			x.st, x.tail = stCDATA, [2]byte{}
		case p == "?":
			x.st, x.tail = stPI, [2]byte{}
		case strings.HasPrefix("!--", p) || strings.HasPrefix("![CDATA[", p):
			// not known yet
		case p[0] == '!':
			x.st, x.depth = stDirective, 1
			return x.markup(b)
		default:
			x.st = stTag
			return x.markup(b)
		}
		return x.count()
	default:
		return x.markup(b)
	}
}

func (x *Reader) count() (bool, error) {
	x.run++
	if x.run > x.limit {
		return false, &TooLongError{What: stateNames[x.st], Offset: x.start, Limit: x.limit}
	}
	return true, nil
}

// markup follows a tag, comment, CDATA section, PI or directive to its end.
func (x *Reader) markup(b byte) (bool, error) {
	if _, err := x.count(); err != nil {
		return false, err
	}
	end := false
	switch x.st {
	case stTag:
		switch {
		case x.quote != 0:
			if b == x.quote {
				x.quote = 0
			}
		case b == '"' || b == '\'':
			x.quote = b
		case b == '>':
			end = true
		}
	case stDirective:
		switch {
		case x.quote != 0:
			if b == x.quote {
				x.quote = 0
			}
		case b == '"' || b == '\'':
			x.quote = b
		case b == '<':
			x.depth++
		case b == '>':
			x.depth--
			end = x.depth == 0
		}
	case stComment:
		end = b == '>' && x.tail == [2]byte{'-', '-'}
	case stCDATA:
		end = b == '>' && x.tail == [2]byte{']', ']'}
	case stPI:
		end = b == '>' && x.tail[1] == '?'
	}
	x.tail[0], x.tail[1] = x.tail[1], b
	if end {
		x.st, x.run, x.quote, x.tail = stText, 0, 0, [2]byte{}
	}
	return true, nil
}
