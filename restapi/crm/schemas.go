package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Schemas is what a mapping, a feed or a check is compared with: the
// modules and the field definitions of Person, Business, Address and the
// cards of some modules. It comes from the API (FetchSchemas) or from a file
// saved earlier for offline work (LoadSchemas).
type Schemas struct {
	Categories map[int]string
	Person     *restapi.Schema
	Business   *restapi.Schema
	Projects   map[int]*restapi.Schema
	// Address is the address schema (its Type values); nil in schema
	// files saved before addresses were mapped.
	Address *restapi.Schema
}

// CategoryID resolves a module given by id or by name (ignoring case and
// accents).
func (s *Schemas) CategoryID(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if id, err := strconv.Atoi(v); err == nil {
		_, ok := s.Categories[id]
		return id, ok
	}
	for id, name := range s.Categories {
		if strings.EqualFold(name, v) || Fold(name) == Fold(v) {
			return id, true
		}
	}
	return 0, false
}

// CategoryNames lists the modules as "Name (id)", sorted, for messages.
func (s *Schemas) CategoryNames() []string {
	var names []string
	for id, n := range s.Categories {
		names = append(names, fmt.Sprintf("%s (%d)", n, id))
	}
	sort.Strings(names)
	return names
}

// SchemaNeeds says which schemas to fetch beyond the modules, Person and
// Business.
type SchemaNeeds struct {
	// Address asks for the address schema.
	Address bool
	// Category is a module by id or name (as CategoryID takes it) whose
	// card schema to fetch; "" for none. A module that does not exist is
	// not an error here: the mapping's check says so with its line.
	Category string
}

// FetchSchemas reads the modules and the schemas through the API: Person and
// Business always, Address and a module's cards when need says.
func FetchSchemas(ctx context.Context, c *restapi.Client, need SchemaNeeds) (*Schemas, error) {
	cats, err := c.Categories.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading modules: %w", err)
	}
	s := &Schemas{Categories: map[int]string{}, Projects: map[int]*restapi.Schema{}}
	for _, cat := range cats {
		s.Categories[cat.Id] = cat.Name
	}
	if s.Person, err = c.Schemas.Person(ctx); err != nil {
		return nil, fmt.Errorf("reading the Person schema: %w", err)
	}
	if s.Business, err = c.Schemas.Business(ctx); err != nil {
		return nil, fmt.Errorf("reading the Business schema: %w", err)
	}
	if need.Address {
		if s.Address, err = c.Schemas.Address(ctx); err != nil {
			return nil, fmt.Errorf("reading the Address schema: %w", err)
		}
	}
	if need.Category != "" {
		if id, ok := s.CategoryID(need.Category); ok {
			if s.Projects[id], err = c.Schemas.Project(ctx, id); err != nil {
				return nil, fmt.Errorf("reading the schema of module %d: %w", id, err)
			}
		}
	}
	return s, nil
}

// bundle is the file form of Schemas: each endpoint's answer as received,
// keyed by what was asked ("Category", "Person", "Business", "Project/10").
type bundle map[string]json.RawMessage

// Save writes the schemas to a file for offline checks.
func (s *Schemas) Save(path string) error {
	b := bundle{}
	cats := map[string]string{}
	for id, n := range s.Categories {
		cats[strconv.Itoa(id)] = n
	}
	raw, err := json.Marshal(cats)
	if err != nil {
		return err
	}
	b["Category"] = raw
	if s.Person != nil {
		b["Person"] = s.Person.Raw
	}
	if s.Business != nil {
		b["Business"] = s.Business.Raw
	}
	if s.Address != nil {
		b["Address"] = s.Address.Raw
	}
	for id, p := range s.Projects {
		b["Project/"+strconv.Itoa(id)] = p.Raw
	}
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}

// LoadSchemas reads a schema file written by Save (`minicrm-bulk schema all
// --save FILE`).
func LoadSchemas(path string) (*Schemas, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b bundle
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &b); err != nil {
		return nil, fmt.Errorf("schema file %s: %w", path, err)
	}
	s := &Schemas{Categories: map[int]string{}, Projects: map[int]*restapi.Schema{}}
	for key, raw := range b {
		if err := s.load(key, raw); err != nil {
			return nil, fmt.Errorf("schema file %s: %w", path, err)
		}
	}
	return s, nil
}

// load puts one entry of a schema file into s.
func (s *Schemas) load(key string, raw json.RawMessage) error {
	switch {
	case key == "Category":
		var cats map[string]string
		if err := json.Unmarshal(raw, &cats); err != nil {
			return fmt.Errorf("Category: %w", err)
		}
		for k, v := range cats {
			id, err := strconv.Atoi(k)
			if err != nil {
				return fmt.Errorf("Category: id %q is not a number", k)
			}
			s.Categories[id] = v
		}
		return nil
	case key == "Person" || key == "Business" || key == "Address" || strings.HasPrefix(key, "Project/"):
		sch, err := restapi.ParseSchema(key, raw)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		switch key {
		case "Person":
			s.Person = sch
		case "Business":
			s.Business = sch
		case "Address":
			s.Address = sch
		default:
			id, err := strconv.Atoi(strings.TrimPrefix(key, "Project/"))
			if err != nil {
				return fmt.Errorf("%q: want Project/<CategoryId>", key)
			}
			s.Projects[id] = sch
		}
		return nil
	}
	return fmt.Errorf("unknown entry %q (want Category, Person, Business, Address, Project/<CategoryId>)", key)
}
