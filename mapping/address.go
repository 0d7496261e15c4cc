package mapping

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// AddressSpec is an entity's address: block. MiniCRM keeps a contact's
// addresses apart from the contact (any number, one the default), so the
// block is not among the fields:
//
//	address:
//	  Type: {const: Székhely}
//	  PostalCode: {column: Irsz.}
//	  City: {column: Település}
//	  Address: {column: "Utca, házszám"}
//	  default: true
//
// Each entry is a FieldSpec of one address field (Type, Name, Country,
// PostalCode, City, County, Address); default: true makes the address the
// contact's default one when it is created.
type AddressSpec struct {
	Default bool
	Fields  map[string]*FieldSpec
	order   []string
}

// AddressFields are the address fields a mapping may name, in the order
// they are written. Country is the API's CountryId (a country name).
var AddressFields = []string{"Type", "Name", "Country", "PostalCode", "City", "County", "Address"}

// addressAPIName is the API's name of a mapping's address field.
func addressAPIName(f string) string {
	if f == "Country" {
		return "CountryId"
	}
	return f
}

// fieldSpecKeys are the keys a FieldSpec takes (its yaml tags): an address
// entry is checked against them by hand, since a custom unmarshaler loses
// the decoder's KnownFields.
var fieldSpecKeys = func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeOf(FieldSpec{})
	for i := range t.NumField() {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" {
			keys[tag] = true
		}
	}
	return keys
}()

// UnmarshalYAML reads the block: field entries and the default key.
// Errors start with "line N:", which Parse turns into a Problem's line.
func (a *AddressSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: address: want the address fields (%s) and optionally default: true",
			n.Line, strings.Join(AddressFields, ", "))
	}
	a.Fields = map[string]*FieldSpec{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "default" {
			if err := v.Decode(&a.Default); err != nil {
				return fmt.Errorf("line %d: address.default: want true or false, not %q", v.Line, v.Value)
			}
			continue
		}
		if _, dup := a.Fields[k.Value]; dup {
			return fmt.Errorf("line %d: address.%s is mapped twice", k.Line, k.Value)
		}
		a.order = append(a.order, k.Value)
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			a.Fields[k.Value] = nil
			continue
		}
		if v.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: address.%s: want {column: …}, {const: …} or {template: …}", v.Line, k.Value)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			if key := v.Content[j]; !fieldSpecKeys[key.Value] {
				return fmt.Errorf("line %d: address.%s: %q is not a known key of a field (a typo?)", key.Line, k.Value, key.Value)
			}
		}
		var fs FieldSpec
		if err := v.Decode(&fs); err != nil {
			return err
		}
		a.Fields[k.Value] = &fs
	}
	return nil
}

// FieldNames are the block's fields in file order.
func (a *AddressSpec) FieldNames() []string { return a.order }

// AddressRecord is a row's address of a contact, ready to compare and to
// write. Fields are by API name (Type as its schema label, CountryId as
// mapped); a field present with "" is to be cleared.
type AddressRecord struct {
	Fields map[string]string
	// Order is the mapping's order of the fields, by API name.
	Order []string
	// Key is the field the address is found by among the contact's
	// addresses: "Type", else "Name"; "" means the contact's default
	// address.
	Key string
	// Default asks for the address to be the contact's default.
	Default bool
}

// KeyValue is the value the address is found by.
func (a *AddressRecord) KeyValue() string { return a.Fields[a.Key] }

// CreateBody is the body of the address's create: every non-empty field,
// with a Name (MiniCRM requires one) of the Type's label, or "Cím", when
// the mapping gives none.
func (a *AddressRecord) CreateBody() map[string]string {
	body := map[string]string{}
	for f, v := range a.Fields {
		if v != "" {
			body[f] = v
		}
	}
	if body["Name"] == "" {
		body["Name"] = "Cím"
		if t := body["Type"]; t != "" {
			body["Name"] = t
		}
	}
	return body
}

// addressPlan is a compiled address block.
type addressPlan struct {
	spec   *AddressSpec
	fields []*fieldPlan // fp.name is the API name
	key    string
}

// addressSchema is the address schema when the schemas have none (an old
// schema file): the fields and the text limits the API documents, Type
// without its options (its values are then not checked here).
var addressSchema = &restapi.Schema{Entity: "Address", Fields: []restapi.SchemaField{
	{Name: "Type", Type: "Text", Kind: restapi.KindText},
	{Name: "Name", Type: "Text(255)", Kind: restapi.KindText, MaxLength: 255},
	{Name: "CountryId", Type: "Text(128)", Kind: restapi.KindText, MaxLength: 128},
	{Name: "PostalCode", Type: "Text(32)", Kind: restapi.KindText, MaxLength: 32},
	{Name: "City", Type: "Text(128)", Kind: restapi.KindText, MaxLength: 128},
	{Name: "County", Type: "Text(128)", Kind: restapi.KindText, MaxLength: 128},
	{Name: "Address", Type: "Text(512)", Kind: restapi.KindText, MaxLength: 512},
}}

// compileAddress checks an address block against the address schema.
func compileAddress(base string, a *AddressSpec, sch *restapi.Schema, header []string, col map[string]int,
	bad func(path, format string, a ...any), checkColumn func(path, c string)) *addressPlan {
	if sch == nil {
		sch = addressSchema
	}
	ap := &addressPlan{spec: a}
	mapped := map[string]bool{}
	for _, name := range a.FieldNames() {
		spec := a.Fields[name]
		path := base + ".address." + name
		known := false
		for _, f := range AddressFields {
			known = known || f == name
		}
		if name == "CountryId" {
			name, known = "Country", true
		}
		if !known {
			bad(path, "an address has no field %q; the fields are %s%s", name, strings.Join(AddressFields, ", "), didYouMean(name, AddressFields))
			continue
		}
		if spec == nil {
			bad(path, "the field needs a column, const or template")
			continue
		}
		api := addressAPIName(name)
		if mapped[api] {
			bad(path, "%s is mapped twice", name)
			continue
		}
		mapped[api] = true
		fp := &fieldPlan{name: api, path: path, spec: spec}
		if f, ok := sch.Field(api); ok {
			fp.field = f
		} else {
			fp.field = restapi.SchemaField{Name: api, Type: "Text", Kind: restapi.KindText}
		}
		if spec.Number || spec.Bool || spec.Phone || spec.Email || len(spec.Date) > 0 {
			bad(path, "address fields are text; drop date, number, bool, phone and email")
			continue
		}
		compileField(fp, header, col, func(sub, format string, args ...any) { bad(path+sub, format, args...) }, checkColumn)
		ap.fields = append(ap.fields, fp)
	}
	switch {
	case mapped["Type"]:
		ap.key = "Type"
	case mapped["Name"]:
		ap.key = "Name"
	}
	if len(ap.fields) == 0 && len(a.FieldNames()) == 0 {
		bad(base+".address", "the address block maps no field; map some of %s", strings.Join(AddressFields, ", "))
	}
	sort.SliceStable(ap.fields, func(i, j int) bool { return addressRank(ap.fields[i].name) < addressRank(ap.fields[j].name) })
	return ap
}

func addressRank(api string) int {
	for i, f := range AddressFields {
		if addressAPIName(f) == api {
			return i
		}
	}
	return len(AddressFields)
}

// mapAddress makes a row's address; nil when every mapped value is empty
// (the row has no address). Problems go to errs; skip is a skip_row reason.
func (ap *addressPlan) mapAddress(loc source.Location, kind EntityKind, texts []string, phones PhoneNormalizer,
	errs *RowErrors) (rec *AddressRecord, skip string) {
	a := &AddressRecord{Fields: map[string]string{}, Key: ap.key, Default: ap.spec.Default}
	has, failed := false, false
	allConst := true
	for _, fp := range ap.fields {
		allConst = allConst && fp.const_()
	}
	for _, fp := range ap.fields {
		text, col, blank := fp.rowText(texts)
		field := string(kind) + ".address." + fp.name
		if blank {
			switch fp.ifEmpt {
			case "clear":
				a.Fields[fp.name] = ""
				a.Order = append(a.Order, fp.name)
			case "reject":
				*errs = append(*errs, &CellError{Loc: loc, Column: col, Field: field, Reason: "is empty, and the mapping requires a value"})
			case "skip_row":
				return nil, fmt.Sprintf("%s is empty (%s: if_empty: skip_row)", col, field)
			}
			continue
		}
		v, err := fp.convert(strings.TrimSpace(text), phones)
		if err != nil {
			*errs = append(*errs, &CellError{Loc: loc, Column: col, Field: field, Value: text, Reason: err.Error()})
			has, failed = true, true
			continue
		}
		s := ValueString(v)
		if id, ok := v.(int64); ok && fp.parse == parseEnum {
			s, _ = fp.field.OptionLabel(id) // the label: what the detail record shows
		}
		// Constants alone (a Type, a Country) do not make an address:
		// a row has one when a value from its cells is there.
		has = has || !fp.const_() || allConst
		a.Fields[fp.name] = s
		a.Order = append(a.Order, fp.name)
	}
	if !has || failed {
		return nil, ""
	}
	if a.Key != "" && a.Fields[a.Key] == "" {
		*errs = append(*errs, &CellError{Loc: loc, Column: ap.columnOf(a.Key), Field: string(kind) + ".address." + a.Key,
			Reason: "is empty; the address is found among the contact's addresses by it"})
		return nil, ""
	}
	return a, ""
}

// const_ reports whether the field's value is a constant.
func (fp *fieldPlan) const_() bool { return fp.spec.Const != "" }

func (ap *addressPlan) columnOf(api string) string {
	for _, fp := range ap.fields {
		if fp.name == api {
			return strings.Join(fp.cols, "+")
		}
	}
	return ""
}

// CountryKey is a country name in a form that compares equal across the
// names MiniCRM takes for it (Magyarország, Hungary, HU): the English name
// for the countries listed, the folded text otherwise. MiniCRM answers the
// English name whatever was written.
func CountryKey(s string) string {
	f := fold(CollapseSpace(s))
	for _, c := range countryNames {
		for _, n := range c {
			if f == fold(n) {
				return c[0]
			}
		}
	}
	return f
}

// countryNames lists the names of the countries most Hungarian accounts
// meet: English first, then Hungarian, the ISO code and other names.
var countryNames = [][]string{
	{"Hungary", "Magyarország", "HU", "Magyar"},
	{"Romania", "Románia", "RO"},
	{"Slovakia", "Szlovákia", "SK"},
	{"Austria", "Ausztria", "AT", "Österreich"},
	{"Germany", "Németország", "DE", "Deutschland"},
	{"Croatia", "Horvátország", "HR"},
	{"Serbia", "Szerbia", "RS"},
	{"Slovenia", "Szlovénia", "SI"},
	{"Ukraine", "Ukrajna", "UA"},
	{"Czech Republic", "Csehország", "CZ", "Czechia"},
	{"Poland", "Lengyelország", "PL"},
	{"Italy", "Olaszország", "IT"},
	{"France", "Franciaország", "FR"},
	{"Spain", "Spanyolország", "ES"},
	{"Netherlands", "Hollandia", "NL", "Holland"},
	{"Belgium", "BE"},
	{"Switzerland", "Svájc", "CH"},
	{"United Kingdom", "Egyesült Királyság", "GB", "UK", "Great Britain", "Nagy-Britannia"},
	{"Ireland", "Írország", "IE"},
	{"United States", "Egyesült Államok", "US", "USA", "Amerikai Egyesült Államok"},
}

// SameAddressValue compares an address field's mapped value with one
// MiniCRM holds: text as MiniCRM trims it, countries by CountryKey, types
// without case.
func SameAddressValue(field, want, have string) bool {
	want, have = strings.TrimSpace(want), strings.TrimSpace(have)
	switch field {
	case "CountryId":
		if want == "" || have == "" {
			return want == have
		}
		return CountryKey(want) == CountryKey(have)
	case "Type", "Name":
		return strings.EqualFold(want, have)
	}
	return want == have
}

// HasAddresses reports whether the mapping maps a contact's address.
func (m *Mapping) HasAddresses() bool {
	return (m.Business != nil && m.Business.Address != nil) || (m.Person != nil && m.Person.Address != nil)
}
