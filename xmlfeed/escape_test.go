package xmlfeed

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
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

// TestPlain8 checks the word-at-a-time test against the byte table (bytes
// from 0x80 plain, as in a value of valid UTF-8): every byte value at every
// place of an otherwise plain word, and random words.
func TestPlain8(t *testing.T) {
	truth := func(w [8]byte, attr bool) bool {
		plain := &textPlain
		if attr {
			plain = &attrPlain
		}
		for _, c := range w {
			if c < utf8.RuneSelf && !plain[c] || c == '\t' || c == '\n' {
				return false
			}
		}
		return true
	}
	word := func(w [8]byte) uint64 { return load64(string(w[:]), 0) }
	for _, attr := range []bool{false, true} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				w := [8]byte{'a', 'b', ' ', '~', '0', '=', '?', 0x7f}
				w[pos] = byte(c)
				if got, want := plain8(word(w), attr), truth(w, attr); got != want {
					t.Fatalf("plain8(%q, attr %v) = %v, the table says %v", w, attr, got, want)
				}
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		alphabet := []byte("aZ &<>\"'\t\n\r\x00\x1f\x20\x7f\x80\xc3\xa9\xff=?;<>")
		for i := 0; i < 200000; i++ {
			var w [8]byte
			for j := range w {
				w[j] = alphabet[rng.IntN(len(alphabet))]
				if rng.IntN(4) == 0 {
					w[j] = byte(rng.IntN(256))
				}
			}
			if got, want := plain8(word(w), attr), truth(w, attr); got != want {
				t.Fatalf("plain8(%q, attr %v) = %v, the table says %v", w, attr, got, want)
			}
		}
	}
}

// TestEscapeIsReference compares escape with escapeRef on random texts of
// ASCII, entities, controls, valid and broken UTF-8 of every length.
func TestEscapeIsReference(t *testing.T) {
	pieces := []string{"a", "Z", " ", "&", "<", ">", "\"", "'", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "é", "Ő", "ű",
		"\u07ff", "\u0800", "€", "\ufffe", "\uffff", "\ufffd", "😀", "\xc0\x80", "\xc1\xbf", "\xc2", "\xdf", "\xc3\x28",
		"\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "\xbf", "\xff",
		// Runs of 8 plain bytes and more, for the word-at-a-time path.
		"abcdefgh", "Kovács János utca 12.", "0123456789", "        ", "?=;:/.-_+*", "＄", "\uf000", "\uefff"}
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

// TestValidName checks the element-name test: letters and _ first, then
// also digits, - and .; nothing else, and no "xml" prefix in any case.
func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"": false, "a": true, "_x": true, "Name": true, "a-b.c9": true, "KovetkezoHivasIdpontja": true,
		"-a": false, "9a": false, ".a": false, "a b": false, "á": false, "Ár": false, "a\x00": false,
		"xml": false, "XmLfoo": false, "xm": true, "xm1": true,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
	letter := func(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			want := letter(byte(a)) && (letter(byte(b)) || b == '-' || b == '.' || b >= '0' && b <= '9')
			if got := validName(string([]byte{byte(a), byte(b)})); got != want {
				t.Fatalf("validName(%q) = %v, want %v", []byte{byte(a), byte(b)}, got, want)
			}
		}
	}
}

// TestNamesChecked: a mapping whose fields are all valid element names
// lets a builder skip the per-card check; one bad or reserved name in any
// entity does not.
func TestNamesChecked(t *testing.T) {
	load := func(project, business, person string) *mapping.Mapping {
		dir := t.TempDir()
		yaml := "source: {file: x.csv}\nproject:\n  category: Értékesítés\n  match: [external_id]\n  external_id: Id\n  fields: {Id: {column: a}, " + project + ": {column: b}}\n"
		if business != "" {
			yaml += "business:\n  match: [name]\n  fields: {Name: {column: c}, " + business + ": {column: d}}\n"
		}
		if person != "" {
			yaml += "person:\n  match: [email]\n  fields: {Email: {column: e}, " + person + ": {column: f}}\n"
		}
		p := filepath.Join(dir, "m.yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := mapping.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		project, business, person string
		ok                        bool
	}{
		{"Megjegyzes", "VatNumber", "FirstName", true},
		{"Megjegyzes", "", "", true},
		{`"Bad Name"`, "VatNumber", "FirstName", false},
		{"Business", "VatNumber", "FirstName", false},
		{"Megjegyzes", "Emails", "FirstName", false},
		{"Megjegyzes", "VatNumber", "xmlThing", false},
	} {
		if got := namesChecked(load(tc.project, tc.business, tc.person)); got != tc.ok {
			t.Errorf("project %s, business %s, person %s: namesChecked %v, want %v", tc.project, tc.business, tc.person, got, tc.ok)
		}
	}
}
