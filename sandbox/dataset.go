package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Dataset is what a sandbox system is made of: its configuration (modules,
// statuses, users, custom fields) and, optionally, records to start with.
// It is read from the --data file (YAML or JSON; docs/sandbox.md documents it) or
// built in (DefaultDataset).
type Dataset struct {
	// Language is the system's language: "hu" (default) or "en". It decides
	// the language of error messages and of localized labels such as the
	// Contact detail Type ("Személy"/"Cég" or "Person"/"Business").
	Language string `json:"language,omitempty" yaml:"language,omitempty"`
	// Users are the system's users; UserId, CreatedBy and UpdatedBy take
	// their ids (or, on write, their names).
	Users []User `json:"users" yaml:"users"`
	// Categories are the modules, each with its statuses and card fields.
	Categories []Category `json:"categories" yaml:"categories"`
	// PersonFields and BusinessFields are the custom contact fields, added to
	// the built-in ones that every MiniCRM system has.
	PersonFields   []Field `json:"person_fields,omitempty" yaml:"person_fields,omitempty"`
	BusinessFields []Field `json:"business_fields,omitempty" yaml:"business_fields,omitempty"`

	// Records to start with. Ids given here are kept; new records get ids
	// above the highest one in use.
	Contacts []SeedContact `json:"contacts,omitempty" yaml:"contacts,omitempty"`
	Projects []SeedProject `json:"projects,omitempty" yaml:"projects,omitempty"`
	ToDos    []SeedToDo    `json:"todos,omitempty" yaml:"todos,omitempty"`
	// Documents are orders, invoices and offers, each written as the body
	// of the documented POST that creates it plus "Kind" (Order, Invoice or
	// Offer) and "Id".
	Documents []map[string]any `json:"documents,omitempty" yaml:"documents,omitempty"`
	// Addresses, templates, e-mails and products (catalog.go).
	Catalog `yaml:",inline"`
	// Invoices, Orders and Offers are documents too, without "Kind": the
	// list says it.
	Invoices []map[string]any `json:"invoices,omitempty" yaml:"invoices,omitempty"`
	Orders   []map[string]any `json:"orders,omitempty" yaml:"orders,omitempty"`
	Offers   []map[string]any `json:"offers,omitempty" yaml:"offers,omitempty"`
	// Webhooks are notified of Contact and Project changes (webhooks.go).
	Webhooks []WebhookConfig `json:"webhooks,omitempty" yaml:"webhooks,omitempty"`
	// AllowContactMove lets an update change a person's BusinessId once it
	// has one. MiniCRM's manual (MAN25) says contacts cannot be moved
	// between companies through the API, so by default such an update is
	// refused (400, "cannot be changed"); a system that turns out to allow
	// it is rehearsed with this set.
	AllowContactMove bool `json:"allow_contact_move,omitempty" yaml:"allow_contact_move,omitempty"`
}

// User is a MiniCRM user.
type User struct {
	Id   int    `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
}

// Category is a module (Értékesítés, Ügyfélszolgálat, …).
type Category struct {
	Id   int    `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// Type is the module type shown by Category?Detailed=1: Generic,
	// HelpDesk, Order, Invoice, Offer, Webshop…
	Type     string   `json:"type,omitempty" yaml:"type,omitempty"`
	Statuses []Status `json:"statuses" yaml:"statuses"`
	// Fields are the custom card fields of this module.
	Fields []Field `json:"fields,omitempty" yaml:"fields,omitempty"`
}

// Status is one status of a module; Group is Lead, Open, Success or Failed.
type Status struct {
	Id    int    `json:"id" yaml:"id"`
	Name  string `json:"name" yaml:"name"`
	Group string `json:"group,omitempty" yaml:"group,omitempty"`
}

// Field is a custom field. Type is one of Int, Float, Text(N), Date,
// DateTime, Email, Phone, Url, Boolean, Enum (Options required).
type Field struct {
	Name string `json:"name" yaml:"name"`
	// Label is the name shown on the user interface; error messages use it.
	Label   string   `json:"label,omitempty" yaml:"label,omitempty"`
	Type    string   `json:"type" yaml:"type"`
	Options []Option `json:"options,omitempty" yaml:"options,omitempty"`
}

// Option is one choice of an Enum field.
type Option struct {
	Id    int    `json:"id" yaml:"id"`
	Label string `json:"label" yaml:"label"`
}

// SeedContact is a contact in a data file. Fields holds any other field by
// its API name (FirstName, LastName, Name, Position, custom fields…), with
// enum values given by label or id.
type SeedContact struct {
	Id         int            `json:"id" yaml:"id"`
	Type       string         `json:"type" yaml:"type"`
	BusinessId int            `json:"business_id,omitempty" yaml:"business_id,omitempty"`
	Emails     []string       `json:"emails,omitempty" yaml:"emails,omitempty"`
	Phones     []string       `json:"phones,omitempty" yaml:"phones,omitempty"`
	CreatedAt  string         `json:"created_at,omitempty" yaml:"created_at,omitempty"`
	Fields     map[string]any `json:"fields,omitempty" yaml:"fields,omitempty"`
}

// SeedProject is a card in a data file.
type SeedProject struct {
	Id          int            `json:"id" yaml:"id"`
	CategoryId  int            `json:"category_id" yaml:"category_id"`
	ContactId   int            `json:"contact_id" yaml:"contact_id"`
	StatusId    int            `json:"status_id" yaml:"status_id"`
	UserId      int            `json:"user_id" yaml:"user_id"`
	Name        string         `json:"name" yaml:"name"`
	ReferenceId string         `json:"reference_id,omitempty" yaml:"reference_id,omitempty"`
	CreatedAt   string         `json:"created_at,omitempty" yaml:"created_at,omitempty"`
	Fields      map[string]any `json:"fields,omitempty" yaml:"fields,omitempty"`
}

// SeedToDo is a to-do in a data file.
type SeedToDo struct {
	Id        int    `json:"id" yaml:"id"`
	ProjectId int    `json:"project_id" yaml:"project_id"`
	UserId    int    `json:"user_id" yaml:"user_id"`
	Type      int    `json:"type,omitempty" yaml:"type,omitempty"`
	Status    string `json:"status,omitempty" yaml:"status,omitempty"`
	Comment   string `json:"comment" yaml:"comment"`
	Deadline  string `json:"deadline" yaml:"deadline"`
}

// LoadDataset reads a data file; the format follows the extension (.json,
// .yaml, .yml) and, failing that, the first byte.
func LoadDataset(path string) (*Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ds, err := ParseDataset(b, filepath.Ext(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

// ParseDataset parses a data set from JSON or YAML. ext (".json", ".yaml")
// may be empty, in which case JSON is assumed when the text starts with '{'.
func ParseDataset(b []byte, ext string) (*Dataset, error) {
	var ds Dataset
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if strings.EqualFold(ext, ".json") || (ext == "" && bytes.HasPrefix(trimmed, []byte("{"))) {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ds); err != nil {
			return nil, fmt.Errorf("data set: %w", err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(trimmed))
		dec.KnownFields(true)
		if err := dec.Decode(&ds); err != nil {
			return nil, fmt.Errorf("data set: %w", err)
		}
	}
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	return &ds, nil
}

// Validate checks a data set for the mistakes that would make the emulator
// lie: duplicate ids, unknown field types, enums without options, records
// that point at nothing.
func (ds *Dataset) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	switch ds.Language {
	case "", "hu", "en":
	default:
		bad("language %q: want hu or en", ds.Language)
	}
	if len(ds.Users) == 0 {
		bad("users: at least one user is needed (cards need an owner)")
	}
	users := map[int]bool{}
	for _, u := range ds.Users {
		if u.Id <= 0 || u.Name == "" {
			bad("user %+v: id and name are required", u)
		}
		if users[u.Id] {
			bad("user id %d appears twice", u.Id)
		}
		users[u.Id] = true
	}
	cats := map[int]bool{}
	statuses := map[int]int{} // status id -> category id
	for _, c := range ds.Categories {
		if c.Id <= 0 || c.Name == "" {
			bad("category %d %q: id and name are required", c.Id, c.Name)
		}
		if cats[c.Id] {
			bad("category id %d appears twice", c.Id)
		}
		cats[c.Id] = true
		if len(c.Statuses) == 0 {
			bad("category %d (%s): at least one status is needed", c.Id, c.Name)
		}
		for _, s := range c.Statuses {
			if prev, ok := statuses[s.Id]; ok {
				bad("status id %d appears in categories %d and %d: status ids are unique per system", s.Id, prev, c.Id)
			}
			statuses[s.Id] = c.Id
			switch s.Group {
			case "", "Lead", "Open", "Success", "Failed":
			default:
				bad("status %d: group %q: want Lead, Open, Success or Failed", s.Id, s.Group)
			}
		}
		checkFields(fmt.Sprintf("category %d fields", c.Id), c.Fields, projectSystemFields, bad)
	}
	for i, wh := range ds.Webhooks {
		if err := wh.check(cats); err != nil {
			bad("webhooks[%d]: %v", i, err)
		}
	}
	checkFields("person_fields", ds.PersonFields, personSystemFields, bad)
	checkFields("business_fields", ds.BusinessFields, businessSystemFields, bad)

	ids := map[int]string{}
	claim := func(id int, what string) {
		if id <= 0 {
			bad("%s: id is required", what)
			return
		}
		if prev, ok := ids[id]; ok {
			bad("%s: id %d is already used by %s (ids are unique per system)", what, id, prev)
		}
		ids[id] = what
	}
	contactType := map[int]string{}
	for _, c := range ds.Contacts {
		claim(c.Id, fmt.Sprintf("contact %d", c.Id))
		if c.Type != "Person" && c.Type != "Business" {
			bad("contact %d: type %q: want Person or Business", c.Id, c.Type)
		}
		contactType[c.Id] = c.Type
	}
	for _, c := range ds.Contacts {
		if c.BusinessId != 0 && contactType[c.BusinessId] != "Business" {
			bad("contact %d: business_id %d is not a Business in this data set", c.Id, c.BusinessId)
		}
	}
	projects := map[int]bool{}
	for _, p := range ds.Projects {
		claim(p.Id, fmt.Sprintf("project %d", p.Id))
		projects[p.Id] = true
		if !cats[p.CategoryId] {
			bad("project %d: category_id %d is not a category", p.Id, p.CategoryId)
		}
		if statuses[p.StatusId] != p.CategoryId {
			bad("project %d: status_id %d is not a status of category %d", p.Id, p.StatusId, p.CategoryId)
		}
		if !users[p.UserId] {
			bad("project %d: user_id %d is not a user", p.Id, p.UserId)
		}
		if _, ok := contactType[p.ContactId]; !ok {
			bad("project %d: contact_id %d is not a contact in this data set", p.Id, p.ContactId)
		}
	}
	for _, t := range ds.ToDos {
		claim(t.Id, fmt.Sprintf("todo %d", t.Id))
		if !projects[t.ProjectId] {
			bad("todo %d: project_id %d is not a project in this data set", t.Id, t.ProjectId)
		}
		if !users[t.UserId] {
			bad("todo %d: user_id %d is not a user", t.Id, t.UserId)
		}
	}
	ds.validateCatalog(claim, bad, contactType, projects, cats)
	if len(errs) > 0 {
		return fmt.Errorf("data set is invalid:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func checkFields(where string, fields []Field, system []Field, bad func(string, ...any)) {
	seen := map[string]bool{}
	for _, f := range system {
		seen[f.Name] = true
	}
	for _, f := range fields {
		if f.Name == "" || strings.ContainsAny(f.Name, " .=&?/") {
			bad("%s: field name %q is not a usable API name", where, f.Name)
		}
		if seen[f.Name] {
			bad("%s: field %s is defined twice or clashes with a built-in field", where, f.Name)
		}
		seen[f.Name] = true
		kind, _, err := parseFieldType(f.Type)
		if err != nil {
			bad("%s: field %s: %v", where, f.Name, err)
			continue
		}
		if kind == kindEnum && len(f.Options) == 0 {
			bad("%s: field %s: an Enum needs options", where, f.Name)
		}
		if kind != kindEnum && len(f.Options) > 0 {
			bad("%s: field %s: options are only for Enum fields", where, f.Name)
		}
		opt := map[int]bool{}
		for _, o := range f.Options {
			if o.Id <= 0 || o.Label == "" || opt[o.Id] {
				bad("%s: field %s: option %+v needs a unique id and a label", where, f.Name, o)
			}
			opt[o.Id] = true
		}
	}
}

// fieldKind is how a field's values are checked and stored.
type fieldKind int

const (
	kindText fieldKind = iota
	kindInt
	kindFloat
	kindDate
	kindDateTime
	kindEmail
	kindPhone
	kindURL
	kindBool
	kindEnum
)

// parseFieldType turns a Schema type string into a kind and, for Text(N),
// its maximum length in characters.
func parseFieldType(t string) (fieldKind, int, error) {
	switch t {
	case "Int":
		return kindInt, 0, nil
	case "Float":
		return kindFloat, 0, nil
	case "Date":
		return kindDate, 0, nil
	case "DateTime":
		return kindDateTime, 0, nil
	case "Email":
		return kindEmail, 128, nil
	case "Phone":
		return kindPhone, 128, nil
	case "Url":
		return kindURL, 1024, nil
	case "Boolean":
		return kindBool, 0, nil
	case "Enum":
		return kindEnum, 0, nil
	}
	if strings.HasPrefix(t, "Text(") && strings.HasSuffix(t, ")") {
		n, err := strconv.Atoi(t[len("Text(") : len(t)-1])
		if err == nil && n > 0 {
			return kindText, n, nil
		}
	}
	return 0, 0, fmt.Errorf("type %q: want Int, Float, Text(N), Date, DateTime, Email, Phone, Url, Boolean or Enum", t)
}
