package crm

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Value brings a value of field f, as MiniCRM gives it, into the canonical
// form (see the package doc): dropdowns as option keys whether given by
// label or id, "0" or nothing as empty; multi-select labels ("A, C", as
// detail records write them) as the sum of the options' ids (as lists and
// webhooks give them); the zero date "0000-00-00" as empty; numbers, dates
// and times trimmed; anything else as it is. A value the schema cannot
// explain is kept, trimmed, so nothing is lost.
func Value(f restapi.SchemaField, v string) string {
	switch f.Kind {
	case restapi.KindEnum:
		s := strings.TrimSpace(v)
		if s == "" || s == "0" {
			return ""
		}
		if o, ok := Option(f, s); ok {
			return o.Key
		}
		if sum, ok := labelsToBitmask(f, s); ok {
			return sum
		}
		return s
	case restapi.KindDate, restapi.KindDateTime:
		s := strings.TrimSpace(v)
		if strings.HasPrefix(s, "0000-00-00") {
			return ""
		}
		return s
	case restapi.KindInt, restapi.KindFloat:
		return strings.TrimSpace(v)
	}
	return v
}

// Option finds the option of a dropdown that v names: by its label, then
// by its key, then by its id written as a number ("02004"). Labels are
// matched exactly, as MiniCRM writes them.
func Option(f restapi.SchemaField, v string) (restapi.EnumOption, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return restapi.EnumOption{}, false // an empty value is no option, whatever a schema's keys
	}
	for _, o := range f.Options {
		if o.Label == v {
			return o, true
		}
	}
	for _, o := range f.Options {
		if o.Key == v {
			return o, true
		}
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id != 0 {
		for _, o := range f.Options {
			if o.Id == id {
				return o, true
			}
		}
	}
	return restapi.EnumOption{}, false
}

// Label turns a canonical dropdown value into its label: an option key
// into the option's label, a multi-select bitmask into its options' labels
// in id order joined by ", ". A value the schema cannot explain is
// returned as it is.
func Label(f restapi.SchemaField, v string) string {
	if v == "" {
		return ""
	}
	for _, o := range f.Options {
		if o.Key == v {
			return o.Label
		}
	}
	n, ok := new(big.Int).SetString(v, 10)
	if !ok || n.Sign() <= 0 {
		return v
	}
	bits, ok := optionBits(f)
	if !ok {
		return v
	}
	rest := new(big.Int).Set(n)
	var labels []string
	for _, b := range bits {
		if new(big.Int).And(rest, b.k).Sign() != 0 {
			labels = append(labels, b.label)
			rest.Xor(rest, b.k)
		}
	}
	if rest.Sign() != 0 {
		return v
	}
	return strings.Join(labels, ", ")
}

type optionBit struct {
	k     *big.Int
	key   string
	label string
}

// optionBits are the options of a multi-select field in id order; ok is
// false when an id is not a power of two (then the field is no
// multi-select). Keys can pass 2^53, hence big.Int.
func optionBits(f restapi.SchemaField) ([]optionBit, bool) {
	bits := make([]optionBit, 0, len(f.Options))
	for _, o := range f.Options {
		b, ok := powerOfTwo(o.Key)
		if !ok {
			return nil, false
		}
		bits = append(bits, optionBit{b, o.Key, o.Label})
	}
	sort.Slice(bits, func(i, j int) bool { return bits[i].k.Cmp(bits[j].k) < 0 })
	return bits, true
}

func powerOfTwo(key string) (*big.Int, bool) {
	n, ok := new(big.Int).SetString(key, 10)
	if !ok || n.Sign() <= 0 || new(big.Int).And(n, new(big.Int).Sub(n, big.NewInt(1))).Sign() != 0 {
		return nil, false
	}
	return n, true
}

// labelsToBitmask reads a multi-select value as detail records write it
// ("A, C") into the sum of the options' ids, when every label is an option
// and every option id is a power of two.
func labelsToBitmask(f restapi.SchemaField, s string) (string, bool) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 {
		return "", false
	}
	sum := new(big.Int)
	for _, p := range parts {
		k, ok := f.OptionKey(strings.TrimSpace(p))
		if !ok {
			return "", false
		}
		n, ok := powerOfTwo(k)
		if !ok {
			return "", false
		}
		sum.Or(sum, n)
	}
	return sum.String(), true
}

// FormatNumber renders a number the way MiniCRM's JSON carries it: integers
// without a fraction, others with as many digits as needed.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// VatKey reduces a VAT number to letters and digits ("12345678-2-41" →
// "12345678241"): MiniCRM keeps it as typed, and both spellings are one
// number.
//
// It is on the feed build's path for every row, so it works on bytes (what
// strings.Map with an ASCII-only rule would make of s) and returns s itself
// when it is already in this form: no allocation for a clean key.
func VatKey(s string) string {
	n, same := 0, true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			n++
		case c >= 'a' && c <= 'z':
			n, same = n+1, false
		default:
			same = false
		}
	}
	if same {
		return s
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			b = append(b, c)
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		}
	}
	return string(b)
}
