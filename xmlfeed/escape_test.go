package xmlfeed

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// escapeRef is escape as it was written first, a condition a byte: the
// reference the table and the two-byte shortcut are checked against.
func escapeRef(s string, attr bool) (out string, dropped int) {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' && c != '"':
			b.WriteByte(c)
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '"' && attr:
			b.WriteString("&quot;")
		case c == '"':
			b.WriteByte(c)
		case c == '\r':
			b.WriteString("&#xD;")
		case c == '\n' && attr:
			b.WriteString("&#xA;")
		case c == '\t' && attr:
			b.WriteString("&#x9;")
		case c == '\n' || c == '\t':
			b.WriteByte(c)
		case c < 0x20:
			dropped++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && n == 1) || !allowedRune(r) {
				dropped++
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		i++
	}
	return b.String(), dropped
}

// TestEscapeIsReference compares escape with escapeRef on random texts of
// ASCII, entities, controls, valid and broken UTF-8 of every length.
func TestEscapeIsReference(t *testing.T) {
	pieces := []string{"a", "Z", " ", "&", "<", ">", "\"", "'", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "é", "Ő", "ű",
		"\u07ff", "\u0800", "€", "\ufffe", "\uffff", "\ufffd", "😀", "\xc0\x80", "\xc1\xbf", "\xc2", "\xdf", "\xc3\x28",
		"\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "\xbf", "\xff"}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		for _, attr := range []bool{false, true} {
			w := &Writer{}
			w.escape(s, attr, "p/", "leaf")
			want, dropped := escapeRef(s, attr)
			got := 0
			for _, d := range w.pending {
				got += d.Count
			}
			if string(w.buf) != want || got != dropped {
				t.Fatalf("%q (attr %v): escape %q dropping %d, reference %q dropping %d", s, attr, w.buf, got, want, dropped)
			}
		}
	}
}
