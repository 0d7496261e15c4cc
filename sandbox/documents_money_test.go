package sandbox

// Table tests of the documents' money arithmetic (documents_money.go):
// reading amounts and VAT, the number formats of the answers, and line and
// document totals. TestDocumentNumberFormats checks the same through the
// API; these pin each function's own edge cases.

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rational %q", s)
	}
	return r
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string // the exact value; "" for a refusal
	}{
		{500.0, "500"},
		{0.1 + 0.2, "0.3"}, // the float's shortest form, not 0.30000000000000004
		{-12.5, "-12.5"},
		{"500.00", "500"},
		{"1 000,00", "1000"},
		{"1\u202f000,5", "1000.5"}, // narrow no-break space groups thousands
		{"1.2345674", "1.234567"},  // six decimals at most
		{"0.0000005", "0.000001"},  // halves away from zero
		{"-0.0000005", "-0.000001"},
		{"0.0000004", "0"},
		{"  7 ", "7"},
		{math.NaN(), ""},
		{math.Inf(1), ""},
		{"", ""},
		{"1,2,3", ""},
		{"1e5", ""},
		{500, ""}, // JSON numbers arrive as float64; an int is no body value
		{true, ""},
		{nil, ""},
	} {
		r, ok := parseAmount(c.in)
		switch {
		case c.want == "" && ok:
			t.Errorf("parseAmount(%#v) = %s, want a refusal", c.in, r.FloatString(6))
		case c.want != "" && !ok:
			t.Errorf("parseAmount(%#v) refused, want %s", c.in, c.want)
		case ok && r.Cmp(rat(t, c.want)) != 0:
			t.Errorf("parseAmount(%#v) = %s, want exactly %s", c.in, r.RatString(), c.want)
		}
	}
}

func TestParseVAT(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string // "" for a refusal
	}{
		{"", defaultVAT},
		{"   ", defaultVAT},
		{"27", "27%"},
		{"27%", "27%"},
		{"5 %", "5%"},
		{27.0, "27%"},
		{"12,5", "12.5%"},
		{"0", "0%"},
		{"100", "100%"},
		{"aam", "AAM"},
		{" KBAUK ", "KBAUK"},
		{"ákk", "ÁKK"},
		{"101", ""},
		{"-1", ""},
		{"abc", ""},
		{"27%%", ""},
		{true, ""},
	} {
		got, ok := parseVAT(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("parseVAT(%#v) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestVATRate(t *testing.T) {
	for vat, want := range map[string]string{"27%": "27", "12.5%": "12.5", "0%": "0", "AAM": "0", "": "0", "x%": "0"} {
		if got := vatRate(vat); got.Cmp(rat(t, want)) != 0 {
			t.Errorf("vatRate(%q) = %s, want %s", vat, got.RatString(), want)
		}
	}
}

func TestDecimalFormats(t *testing.T) {
	for _, c := range []struct {
		in             string
		n              int
		fixed, minimal string
	}{
		{"500", 2, "500.00", "500"},
		{"12.5", 2, "12.50", "12.5"},
		{"-1.5", 2, "-1.50", "-1.5"},
		{"-0.001", 2, "0.00", "0"}, // no "-0.00"
		{"0.125", 2, "0.13", "0.13"},
		{"-0.125", 2, "-0.13", "-0.13"},
		{"0.1234567", 4, "0.1235", "0.1235"},
		{"7500", 6, "7500.000000", "7500"},
		{"1/3", 6, "0.333333", "0.333333"},
	} {
		r := rat(t, c.in)
		if got := decFixed(r, c.n); got != c.fixed {
			t.Errorf("decFixed(%s, %d) = %q, want %q", c.in, c.n, got, c.fixed)
		}
		if got := decMinimal(r, c.n); got != c.minimal {
			t.Errorf("decMinimal(%s, %d) = %q, want %q", c.in, c.n, got, c.minimal)
		}
	}
	if got := decCanonical(rat(t, "1/8")); got != "0.125" {
		t.Errorf("decCanonical(1/8) = %q, want 0.125", got)
	}
}

func TestDecHungarian(t *testing.T) {
	for in, want := range map[string]string{
		"1000.00": "1 000,00", "100": "100", "0.00": "0,00", "123456": "123 456", "1234567.5": "1 234 567,5",
		"-1000.00": "-1 000,00", "-100.5": "-100,5", "": "",
	} {
		if got := decHungarian(in); got != want {
			t.Errorf("decHungarian(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineTotals(t *testing.T) {
	for _, c := range []struct {
		price, qty, vat, mode string
		net, vatAmt, gross    string
	}{
		{"500", "15", "27%", "NormalVAT", "7500.00", "2025.00", "9525.00"},
		{"0.335", "1", "27%", "", "0.34", "0.09", "0.43"}, // net rounded before the VAT: 0.34 × 27% = 0.0918
		{"1000", "1", "27%", "VATExempt", "1000.00", "0.00", "1000.00"},
		{"1000", "1", "27%", "ReverseCharge", "1000.00", "0.00", "1000.00"},
		{"1000", "1", "AAM", "NormalVAT", "1000.00", "0.00", "1000.00"},
		{"99.99", "3", "5%", "NormalVAT", "299.97", "15.00", "314.97"}, // 14.9985 rounds up
		{"-100", "1", "27%", "NormalVAT", "-100.00", "-27.00", "-127.00"},
		{"0.005", "1", "27%", "NormalVAT", "0.01", "0.00", "0.01"}, // halves away from zero
		{"", "", "27%", "NormalVAT", "0.00", "0.00", "0.00"},       // an unreadable stored value counts as 0
	} {
		it := &docItem{PriceNet: c.price, Quantity: c.qty, VAT: c.vat}
		_, _, net, vat, gross := lineTotals(it, c.mode)
		got := strings.Join([]string{decFixed(net, 2), decFixed(vat, 2), decFixed(gross, 2)}, " ")
		if want := c.net + " " + c.vatAmt + " " + c.gross; got != want {
			t.Errorf("%s × %s @ %s %s: net, VAT, gross = %s; want %s", c.price, c.qty, c.vat, c.mode, got, want)
		}
	}
}

func TestDocTotals(t *testing.T) {
	d := &document{VATMode: "NormalVAT", Items: []*docItem{
		{PriceNet: "500", Quantity: "15", VAT: "27%"},
		{PriceNet: "12000", Quantity: "3", VAT: "27%"},
		{PriceNet: "0.335", Quantity: "1", VAT: "AAM"},
	}}
	net, vat, gross := docTotals(d)
	if got := decFixed(net, 2) + " " + decFixed(vat, 2) + " " + decFixed(gross, 2); got != "43500.34 11745.00 55245.34" {
		t.Errorf("totals %s, want 43500.34 11745.00 55245.34", got)
	}
	d.VATMode = "VATExempt"
	if _, vat, gross := docTotals(d); vat.Sign() != 0 || decFixed(gross, 2) != "43500.34" {
		t.Errorf("VATExempt totals: VAT %s, gross %s", vat.FloatString(2), gross.FloatString(2))
	}
	if net, vat, gross := docTotals(&document{}); net.Sign() != 0 || vat.Sign() != 0 || gross.Sign() != 0 {
		t.Errorf("an empty document's totals are not 0")
	}
}

// FuzzParseAmount: any text is read or refused without a panic, and what
// is read survives the round trips the answers make: the stored canonical
// form and the Hungarian form of the invoice example read back as the same
// number.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"500.00", "1 000,00", "12,5", "1.250.000", "1,250.50", "-3,5", "+7", "1\u00a0000", "0,335", "1e5", "--1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseAmount(s)
		if !ok {
			return
		}
		back, ok := parseAmount(decCanonical(r))
		if !ok || back.Cmp(r) != 0 {
			t.Fatalf("%q: %s reads back as %v, %v", s, decCanonical(r), back, ok)
		}
		hu := decHungarian(decFixed(r, 2))
		if back, ok := parseHUNumber(hu); !ok || back.Cmp(roundRat(r, 2)) != 0 {
			t.Fatalf("%q: Hungarian %q reads back as %v, %v; want %s", s, hu, back, ok, decFixed(r, 2))
		}
		if _, ok := parseVAT(s); ok && r.Sign() < 0 {
			t.Fatalf("%q: a negative VAT rate accepted", s)
		}
	})
}
