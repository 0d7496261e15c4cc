package pipeline

import (
	"math"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// The mirror keeps field values as text in the mapping package's canonical
// form (mapping.ValueString of what Plan.Map produces): enum option ids,
// numbers without a needless fraction, dates "2006-01-02", phones in
// international form, emails lower-cased. A value read from MiniCRM is
// brought into that form here, so that comparing a row with MiniCRM is a
// string comparison.

// canonizer brings MiniCRM's values into canonical form.
type canonizer struct {
	phones  mapping.PhoneNormalizer
	schemas map[mapping.EntityKind]*restapi.Schema
}

// emailKey is an address as matching and diffing compare it.
func emailKey(s string) string {
	if e, err := mapping.NormalizeEmail(s); err == nil {
		return e
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// phone is a number in the form the mapping writes it.
func (c *canonizer) phone(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if n, err := c.phones.Normalize(s); err == nil {
		return n
	}
	return s
}

// field returns the schema field of an entity ("" Kind when unknown).
func (c *canonizer) field(kind mapping.EntityKind, name string) restapi.SchemaField {
	if s := c.schemas[kind]; s != nil {
		if f, ok := s.Field(name); ok {
			return f
		}
	}
	return restapi.SchemaField{Name: name}
}

// remote renders a value of a detail record (as decoded from JSON: string,
// json.Number, bool, nil…) in canonical form.
func (c *canonizer) remote(kind mapping.EntityKind, name string, v any) string {
	s := restapi.FieldText(v)
	switch name {
	case "Email":
		return emailKey(s)
	case "Phone":
		return c.phone(s)
	}
	f := c.field(kind, name)
	switch f.Kind {
	case restapi.KindEnum:
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		if id, ok := f.OptionID(s); ok {
			return strconv.FormatInt(id, 10)
		}
		return s // an id already, or a label the schema does not know
	case restapi.KindInt, restapi.KindFloat:
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return mapping.FormatNumber(n)
		}
		return s
	case restapi.KindDate:
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "0000-00-00") {
			return ""
		}
		if len(s) > 10 {
			s = s[:10]
		}
		return s
	case restapi.KindDateTime:
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "0000-00-00") {
			return ""
		}
		if len(s) == len("2006-01-02 15:04") {
			s += ":00"
		}
		return s
	case restapi.KindEmail:
		return emailKey(s)
	case restapi.KindPhone:
		return c.phone(s)
	}
	return s
}

// same reports whether the mapped value want (a canonical value of
// Record.Fields; nil means "clear") equals the canonical remote value have.
func (c *canonizer) same(kind mapping.EntityKind, name string, want any, have string) bool {
	ws := mapping.ValueString(want)
	switch name {
	case "Email":
		ws = emailKey(ws)
	case "VatNumber", "EUVatNumber":
		// "12345678-2-41" and "12345678241" are the same number.
		return mapping.VatKey(ws) == mapping.VatKey(have)
	}
	if ws == have {
		return true
	}
	switch c.field(kind, name).Kind {
	case restapi.KindInt, restapi.KindFloat, restapi.KindEnum, restapi.KindBool:
		// MiniCRM shows an empty number or dropdown as 0 or "".
		if (ws == "" || ws == "0") && (have == "" || have == "0") {
			return true
		}
		a, err1 := strconv.ParseFloat(ws, 64)
		b, err2 := strconv.ParseFloat(have, 64)
		return err1 == nil && err2 == nil && math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a))
	}
	return false
}
