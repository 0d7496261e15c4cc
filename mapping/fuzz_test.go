package mapping

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any bytes give a mapping or Problems, never a panic, and every
// problem names the file.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"good.yaml", "bad.yaml", "syntax.yaml", "unknown-key.yaml", "address-bad.yaml", "address-syntax.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "mapping", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("person: {fields: {Email: {column: [1, 2]}}}"))
	f.Add([]byte("business: {address: {City: {column: X}, default: maybe, Type: ~}}"))
	f.Add([]byte("business: {address: [1, 2]}"))
	f.Add([]byte("person: {address: {City: {column: X, colum: Y}, City: {const: Z}}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse("fuzz.yaml", b)
		if err != nil {
			ps, ok := err.(Problems)
			if !ok || len(ps) == 0 {
				t.Fatalf("Parse error is %T, want Problems: %v", err, err)
			}
			for _, p := range ps {
				if p.File != "fuzz.yaml" {
					t.Fatalf("problem without the file: %v", p)
				}
			}
			return
		}
		for _, k := range m.Entities() {
			_ = m.Entity(k).FieldNames()
			if a := m.Entity(k).Address; a != nil {
				_ = a.FieldNames()
			}
		}
	})
}

// FuzzParseNumber: never a panic; a parsed number is finite and parsing its
// canonical form gives it back.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1 250 000", "1.250.000 Ft", "12,5", "1,250,000.50", "(100)", "27%", "-0", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseNumber(s)
		if err != nil {
			return
		}
		back, err := ParseNumber(FormatNumber(v))
		if err != nil || back != v {
			t.Fatalf("ParseNumber(%q) = %v, but its form %q reads back as %v, %v", s, v, FormatNumber(v), back, err)
		}
	})
}

// FuzzPhone: any text gives a number or an error, never a panic; a number
// is in international form and normalizes to itself.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"06 30 123 4567", "+36 20 236 7532", "0036-1-234-5678", "12", "+1 (555) 010-0000", "tel: 06/30/1234567 m. 12", "", "++", "06 30 123 4567 / 06 1 234 5678"} {
		f.Add(s)
	}
	p := PhoneNormalizer{Region: "HU"}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := p.Normalize(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(n, "+") {
			t.Fatalf("%q → %q: not international", s, n)
		}
		if again, err := p.Normalize(n); err != nil || again != n {
			t.Fatalf("%q → %q → %q, %v: not stable", s, n, again, err)
		}
		_ = p.Key(s)
	})
}

// FuzzDate: every date format parses any text without a panic.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"1978.05.17.", "2026-11-22", "2026. 11. 22.", "45366", "13/45/1990", "", "2026.02.30.", "1990.13.45. 25:61"} {
		f.Add(s)
	}
	p, err := NewDateParser([]string{"hu", "iso", "eu", "us", "excel"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = p.Parse(s)
		_, _ = NormalizeEmail(s)
		_, _ = ParseBool(s)
	})
}

// FuzzSuggestSheet: for any header and values, the whole-sheet mapping init
// writes parses, names only columns of the header, and compiles against
// the header (names with colons, quotes, braces or line breaks included).
func FuzzSuggestSheet(f *testing.F) {
	f.Add("Azonosító;Cég neve;Adószám;Vezetéknév;Keresztnév;Email cím;Fázis;Érték (Ft)", "P-1;Alfa Kft.;1-1;Kiss;Anna;a@x.hu;Megnyert;1 000")
	f.Add("Cégnév;Adószám;Státusz;Név", "A: b;#1;{x};\"q\"")
	f.Add("Cég\nnév;Adó{szám};Státusz", "x\ny;1;Új")
	s := sandboxSchemas(f)
	f.Fuzz(func(t *testing.T, header, row string) {
		h := strings.Split(header, ";")
		seen := map[string]bool{}
		for i := range h {
			h[i] = strings.TrimSpace(h[i])
			if seen[strings.ToLower(h[i])] {
				return // a source refuses duplicate names
			}
			seen[strings.ToLower(h[i])] = true
		}
		smp := NewSample(h, [][]string{strings.Split(row, ";"), strings.Split(row, ";")})
		for _, cat := range []string{"", "Értékesítés"} {
			text, err := SuggestSheet(smp, SheetOptions{SourceFile: "f.csv", Category: cat}, s)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse("f.yaml", []byte(text))
			if err != nil {
				t.Fatalf("does not parse: %v\n%s", err, text)
			}
			if _, err := Compile(m, s, h); err != nil && strings.Contains(err.Error(), "not in the source header") {
				t.Fatalf("names a column the header lacks: %v\n%s", err, text)
			}
		}
	})
}
