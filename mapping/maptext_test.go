package mapping

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// TestMapTextIsMap maps the rows of two sources (and, for each row, copies
// with cells swapped for other rows' cells, blanks and junk, so that clears,
// defaults, errors and skips come up) into one reused bundle with MapText,
// and compares each outcome with Map's: the same error or skip, the same
// records, and each value's text ValueString's of Map's value.
func TestMapTextIsMap(t *testing.T) {
	for _, file := range []string{
		filepath.Join("..", "testdata", "mapping", "good.yaml"),
		filepath.Join("..", "testdata", "xmlfeed", "partnerek.yaml"),
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			plan, rows := planAndRows(t, file)
			rng := rand.New(rand.NewPCG(3, 4))
			junk := []string{"", "  ", "x", "0", "-1", "12,5", "1 250 000 Ft", "2024.02.30.", "2024.02.29.", "Igen",
				"+36 20 123 4567", "nem@", "ÁRVÍZTŰRŐ tükörfúrógép", "\x00", "\xff", "Tárgyalás", "tárgyalás ", "2001"}
			var all []source.Row
			for _, row := range rows {
				all = append(all, row)
				for range 8 {
					v := source.Row{Loc: row.Loc, Cells: append([]source.Cell(nil), row.Cells...)}
					for range 1 + rng.IntN(3) {
						i := rng.IntN(len(v.Cells))
						if rng.IntN(2) == 0 {
							v.Cells[i] = rows[rng.IntN(len(rows))].Cells[i]
						} else {
							v.Cells[i] = source.Cell{Raw: junk[rng.IntN(len(junk))], Kind: source.String}
						}
					}
					all = append(all, v)
				}
			}
			var shared Bundle
			outcomes := map[string]int{}
			for _, row := range all {
				want, wantErr := plan.Map(row)
				got, gotErr := plan.MapText(row, &shared)
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || (got == nil) != (want == nil) {
					t.Fatalf("%s: MapText %v %v, Map %v %v", row.Loc, got, gotErr, want, wantErr)
				}
				switch {
				case want != nil:
					outcomes["mapped"]++
				case errors.As(wantErr, new(*Skipped)):
					outcomes["skipped"]++
				default:
					outcomes["refused"]++
				}
				if want == nil {
					continue
				}
				gr, wr := [3]*Record{got.Business, got.Person, got.Project}, [3]*Record{want.Business, want.Person, want.Project}
				for i := range gr {
					if (gr[i] == nil) != (wr[i] == nil) {
						t.Fatalf("%s: record %d: MapText %v, Map %v", row.Loc, i, gr[i], wr[i])
					}
					if gr[i] != nil {
						sameRecord(t, row.Loc, gr[i], wr[i])
					}
				}
			}
			if outcomes["mapped"] == 0 || outcomes["refused"] == 0 {
				t.Errorf("the rows should include mapped and refused ones: %v", outcomes)
			}
			t.Logf("%v", outcomes)
		})
	}
}

// sameRecord compares a record MapText made with Map's.
func sameRecord(t *testing.T, loc source.Location, got, want *Record) {
	t.Helper()
	if len(got.Fields) != 0 {
		t.Errorf("%s: MapText filled Fields: %v", loc, got.Fields)
	}
	if !reflect.DeepEqual(got.Order, want.Order) || len(got.Texts) != len(got.Order) {
		t.Fatalf("%s: %s fields %v (%d texts), Map %v", loc, got.Kind, got.Order, len(got.Texts), want.Order)
	}
	for i, name := range want.Order {
		w := ValueString(want.Fields[name])
		if got.Texts[i] != w || got.TextAt(i) != w || want.TextAt(i) != w {
			t.Errorf("%s: %s.%s: MapText %q, Map %q", loc, got.Kind, name, got.Texts[i], w)
		}
		if v, ok := got.Text(name); !ok || v != w {
			t.Errorf("%s: %s.%s: Text %q %v, Map %q", loc, got.Kind, name, v, ok, w)
		}
	}
	if v, ok := got.Text("NoSuchField"); ok || v != "" {
		t.Errorf("%s: Text of a field the record has not: %q %v", loc, v, ok)
	}
	g, w := *got, *want
	g.Fields, g.Texts, g.vals, g.textBuf, g.textMode = nil, nil, nil, nil, false
	w.Fields, w.vals = nil, nil
	// MapText keeps only the keys a feed uses.
	w.Keys = MatchKeys{ExternalID: want.Keys.ExternalID, VatNumber: want.Keys.VatNumber}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: MapText made\n%+v\nMap made\n%+v", loc, g, w)
	}
}

// TestDateFastText checks DateParser.fastText against Parse and Format on
// every day of the years it takes (and the years either side), in each
// layout it knows, and on texts of the same shape that are no real day.
func TestDateFastText(t *testing.T) {
	parsers := map[string][]string{"hu": {"hu"}, "dotted": {"2006.01.02"}, "iso": {"iso", "hu"}, "eu": {"eu", "hu"}}
	format := map[string]string{"hu": "2006.01.02.", "dotted": "2006.01.02", "iso": "2006-01-02", "eu": "2006.01.02."}
	fast := 0
	check := func(name string, p *DateParser, s string) {
		for _, dateTime := range []bool{false, true} {
			got, ok := p.fastText(s, dateTime)
			tm, err := p.Parse(s)
			if !ok {
				continue
			}
			fast++
			want := ""
			if err == nil {
				want = tm.Format(dateLayoutOut)
				if dateTime {
					want = tm.Format(dateTimeLayoutOut)
				}
			}
			if err != nil || got != want {
				t.Fatalf("%s: %q (dateTime %v): fastText %q, Parse and Format %q %v", name, s, dateTime, got, want, err)
			}
		}
	}
	for name, formats := range parsers {
		p, err := NewDateParser(formats)
		if err != nil {
			t.Fatal(err)
		}
		before := fast
		step := 1 // every day for the preset most sheets use, every third for the others
		if name != "hu" {
			step = 3
		}
		for d := time.Date(fastYears[0]-1, 12, 1, 12, 0, 0, 0, time.UTC); d.Year() <= fastYears[1]+1; d = d.AddDate(0, 0, step) {
			s := d.Format(format[name])
			if d.Day()%7 == 0 {
				s = " " + s + " "
			}
			check(name, p, s)
		}
		for y := fastYears[0]; y <= fastYears[1]; y += 7 {
			for _, md := range []string{"02.29", "02.30", "04.31", "13.01", "00.10", "10.00", "10.32", "1a.01"} {
				s := strings.ReplaceAll(fmt.Sprintf("%04d.%s.", y, md), ".", format[name][4:5])
				check(name, p, strings.TrimSuffix(s, "."))
				check(name, p, s)
			}
		}
		if name != "eu" && fast-before < 2*365*(fastYears[1]-fastYears[0]-10)/step { // all but the few years without every midnight
			t.Errorf("%s: the fast path took only %d dates", name, fast-before)
		}
		if name == "eu" && fast != before {
			t.Errorf("eu: a parser whose first layout is not one fastText knows took the fast path")
		}
	}
}

// TestEnumTable: a row's value finds its enum entry as written and
// ignoring case, accents and spacing; values the table does not have are
// errors (a text field) or left to the options (a dropdown).
func TestEnumTable(t *testing.T) {
	fp := &fieldPlan{name: "Forras", spec: &FieldSpec{Enum: map[string]string{"Új érdeklődő": "Lead", " FB ": "Facebook"}}}
	fp.compileEnum(func(sub, format string, a ...any) { t.Fatalf(sub+": "+format, a...) })
	for in, want := range map[string]string{
		"Új érdeklődő": "Lead", "új  ÉRDEKLŐDŐ ": "Lead", "Uj erdeklodo": "Lead", "\tÚj\u00a0érdeklődő": "Lead",
		"FB": "Facebook", " fb": "Facebook", "F B": "",
	} {
		v, err := fp.convertVal(in, PhoneNormalizer{})
		if got := v.text(); want == "" && err == nil || want != "" && (err != nil || got != want) {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	var probs []string
	conflict := &fieldPlan{name: "Forras", spec: &FieldSpec{Enum: map[string]string{"Új  lead": "A", "új lead": "B", "ÚJ LEAD": "B"}}}
	conflict.compileEnum(func(sub, format string, a ...any) { probs = append(probs, sub+": "+fmt.Sprintf(format, a...)) })
	if len(probs) != 1 || !strings.Contains(probs[0], "same value ignoring case, accents and spacing") {
		t.Errorf("problems: %q", probs)
	}
}

// TestOptionIndex checks fieldPlan.option against resolveOption, on a
// dropdown whose labels repeat (exactly, and but for case and accents) and
// whose ids are numbers that are also labels.
func TestOptionIndex(t *testing.T) {
	f := restapi.SchemaField{Name: "StatusId", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Id: 10, Label: "Új"}, {Id: 11, Label: "új"}, {Id: 12, Label: "Uj"}, {Id: 13, Label: "Ajánlat"},
		{Id: 14, Label: "Ajánlat"}, {Id: 15, Label: "13"}, {Id: 13, Label: "Dupla id"}, {Id: 16, Label: " Szóköz "}}}
	fp := &fieldPlan{name: "StatusId", field: f}
	inputs := []string{"", " ", "13", " 13 ", "14", "15", "16", "99", "-1", "x", "Szóköz", " Szóköz ", "szokoz", "Dupla id", "DUPLA ID"}
	for _, o := range f.Options {
		inputs = append(inputs, o.Label, strings.ToUpper(o.Label), strings.ToLower(o.Label), " "+o.Label+"\t", fold(o.Label), strconv.FormatInt(o.Id, 10))
	}
	for _, in := range inputs {
		want, wok := resolveOption(f, in)
		got, gok := fp.option(in)
		if gok != wok || (wok && (got.kind != valInt || got.i != want.Id || got.text() != strconv.FormatInt(want.Id, 10))) {
			t.Errorf("%q: option %+v %v, resolveOption %+v %v", in, got, gok, want, wok)
		}
	}
}

// TestKeyShortcuts checks VatKey and digitsOrPlus against the
// strings.Map forms they replace, and spaceGrouped against ParseNumber's
// full way, on random texts.
func TestKeyShortcuts(t *testing.T) {
	vatSlow := func(s string) string {
		return strings.ToUpper(strings.Map(func(r rune) rune {
			if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				return r
			}
			return -1
		}, s))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"0", "1", "9", "a", "z", "A", "Z", "-", " ", "+", "/", "é", "Ő", "\xff", "\xc3", "ß", "\u00a0", "ſ", "K"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(16); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := VatKey(s), vatSlow(s); got != want {
			t.Fatalf("VatKey(%q) = %q, want %q", s, got, want)
		}
		if got, want := digitsOrPlus(s), strings.Map(keepDigitOrPlus, s); got != want {
			t.Fatalf("digitsOrPlus(%q) = %q, want %q", s, got, want)
		}
	}
	// A text ParseNumber's fast path takes, with " Ft" after it, takes the
	// full way (the unit) to the same number.
	taken := 0
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := 1 + rng.IntN(22); n > 0; n-- {
			b.WriteByte("0123456789  "[rng.IntN(12)])
		}
		s := strings.TrimSpace(b.String())
		if s == "" {
			continue
		}
		n, ok := spaceGrouped(s)
		if !ok {
			if !strings.Contains(s, " ") && utf8.RuneCountInString(s) <= 15 {
				t.Fatalf("spaceGrouped(%q) refused digits", s)
			}
			continue
		}
		taken++
		want, err := ParseNumber(s + " Ft")
		if got, _ := ParseNumber(s); err != nil || float64(n) != want || got != want {
			t.Fatalf("%q: spaceGrouped %d, ParseNumber %v, the full way %v %v", s, n, got, want, err)
		}
	}
	if taken < 2000 {
		t.Errorf("spaceGrouped took only %d texts", taken)
	}
}

// TestValText checks that a value's text is ValueString of its boxed form,
// for each kind (the mappings above have no float field).
func TestValText(t *testing.T) {
	vals := []val{{}, {kind: valString}, {kind: valString, s: "Kiss János"}, {kind: valInt, i: -42}, {kind: valInt, i: 7, s: "7"},
		{kind: valFloat, f: 12.5}, {kind: valFloat, f: 1250000}, {kind: valFloat, f: 1e21}, {kind: valFloat, f: -0.1}}
	for _, v := range vals {
		if got, want := v.text(), ValueString(v.box()); got != want {
			t.Errorf("%+v: text %q, ValueString %q", v, got, want)
		}
	}
}

// BenchmarkMapText maps the practice sheet's sample rows as the feed build
// does (MapText into one bundle): the mapping's share of a build, for
// profiles and before/after comparisons (go test -bench MapText -count 10).
func BenchmarkMapText(b *testing.B) {
	plan, rows := planAndRows(b, filepath.Join("..", "testdata", "xmlfeed", "partnerek.yaml"))
	var bundle Bundle
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := plan.MapText(rows[i%len(rows)], &bundle); err != nil {
			b.Fatal(err)
		}
	}
}
