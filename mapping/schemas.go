package mapping

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

// Schemas is what a mapping is checked against: the modules and the field
// definitions of Person, Business and the cards of the mapped modules. It
// comes from the API (FetchSchemas) or from a file saved earlier for offline
// work (LoadSchemas).
type Schemas struct {
	Categories map[int]string
	Person     *restapi.Schema
	Business   *restapi.Schema
	Projects   map[int]*restapi.Schema
	// Address is the address schema (its Type values); nil in schema
	// files saved before addresses were mapped.
	Address *restapi.Schema
}

// CategoryID resolves a module given by id or by name (case-insensitive).
func (s *Schemas) CategoryID(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if id, err := strconv.Atoi(v); err == nil {
		_, ok := s.Categories[id]
		return id, ok
	}
	for id, name := range s.Categories {
		if strings.EqualFold(name, v) || fold(name) == fold(v) {
			return id, true
		}
	}
	return 0, false
}

func (s *Schemas) categoryNames() []string {
	var names []string
	for id, n := range s.Categories {
		names = append(names, fmt.Sprintf("%s (%d)", n, id))
	}
	sort.Strings(names)
	return names
}

// FetchSchemas reads the modules and the schemas a mapping needs through the
// API: Person and Business always, Project for each module the mapping names.
func FetchSchemas(ctx context.Context, c *restapi.Client, m *Mapping) (*Schemas, error) {
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
	if m != nil && m.HasAddresses() {
		if s.Address, err = c.Schemas.Address(ctx); err != nil {
			return nil, fmt.Errorf("reading the Address schema: %w", err)
		}
	}
	if m != nil && m.Project != nil {
		if id, ok := s.CategoryID(m.Project.Category); ok {
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
		switch {
		case key == "Category":
			var cats map[string]string
			if err := json.Unmarshal(raw, &cats); err != nil {
				return nil, fmt.Errorf("schema file %s: Category: %w", path, err)
			}
			for k, v := range cats {
				id, err := strconv.Atoi(k)
				if err != nil {
					return nil, fmt.Errorf("schema file %s: Category: id %q is not a number", path, k)
				}
				s.Categories[id] = v
			}
		case key == "Address":
			sch, err := restapi.ParseSchema(key, raw)
			if err != nil {
				return nil, fmt.Errorf("schema file %s: %s: %w", path, key, err)
			}
			s.Address = sch
		case key == "Person" || key == "Business" || strings.HasPrefix(key, "Project/"):
			sch, err := restapi.ParseSchema(key, raw)
			if err != nil {
				return nil, fmt.Errorf("schema file %s: %s: %w", path, key, err)
			}
			switch key {
			case "Person":
				s.Person = sch
			case "Business":
				s.Business = sch
			default:
				id, err := strconv.Atoi(strings.TrimPrefix(key, "Project/"))
				if err != nil {
					return nil, fmt.Errorf("schema file %s: %q: want Project/<CategoryId>", path, key)
				}
				s.Projects[id] = sch
			}
		default:
			return nil, fmt.Errorf("schema file %s: unknown entry %q (want Category, Person, Business, Address, Project/<CategoryId>)", path, key)
		}
	}
	return s, nil
}
