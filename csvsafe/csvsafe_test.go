package csvsafe

import "testing"

func TestNeutralize(t *testing.T) {
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
		{"@SUM(1)", "'@SUM(1)"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"+36 20 236 7532", "+36 20 236 7532"},
		{"-1250", "-1250"},
		{"-", "'-"},
		{"Kiss János", "Kiss János"},
		{"", ""},
		{"'", "'"},
		{"'=x", "''=x"},
		{"''@x", "'''@x"},
		{"'abc", "'abc"},
		{"a=b", "a=b"},
	}
	for _, c := range cases {
		if got := Neutralize(c.in); got != c.want {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Restore(c.want); got != c.in {
			t.Errorf("Restore(%q) = %q, want %q", c.want, got, c.in)
		}
	}
}

// FuzzRoundTrip: Restore undoes Neutralize, and what Neutralize writes
// never starts like a formula.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "+36 1", "-x", "''", "@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Neutralize(s)
		if Restore(n) != s {
			t.Fatalf("Restore(Neutralize(%q)) = %q", s, Restore(n))
		}
		if n != "" && needs(n) && n[0] != '\'' {
			t.Fatalf("Neutralize(%q) = %q starts like a formula", s, n)
		}
	})
}
