package crm

import (
	"math"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Comparer is the form in which the import compares a source row with
// MiniCRM (see the package doc for how it differs from Value). Email and
// Phone are the normalizers the mapping writes values with (package
// mapping's, with the mapping's phone region); nil leaves such values as
// Value gives them. A failing normalizer leaves the value trimmed (phones)
// or trimmed and lower-cased (emails): a value MiniCRM took that the
// mapping would refuse still compares with itself.
type Comparer struct {
	Email func(string) (string, error)
	Phone func(string) (string, error)
}

// Value brings a value of field f, as MiniCRM gives it, into the form the
// import compares.
func (c Comparer) Value(f restapi.SchemaField, v string) string {
	switch f.Name {
	case "Email":
		return c.EmailKey(v)
	case "Phone":
		return c.PhoneKey(v)
	}
	s := Value(f, v)
	switch f.Kind {
	case restapi.KindInt, restapi.KindFloat:
		if s == "" {
			return ""
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return FormatNumber(n)
		}
	case restapi.KindDate:
		if len(s) > len("2006-01-02") {
			s = s[:len("2006-01-02")]
		}
	case restapi.KindDateTime:
		if len(s) == len("2006-01-02 15:04") {
			s += ":00"
		}
	case restapi.KindEmail:
		return c.EmailKey(s)
	case restapi.KindPhone:
		return c.PhoneKey(s)
	}
	return s
}

// EmailKey is an address as matching and diffing compare it.
func (c Comparer) EmailKey(s string) string {
	if c.Email != nil {
		if e, err := c.Email(s); err == nil {
			return e
		}
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// PhoneKey is a phone number as matching and diffing compare it.
func (c Comparer) PhoneKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || c.Phone == nil {
		return s
	}
	if n, err := c.Phone(s); err == nil {
		return n
	}
	return s
}

// Equal reports whether want (a value the mapping made, as text; "" means
// "clear") and have (Comparer.Value of MiniCRM's) are one value of field f.
// Text is compared exactly (a change of case is a change); an empty number
// or dropdown equals 0; whole numbers compare exactly, others within a
// relative 1e-14, which only absorbs the rounding of their decimal forms; VatNumber and EUVatNumber
// compare by letters and digits.
func (c Comparer) Equal(f restapi.SchemaField, want, have string) bool {
	switch f.Name {
	case "Email":
		want = c.EmailKey(want)
	case "VatNumber", "EUVatNumber":
		return VatKey(want) == VatKey(have)
	}
	if want == have {
		return true
	}
	switch f.Kind {
	case restapi.KindInt, restapi.KindFloat, restapi.KindEnum, restapi.KindBool:
		// MiniCRM shows an empty number or dropdown as 0 or "".
		if (want == "" || want == "0") && (have == "" || have == "0") {
			return true
		}
		// Whole numbers compare exactly (a tolerance would call 1,000,000,001
		// and 1,000,000,000 one number); others within a relative 1e-14,
		// which absorbs the rounding of decimal forms (0.30000000000000004
		// is 0.3) and keeps a change of one fillér in ten billion.
		if i, err1 := strconv.ParseInt(want, 10, 64); err1 == nil {
			if j, err2 := strconv.ParseInt(have, 10, 64); err2 == nil {
				return i == j
			}
		}
		a, err1 := strconv.ParseFloat(want, 64)
		b, err2 := strconv.ParseFloat(have, 64)
		return err1 == nil && err2 == nil && math.Abs(a-b) <= 1e-14*math.Max(1, math.Abs(a))
	}
	return false
}
