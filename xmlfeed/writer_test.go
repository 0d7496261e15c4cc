package xmlfeed_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/xmlfeed")

const testdata = "../testdata/xmlfeed"

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdata, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update and review the diff):\n--- got\n%s", name, got)
	}
}

// fullCard uses every part of the format, and values that need escaping.
func fullCard() *xmlfeed.Card {
	return &xmlfeed.Card{
		ID:  `WEB-42 "A&B"`,
		Loc: "shop.csv:7",
		Fields: []xmlfeed.Field{
			{Name: "Name", Value: "Kiss & Társa <webshop>"},
			{Name: "CategoryId", Value: "8"},
			{Name: "StatusId", Value: "3020"},
			{Name: "UserId", Value: "53602"},
			{Name: "Webshop_RegistrationDate", Value: "2026-01-02 10:11:12"},
			{Name: "Webshop_Disabled", Value: ""},
			{Name: "Megjegyzes", Value: "first line\nsecond line\r\nthird\twith tab ]]> end"},
		},
		Business: &xmlfeed.Business{
			Fields: []xmlfeed.Field{{Name: "Name", Value: "Kiss & Társa Bt."}, {Name: "VatNumber", Value: "12345678-2-41"}},
			Addresses: []xmlfeed.Address{{Fields: []xmlfeed.Field{
				{Name: "CountryId", Value: "Magyarország"}, {Name: "PostalCode", Value: "1111"},
				{Name: "City", Value: "Budapest"}, {Name: "Address", Value: "Fő utca 1."}}}},
			Emails: []string{"info@kiss.hu"},
			Phones: []string{"+36 1 555 0100", "+36 30 123 4567"},
		},
		Contacts: []xmlfeed.Contact{
			{ID: "C-1", Fields: []xmlfeed.Field{{Name: "FirstName", Value: "János"}, {Name: "LastName", Value: "Kiss"},
				{Name: "Email", Value: "janos@kiss.hu"}, {Name: "Phone", Value: "+36 30 123 4567"}}},
			{Fields: []xmlfeed.Field{{Name: "FirstName", Value: "Éva"}, {Name: "LastName", Value: "Kiss"}}},
		},
		Orders: []xmlfeed.Document{{
			ID: "ORD-1",
			Fields: []xmlfeed.Field{{Name: "Number", Value: "W-2026/1"}, {Name: "CurrencyCode", Value: "HUF"},
				{Name: "Performance", Value: "2026-01-02 10:15:00"}, {Name: "Status", Value: "Issued"},
				{Name: "PaymentMethod", Value: "WiredTransfer"}},
			Customer: []xmlfeed.Field{{Name: "Name", Value: "Kiss János"}, {Name: "CountryId", Value: "Magyarország"},
				{Name: "PostalCode", Value: "1111"}, {Name: "City", Value: "Budapest"}, {Name: "Address", Value: "Fő utca 1."}},
			Products: []xmlfeed.Product{
				{ID: "P-10", Fields: []xmlfeed.Field{{Name: "Name", Value: "Szék"}, {Name: "SKU", Value: "SZ-1"},
					{Name: "PriceNet", Value: "10000"}, {Name: "Quantity", Value: "4"}, {Name: "Unit", Value: "db"},
					{Name: "VAT", Value: "27%"}, {Name: "FolderName", Value: "Webshop termékek"}}},
			},
			Project: []xmlfeed.Field{{Name: "SzallitasExtraInfo", Value: "Kapucsengő: 12"}},
		}},
		Offers: []xmlfeed.Document{{
			ID:       "OFF-1",
			Fields:   []xmlfeed.Field{{Name: "CurrencyCode", Value: "HUF"}, {Name: "Status", Value: "3041"}},
			Products: []xmlfeed.Product{{ID: "P-11", Fields: []xmlfeed.Field{{Name: "Name", Value: "Asztal"}, {Name: "PriceNet", Value: "50000"}}}},
		}},
	}
}

func write(t *testing.T, cards ...*xmlfeed.Card) ([]byte, []xmlfeed.Drop) {
	t.Helper()
	var buf bytes.Buffer
	var drops []xmlfeed.Drop
	w := xmlfeed.NewWriter(&buf, xmlfeed.WithDropHandler(func(d xmlfeed.Drop) { drops = append(drops, d) }))
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cards {
		if err := w.WriteProject(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), drops
}

func readAll(t *testing.T, doc []byte) []*xmlfeed.Card {
	t.Helper()
	r := xmlfeed.NewReader(bytes.NewReader(doc))
	var out []*xmlfeed.Card
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading back: %v\n%s", err, doc)
		}
		out = append(out, c)
	}
}

func TestWriterGolden(t *testing.T) {
	doc, drops := write(t, fullCard(), &xmlfeed.Card{ID: "MIN-1", Fields: []xmlfeed.Field{{Name: "StatusId", Value: "2621"}}})
	if len(drops) != 0 {
		t.Errorf("drops: %v", drops)
	}
	golden(t, "full.golden.xml", doc)
}

// TestWriterRoundTrip reads back what the Writer wrote: the same cards.
func TestWriterRoundTrip(t *testing.T) {
	want := fullCard()
	doc, _ := write(t, want)
	got := readAll(t, doc)
	if len(got) != 1 {
		t.Fatalf("read %d cards", len(got))
	}
	want.Loc = ""
	got[0].Line = 0
	// The reader gives a Contact's emails as fields, the way they were
	// written; everything else must come back as it was.
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("read back:\n%#v\nwant:\n%#v", got[0], want)
	}
}

func TestWriterDropsForbiddenCharacters(t *testing.T) {
	c := &xmlfeed.Card{ID: "X\x01-1", Loc: "in.csv:3", Fields: []xmlfeed.Field{
		{Name: "Name", Value: "a\x00b\x1fc\uFFFEd\uFFFFe"},
		{Name: "Megjegyzes", Value: "bad utf8: \xff\xfe end; ok: \u00e9 \U0001F600 \t\n"},
	}, Contacts: []xmlfeed.Contact{{Fields: []xmlfeed.Field{{Name: "LastName", Value: "K\x08iss"}}}}}
	doc, drops := write(t, c)
	cards := readAll(t, doc)
	if got := cards[0].ID; got != "X-1" {
		t.Errorf("Id = %q", got)
	}
	if v, _ := cards[0].Field("Name"); v != "abcde" {
		t.Errorf("Name = %q", v)
	}
	if v, _ := cards[0].Field("Megjegyzes"); v != "bad utf8:  end; ok: \u00e9 \U0001F600 \t\n" {
		t.Errorf("Megjegyzes = %q", v)
	}
	want := []xmlfeed.Drop{
		{Loc: "in.csv:3", CardID: "X\x01-1", Element: "Project@Id", Count: 1, First: `'\x01'`},
		{Loc: "in.csv:3", CardID: "X\x01-1", Element: "Name", Count: 4, First: `'\x00'`},
		{Loc: "in.csv:3", CardID: "X\x01-1", Element: "Megjegyzes", Count: 2, First: "byte 0xFF (not UTF-8)"},
		{Loc: "in.csv:3", CardID: "X\x01-1", Element: "Contacts/Contact/LastName", Count: 1, First: `'\b'`},
	}
	if !reflect.DeepEqual(drops, want) {
		t.Errorf("drops:\n%v\nwant\n%v", drops, want)
	}
	if !strings.Contains(drops[1].String(), "in.csv:3: Name: dropped 4") {
		t.Errorf("drop message: %s", drops[1])
	}
}

func TestWriterRefusesCardsItCannotWrite(t *testing.T) {
	var buf bytes.Buffer
	w := xmlfeed.NewWriter(&buf)
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	bad := []*xmlfeed.Card{
		{ID: ""},
		{ID: "\x00\x01"}, // nothing left once dropped
		{ID: "1", Fields: []xmlfeed.Field{{Name: "bad name", Value: "x"}}},
		{ID: "2", Fields: []xmlfeed.Field{{Name: "Business", Value: "x"}}},
		{ID: "3", Fields: []xmlfeed.Field{{Name: "xmlThing", Value: "x"}}},
		{ID: "4", Contacts: []xmlfeed.Contact{{Fields: []xmlfeed.Field{{Name: "1st", Value: "x"}}}}},
		{ID: "5", Orders: []xmlfeed.Document{{ID: "O", Products: []xmlfeed.Product{{ID: ""}}}}},
	}
	for _, c := range bad {
		if err := w.WriteProject(c); err == nil {
			t.Errorf("card %q was written", c.ID)
		}
	}
	if err := w.WriteProject(&xmlfeed.Card{ID: "ok"}); err != nil {
		t.Fatalf("a refused card must not stop the writer: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if cards := readAll(t, buf.Bytes()); len(cards) != 1 || cards[0].ID != "ok" {
		t.Errorf("cards: %v", cards)
	}
	if w.Cards() != 1 {
		t.Errorf("Cards() = %d", w.Cards())
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n += len(p)
	if f.n > 1000 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriterErrorIsSticky(t *testing.T) {
	w := xmlfeed.NewWriter(&failWriter{})
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 300<<10) // more than the buffer: the write reaches the file
	err := w.WriteProject(&xmlfeed.Card{ID: "1", Fields: []xmlfeed.Field{{Name: "Name", Value: big}}})
	if err == nil {
		err = w.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if err2 := w.WriteProject(&xmlfeed.Card{ID: "2"}); err2 == nil {
		t.Error("a write after the error succeeded")
	}
	if err3 := w.Close(); err3 == nil {
		t.Error("Close after the error succeeded")
	}
}

func TestWriterEmptyDocument(t *testing.T) {
	var buf bytes.Buffer
	w := xmlfeed.NewWriter(&buf)
	if err := w.Close(); err != nil { // Close without Begin still makes a document
		t.Fatal(err)
	}
	if got := buf.String(); got != "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Projects>\n</Projects>\n" {
		t.Errorf("got %q", got)
	}
	if n, err := xmlfeed.Count(&buf); err != nil || n != 0 {
		t.Errorf("Count = %d, %v", n, err)
	}
}

// FuzzWriter puts arbitrary strings into every value of a card: the output
// must parse with encoding/xml, contain no character XML 1.0 forbids, and
// read back as the values with exactly the reported characters dropped.
func FuzzWriter(f *testing.F) {
	f.Add("id", "Kiss & Társa <x>", "a\x00b", "\xff\xfe", "]]>", "\r\n\t", "\"'")
	f.Add("", "", "", "", "", "", "")
	f.Add("\uFFFE", "\U0001F600", "\u0085\u2028", "\xed\xa0\x80", "&amp;", "<!--", "<![CDATA[")
	f.Fuzz(func(t *testing.T, id, a, b, c, d, e, g string) {
		vals := []string{a, b, c, d, e, g}
		fields := func(names ...string) []xmlfeed.Field {
			out := make([]xmlfeed.Field, len(names))
			for i, n := range names {
				out[i] = xmlfeed.Field{Name: n, Value: vals[i%len(vals)]}
			}
			return out
		}
		card := &xmlfeed.Card{ID: id + "x", Fields: fields("Name", "CategoryId", "StatusId", "UserId", "Custom_1", "Megjegyzes"),
			Business: &xmlfeed.Business{Fields: fields("Name", "VatNumber"), Emails: []string{b, c}, Phones: []string{d},
				Addresses: []xmlfeed.Address{{Fields: fields("CountryId", "City")}}},
			Contacts: []xmlfeed.Contact{{ID: a, Fields: fields("FirstName", "LastName", "Email", "Phone")}},
			Orders: []xmlfeed.Document{{ID: e + "o", Fields: fields("Number", "Status"), Customer: fields("Name"),
				Products: []xmlfeed.Product{{ID: g + "p", Fields: fields("Name", "PriceNet")}}, Project: fields("X")}},
			Offers: []xmlfeed.Document{{ID: d + "f", Fields: fields("Status")}},
		}
		var buf bytes.Buffer
		dropped := 0
		w := xmlfeed.NewWriter(&buf, xmlfeed.WithDropHandler(func(dr xmlfeed.Drop) { dropped += dr.Count }))
		if err := w.Begin(); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteProject(card); err != nil {
			// Only an Id with nothing XML can carry may be refused.
			if !errors.Is(err, xmlfeed.ErrNoID) {
				t.Fatalf("WriteProject: %v", err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		doc := buf.Bytes()
		// encoding/xml's own parser accepts it…
		dec := xml.NewDecoder(bytes.NewReader(doc))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("the output does not parse: %v\n%q", err, doc)
			}
		}
		// …it holds only characters XML 1.0 allows…
		if !utf8.Valid(doc) {
			t.Fatalf("not UTF-8: %q", doc)
		}
		for i, r := range string(doc) {
			if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000) {
				t.Fatalf("forbidden character %U at %d in %q", r, i, doc)
			}
		}
		// …and the values come back minus what was reported dropped.
		if w.Cards() == 1 {
			cards := readAll(t, doc)
			if len(cards) != 1 {
				t.Fatalf("%d cards read", len(cards))
			}
			got := cards[0]
			if got.ID != clean(id+"x") {
				t.Errorf("Id %q, want %q", got.ID, clean(id+"x"))
			}
			for i, fld := range got.Fields {
				if want := clean(card.Fields[i].Value); fld.Value != want {
					t.Errorf("%s = %q, want %q", fld.Name, fld.Value, want)
				}
			}
			if want := clean(c); got.Business.Emails[1] != want {
				t.Errorf("email %q, want %q", got.Business.Emails[1], want)
			}
		}
		_ = dropped
	})
}

// clean is what a value becomes in the file: the characters XML 1.0
// cannot carry removed.
func clean(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 && r == utf8.RuneError {
			i++
			continue
		}
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
