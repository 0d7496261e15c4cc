package sandbox

// Money arithmetic of documents: reading prices, quantities and VAT in the
// API's and Hungarian number formats, formatting them the ways the
// documentation's examples do, and computing line and document totals.
// Everything is exact (math/big); nothing is stored but prices and
// quantities, so totals are computed whenever a document is shown.

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// parseAmount reads a price or quantity: a JSON number, or a string in
// either the API's "500.00" form or a Hungarian one: "1 000,00" (spaces
// group thousands, comma decimals), "12,5", "1.250.000" (dots group
// thousands). With a single separator, it is the decimal one ("1,250" is
// 1.25, "1.250" too); with two different ones the last is. Groups after the
// first must have three digits, so "1.2.3" and "1 00" are refused.
func parseAmount(v any) (*big.Rat, bool) {
	var r *big.Rat
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		r, _ = new(big.Rat).SetString(strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		var ok bool
		if r, ok = parseHUNumber(x); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	// Six decimals are the most MiniCRM shows (MAN25's "500.000000").
	return roundRat(r, 6), true
}

func isGroupSpace(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' }

func parseHUNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	if s == "" {
		return nil, false
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var dec, thou rune
	switch {
	case dots > 0 && commas > 0:
		dec, thou = '.', ','
		if strings.LastIndex(s, ",") > strings.LastIndex(s, ".") {
			dec, thou = ',', '.'
		}
		if strings.Count(s, string(dec)) != 1 {
			return nil, false
		}
	case dots == 1:
		dec = '.'
	case commas == 1:
		dec = ','
	case dots > 1:
		thou = '.'
	case commas > 1:
		thou = ','
	}
	intPart, frac := s, ""
	if dec != 0 {
		i := strings.LastIndexByte(s, byte(dec))
		intPart, frac = s[:i], s[i+1:]
		if frac == "" || strings.Trim(frac, "0123456789") != "" {
			return nil, false
		}
	}
	// Split the integer part into its digit groups.
	var groups []string
	cur := strings.Builder{}
	for _, c := range intPart {
		switch {
		case c >= '0' && c <= '9':
			cur.WriteRune(c)
		case c == thou || isGroupSpace(c):
			groups = append(groups, cur.String())
			cur.Reset()
		default:
			return nil, false
		}
	}
	groups = append(groups, cur.String())
	for i, g := range groups {
		if (i == 0 && (g == "" || len(g) > 3 && len(groups) > 1)) || (i > 0 && len(g) != 3) {
			return nil, false
		}
	}
	digits := strings.Join(groups, "")
	if frac != "" {
		digits += "." + frac
	}
	r, ok := new(big.Rat).SetString(digits)
	if !ok {
		return nil, false
	}
	if neg {
		r.Neg(r)
	}
	return r, true
}

// vatCodes are the Hungarian VAT categories without a rate (NAV's
// exemption and out-of-scope codes); the HU offer example sends "KBAUK".
// They carry no VAT.
var vatCodes = keySet("AAM", "TAM", "KBAET", "KBAUK", "EAM", "NAM", "ATK", "EUFAD37", "EUFADE", "EUE", "HO",
	"EU", "EUK", "MAA", "F.AFA", "K.AFA", "ÁKK", "TEHK")

// parseVAT reads an item's VAT: a rate as number, "27" or "27%" (shown as
// "27%", as in the order example), or an exemption code.
func parseVAT(v any) (string, bool) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return defaultVAT, true
		}
		if code := strings.ToUpper(s); vatCodes[code] {
			return code, true
		}
		v = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	}
	r, ok := parseAmount(v)
	if !ok || r.Sign() < 0 || r.Cmp(big.NewRat(100, 1)) > 0 {
		return "", false
	}
	return decMinimal(r, 4) + "%", true
}

// vatRate is the rate of a stored VAT ("27%" → 27); codes are 0.
func vatRate(vat string) *big.Rat {
	if s, ok := strings.CutSuffix(vat, "%"); ok {
		if r, ok := new(big.Rat).SetString(s); ok {
			return r
		}
	}
	return new(big.Rat)
}

func parseDecimal(s string) (*big.Rat, bool) { return new(big.Rat).SetString(s) }

// roundRat rounds to n decimals, halves away from zero (big.Rat.FloatString
// rounds so).
func roundRat(r *big.Rat, n int) *big.Rat {
	out, _ := new(big.Rat).SetString(r.FloatString(n))
	return out
}

// decCanonical is how prices and quantities are stored: the shortest exact
// decimal.
func decCanonical(r *big.Rat) string { return decMinimal(r, 6) }

// decFixed formats with exactly n decimals: "500.00".
func decFixed(r *big.Rat, n int) string {
	s := r.FloatString(n)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// decMinimal formats with at most n decimals and no trailing zeros: "7500",
// "12.5".
func decMinimal(r *big.Rat, n int) string {
	s := decFixed(r, n)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// decHungarian rewrites "1000.00" as the invoice example writes it: "1 000,00".
func decHungarian(s string) string {
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("," + frac)
	}
	return sign + b.String()
}

// lineTotals computes one item: net = price × quantity, VAT on the net
// (none for exemption codes and under VATExempt or ReverseCharge), each
// rounded to two decimals; gross = net + VAT.
func lineTotals(it *docItem, vatMode string) (price, qty, net, vat, gross *big.Rat) {
	price, _ = parseDecimal(it.PriceNet)
	qty, _ = parseDecimal(it.Quantity)
	if price == nil {
		price = new(big.Rat)
	}
	if qty == nil {
		qty = new(big.Rat)
	}
	net = roundRat(new(big.Rat).Mul(price, qty), 2)
	vat = new(big.Rat)
	if vatMode != "VATExempt" && vatMode != "ReverseCharge" {
		vat = new(big.Rat).Mul(net, vatRate(it.VAT))
		vat = roundRat(vat.Quo(vat, big.NewRat(100, 1)), 2)
	}
	gross = new(big.Rat).Add(net, vat)
	return price, qty, net, vat, gross
}

func docTotals(d *document) (net, vat, gross *big.Rat) {
	net, vat, gross = new(big.Rat), new(big.Rat), new(big.Rat)
	for _, it := range d.Items {
		_, _, n, v, g := lineTotals(it, d.VATMode)
		net.Add(net, n)
		vat.Add(vat, v)
		gross.Add(gross, g)
	}
	return net, vat, gross
}
