package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Mapping is a mapping file: where rows come from and how each row becomes
// up to three records (a Business, a Person, a Project). docs/mapping-reference.md
// documents it with a complete example.
type Mapping struct {
	// Path is the file the mapping was read from; relative source paths are
	// resolved against its directory.
	Path string `yaml:"-"`

	Source Source `yaml:"source"`
	// PhoneRegion is the default region for phone numbers written without a
	// country code ("HU" when empty).
	PhoneRegion string `yaml:"phone_region"`
	// Filters select the rows to import; a row failing one is skipped, with
	// the filter as the reason.
	Filters []Filter `yaml:"filters"`

	Business *Entity `yaml:"business"`
	Person   *Entity `yaml:"person"`
	Project  *Entity `yaml:"project"`
	// Order maps webshop orders (one per order id, a row per line) onto
	// the project's card, for a feed; see OrderSpec.
	Order *OrderSpec `yaml:"order"`

	// lines maps a dotted path ("person.fields.Email.column") to its line in
	// the file, for error messages.
	lines map[string]int
}

// Source says where the rows are.
type Source struct {
	File      string `yaml:"file"`
	Sheet     string `yaml:"sheet"`
	HeaderRow int    `yaml:"header_row"`
	Encoding  string `yaml:"encoding"`
	Delimiter string `yaml:"delimiter"`
}

// Entity maps a row to one record.
type Entity struct {
	// Category is the Project's module, by id or name.
	Category string `yaml:"category"`
	// Match lists the keys that find an existing record, in order: email,
	// phone, external_id, vat_number, name.
	Match []string `yaml:"match"`
	// ExternalID names the MiniCRM field that holds the source system's id
	// (a Text field such as KulsoAzonosito). The Fields entry of the same
	// name says where its value comes from.
	ExternalID string `yaml:"external_id"`
	// Link connects records of one row: a Person's Business ("business"),
	// a Project's contact ("person" or "business").
	Link string `yaml:"link"`
	// Relink says what happens when the row links an existing person to
	// another company (or a card to another contact) than MiniCRM has:
	// "update" (default) moves it to the row's, "keep" leaves the old link
	// (a warning), "error" makes the row an error. MiniCRM's manual says
	// contacts cannot be moved between companies through the API; a refused
	// move is an error row that says so.
	Relink string `yaml:"relink"`
	// Create false makes the entity match-only: rows update records that
	// already exist and never create one (a row whose record is not found
	// is an error), so the fields MiniCRM needs to create it need not be
	// mapped — e.g. cards for existing customers known by email.
	Create *bool `yaml:"create"`
	// Fields maps MiniCRM field names (as the Schema names them) to where
	// their values come from.
	Fields map[string]*FieldSpec `yaml:"fields"`
	// Address maps the contact's address (a business's or a person's);
	// see AddressSpec.
	Address *AddressSpec `yaml:"address"`
	// fieldOrder is the order of Fields in the file, for stable output.
	fieldOrder []string
}

// FieldSpec is the source and the transforms of one field. Exactly one of
// Column, Const and Template is set.
type FieldSpec struct {
	Column   string `yaml:"column"`
	Const    string `yaml:"const"`
	Template string `yaml:"template"`

	// Transforms run in order on the text: trim, collapse, upper, lower,
	// title.
	Transforms []string `yaml:"transforms"`
	// Date parses a date with these layouts (hu, iso, eu, us, excel or Go
	// layouts like "2006.01.02."); Number, Bool, Phone, Email parse the
	// value as such. Without any of them the field's Schema type decides.
	Date   []string `yaml:"date"`
	Number bool     `yaml:"number"`
	Bool   bool     `yaml:"bool"`
	Phone  bool     `yaml:"phone"`
	Email  bool     `yaml:"email"`
	// Enum maps source values to MiniCRM option labels (or ids).
	Enum map[string]string `yaml:"enum"`
	// Default replaces an empty value.
	Default string `yaml:"default"`
	// IfEmpty says what an empty value does: "skip" (default: the field is
	// not sent, MiniCRM keeps its value), "clear" (send an empty value),
	// "reject" (the row goes to the errors), "skip_row" (the row is skipped).
	IfEmpty string `yaml:"if_empty"`
}

// Filter is one row filter; set exactly one condition.
type Filter struct {
	Column    string   `yaml:"column"`
	Equals    *string  `yaml:"equals"`
	NotEquals *string  `yaml:"not_equals"`
	In        []string `yaml:"in"`
	NotIn     []string `yaml:"not_in"`
	Empty     *bool    `yaml:"empty"`
	Matches   string   `yaml:"matches"`
}

// Problem is one thing wrong with a mapping, at a line of the file.
type Problem struct {
	File string
	Line int
	Path string // dotted path in the file, e.g. person.fields.Email
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Problems is every problem found at once; it is an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	n := "1 problem"
	if len(ps) != 1 {
		n = strconv.Itoa(len(ps)) + " problems"
	}
	return "mapping has " + n + ":\n  " + strings.Join(lines, "\n  ")
}

// Load reads and parses a mapping file.
func Load(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse parses a mapping. Syntax errors and unknown keys are Problems with
// line numbers; checks against a Schema come later (Check).
func Parse(path string, b []byte) (*Mapping, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, Problems{yamlProblem(path, err)}
	}
	if len(root.Content) == 0 {
		return nil, Problems{{File: path, Line: 1, Msg: "the mapping file is empty"}}
	}
	m := &Mapping{Path: path, lines: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		return nil, Problems{yamlProblem(path, err)}
	}
	m.Path = path
	m.lines = map[string]int{}
	recordLines(root.Content[0], "", m.lines)
	for _, e := range []struct {
		name string
		ent  *Entity
	}{{"business", m.Business}, {"person", m.Person}, {"project", m.Project}} {
		if e.ent != nil {
			e.ent.fieldOrder = orderedKeys(root.Content[0], e.name+".fields")
		}
	}
	return m, nil
}

// yamlProblem turns a YAML error into a Problem with its line ("yaml: line
// 7: …" or, for type errors, "line 7: cannot unmarshal…").
func yamlProblem(path string, err error) Problem {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if len(te.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	if i := strings.Index(msg, "not found in type mapping."); i >= 0 {
		typ := strings.ToLower(strings.TrimSpace(msg[i+len("not found in type mapping."):]))
		msg = msg[:i] + "is not a known key in the " + typ + " section (a typo?)"
	}
	return Problem{File: path, Line: line, Msg: "YAML: " + msg}
}

// recordLines walks a YAML node tree and records the line of every key.
func recordLines(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			lines[p] = k.Line
			recordLines(v, p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := prefix + "[" + strconv.Itoa(i) + "]"
			lines[p] = c.Line
			recordLines(c, p, lines)
		}
	}
}

// orderedKeys returns the keys of the mapping node at a dotted path, in
// file order.
func orderedKeys(n *yaml.Node, path string) []string {
	for _, part := range strings.Split(path, ".") {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// Line is the line of a dotted path, or of its closest parent.
func (m *Mapping) Line(path string) int {
	for path != "" {
		if l, ok := m.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// SourcePath is the source file, resolved against the mapping's directory.
func (m *Mapping) SourcePath() string {
	if m.Source.File == "" || filepath.IsAbs(m.Source.File) {
		return m.Source.File
	}
	return filepath.Join(filepath.Dir(m.Path), m.Source.File)
}

// SourceFile is the source a run reads: override when given (--source),
// else the mapping's (SourcePath).
func (m *Mapping) SourceFile(override string) string {
	if override != "" {
		return override
	}
	return m.SourcePath()
}

// Entities lists the mapped entities in write order: Business before its
// Persons before their Projects.
func (m *Mapping) Entities() []EntityKind {
	var out []EntityKind
	if m.Business != nil {
		out = append(out, KindBusiness)
	}
	if m.Person != nil {
		out = append(out, KindPerson)
	}
	if m.Project != nil {
		out = append(out, KindProject)
	}
	return out
}

// Entity returns the mapping of one kind (nil when not mapped).
func (m *Mapping) Entity(k EntityKind) *Entity {
	switch k {
	case KindBusiness:
		return m.Business
	case KindPerson:
		return m.Person
	case KindProject:
		return m.Project
	}
	return nil
}

// Creates reports whether rows may create the entity's records (the
// default) or only match existing ones.
func (e *Entity) Creates() bool { return e.Create == nil || *e.Create }

// FieldNames are the entity's mapped fields in file order.
func (e *Entity) FieldNames() []string {
	if len(e.fieldOrder) == len(e.Fields) {
		return e.fieldOrder
	}
	names := make([]string, 0, len(e.Fields))
	for n := range e.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// EntityKind is Business, Person or Project.
type EntityKind string

const (
	KindBusiness EntityKind = "Business"
	KindPerson   EntityKind = "Person"
	KindProject  EntityKind = "Project"
)

func (k EntityKind) key() string { return strings.ToLower(string(k)) }

// OpenSource opens the mapping's source (or path, when not empty, instead of
// the file the mapping names) with the mapping's reading options.
func (m *Mapping) OpenSource(path string) (source.Reader, error) {
	path = m.SourceFile(path)
	if path == "" {
		return nil, Problems{{File: m.Path, Line: m.Line("source.file"), Path: "source.file",
			Msg: "no source file: name it here (source: file: …) or with --source"}}
	}
	opts := source.Options{Encoding: m.Source.Encoding, Sheet: m.Source.Sheet, HeaderRow: m.Source.HeaderRow}
	switch d := m.Source.Delimiter; d {
	case "":
	case "tab", `\t`:
		opts.Delimiter = '\t'
	default:
		opts.Delimiter = []rune(d)[0]
	}
	return source.Open(path, opts)
}
