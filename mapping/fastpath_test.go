package mapping

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/mail"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestHungarianFastIsLibphonenumber checks the phone fast path against the
// full libphonenumber parse on numbers of every leading digit and length
// around the valid ones, in the ways people write them.
func TestHungarianFastIsLibphonenumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	forms := []func(nat string) string{
		func(n string) string { return "+36" + n },
		func(n string) string { return "06" + n },
		func(n string) string { return "+36 " + n[:2] + " " + n[2:5] + " " + n[5:] },
		func(n string) string { return "06-" + n[:2] + "-" + n[2:5] + "-" + n[5:] },
		func(n string) string { return "06 (" + n[:2] + ") " + n[2:5] + " " + n[5:] },
		func(n string) string { return "+36/" + n[:1] + "/" + n[1:] },
		func(n string) string { return "+36." + n[:2] + "." + n[2:] },
		// Without a prefix: the national number, or 36 before it.
		func(n string) string { return n },
		func(n string) string { return n[:2] + "/" + n[2:5] + "-" + n[5:] },
		func(n string) string { return n[:1] + "/" + n[1:4] + "-" + n[4:] },
		func(n string) string { return "36" + n },
		func(n string) string { return "36 " + n[:2] + " " + n[2:] },
		func(n string) string { return "3" + n },
	}
	fast, checked := 0, 0
	for i := 0; i < 6000; i++ {
		length := 7 + rng.IntN(4) // 7..10 digits: valid ones are 8 and 9
		nat := strconv.Itoa(rng.IntN(10))
		for len(nat) < length {
			nat += strconv.Itoa(rng.IntN(10))
		}
		in := forms[i%len(forms)](nat)
		for _, region := range []string{"HU", "AT"} {
			got, ok := hungarianFast(in, region)
			if !ok {
				continue
			}
			fast++
			want, err := libphonenumber(in, in, region)
			if err != nil || got != want {
				t.Fatalf("%q (%s): fast path %q, libphonenumber %q %v", in, region, got, want, err)
			}
		}
		checked++
	}
	if fast < 1000 {
		t.Errorf("the fast path took only %d of %d inputs", fast, checked)
	}
	// Every three-digit start of a number typed without a prefix, at the
	// lengths the fast path takes (and one either side).
	for start := 0; start <= 999; start++ {
		for length := 7; length <= 12; length++ {
			in := fmt.Sprintf("%03d", start)
			for len(in) < length {
				in += strconv.Itoa(rng.IntN(10))
			}
			got, ok := hungarianFast(in, "HU")
			if !ok {
				continue
			}
			if want, err := libphonenumber(in, in, "HU"); err != nil || got != want {
				t.Fatalf("%q: fast path %q, libphonenumber %q %v", in, got, want, err)
			}
		}
	}
	// Inputs it must leave to libphonenumber.
	for _, in := range []string{"+36 30 123 4567 ext. 12", "+36 06 30 123 4567", "+361234", "06 30 ABC 4567", "+43 1 234 5678", "0301234567", "36123456", "1234567"} {
		if got, ok := hungarianFast(in, "HU"); ok {
			t.Errorf("%q took the fast path: %q", in, got)
		}
	}
}

func TestParseNumberDigits(t *testing.T) {
	for _, s := range []string{"0", "007", "123456789012345", "1250000"} {
		got, err := ParseNumber(s)
		want, _ := strconv.ParseFloat(s, 64)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := ParseNumber("1234567890123456789"); err != nil {
		t.Error(fmt.Errorf("long digits: %w", err))
	}
}

// TestHungarianShapeCache checks the assumption huShape rests on: for every
// four-digit prefix and both lengths of Hungarian national numbers, numbers
// with different tails get the same verdict and grouping from
// libphonenumber, so the cached shape gives libphonenumber's answer.
func TestHungarianShapeCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for prefix := 1000; prefix <= 9999; prefix++ {
		for _, length := range []int{8, 9} {
			tailLen := length - 4
			tails := []string{strings.Repeat("0", tailLen), strings.Repeat("9", tailLen),
				fmt.Sprintf("%0*d", tailLen, rng.IntN(int(math.Pow10(tailLen))))}
			for _, tail := range tails {
				nat := []byte(strconv.Itoa(prefix) + tail)
				want := huShapeSlow(nat)
				got := huShapeOf(nat)
				if got.valid != want.valid || fmt.Sprint(got.groups) != fmt.Sprint(want.groups) {
					t.Fatalf("%s: cached shape %+v, libphonenumber says %+v", nat, got, want)
				}
			}
		}
	}
}

// TestNumberFastPathIsTheRegexps checks what ParseNumber's shortcuts rest
// on: a text mayHaveUnit says no to is left alone by unitSuffix, and
// numberChars is ^[0-9.,]+$.
func TestNumberFastPathIsTheRegexps(t *testing.T) {
	chars := []rune("0123456789 .,-+()'\t\u00a0\u202f€$%FtHUFeurUSDdbpcsſK_#")
	anchored := regexp.MustCompile(`^[0-9.,]+$`)
	rng := rand.New(rand.NewPCG(5, 6))
	skipped := 0
	for i := 0; i < 200000; i++ {
		var b []rune
		for j := 0; j < 1+rng.IntN(10); j++ {
			b = append(b, chars[rng.IntN(len(chars))])
		}
		s := string(b)
		if numberChars(s) != anchored.MatchString(s) {
			t.Fatalf("numberChars(%q) = %v", s, numberChars(s))
		}
		if trimmed := strings.TrimSpace(s); !mayHaveUnit(trimmed) {
			skipped++
			if got := stripUnits(trimmed); got != trimmed {
				t.Fatalf("%q: mayHaveUnit says no, but stripUnits makes %q", trimmed, got)
			}
		}
	}
	if skipped < 1000 {
		t.Errorf("only %d texts took the shortcut", skipped)
	}
	for _, s := range []string{"12 pcſ", "1 250 Ft", "€5", "5%", "47 809 632"} {
		if !mayHaveUnit(s) && s != "47 809 632" {
			t.Errorf("mayHaveUnit(%q) = false", s)
		}
	}
}

// TestTextShortcuts checks that CollapseSpace and TitleCase return a text
// as it is only when the full way would make the same text of it.
func TestTextShortcuts(t *testing.T) {
	chars := []string{"a", "Á", "b", "É", "ő", "Ő", "ß", "ǅ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u0085", "\u2000", "\u2028", "\u3000", "\u07ff", "\u00c0", "\xc3", "-", ".", "\xff", "\ufffd", "1"}
	rng := rand.New(rand.NewPCG(7, 8))
	kept := 0
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for j := 0; j < rng.IntN(8); j++ {
			b.WriteString(chars[rng.IntN(len(chars))])
		}
		s := b.String()
		if want := strings.Join(strings.Fields(s), " "); collapsed(s) && want != s {
			t.Fatalf("collapsed(%q), but the full way makes %q", s, want)
		} else if got := CollapseSpace(s); got != want {
			t.Fatalf("CollapseSpace(%q) = %q, want %q", s, got, want)
		}
		if want := titleCase(s); titled(s) && want != s {
			t.Fatalf("titled(%q), but the full way makes %q", s, want)
		} else if titled(s) {
			kept++
		}
	}
	for _, s := range []string{"Kiss János", "Nagy-Kovács Éva", "Dr. Tóth Ödön", ""} {
		if !titled(s) || !collapsed(s) {
			t.Errorf("%q should take both shortcuts", s)
		}
	}
	if kept < 1000 {
		t.Errorf("TitleCase kept only %d texts", kept)
	}
}

// TestPlainAddressIsNetMail checks that an address plainAddress lets past
// net/mail is one net/mail reads as it is.
func TestPlainAddressIsNetMail(t *testing.T) {
	chars := []string{"a", "Z", "0", ".", ".", "@", "_", "+", "-", " ", "\"", "(", ")", "<", ">", "[", "]", ",", ";", ":", "\\", "é", "!", "#"}
	rng := rand.New(rand.NewPCG(9, 10))
	plain := 0
	for i := 0; i < 300000; i++ {
		var b strings.Builder
		for j := 0; j < 1+rng.IntN(9); j++ {
			if i%2 == 0 {
				b.WriteString(chars[rng.IntN(9)]) // letters, dots, @ _ + -: more that look like addresses
			} else {
				b.WriteString(chars[rng.IntN(len(chars))])
			}
		}
		s := b.String()
		if !plainAddress(s) {
			continue
		}
		plain++
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			t.Fatalf("%q: plain, but net/mail says %+v %v", s, a, err)
		}
	}
	if plain < 1000 {
		t.Errorf("only %d plain addresses", plain)
	}
	for s, want := range map[string]bool{"janka.dudas0@pelda.hu": true, "a..b@c.hu": false, ".a@b.hu": false, "a@b.hu.": false,
		"Kiss <a@b.hu>": false, "a@b@c": false, "@b.hu": false, "a@": false} {
		if plainAddress(s) != want {
			t.Errorf("plainAddress(%q) = %v", s, !want)
		}
	}
}

// TestMapIntoIsMap maps the rows of a source into one reused bundle, in
// both orders (so every row follows rows with other fields, errors and
// skips), and compares each result with Map's.
func TestMapIntoIsMap(t *testing.T) {
	plan, rows := planAndRows(t, filepath.Join("..", "testdata", "mapping", "good.yaml"))
	// A short row (an XLSX row ends at its last value): the columns it
	// lacks must not keep the previous row's values.
	short := rows[0]
	short.Cells = short.Cells[:6]
	rows = slices.Insert(rows, 2, short) // after the second full row
	backward := slices.Clone(rows)
	slices.Reverse(backward)
	order := append(slices.Clone(rows), backward...)
	var shared Bundle
	outcomes := map[bool]int{}
	for _, row := range order {
		want, wantErr := plan.Map(row)
		got, gotErr := plan.MapInto(row, &shared)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || (got == nil) != (want == nil) {
			t.Fatalf("%s: MapInto %v %v, Map %v %v", row.Loc, got, gotErr, want, wantErr)
		}
		outcomes[want != nil]++
		if want == nil {
			continue
		}
		if got.Loc != want.Loc || !reflect.DeepEqual(got.Records(), want.Records()) {
			t.Errorf("%s: MapInto made\n%+v\nMap made\n%+v", row.Loc, got.Records(), want.Records())
		}
	}
	if outcomes[true] == 0 || outcomes[false] == 0 {
		t.Errorf("the rows should include mapped and refused ones: %v", outcomes)
	}
}
