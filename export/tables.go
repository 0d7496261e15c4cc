package export

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// Entity is what an export table holds.
type Entity string

// The entities an export can hold.
const (
	// Contacts is businesses and persons in one table.
	Contacts   Entity = "contacts"
	Businesses Entity = "businesses"
	Persons    Entity = "persons"
	// Projects is cards (of one module with Config.Category, else of all).
	Projects Entity = "projects"
	ToDos    Entity = "todos"
	// Invoices, Orders and Offers are documents, a row each (and, with
	// Config.Items, a second table of their lines).
	Invoices Entity = "invoices"
	Orders   Entity = "orders"
	Offers   Entity = "offers"
)

// All is what "all" exports: one table (sheet) each. To-dos are not in it:
// ToDoList has no UpdatedSince and answers per card, so they cost a request
// per card on every run; "all" with WithToDos (the CLI's --todos) adds them.
var All = []Entity{Businesses, Persons, Projects}

// WithToDos is All and the to-dos.
var WithToDos = []Entity{Businesses, Persons, Projects, ToDos}

// ParseEntity reads an entity name; "all" gives All.
func ParseEntity(s string) ([]Entity, error) {
	switch e := Entity(strings.ToLower(strings.TrimSpace(s))); e {
	case Contacts, Businesses, Persons, Projects, ToDos, Invoices, Orders, Offers:
		return []Entity{e}, nil
	case "all":
		return slices.Clone(All), nil
	}
	return nil, fmt.Errorf("export: unknown entity %q: want contacts, businesses, persons, projects, todos, invoices, orders, offers or all", s)
}

// Snapshot scopes: contacts (businesses and persons), cards (of every
// exported module), todos.
const (
	scopeContacts = "contacts"
	scopeCards    = "cards"
	scopeToDos    = "todos"
)

// Record kinds.
const (
	kindBusiness = "Business"
	kindPerson   = "Person"
	kindProject  = "Project"
	kindToDo     = "ToDo"
)

// Accountant columns: looked up in the snapshot's contacts and cards (which
// the export lists anyway), no request per row.
const (
	colBusinessName  = "BusinessName"
	colBusinessEmail = "BusinessEmail"
	colContactName   = "ContactName"
	colContactEmail  = "ContactEmail"
	colProjectName   = "ProjectName"
	// With details (and on documents): the company's tax ids.
	colBusinessVat = "BusinessVatNumber"
	colBusinessReg = "BusinessRegistrationNumber"
)

// table is one output table (a CSV file, an XLSX sheet).
type table struct {
	entity Entity
	name   string
	scope  string
	kinds  []string
	// category, on a card table of one module ("all" writes a table per
	// module), is that module.
	category int
	// items says the table has a row per line of each document.
	items bool
	cols  []column
}

// column is a table column and where its values come from.
type column struct {
	Column
	field  string // the API name the values are found under
	lookup bool   // an accountant column, looked up in another record
	// src, when set, is the key the values are found under instead (the
	// default address's columns: not fields of the record's schema).
	src string
}

// tableName is the sheet (and, with several tables, the CSV file) name.
func tableName(e Entity) string {
	switch e {
	case Contacts:
		return "Contacts"
	case Businesses:
		return "Businesses"
	case Persons:
		return "Persons"
	case Projects:
		return "Projects"
	case Invoices:
		return "Invoices"
	case Orders:
		return "Orders"
	case Offers:
		return "Offers"
	}
	return "ToDos"
}

// List columns: what a list item shows, so what an export without details
// has. Each entity's in a fixed order.
var listColumns = map[Entity][]string{
	Contacts:   {"Id", "Type", "Name", "Email", "Phone", "BusinessId"},
	Businesses: {"Id", "Name", "Email", "Phone"},
	Persons:    {"Id", "Name", "Email", "Phone", "BusinessId"},
	Projects:   {"Id", "CategoryId", "Name", "StatusId", "UserId", "ContactId", "BusinessId"},
	ToDos:      {"Id", "ProjectId", "Status", "Type", "UserId", "Deadline", "Comment"},
}

// accountantColumns follow each entity's own columns.
var accountantColumns = map[Entity][]string{
	Contacts: {colBusinessName, colBusinessEmail},
	Persons:  {colBusinessName, colBusinessEmail},
	Projects: {colContactName, colContactEmail, colBusinessName, colBusinessEmail},
	ToDos:    {colProjectName},
	Invoices: {colBusinessName, colBusinessVat, colBusinessReg},
	Orders:   {colBusinessName, colBusinessVat, colBusinessReg},
	Offers:   {colBusinessName, colBusinessVat, colBusinessReg},
}

// detailAccountantColumns follow them when details are read: the company's
// tax ids are in its detail record only.
var detailAccountantColumns = map[Entity][]string{
	Contacts: {colBusinessVat, colBusinessReg},
	Persons:  {colBusinessVat, colBusinessReg},
	Projects: {colBusinessVat, colBusinessReg},
}

// toDoFields is the to-do detail record's fields (ToDo has no Schema
// endpoint); Members, Notes and Attachments are left out.
var toDoFields = []struct {
	name string
	kind restapi.FieldKind
}{
	{"Id", restapi.KindInt}, {"ProjectId", restapi.KindInt}, {"UserId", restapi.KindEnum}, {"ContactId", restapi.KindInt},
	{"AddressId", restapi.KindInt}, {"Type", restapi.KindText}, {"Duration", restapi.KindInt}, {"Reminder", restapi.KindInt},
	{"Status", restapi.KindText}, {"Mode", restapi.KindText}, {"Deadline", restapi.KindDateTime}, {"Comment", restapi.KindText},
	{"CreatedBy", restapi.KindEnum}, {"CreatedAt", restapi.KindDateTime}, {"UpdatedBy", restapi.KindEnum},
	{"UpdatedAt", restapi.KindDateTime}, {"ClosedBy", restapi.KindEnum}, {"ClosedAt", restapi.KindDateTime},
}

// toDoSchema is a schema for to-dos: the users (owner, creator…) as the
// options of the cards' UserId.
func toDoSchema(users []restapi.EnumOption) *restapi.Schema {
	s := &restapi.Schema{Entity: "ToDo"}
	for _, f := range toDoFields {
		sf := restapi.SchemaField{Name: f.name, Kind: f.kind, Type: string(f.kind)}
		if f.kind == restapi.KindEnum {
			sf.Options = users
		}
		s.Fields = append(s.Fields, sf)
	}
	return s
}

// schemas holds the schemas an export renders values with.
type schemas struct {
	person, business *restapi.Schema
	projects         map[int]*restapi.Schema
	categories       []restapi.Category // the exported modules, in id order
	todo             *restapi.Schema
}

// forRecord returns the schema of a record ("" Kind fields when unknown).
func (s *schemas) forRecord(kind string, categoryID int) *restapi.Schema {
	switch kind {
	case kindBusiness:
		return s.business
	case kindPerson:
		return s.person
	case kindProject:
		return s.projects[categoryID]
	case kindToDo:
		return s.todo
	}
	return nil
}

// field returns a record's schema field; the list summary's fields that are
// in no schema (a person's Name) are text.
func (s *schemas) field(kind string, categoryID int, name string) restapi.SchemaField {
	if sch := s.forRecord(kind, categoryID); sch != nil {
		if f, ok := sch.Field(name); ok {
			return f
		}
	}
	if name == "CategoryId" && kind == kindProject {
		f := restapi.SchemaField{Name: name, Kind: restapi.KindEnum, Type: "Enum"}
		for _, c := range s.categories {
			f.Options = append(f.Options, restapi.EnumOption{Key: strconv.Itoa(c.Id), Id: int64(c.Id), Label: c.Name})
		}
		return f
	}
	return restapi.SchemaField{Name: name, Kind: restapi.KindText}
}

// kindOfColumn is a column's kind across the schemas of the table's records
// (the first schema that has the field decides).
func (s *schemas) kindOfColumn(t *table, name string) ColumnKind {
	for _, k := range t.kinds {
		if k == kindProject {
			for _, c := range s.categories {
				if f := s.field(k, c.Id, name); f.Kind != restapi.KindText || s.has(k, c.Id, name) {
					return columnKind(f.Kind)
				}
			}
			continue
		}
		if f := s.field(k, 0, name); f.Kind != restapi.KindText || s.has(k, 0, name) {
			return columnKind(f.Kind)
		}
	}
	return ColText
}

func (s *schemas) has(kind string, cat int, name string) bool {
	sch := s.forRecord(kind, cat)
	if sch == nil {
		return false
	}
	_, ok := sch.Field(name)
	return ok
}

// buildTable lays out an entity's table: with details, the schema's fields
// in its order (for several schemas, the union in the order first seen);
// without, the list summary's; then the accountant columns. A card table of
// one module (cat > 0) has that module's fields only.
func buildTable(e Entity, details bool, s *schemas, cat int) *table {
	if _, ok := docKinds[e]; ok {
		return buildDocTable(e)
	}
	t := &table{entity: e, name: tableName(e), category: cat}
	switch e {
	case Contacts:
		t.scope, t.kinds = scopeContacts, []string{kindBusiness, kindPerson}
	case Businesses:
		t.scope, t.kinds = scopeContacts, []string{kindBusiness}
	case Persons:
		t.scope, t.kinds = scopeContacts, []string{kindPerson}
	case Projects:
		t.scope, t.kinds = scopeCards, []string{kindProject}
	case ToDos:
		t.scope, t.kinds = scopeToDos, []string{kindToDo}
	}
	cats := s.categories
	if cat > 0 {
		for _, c := range s.categories {
			if c.Id == cat {
				t.name, cats = c.Name, []restapi.Category{c}
			}
		}
	}
	var names []string
	add := func(n string) {
		if n == "CategoryId" && cat > 0 {
			return // the table is the module
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if !details {
		for _, n := range listColumns[e] {
			add(n)
		}
	} else {
		switch e {
		case Contacts:
			add("Id")
			add("Type")
			add("Name")
		case Persons:
			add("Id")
			add("Name") // as the list shows it: the person's full name
		case Projects:
			add("Id")
			add("CategoryId")
		case ToDos:
			add("Id")
			add("ProjectId")
		}
		for _, k := range t.kinds {
			if k == kindProject {
				for _, c := range cats {
					if sch := s.projects[c.Id]; sch != nil {
						for _, f := range sch.Fields {
							add(f.Name)
						}
					}
				}
				continue
			}
			if sch := s.forRecord(k, 0); sch != nil {
				for _, f := range sch.Fields {
					add(f.Name)
				}
			}
		}
	}
	for _, n := range names {
		t.cols = append(t.cols, column{Column: Column{Name: n, Kind: s.kindOfColumn(t, n), IsID: isIDName(n)}, field: n})
	}
	if details && t.scope == scopeContacts {
		// The default address, unless a field of the schema has the name.
		for _, n := range contactAddressColumns {
			if !slices.Contains(names, n) {
				t.cols = append(t.cols, column{Column: Column{Name: n, Kind: ColText}, field: n, src: addrPrefix + n})
			}
		}
	}
	acc := accountantColumns[e]
	if details {
		acc = append(slices.Clone(acc), detailAccountantColumns[e]...)
	}
	for _, n := range acc {
		t.cols = append(t.cols, column{Column: Column{Name: n, Kind: ColText}, field: n, lookup: true})
	}
	return t
}

// buildDocTable lays out a table of documents: a row each.
func buildDocTable(e Entity) *table {
	kind := docKinds[e]
	t := &table{entity: e, name: tableName(e), scope: docScope(kind), kinds: []string{kind}}
	for _, c := range docColumns {
		col := column{Column: Column{Name: c.name, Kind: c.kind, IsID: isIDName(c.name),
			Sum: docSums[c.name], Group: c.name == "CurrencyCode"}, field: c.name}
		if c.name == "StatusGroup" {
			col.NotSummed = "Failed"
		}
		t.cols = append(t.cols, col)
	}
	for _, n := range accountantColumns[e] {
		t.cols = append(t.cols, column{Column: Column{Name: n, Kind: ColText}, field: n, lookup: true})
	}
	return t
}

// buildItemTable lays out the lines of a kind of document: a row per line.
func buildItemTable(e Entity) *table {
	kind := docKinds[e]
	t := &table{entity: e, name: tableName(e)[:len(tableName(e))-1] + "Items", scope: docScope(kind),
		kinds: []string{kind}, items: true}
	for _, c := range itemColumns {
		t.cols = append(t.cols, column{Column: Column{Name: c.name, Kind: c.kind, IsID: isIDName(c.name),
			Sum: docSums[c.name], Group: c.name == "CurrencyCode"}, field: c.name})
	}
	return t
}

// ColumnSpec is one --columns entry: a column (its API name, or its header)
// and, when renamed (Field=Header), the header to write.
type ColumnSpec struct {
	Field, Header string
}

// ParseColumns reads --columns: comma-separated names, each optionally
// renamed with "=" (Name=Név,Email=E-mail).
func ParseColumns(s string) ([]ColumnSpec, error) {
	var out []ColumnSpec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f, h, renamed := strings.Cut(part, "=")
		f, h = strings.TrimSpace(f), strings.TrimSpace(h)
		if f == "" || renamed && h == "" {
			return nil, fmt.Errorf("--columns: %q: want Field or Field=Header", part)
		}
		out = append(out, ColumnSpec{Field: f, Header: h})
	}
	return out, nil
}

// selectColumns keeps the named columns, in the order named, renamed as
// asked, and drops the tables left without any. A name is a column's API
// name or its header. A name no table has is an error listing the columns
// there are.
func selectColumns(tables []*table, specs []ColumnSpec) ([]*table, error) {
	if len(specs) == 0 {
		return tables, nil
	}
	match := func(c column, n string) bool { return strings.EqualFold(c.field, n) || strings.EqualFold(c.Name, n) }
	var have []string
	for _, t := range tables {
		for _, c := range t.cols {
			if !slices.Contains(have, c.field) {
				have = append(have, c.field)
			}
		}
	}
	var missing []string
	for _, sp := range specs {
		found := false
		for _, t := range tables {
			found = found || slices.ContainsFunc(t.cols, func(c column) bool { return match(c, sp.Field) })
		}
		if !found {
			missing = append(missing, sp.Field)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("export: --columns: no table has %s; the columns are: %s",
			strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	var out []*table
	for _, t := range tables {
		var cols []column
		for _, sp := range specs {
			for _, c := range t.cols {
				if match(c, sp.Field) {
					if sp.Header != "" {
						c.Name = sp.Header
					}
					cols = append(cols, c)
					break
				}
			}
		}
		if len(cols) > 0 {
			t.cols = cols
			out = append(out, t)
		}
	}
	return out, nil
}

// lookupView is what accountant columns are looked up in.
type lookupView interface {
	Get(scope string, id int) (*state.ExportRecord, error)
}

// row renders a record's cells for the table's columns.
func (t *table) row(rec *state.ExportRecord, s *schemas, labels bool, lv lookupView, cells []Cell) ([]Cell, error) {
	cells = cells[:0]
	var acc map[string]string
	for _, c := range t.cols {
		if c.lookup {
			if acc == nil {
				var err error
				if acc, err = accountant(rec, lv); err != nil {
					return nil, err
				}
			}
			cells = append(cells, typed(ColText, acc[c.field]))
			continue
		}
		if c.src != "" {
			cells = append(cells, typed(ColText, rec.Values[c.src]))
			continue
		}
		v := rec.Values[c.field]
		k := c.Kind
		if isDocKind(rec.Kind) {
			cells = append(cells, typed(k, docValue(c.field, v, labels)))
			continue
		}
		if f := s.field(rec.Kind, rec.CategoryId, c.field); f.Kind == restapi.KindEnum {
			// A label kept because the schema then lacked it (see
			// schemaMiss) becomes an id through a schema read again.
			v = canonical(f, v)
			if labels {
				cells = append(cells, typed(ColText, label(f, v)))
			} else {
				cells = append(cells, typed(ColInt, v))
			}
			continue
		} else if k == ColEnum {
			k = columnKind(f.Kind)
		}
		cells = append(cells, typed(k, v))
	}
	return cells, nil
}

// itemRows renders a document's lines, a row each, through emit.
func (t *table) itemRows(rec *state.ExportRecord, cells []Cell, emit func([]Cell) error) ([]Cell, error) {
	lines, err := docLines(rec)
	if err != nil {
		return cells, err
	}
	for _, l := range lines {
		cells = cells[:0]
		for _, c := range t.cols {
			var v string
			switch c.field {
			case "DocumentId":
				v = rec.Values["Id"]
			case "DocumentNumber":
				v = rec.Values["Number"]
			case "Issued", "CurrencyCode":
				v = rec.Values[c.field]
			case "ItemId":
				v = idText(l.Id)
			case "Name":
				v = l.Name
			case "SKU":
				v = l.SKU
			case "Quantity":
				v = l.Quantity
			case "Unit":
				v = l.Unit
			case "PriceNet":
				v = l.PriceNet
			case "VAT":
				v = l.VAT
			case "PriceNetTotal":
				v = l.PriceNetTotal
			case "PriceTotal":
				v = l.PriceTotal
			}
			cells = append(cells, typed(c.Kind, v))
		}
		if err := emit(cells); err != nil {
			return cells, err
		}
	}
	return cells, nil
}

// accountant looks up the names, emails and tax ids of a record's company,
// contact or card in the snapshot.
func accountant(rec *state.ExportRecord, lv lookupView) (map[string]string, error) {
	out := map[string]string{}
	get := func(scope, id string) (*state.ExportRecord, error) {
		n, err := strconv.Atoi(id)
		if err != nil || n <= 0 {
			return nil, nil
		}
		return lv.Get(scope, n)
	}
	setBusiness := func(b *state.ExportRecord) {
		if b != nil {
			out[colBusinessName], out[colBusinessEmail] = b.Values["Name"], b.Values["Email"]
			out[colBusinessVat], out[colBusinessReg] = b.Values["VatNumber"], b.Values["RegistrationNumber"]
		}
	}
	switch rec.Kind {
	case kindPerson:
		b, err := get(scopeContacts, rec.Values["BusinessId"])
		if err != nil {
			return nil, err
		}
		setBusiness(b)
	case kindProject:
		c, err := get(scopeContacts, rec.Values["ContactId"])
		if err != nil {
			return nil, err
		}
		if c != nil {
			out[colContactName], out[colContactEmail] = c.Values["Name"], c.Values["Email"]
		}
		bid := rec.Values["BusinessId"]
		if (bid == "" || bid == "0") && c != nil {
			if c.Kind == kindBusiness {
				setBusiness(c)
				return out, nil
			}
			bid = c.Values["BusinessId"]
		}
		b, err := get(scopeContacts, bid)
		if err != nil {
			return nil, err
		}
		setBusiness(b)
	case kindToDo:
		p, err := get(scopeCards, strconv.Itoa(rec.ProjectId))
		if err != nil {
			return nil, err
		}
		if p != nil {
			out[colProjectName] = p.Values["Name"]
		}
	default:
		if isDocKind(rec.Kind) {
			b, err := cardCompany(rec.ProjectId, lv)
			if err != nil {
				return nil, err
			}
			setBusiness(b)
		}
	}
	return out, nil
}
