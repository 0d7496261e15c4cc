package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// SchemasService reads the field definitions of contacts and cards: names,
// types, text lengths and the options of dropdown fields. Mappings are
// checked against them.
type SchemasService service

// FieldKind is the kind of a field, from its Schema type string.
type FieldKind string

// The kinds seen in MiniCRM schemas (and the sandbox's). A type string not
// listed here is KindOther; its Type keeps the original text.
const (
	KindInt      FieldKind = "Int"
	KindFloat    FieldKind = "Float"
	KindText     FieldKind = "Text"
	KindDate     FieldKind = "Date"
	KindDateTime FieldKind = "DateTime"
	KindBool     FieldKind = "Boolean"
	KindEmail    FieldKind = "Email"
	KindPhone    FieldKind = "Phone"
	KindURL      FieldKind = "Url"
	KindFile     FieldKind = "File"
	KindEnum     FieldKind = "Enum" // an id → label map
	KindOther    FieldKind = "Other"
)

// Schema is the typed form of GET /Api/R3/Schema/<entity>.
type Schema struct {
	// Entity is "Person", "Business" or "Project/<CategoryId>".
	Entity string
	// Fields are in the order the server listed them.
	Fields []SchemaField
	// Raw is the answer as received (without a BOM): what --save caches.
	Raw json.RawMessage
}

// SchemaField is one field of a schema.
type SchemaField struct {
	Name string
	// Type is the type string as sent ("Text(255)", "Int", "File(10MB)"),
	// or "Enum" for an option map.
	Type string
	Kind FieldKind
	// MaxLength is N of Text(N); 0 when the type gives none.
	MaxLength int
	// Options are the choices of an Enum field, in the server's order. In
	// detail records MiniCRM shows the label; in lists, webhooks and
	// searches the id; writes take either. Multi-select ("set") fields
	// have power-of-two ids and comma-separated labels in detail records.
	Options []EnumOption
}

// EnumOption is one choice of a dropdown field.
type EnumOption struct {
	// Key is the option's key as sent; almost always a number (Id), but
	// the contact schemas' Type has the keys "Person" and "Business".
	Key string
	// Id is Key as a number; 0 when Key is not numeric.
	Id    int64
	Label string
}

// Field returns the named field (names are case-sensitive in MiniCRM).
func (s *Schema) Field(name string) (SchemaField, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return SchemaField{}, false
}

// OptionID returns the id of the option with this label.
func (f SchemaField) OptionID(label string) (int64, bool) {
	for _, o := range f.Options {
		if o.Label == label {
			return o.Id, true
		}
	}
	return 0, false
}

// OptionKey returns the key of the option with this label.
func (f SchemaField) OptionKey(label string) (string, bool) {
	for _, o := range f.Options {
		if o.Label == label {
			return o.Key, true
		}
	}
	return "", false
}

// OptionLabel returns the label of the option with this id.
func (f SchemaField) OptionLabel(id int64) (string, bool) {
	for _, o := range f.Options {
		if o.Id == id {
			return o.Label, true
		}
	}
	return "", false
}

// Person returns the schema of persons (contact persons).
//
// GET /Api/R3/Schema/Person
func (s *SchemasService) Person(ctx context.Context) (*Schema, error) {
	return s.get(ctx, "Person")
}

// Business returns the schema of businesses (companies).
//
// GET /Api/R3/Schema/Business
func (s *SchemasService) Business(ctx context.Context) (*Schema, error) {
	return s.get(ctx, "Business")
}

// Project returns the schema of the cards of one module, system fields
// (CategoryId, StatusId, UserId… as id → label maps) included.
//
// GET /Api/R3/Schema/Project/<CategoryId>
func (s *SchemasService) Project(ctx context.Context, categoryID int) (*Schema, error) {
	if err := checkID("CategoryId", categoryID); err != nil {
		return nil, err
	}
	return s.get(ctx, "Project/"+itoa(categoryID))
}

// Address returns the schema of addresses: their fields and the values of
// Type (an id → label map).
//
// GET /Api/R3/Schema/Address
func (s *SchemasService) Address(ctx context.Context) (*Schema, error) {
	return s.get(ctx, "Address")
}

// Get returns the schema of an entity given as "Person", "Business" or
// "Project/<CategoryId>" (case-insensitive), as the schema command takes it.
func (s *SchemasService) Get(ctx context.Context, entity string) (*Schema, error) {
	e, err := ParseSchemaEntity(entity)
	if err != nil {
		return nil, err
	}
	return s.get(ctx, e)
}

// ParseSchemaEntity normalizes "person", "Business", "project/10" to the
// form the endpoint takes.
func ParseSchemaEntity(entity string) (string, error) {
	e := strings.Trim(strings.TrimSpace(entity), "/")
	switch {
	case strings.EqualFold(e, "Person"):
		return "Person", nil
	case strings.EqualFold(e, "Business"):
		return "Business", nil
	case strings.EqualFold(e, "Address"):
		return "Address", nil
	}
	if head, tail, ok := strings.Cut(e, "/"); ok && strings.EqualFold(head, "Project") {
		if id, err := strconv.Atoi(tail); err == nil && id > 0 {
			return "Project/" + itoa(id), nil
		}
	}
	return "", fmt.Errorf("restapi: schema entity %q: want Person, Business, Address or Project/<CategoryId>", truncate(entity, 40))
}

func (s *SchemasService) get(ctx context.Context, entity string) (*Schema, error) {
	pattern := "/Api/R3/Schema/" + entity
	if strings.HasPrefix(entity, "Project/") {
		pattern = "/Api/R3/Schema/Project/{id}"
	}
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/Schema/" + entity, pattern: pattern, safe: true}
	data, err := s.client.do(ctx, r)
	if err != nil {
		return nil, err
	}
	sch, err := ParseSchema(entity, data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.endpoint(), err)
	}
	return sch, nil
}

var textLength = regexp.MustCompile(`^([A-Za-z]+)\((\d+)\)$`)

// ParseSchema reads a schema answer (or a file saved from one): a flat
// object whose values are type strings or id → label objects.
func ParseSchema(entity string, data []byte) (*Schema, error) {
	data = stripBOM(data)
	members, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("decoding schema: %w", err)
	}
	sch := &Schema{Entity: entity, Raw: json.RawMessage(bytes.Clone(data))}
	for _, m := range members {
		f := SchemaField{Name: m.Key}
		v := bytes.TrimSpace(m.Value)
		switch {
		case len(v) > 0 && v[0] == '{':
			opts, err := decodeObject(v)
			if err != nil {
				return nil, fmt.Errorf("schema field %s: %w", m.Key, err)
			}
			f.Type, f.Kind = "Enum", KindEnum
			for _, o := range opts {
				id, _ := strconv.ParseInt(o.Key, 10, 64)
				var label FlexString
				if err := json.Unmarshal(o.Value, &label); err != nil {
					return nil, fmt.Errorf("schema field %s option %s: %w", m.Key, truncate(o.Key, 40), err)
				}
				f.Options = append(f.Options, EnumOption{Key: o.Key, Id: id, Label: label.String()})
			}
		case len(v) > 0 && v[0] == '[':
			// An empty option list arrives as [] (PHP): an enum without
			// options.
			var arr []json.RawMessage
			if err := json.Unmarshal(v, &arr); err != nil || len(arr) != 0 {
				return nil, fmt.Errorf("schema field %s: unexpected array", m.Key)
			}
			f.Type, f.Kind = "Enum", KindEnum
		default:
			var t FlexString
			if err := json.Unmarshal(v, &t); err != nil {
				return nil, fmt.Errorf("schema field %s: %w", m.Key, err)
			}
			f.Type = strings.TrimSpace(t.String())
			f.Kind, f.MaxLength = kindOf(f.Type)
		}
		sch.Fields = append(sch.Fields, f)
	}
	return sch, nil
}

// kindOf maps a type string to its kind and Text(N)'s N.
func kindOf(t string) (FieldKind, int) {
	name, n := t, 0
	if m := textLength.FindStringSubmatch(t); m != nil {
		name = m[1]
		n, _ = strconv.Atoi(m[2])
	} else if i := strings.IndexByte(t, '('); i > 0 {
		name = t[:i] // File(10MB)
	}
	for _, k := range []FieldKind{KindInt, KindFloat, KindText, KindDate, KindDateTime, KindBool, KindEmail, KindPhone, KindURL, KindFile, KindEnum} {
		if strings.EqualFold(name, string(k)) {
			if k != KindText {
				n = 0
			}
			return k, n
		}
	}
	if strings.EqualFold(name, "String") {
		return KindText, n
	}
	return KindOther, n
}
