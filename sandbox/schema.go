package sandbox

import (
	"fmt"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// The built-in fields every MiniCRM system has, as the Schema endpoint and
// the detail records of the seed documents and live systems show them.
// Type "Enum" without options is filled at run time (users, statuses…).
var (
	personSystemFields = []Field{
		{Name: "FirstName", Label: "Keresztnév", Type: "Text(255)"},
		{Name: "LastName", Label: "Vezetéknév", Type: "Text(255)"},
		{Name: "Email", Label: "Email", Type: "Text(128)"},
		{Name: "Phone", Label: "Telefon", Type: "Text(128)"},
		{Name: "Description", Label: "Leírás", Type: "Text(1024)"},
		{Name: "Url", Label: "Weboldal", Type: "Text(255)"},
		{Name: "BankAccount", Label: "Bankszámlaszám", Type: "Text(64)"},
		{Name: "Swift", Label: "Swift", Type: "Text(32)"},
		{Name: "VatNumber", Label: "Adószám", Type: "Text(64)"},
		{Name: "Position", Label: "Beosztás", Type: "Text(128)"},
		{Name: "Industry", Label: "Iparág", Type: "Text(128)"},
		{Name: "Region", Label: "Régió", Type: "Text(128)"},
		{Name: "YearlyRevenue", Label: "Éves árbevétel", Type: "Int"},
		{Name: "ReferenceId", Label: "Külső azonosító (XML szinkron)", Type: "Text(255)"},
	}
	businessSystemFields = []Field{
		{Name: "Name", Label: "Név", Type: "Text(512)"},
		{Name: "Email", Label: "Email", Type: "Text(128)"},
		{Name: "Phone", Label: "Telefon", Type: "Text(128)"},
		{Name: "Description", Label: "Leírás", Type: "Text(1024)"},
		{Name: "Url", Label: "Weboldal", Type: "Text(255)"},
		{Name: "BankAccount", Label: "Bankszámlaszám", Type: "Text(64)"},
		{Name: "Swift", Label: "Swift", Type: "Text(32)"},
		{Name: "RegistrationNumber", Label: "Cégjegyzékszám", Type: "Text(64)"},
		{Name: "VatNumber", Label: "Adószám", Type: "Text(64)"},
		{Name: "EUVatNumber", Label: "Közösségi adószám", Type: "Text(64)"},
		{Name: "Industry", Label: "Iparág", Type: "Text(128)"},
		{Name: "Region", Label: "Régió", Type: "Text(128)"},
		{Name: "Employees", Label: "Létszám", Type: "Int"},
		{Name: "YearlyRevenue", Label: "Éves árbevétel", Type: "Int"},
		{Name: "FoundingYear", Label: "Alapítás éve", Type: "Int"},
		{Name: "ReferenceId", Label: "Külső azonosító (XML szinkron)", Type: "Text(255)"},
	}
	projectSystemFields = []Field{
		{Name: "Name", Label: "Név", Type: "Text(512)"},
		{Name: "IsPrivate", Label: "Privát", Type: "Int"},
		{Name: "ReferenceId", Label: "Külső azonosító (XML szinkron)", Type: "Text(255)"},
	}
)

// fieldDef is a field as the server checks it: built-in or custom, with its
// options resolved.
type fieldDef struct {
	Name    string
	Label   string
	Type    string // the Schema type string
	Kind    fieldKind
	Max     int // Text(N): N
	Options []Option
}

func newFieldDef(f Field) fieldDef {
	kind, max, _ := parseFieldType(f.Type) // validated when the data set was loaded
	label := f.Label
	if label == "" {
		label = f.Name
	}
	return fieldDef{Name: f.Name, Label: label, Type: f.Type, Kind: kind, Max: max, Options: f.Options}
}

// schemaValue is how the Schema endpoint shows the field: the type string, or
// for an enum an id → label object.
func (d fieldDef) schemaValue() any {
	if d.Kind == kindEnum {
		m := make(map[string]string, len(d.Options))
		for _, o := range d.Options {
			m[strconv.Itoa(o.Id)] = o.Label
		}
		return m
	}
	return d.Type
}

// optionByValue resolves a written enum value: an option id (number or
// numeric string) or its label, as the seed says ("you can send the value as
// you see it on the user interface or its unique identifier").
func (d fieldDef) optionByValue(s string) (Option, bool) {
	s = strings.TrimSpace(s)
	if id, err := strconv.Atoi(s); err == nil {
		for _, o := range d.Options {
			if o.Id == id {
				return o, true
			}
		}
	}
	for _, o := range d.Options {
		if o.Label == s {
			return o, true
		}
	}
	return Option{}, false
}

func (d fieldDef) optionLabel(id int) string {
	for _, o := range d.Options {
		if o.Id == id {
			return o.Label
		}
	}
	return ""
}

// invalidValue is a write that MiniCRM refuses with 400; msg is already in the
// system's language.
type invalidValue struct{ msg string }

func (e *invalidValue) Error() string { return e.msg }

// normalize checks a written value against the field and returns the value to
// store: int64 for Int, float64 for Float, int (option id, 0 = empty) for
// Enum, string for everything else (dates in MiniCRM's own layouts).
func (d fieldDef) normalize(v any, lang string) (any, error) {
	bad := func() error {
		return &invalidValue{msg: msgf(lang, "invalid_value", printable(v), d.Label)}
	}
	if v == nil {
		return d.zero(), nil
	}
	s, isString := v.(string)
	switch d.Kind {
	case kindEnum:
		if isString && strings.TrimSpace(s) == "" {
			return 0, nil
		}
		o, ok := d.optionByValue(scalarString(v))
		if !ok {
			return nil, bad()
		}
		return o.Id, nil
	case kindInt:
		if isString && strings.TrimSpace(s) == "" {
			return int64(0), nil
		}
		switch n := v.(type) {
		case float64:
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return nil, bad()
			}
			return int64(n), nil
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
			if err != nil {
				return nil, bad()
			}
			return i, nil
		case bool:
			if n {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return nil, bad()
	case kindFloat:
		if isString && strings.TrimSpace(s) == "" {
			return float64(0), nil
		}
		switch n := v.(type) {
		case float64:
			return n, nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, bad()
			}
			return f, nil
		}
		return nil, bad()
	case kindBool:
		switch n := v.(type) {
		case bool:
			if n {
				return "1", nil
			}
			return "0", nil
		case float64:
			if n == 0 || n == 1 {
				return strconv.Itoa(int(n)), nil
			}
		case string:
			switch strings.ToLower(strings.TrimSpace(n)) {
			case "1", "true", "igen", "yes":
				return "1", nil
			case "0", "false", "nem", "no", "":
				return "0", nil
			}
		}
		return nil, bad()
	}
	// The remaining kinds are strings.
	if !isString {
		if f, ok := v.(float64); ok && d.Kind == kindText || ok && d.Kind == kindPhone {
			s = strconv.FormatFloat(f, 'f', -1, 64)
		} else {
			return nil, bad()
		}
	}
	switch d.Kind {
	case kindDate:
		if strings.TrimSpace(s) == "" {
			return "", nil
		}
		t, ok := parseMiniCRMTime(s)
		if !ok {
			return nil, bad()
		}
		return t.Format(dateLayout), nil
	case kindDateTime:
		if strings.TrimSpace(s) == "" {
			return "", nil
		}
		t, ok := parseMiniCRMTime(s)
		if !ok {
			return nil, bad()
		}
		return t.Format(dateTimeLayout), nil
	case kindEmail:
		if s = strings.TrimSpace(s); s != "" {
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
				return nil, bad()
			}
		}
	}
	if d.Max > 0 && len([]rune(s)) > d.Max {
		return nil, &invalidValue{msg: msgf(lang, "too_long", d.Label, d.Max)}
	}
	return s, nil
}

func (d fieldDef) zero() any {
	switch d.Kind {
	case kindEnum:
		return 0
	case kindInt:
		return int64(0)
	case kindFloat:
		return float64(0)
	case kindBool:
		return "0"
	}
	return ""
}

// listValue and detailValue render a stored value: enums as ids in lists and
// as labels in detail records, the way live MiniCRM systems answer.
func (d fieldDef) detailValue(v any) any {
	if d.Kind == kindEnum {
		id, _ := v.(int)
		return d.optionLabel(id)
	}
	if v == nil {
		return d.zero()
	}
	return v
}

func (d fieldDef) listValue(v any) any {
	if v == nil {
		return d.zero()
	}
	return v
}

// matches reports whether a stored value equals a search criterion for this
// field: enums by id or label, text case-insensitively.
func (d fieldDef) matches(stored any, criterion string) bool {
	switch d.Kind {
	case kindEnum:
		o, ok := d.optionByValue(criterion)
		id, _ := stored.(int)
		return ok && o.Id == id
	case kindInt:
		n, err := strconv.ParseInt(strings.TrimSpace(criterion), 10, 64)
		s, _ := stored.(int64)
		return err == nil && n == s
	case kindFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(criterion), 64)
		s, _ := stored.(float64)
		return err == nil && f == s
	case kindDate, kindDateTime:
		t, ok := parseMiniCRMTime(criterion)
		s, _ := stored.(string)
		st, ok2 := parseMiniCRMTime(s)
		return ok && ok2 && t.Equal(st)
	case kindPhone:
		s, _ := stored.(string)
		return phoneMatches(s, criterion)
	}
	s, _ := stored.(string)
	return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(criterion))
}

const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02 15:04:05"
)

// parseMiniCRMTime reads the layouts the documentation uses for dates and
// filters: "2018-02-14 10:00:00", "2018-02-14 10:00", "2018-02-14" (and the
// 'T' form ISO clients send). Times are Hungarian local time.
func parseMiniCRMTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{dateTimeLayout, "2006-01-02 15:04", dateLayout, "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.ParseInLocation(layout, s, budapest); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// scalarString renders a JSON scalar the way it would be typed in a form.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// printable is a value as error messages quote it.
func printable(v any) string {
	s := scalarString(v)
	switch v.(type) {
	case map[string]any, []any:
		s = "[object]"
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
