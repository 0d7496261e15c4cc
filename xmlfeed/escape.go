package xmlfeed

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// escape appends s escaped for element content (attr false) or a
// double-quoted attribute value: & < > as entities, CR as a character
// reference (a parser would turn a raw CR into LF); in attributes also "
// and tab and LF as character references (attribute-value normalization
// would turn them into spaces). Characters XML 1.0 forbids are dropped and
// recorded for the drop report; path+leaf names the value there.
func (w *Writer) escape(s string, attr bool, path, leaf string) {
	// Escaping byte by byte was a tenth of a feed build's time. First the
	// plain ASCII at the start, eight bytes at a time: all of most values
	// (numbers, ids, addresses), which need no UTF-8 check. The rest, when
	// it is valid UTF-8 without U+F000 to U+FFFF (0xEF leads those, among
	// them the forbidden U+FFFE and U+FFFF), only has its ASCII looked at;
	// any other value goes the byte-by-byte way.
	plain := &textPlain
	if attr {
		plain = &attrPlain
	}
	i := 0
	for i+8 <= len(s) && plain8(load64(s, i), attr) && load64(s, i)&highBits == 0 {
		i += 8
	}
	for i < len(s) && plain[s[i]] { // the rest, and values under 8 bytes
		i++
	}
	if i == len(s) {
		w.buf = append(w.buf, s...)
		return
	}
	if rest := s[i:]; utf8.ValidString(rest) && strings.IndexByte(rest, 0xEF) < 0 {
		mark := len(w.buf)
		w.buf = append(w.buf, s[:i]...)
		if w.escapeValid(rest, attr) {
			return
		}
		w.buf = w.buf[:mark] // a control character: the slow way drops and reports it
	}
	w.escapeBytes(s, attr, path, leaf)
}

// highBits are the top bits of the bytes of a word: set for bytes from
// 0x80.
const highBits = 0x8080808080808080

// escapeValid is escape for a value of valid UTF-8 without U+F000 to
// U+FFFF; false, with part of the value written, at a control character
// (which escapeBytes drops and reports).
func (w *Writer) escapeValid(s string, attr bool) bool {
	plain := &textPlain
	if attr {
		plain = &attrPlain
	}
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plain8(load64(s, i), attr) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= utf8.RuneSelf || plain[c] {
			i++
			continue
		}
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;" // only in an attribute: in content it is plain
		case '\r':
			esc = "&#xD;"
		case '\n':
			esc = "&#xA;" // likewise
		case '\t':
			esc = "&#x9;" // likewise
		default:
			return false
		}
		w.buf = append(w.buf, s[start:i]...)
		w.buf = append(w.buf, esc...)
		i++
		start = i
	}
	w.buf = append(w.buf, s[start:]...)
	return true
}

// escapeBytes is escape for any value, a byte (or character) at a time.
func (w *Writer) escapeBytes(s string, attr bool, path, leaf string) {
	dropped, first := 0, ""
	start := 0
	plain := &textPlain
	if attr {
		plain = &attrPlain
	}
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			// Two bytes of UTF-8 (U+0080 to U+07FF: á, ő, ű…), all of
			// which XML allows.
			i += 2
			continue
		}
		var esc string
		size := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			if !attr {
				i++
				continue
			}
			esc = "&quot;"
		case c == '\r':
			esc = "&#xD;"
		case c == '\n':
			if !attr {
				i++
				continue
			}
			esc = "&#xA;"
		case c == '\t':
			if !attr {
				i++
				continue
			}
			esc = "&#x9;"
		case c < 0x20:
			esc = "" // a control character: dropped
			if dropped == 0 {
				first = fmt.Sprintf("%q", rune(c))
			}
			dropped++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if r == utf8.RuneError && n == 1 {
				if dropped == 0 {
					first = fmt.Sprintf("byte 0x%02X (not UTF-8)", c)
				}
				dropped++
				esc = ""
			} else if !allowedRune(r) {
				if dropped == 0 {
					first = fmt.Sprintf("%U", r)
				}
				dropped++
				esc = ""
			} else {
				i += n
				continue
			}
		}
		w.buf = append(w.buf, s[start:i]...)
		w.buf = append(w.buf, esc...)
		i += size
		start = i
	}
	w.buf = append(w.buf, s[start:]...)
	if dropped > 0 {
		d := Drop{Element: path + leaf, Count: dropped, First: first}
		if w.cur != nil {
			d.Loc, d.CardID = w.cur.Loc, w.cur.ID
		}
		w.pending = append(w.pending, d)
	}
}

// textPlain and attrPlain say which bytes escape writes as they are in
// element content and in an attribute value: ASCII but the control
// characters and the characters that need an entity (in content tab, LF
// and " are plain).
var textPlain, attrPlain = func() (text, attr [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		switch c {
		case '&', '<', '>':
		case '"':
			text[c] = true
		default:
			text[c], attr[c] = true, true
		}
	}
	text['\t'], text['\n'] = true, true
	return text, attr
}()

// allowedRune is XML 1.0's Char production for non-ASCII runes.
func allowedRune(r rune) bool {
	return (r >= 0x80 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= unicode.MaxRune)
}

// load64 is the 8 bytes of s from i, the first the lowest.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plain8 tells whether the 8 bytes of x can be written as they are in a
// value of valid UTF-8 (escapeValid): each is at least 0x20 (tab and line
// feed are left to the byte loop) and none is & < > (nor " in an
// attribute); bytes from 0x80 are parts of characters XML allows. The
// tests for a byte below n and for a zero byte are the usual
// word-at-a-time ones, exact for the word as a whole.
func plain8(x uint64, attr bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	bad := (x-0x20*ones)&^x&highs |
		zero(x^('&'*ones)) |
		zero((x|0x02*ones)^('>'*ones)) // '<' is '>' but for the bit 0x02
	if attr {
		bad |= zero(x ^ ('"' * ones))
	}
	return bad == 0
}
