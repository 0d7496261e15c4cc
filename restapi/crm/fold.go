package crm

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases and strips accents, for forgiving comparisons of names:
// "Kovács Éva" and "KOVACS EVA" fold alike. MiniCRM's own searches ignore
// case and accents the same way.
func Fold(s string) string {
	if out, ok := foldLatin(s); ok {
		return out
	}
	return foldSlow(s)
}

// foldLatin folds a text of ASCII and precomposed Latin letters by table:
// for those, decomposing, dropping the marks and recomposing works letter
// by letter, so the result is foldSlow's, without its allocations (it
// dominated the name keys of large sources). ok is false for any other
// text.
func foldLatin(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s), true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
		case r < rune(len(latinFold)) && latinFold[r] != 0:
			b = append(b, latinFold[r])
		case (unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)) && stable(r):
			// A dash or a quote: no marks to drop, nothing to compose.
			b = utf8.AppendRune(b, unicode.ToLower(r))
		default:
			return "", false
		}
	}
	return string(b), true
}

// stable reports whether normalization leaves r alone, either way.
func stable(r rune) bool {
	s := string(r)
	return norm.NFD.IsNormalString(s) && norm.NFC.IsNormalString(s)
}

// latinFold maps the precomposed letters of Latin-1 Supplement and Latin
// Extended-A/B (á, Ő, ű, č…) to what foldSlow makes of them, when that is one
// ASCII letter; 0 otherwise.
var latinFold = func() [0x250]byte {
	var t [0x250]byte
	for r := rune(0x80); r < 0x250; r++ {
		if f := foldSlow(string(r)); len(f) == 1 && f[0] < utf8.RuneSelf && unicode.IsLetter(r) {
			t[r] = f[0]
		}
	}
	return t
}()

// foldSlow is fold by Unicode normalization: decompose, drop the marks,
// recompose, lower-case.
func foldSlow(s string) string {
	t := foldChains.Get().(transform.Transformer)
	defer foldChains.Put(t)
	t.Reset()
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// foldChains reuses fold's transformer chains (a chain is stateful, so one
// per goroutine at a time); building one per call dominated the name keys
// of large sources.
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}
