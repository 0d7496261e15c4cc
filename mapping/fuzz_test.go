package mapping

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any bytes give a mapping or Problems, never a panic, and every
// problem names the file.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"good.yaml", "bad.yaml", "syntax.yaml", "unknown-key.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "mapping", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("person: {fields: {Email: {column: [1, 2]}}}"))
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
