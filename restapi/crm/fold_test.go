package crm

import (
	"math/rand/v2"
	"testing"
)

func TestFoldLatinIsFoldSlow(t *testing.T) {
	var all []rune
	for r := rune(0x20); r < 0x2100; r++ {
		if r == 0x260 {
			r = 0x2000 // general punctuation, currency, letter-like symbols
		}
		all = append(all, r)
		s := string(r)
		if got, ok := foldLatin(s); ok && got != foldSlow(s) {
			t.Errorf("%q: %q, want %q", s, got, foldSlow(s))
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		var s []rune
		for j := 0; j < 1+rng.IntN(12); j++ {
			s = append(s, all[rng.IntN(len(all))])
		}
		if got, ok := foldLatin(string(s)); ok && got != foldSlow(string(s)) {
			t.Errorf("%q: %q, want %q", string(s), got, foldSlow(string(s)))
		}
	}
	for in, want := range map[string]string{"Kovács Éva": "kovacs eva", "ŐRSÉG Ű": "orseg u", "e\u0301": "e", "Cég – Lehetőség „1”": "ceg – lehetoseg „1”"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
