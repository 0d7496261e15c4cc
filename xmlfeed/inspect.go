package xmlfeed

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Severity says how bad a problem is.
type Severity string

const (
	// Error: MiniCRM would refuse the card or apply something else than
	// meant (no Id, a duplicate Id, a field its module does not have, a
	// dropdown value that is not an option).
	Error Severity = "error"
	// Warning: the card is fine as an update of an existing card, but
	// cannot create one (no Name, CategoryId or StatusId).
	Warning Severity = "warning"
)

// Problem is one finding of Inspect.
type Problem struct {
	Line      int
	ProjectID string
	Severity  Severity
	Msg       string
}

func (p Problem) String() string {
	id := ""
	if p.ProjectID != "" {
		id = fmt.Sprintf(" Project %q:", p.ProjectID)
	}
	return fmt.Sprintf("line %d:%s %s: %s", p.Line, id, p.Severity, p.Msg)
}

// InspectOptions configure Inspect.
type InspectOptions struct {
	// Schemas, when set, checks field names and dropdown values: card
	// fields against the card's module (by CategoryId), Business fields
	// against Business, Contact fields against Person.
	Schemas *mapping.Schemas
	// MaxProblems bounds the problems kept (default 1000); the counts go
	// on.
	MaxProblems int
}

// Report is what Inspect found.
type Report struct {
	Cards      int
	Businesses int
	Contacts   int
	Orders     int
	Offers     int
	Products   int
	// Complete counts cards with Name, CategoryId and StatusId: those that
	// can create a card as well as update one.
	Complete int
	// Categories counts cards by their CategoryId value.
	Categories map[string]int
	// Duplicates counts cards whose Project Id an earlier card had.
	Duplicates int
	Errors     int
	Warnings   int
	// Problems are the findings, at most MaxProblems of them, in file
	// order.
	Problems []Problem
	// Format is set when the file is not a well-formed feed; the counts
	// are those of the cards before the break.
	Format *FormatError
}

// OK reports whether the feed has no errors (warnings allowed).
func (r *Report) OK() bool { return r.Format == nil && r.Errors == 0 }

// Inspect reads a feed and checks it: well-formed, a <Projects> root,
// Project@Id on every card and no Id twice, Product@Id on every product,
// and, with schemas, every field name and dropdown value. Which elements
// MiniCRM requires is partly known: Project@Id certainly (it is the upsert
// key, [C-doc]); Name, CategoryId and StatusId to create a card is
// inferred (the webshop help's bold marks are lost, [I]), so a card
// without them is a warning: it can only update a card that exists.
//
// The duplicate check keeps every Project Id seen, so memory grows with the
// number of cards (about 50 bytes each). The returned error is for reading
// failures only; a malformed file is Report.Format.
func Inspect(r io.Reader, o InspectOptions) (*Report, error) {
	if o.MaxProblems <= 0 {
		o.MaxProblems = 1000
	}
	rep := &Report{Categories: map[string]int{}}
	add := func(line int, id string, sev Severity, format string, a ...any) {
		if sev == Error {
			rep.Errors++
		} else {
			rep.Warnings++
		}
		if len(rep.Problems) < o.MaxProblems {
			rep.Problems = append(rep.Problems, Problem{Line: line, ProjectID: id, Severity: sev, Msg: fmt.Sprintf(format, a...)})
		}
	}
	seen := map[string]int{}
	fr := NewReader(r)
	for {
		c, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		var fe *FormatError
		if errors.As(err, &fe) {
			rep.Format = fe
			return rep, nil
		}
		if err != nil {
			return rep, err
		}
		rep.Cards++
		if c.Business != nil {
			rep.Businesses++
		}
		rep.Contacts += len(c.Contacts)
		rep.Orders += len(c.Orders)
		rep.Offers += len(c.Offers)
		for _, d := range append(append([]Document(nil), c.Orders...), c.Offers...) {
			rep.Products += len(d.Products)
		}
		id := strings.TrimSpace(c.ID)
		switch {
		case id == "":
			add(c.Line, "", Error, "the Project has no Id attribute: MiniCRM keys cards by it (it becomes the card's ReferenceId)")
		case seen[id] != 0:
			rep.Duplicates++
			add(c.Line, id, Error, "the same Project Id as the card on line %d: one card would be written twice", seen[id])
		default:
			seen[id] = c.Line
		}
		var missing []string
		for _, f := range []string{"Name", "CategoryId", "StatusId"} {
			if v, ok := c.Field(f); !ok || strings.TrimSpace(v) == "" {
				missing = append(missing, f)
			}
		}
		if len(missing) == 0 {
			rep.Complete++
		} else {
			add(c.Line, id, Warning, "no %s: the card can update an existing card but not create one", strings.Join(missing, ", "))
		}
		cat, _ := c.Field("CategoryId")
		if cat != "" {
			rep.Categories[cat]++
		}
		for _, u := range c.Unknown {
			add(c.Line, id, Error, "unknown element %s", u)
		}
		for _, list := range []struct {
			name string
			docs []Document
		}{{"Order", c.Orders}, {"Offer", c.Offers}} {
			for _, d := range list.docs {
				if strings.TrimSpace(d.ID) == "" {
					add(c.Line, id, Error, "an %s without its Id attribute", list.name)
				}
				for _, p := range d.Products {
					if strings.TrimSpace(p.ID) == "" {
						add(c.Line, id, Error, "a Product of %s %q without its Id attribute", list.name, d.ID)
					}
				}
			}
		}
		if o.Schemas != nil {
			checkSchemas(c, id, o.Schemas, add)
		}
	}
}

// notWritable reports whether a schema field is MiniCRM's to fill (crm's
// catalogue: computed fields and the trash flag); a feed's value for it is
// ignored.
func notWritable(name string) bool {
	r := crm.RoleOf(name)
	return r == crm.Computed || r == crm.Trash
}

func checkSchemas(c *Card, id string, s *mapping.Schemas, add func(int, string, Severity, string, ...any)) {
	var cardSchema *restapi.Schema
	if v, ok := c.Field("CategoryId"); ok && strings.TrimSpace(v) != "" {
		if cat, ok := s.CategoryID(v); ok {
			cardSchema = s.Projects[cat]
			if cardSchema == nil {
				add(c.Line, id, Warning, "no schema for module %d at hand: its card fields are not checked", cat)
			}
		} else {
			add(c.Line, id, Error, "CategoryId %q is not a module of the system", v)
		}
	} else if len(s.Projects) == 1 {
		for _, sch := range s.Projects {
			cardSchema = sch
		}
	}
	check := func(where string, fs []Field, sch *restapi.Schema, allowed map[string]bool) {
		if sch == nil {
			return
		}
		for _, f := range fs {
			if allowed[f.Name] || (where == "Project" && f.Name == "CategoryId") {
				continue
			}
			sf, ok := sch.Field(f.Name)
			if !ok {
				add(c.Line, id, Error, "%s has no field %q (%s)", schemaTitle(where, sch), f.Name, where)
				continue
			}
			if notWritable(f.Name) {
				add(c.Line, id, Warning, "%s/%s is filled in by MiniCRM; the value is ignored", where, f.Name)
				continue
			}
			if sf.Kind == restapi.KindEnum && strings.TrimSpace(f.Value) != "" && !isOption(sf, f.Value) {
				add(c.Line, id, Error, "%s/%s: %q is neither an option id nor a label of the field", where, f.Name, f.Value)
			}
		}
	}
	// ContactId appears directly under Project in PEN's feeds; the card
	// schema has it.
	check("Project", c.Fields, cardSchema, nil)
	if c.Business != nil {
		check("Business", c.Business.Fields, s.Business, nil)
	}
	for _, ct := range c.Contacts {
		// Name and Type: PEN's minimal feed sends them on a contact.
		check("Contact", ct.Fields, s.Person, map[string]bool{"Name": true, "Type": true})
	}
}

func schemaTitle(where string, s *restapi.Schema) string {
	if where == "Project" {
		return "the module's card schema (" + s.Entity + ")"
	}
	return "the " + s.Entity + " schema"
}

func isOption(f restapi.SchemaField, v string) bool {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		for _, o := range f.Options {
			if o.Id == n {
				return true
			}
		}
	}
	for _, o := range f.Options {
		if o.Label == v || o.Key == v {
			return true
		}
	}
	return false
}

// CategoryList renders Categories for a summary line: "10: 1200, 3: 5".
func (r *Report) CategoryList() string {
	keys := make([]string, 0, len(r.Categories))
	for k := range r.Categories {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, r.Categories[k])
	}
	return strings.Join(parts, ", ")
}
