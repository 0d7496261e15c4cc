package mapping

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// The value parsers below turn what people type into spreadsheets into the
// form MiniCRM stores. They are also used on values read back from MiniCRM,
// so that a diff is an equality test: "06 20 236 7532" and "+36 20 236 7532"
// normalize to the same number, "1 250 000 Ft" and 1250000 to the same float.

// ErrEmpty is returned by the parsers for a value that is blank.
var ErrEmpty = errors.New("empty")

// ParseNumber reads a number as Hungarian (and other) spreadsheets write it:
// "1 250 000", "1.250.000 Ft", "12,5", "1 000,00", "-3.5", "1,250,000.50",
// "27%". Spaces of any kind (including the no-break space Excel uses) group
// thousands; when both '.' and ',' appear, the last one is the decimal mark;
// a lone ',' is a decimal mark unless it groups exactly three digits more than
// once ("1,250,000"); a lone '.' followed by exactly three digits more than
// once ("1.250.000") groups thousands. A currency or unit suffix or prefix
// (Ft, HUF, EUR, €, $, %) is dropped.
func ParseNumber(s string) (float64, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrEmpty
	}
	if plainDigits(s) { // the common case, without the regular expressions below
		return strconv.ParseFloat(s, 64)
	}
	if n, ok := spaceGrouped(s); ok { // "47 809 632": the next commonest
		return float64(n), nil
	}
	if mayHaveUnit(s) {
		s = stripUnits(s)
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' || r == '\'' {
			return -1
		}
		return r
	}, s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") { // accounting negative
		s, neg = s[1:len(s)-1], true
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		s, neg = strings.TrimLeft(strings.TrimPrefix(s, "−"), "-"), !neg
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if s == "" || !numberChars(s) {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	lastDot, lastComma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	switch {
	case lastDot >= 0 && lastComma >= 0:
		dec := "."
		group := ","
		if lastComma > lastDot {
			dec, group = ",", "."
		}
		if strings.Count(s, dec) > 1 || !groupedOK(s[:strings.LastIndex(s, dec)], group) {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
		s = strings.ReplaceAll(s, group, "")
		s = strings.Replace(s, dec, ".", 1)
	case lastComma >= 0:
		if strings.Count(s, ",") > 1 {
			if !groupedOK(s, ",") {
				return 0, fmt.Errorf("%q is not a number", orig)
			}
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.Replace(s, ",", ".", 1)
		}
	case lastDot >= 0:
		if strings.Count(s, ".") > 1 {
			if !groupedOK(s, ".") {
				return 0, fmt.Errorf("%q is not a number", orig)
			}
			s = strings.ReplaceAll(s, ".", "")
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	if neg {
		f = -f
	}
	return f, nil
}

// numberChars reports whether s is made only of digits, dots and commas
// (the regular expression ^[0-9.,]+$ for a non-empty s, without its cost).
func numberChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != ',' {
			return false
		}
	}
	return true
}

// mayHaveUnit reports whether unitSuffix could match s: every unit it
// strips has a letter, '$', '%' or (beyond ASCII) '€'. An ASCII text
// without letters, '$' and '%' ("47 809 632", "-1.250,5") keeps out of
// the regular expressions, which cost a sixth of a feed build; any other
// text takes them, so the result is the same either way (case-insensitive
// matching may take non-ASCII letters such as ſ for s).
func mayHaveUnit(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '$' || c == '%' || ('a' <= c|0x20 && c|0x20 <= 'z') {
			return true
		}
	}
	return false
}

// plainDigits reports whether s is 1 to 15 ASCII digits: a number every
// rule of ParseNumber leaves as it is.
func plainDigits(s string) bool {
	if len(s) == 0 || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// spaceGrouped reads a text of ASCII digits (1 to 15 of them) and spaces
// ("47 809 632"): the rules below drop the spaces and parse the digits,
// which is this without a copy of the text (15 digits are exact in a
// float64).
func spaceGrouped(s string) (int64, bool) {
	var n int64
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if digits > 15 {
				return 0, false
			}
		case c != ' ':
			return 0, false
		}
	}
	return n, digits > 0
}

// groupedOK checks that separators group digits by three: "1.250.000".
func groupedOK(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return len(parts) == 1 && len(parts[0]) > 0
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

var unitSuffix = regexp.MustCompile(`(?i)^\s*(ft\.?|huf|eur|usd|€|\$|%)\s*|\s*(ft\.?|huf|eur|usd|€|\$|%|db|pcs)\s*$`)

func stripUnits(s string) string {
	for i := 0; i < 2; i++ {
		s = strings.TrimSpace(unitSuffix.ReplaceAllString(s, ""))
	}
	return s
}

// FormatNumber renders a number the way MiniCRM's JSON carries it: integers
// without a fraction, others with as many digits as needed.
func FormatNumber(f float64) string { return crm.FormatNumber(f) }

// Date layout presets a mapping can name instead of Go layouts.
var datePresets = map[string][]string{
	// Hungarian: 2024.03.15. with or without the closing dot, with or
	// without spaces after the dots, with an optional time.
	"hu": {"2006.01.02.", "2006.01.02", "2006. 01. 02.", "2006. 01. 02", "2006.01.02. 15:04:05", "2006.01.02. 15:04",
		"2006.01.02 15:04:05", "2006.01.02 15:04", "2006. 01. 02. 15:04:05", "2006. 01. 02. 15:04"},
	"iso": {"2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00"},
	"eu":  {"02.01.2006", "02/01/2006", "2.1.2006", "02.01.2006 15:04"},
	"us":  {"01/02/2006", "1/2/2006", "01/02/2006 15:04"},
}

// DateParser parses dates by an explicit list of layouts (Go layouts or the
// presets "hu", "iso", "eu", "us"), plus Excel serial numbers when "excel"
// is listed. Times are Hungarian local time, as MiniCRM's.
type DateParser struct {
	layouts  []string
	excel    bool
	date1904 bool
}

// NewDateParser builds a parser from a mapping's layout list.
func NewDateParser(formats []string) (*DateParser, error) {
	p := &DateParser{}
	for _, f := range formats {
		switch {
		case f == "excel":
			p.excel = true
		case f == "excel1904":
			p.excel, p.date1904 = true, true
		case datePresets[f] != nil:
			p.layouts = append(p.layouts, datePresets[f]...)
		case strings.ContainsAny(f, "0123456789"):
			if _, err := time.Parse(f, time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC).Format(f)); err != nil {
				return nil, fmt.Errorf("date layout %q: %w", f, err)
			}
			p.layouts = append(p.layouts, f)
		default:
			return nil, fmt.Errorf("date format %q: use hu, iso, eu, us, excel or a Go layout like 2006.01.02.", f)
		}
	}
	if len(p.layouts) == 0 && !p.excel {
		p.layouts = append(datePresets["hu"], datePresets["iso"]...)
		p.excel = true
	}
	return p, nil
}

// Parse reads a date. ok is false with a reason naming the layouts tried.
func (p *DateParser) Parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ErrEmpty
	}
	outOfRange := ""
	for _, l := range p.layouts {
		t, err := time.ParseInLocation(l, s, Budapest)
		if err == nil {
			return t, nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") && outOfRange == "" {
			outOfRange = strings.TrimPrefix(pe.Message, ": ")
		}
	}
	if p.excel {
		if f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err == nil && f > 0 && f < 2958466 {
			return ExcelSerialToTime(f, p.date1904), nil
		}
	}
	if outOfRange != "" {
		// The layout fits, the calendar does not (1995.02.29.).
		return time.Time{}, fmt.Errorf("%q is not a real date (%s)", s, outOfRange)
	}
	return time.Time{}, fmt.Errorf("%q is not a date in the expected format (%s)", s, p.describe())
}

// fastText is the text convert makes of the commonest dates, without
// Parse and Format: when the parser's first layout is 2006.01.02.,
// 2006.01.02 or 2006-01-02 and s (trimmed) has exactly its form, with a
// real day of a year from fastYears, that first layout takes s, so Parse
// gives midnight of that day, Budapest time, and Format its date
// ("2006-01-02"; with dateTime "2006-01-02 00:00:00": Budapest has a
// midnight on each of those days, which TestDateFastText checks day by
// day). ok is false for anything else, which takes the full way.
func (p *DateParser) fastText(s string, dateTime bool) (string, bool) {
	if len(p.layouts) == 0 {
		return "", false
	}
	s = strings.TrimSpace(s)
	var sep byte
	switch l := p.layouts[0]; {
	case l == "2006.01.02." && len(s) == 11 && s[10] == '.':
		sep = '.'
	case l == "2006.01.02" && len(s) == 10:
		sep = '.'
	case l == "2006-01-02" && len(s) == 10:
		sep = '-'
	default:
		return "", false
	}
	if s[4] != sep || s[7] != sep {
		return "", false
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(5, 7), num(8, 10)
	if y < fastYears[0] || y > fastYears[1] || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) || !midnights()[y-fastYears[0]] {
		return "", false
	}
	var b strings.Builder
	if dateTime {
		b.Grow(len(dateTimeLayoutOut))
	} else {
		b.Grow(len(dateLayoutOut))
	}
	b.WriteString(s[0:4])
	b.WriteByte('-')
	b.WriteString(s[5:7])
	b.WriteByte('-')
	b.WriteString(s[8:10])
	if dateTime {
		b.WriteString(" 00:00:00")
	}
	return b.String(), true
}

// fastYears are the years fastText may take.
var fastYears = [2]int{1900, 2099}

// midnights says, for each of fastYears, whether Budapest has a midnight
// on every day of the year, by the time zone data this program runs with:
// on a few days (1954-05-23, the spring of 1980 to 1983) the clocks went
// from 23:59:59 to 01:00, and fastText leaves those years to Parse.
var midnights = sync.OnceValue(func() []bool {
	ok := make([]bool, fastYears[1]-fastYears[0]+1)
	for i := range ok {
		ok[i] = true
		for d := time.Date(fastYears[0]+i, 1, 1, 0, 0, 0, 0, Budapest); d.Year() == fastYears[0]+i; d = d.AddDate(0, 0, 1) {
			if m := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Budapest); m.Hour() != 0 || m.Minute() != 0 {
				ok[i] = false
				break
			}
		}
	}
	return ok
})

// daysIn is the number of days of month m of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func (p *DateParser) describe() string {
	var names []string
	seen := map[string]bool{}
	for _, l := range p.layouts {
		if n := humanLayout(l); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
		if len(names) == 6 {
			break
		}
	}
	if p.excel {
		names = append(names, "an Excel date number")
	}
	return strings.Join(names, ", ")
}

func humanLayout(l string) string {
	r := strings.NewReplacer("2006", "YYYY", "01", "MM", "02", "DD", "15", "hh", "04", "mm", "05", "ss", "1", "M", "2", "D")
	return r.Replace(l)
}

// ExcelSerialToTime converts an Excel date serial in the 1900 or 1904 date
// system. The 1900 system counts the fictitious 1900-02-29 (Lotus's bug), so
// serials from 61 on are one day ahead.
func ExcelSerialToTime(serial float64, date1904 bool) time.Time {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, Budapest)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, Budapest)
	} else if serial < 61 {
		base = base.AddDate(0, 0, 1)
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
}

// Budapest is the time zone MiniCRM's dates are in.
var Budapest = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Budapest")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// ParseBool reads yes/no answers in Hungarian and English.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return false, ErrEmpty
	case "igen", "i", "yes", "y", "true", "1", "x", "✓", "igaz", "on":
		return true, nil
	case "nem", "n", "no", "false", "0", "hamis", "off", "-":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a yes/no value (Igen/Nem, yes/no, 1/0)", s)
}

// NormalizeEmail trims and lower-cases an address and checks its form. A
// display name ("Kiss János <kiss@pelda.hu>") is dropped.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmpty
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	addr := s
	if !plainAddress(s) {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return "", fmt.Errorf("%q is not an email address", s)
		}
		addr = a.Address
	}
	addr = strings.ToLower(addr)
	at := strings.LastIndex(addr, "@")
	if at <= 0 || !strings.Contains(addr[at:], ".") || strings.HasSuffix(addr, ".") {
		return "", fmt.Errorf("%q is not an email address (the domain needs a dot)", s)
	}
	return addr, nil
}

// plainAddress reports whether s is an address net/mail reads as it is:
// one '@' between two dot-separated runs of ASCII letters, digits and
// _ + -, no dot at either end of a part, none doubled. Most addresses are;
// they skip the parser (a tenth of a feed build's allocations).
func plainAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && plainDotAtom(s[:at]) && plainDotAtom(s[at+1:])
}

func plainDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case atomByte[c]:
		case c == '.' && s[i-1] != '.':
		default:
			return false
		}
	}
	return true
}

// atomByte are the bytes plainDotAtom takes but the dot: ASCII letters,
// digits, _ + and -.
var atomByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-'
	}
	return t
}()

// PhoneNormalizer formats phone numbers in international form (E.164 with
// spaces: "+36 20 236 7532") using libphonenumber's metadata, so every way
// of writing a number (06…, +36…, 0036…, spaced or dashed) compares equal.
type PhoneNormalizer struct {
	Region string // default region for numbers without a country code; "HU"
}

// Normalize returns the international form of a number.
func (p PhoneNormalizer) Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmpty
	}
	region := p.Region
	if region == "" {
		region = "HU"
	}
	in := s
	// 0036… is the international prefix dialled from Hungary; libphonenumber
	// knows "00" only for some regions, so say it plainly.
	if strings.HasPrefix(in, "00") {
		in = "+" + strings.TrimPrefix(in, "00")
	}
	if n, ok := hungarianFast(in, region); ok {
		return n, nil
	}
	return libphonenumber(s, in, region)
}

// libphonenumber parses, checks and formats a number the full way; s is
// the input as given, for the error messages.
func libphonenumber(s, in, region string) (string, error) {
	num, err := phonenumbers.Parse(in, region)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("%q is not a phone number", s)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%q is not a valid phone number for its country", s)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL), nil
}

// hungarianFast normalizes the commonest input cheaply: a Hungarian number
// written "+36 …" (or, when the default region is HU, "06 …", "36 …" or
// the national number alone, "20/123-4567") with spaces,
// dashes, dots, slashes or parentheses between the digits. It builds the
// number libphonenumber's Parse would build (country code 36, the national
// number without the 06 prefix) and leaves validation and formatting to
// libphonenumber; any other input, and any number libphonenumber does not
// find valid, takes the full way, so the result (and the error) is always
// libphonenumber's. Parse itself runs several regular expressions over the
// text and cost a quarter of a feed build's time.
func hungarianFast(in, region string) (string, bool) {
	var digits [20]byte
	n, plus := 0, false
	for i := 0; i < len(in); i++ {
		switch c := in[i]; {
		case c >= '0' && c <= '9':
			if n == len(digits) {
				return "", false
			}
			digits[n] = c
			n++
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	d := digits[:n]
	var nat []byte
	switch {
	case plus && n > 2 && d[0] == '3' && d[1] == '6':
		nat = d[2:]
	case !plus && region == "HU" && n > 2 && d[0] == '0' && d[1] == '6':
		nat = d[2:]
	case !plus && region == "HU" && (n == 10 || n == 11) && d[0] == '3' && d[1] == '6':
		// "36 20 123 4567": too long for a national number, so
		// libphonenumber takes the 36 for the country code.
		nat = d[2:]
	case !plus && region == "HU" && (n == 8 || n == 9) && d[0] != '0' && (d[0] != '3' || d[1] != '6'):
		// "20/123-4567", "1 234 5678": the national number as it is (one
		// starting with 36 may be Eger's or the country code: left to
		// libphonenumber).
		nat = d
	default:
		return "", false
	}
	if len(nat) < 8 || len(nat) > 9 || nat[0] == '0' {
		return "", false
	}
	sh := huShapeOf(nat)
	if !sh.valid {
		return "", false
	}
	// "+36 " and the national number grouped as libphonenumber groups it.
	out := make([]byte, 0, 4+len(nat)+len(sh.groups))
	out = append(out, "+36"...)
	at := 0
	for _, g := range sh.groups {
		out = append(out, ' ')
		out = append(out, nat[at:at+g]...)
		at += g
	}
	return string(out), true
}

// huShape is what libphonenumber says of every Hungarian national number
// with the same first four digits and the same length: whether it is valid,
// and how its international form groups the digits. Hungary's metadata
// decides both from a number's leading digits and its length only (its
// patterns are a prefix followed by \d{n}), which TestHungarianShapeCache
// checks for every four-digit prefix; so libphonenumber, whose regular
// expressions were a fifth of a feed build's time, runs once per shape
// instead of once per number.
type huShape struct {
	valid  bool
	groups []int
}

// huShapes holds the shapes found, by first four digits and length (8 or
// 9): an array indexed without hashing, filled as numbers come.
var huShapes [10000 * 2]atomic.Pointer[huShape]

// huShapeOf is the shape of a national number of 8 or 9 digits, the first
// not 0.
func huShapeOf(nat []byte) huShape {
	key := int(nat[0]-'0')*1000 + int(nat[1]-'0')*100 + int(nat[2]-'0')*10 + int(nat[3]-'0')
	key = key*2 + len(nat) - 8
	if sh := huShapes[key].Load(); sh != nil {
		return *sh
	}
	sh := huShapeSlow(nat)
	huShapes[key].Store(&sh)
	return sh
}

// huShapeSlow asks libphonenumber about one number.
func huShapeSlow(nat []byte) huShape {
	nn, err := strconv.ParseUint(string(nat), 10, 64)
	if err != nil {
		return huShape{}
	}
	cc := int32(36)
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
	if !phonenumbers.IsValidNumber(num) {
		return huShape{}
	}
	f := strings.Fields(strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.INTERNATIONAL), "+36"))
	sh := huShape{valid: true}
	total := 0
	for _, g := range f {
		sh.groups = append(sh.groups, len(g))
		total += len(g)
	}
	if total != len(nat) || strings.Join(f, "") != string(nat) {
		return huShape{} // a form we do not understand: take the full way
	}
	return sh
}

// PhoneKey is a number reduced to E.164 digits for matching, or the digits
// as typed when libphonenumber cannot parse it.
func (p PhoneNormalizer) Key(s string) string {
	if n, err := p.Normalize(s); err == nil {
		return digitsOrPlus(n)
	}
	return strings.Map(keepDigitOrPlus, s)
}

// digitsOrPlus is strings.Map(keepDigitOrPlus, s).
func digitsOrPlus(s string) string {
	return keepASCII(s, func(c byte) (byte, bool) { return c, (c >= '0' && c <= '9') || c == '+' })
}

func keepDigitOrPlus(r rune) rune {
	if (r >= '0' && r <= '9') || r == '+' {
		return r
	}
	return -1
}

// CollapseSpace trims and turns every run of white space into one space.
func CollapseSpace(s string) string {
	if collapsed(s) {
		return s // most texts are: no copy
	}
	return strings.Join(strings.Fields(s), " ")
}

// collapsed reports whether CollapseSpace would return s as it is: no
// white space (as strings.Fields sees it) but single ASCII spaces between
// other characters.
func collapsed(s string) bool {
	space := true // at the start, a space would be leading
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case ' ':
				if space {
					return false
				}
				space = true
			case '\t', '\n', '\v', '\f', '\r':
				return false
			default:
				space = false
			}
			i++
			continue
		}
		if c >= 0xC3 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			// U+00C0 to U+07FF (á, ő, ű…): no space among them (the
			// Latin-1 spaces U+0085 and U+00A0 start with 0xC2).
			space = false
			i += 2
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		space = false
		i += n
	}
	return !space || s == ""
}

// TitleCase upper-cases the first letter of each word and lower-cases the
// rest ("KISS JÁNOS" → "Kiss János"), keeping hyphenated names ("Nagy-Kovács").
func TitleCase(s string) string {
	if titled(s) {
		return s // already "Kiss János": no copy
	}
	return titleCase(s)
}

func titleCase(s string) string {
	var b strings.Builder
	start := true
	for _, r := range strings.ToLower(s) {
		if start && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
			start = false
			continue
		}
		b.WriteRune(r)
		start = unicode.IsSpace(r) || r == '-' || r == '.'
	}
	return b.String()
}

// titled reports whether TitleCase would return s as it is: valid UTF-8
// whose every rune is already what TitleCase makes of it.
func titled(s string) bool {
	start := true
	for _, r := range s {
		if r < utf8.RuneSelf {
			// ASCII, the most of a name, without the unicode tables.
			c := byte(r)
			upper, lower := c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z'
			switch {
			case upper || lower:
				if upper != start {
					return false // a first letter not upper case, or a next one not lower
				}
				start = false
			default:
				start = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '-' || c == '.'
			}
			continue
		}
		if r == utf8.RuneError {
			return false // invalid UTF-8 (or U+FFFD): the slow way decides
		}
		want := unicode.ToLower(r)
		if start && unicode.IsLetter(want) {
			want = unicode.ToUpper(want)
			start = false
		} else {
			start = unicode.IsSpace(want) || want == '-' || want == '.'
		}
		if want != r {
			return false
		}
	}
	return true
}
