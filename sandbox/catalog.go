package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Catalog is the part of a data set for the endpoints beyond contacts and
// cards: addresses of contacts, the modules' templates, e-mails recorded on
// cards and the product stock. It is embedded in Dataset, so a data file
// lists these keys next to contacts and projects.
type Catalog struct {
	// Addresses belong to contacts; the first of a contact is its default
	// unless another says default: true.
	Addresses []SeedAddress `json:"addresses,omitempty" yaml:"addresses,omitempty"`
	// Templates are the modules' e-mail, to-do, SMS and file templates:
	// read-only through the API (TemplateList, Template).
	Templates []SeedTemplate `json:"templates,omitempty" yaml:"templates,omitempty"`
	// Emails are e-mails sent from cards (EmailList), read-only.
	Emails []SeedEmail `json:"emails,omitempty" yaml:"emails,omitempty"`
	// Products are the stock; ProductFolders the folders they are filed in
	// (the first one when a write names none or an unknown one).
	Products       []SeedProduct `json:"products,omitempty" yaml:"products,omitempty"`
	ProductFolders []string      `json:"product_folders,omitempty" yaml:"product_folders,omitempty"`
}

// SeedAddress is an address in a data file. Type is an address type (by
// Hungarian or English label, or id); Country a country name, ISO code or
// MiniCRM's numeric id (36 for Hungary).
type SeedAddress struct {
	Id         int    `json:"id" yaml:"id"`
	ContactId  int    `json:"contact_id" yaml:"contact_id"`
	Type       string `json:"type,omitempty" yaml:"type,omitempty"`
	Name       string `json:"name" yaml:"name"`
	Country    string `json:"country,omitempty" yaml:"country,omitempty"`
	PostalCode string `json:"postal_code,omitempty" yaml:"postal_code,omitempty"`
	City       string `json:"city,omitempty" yaml:"city,omitempty"`
	County     string `json:"county,omitempty" yaml:"county,omitempty"`
	Address    string `json:"address,omitempty" yaml:"address,omitempty"`
	Default    bool   `json:"default,omitempty" yaml:"default,omitempty"`
	// CreatedAt is "YYYY-MM-DD hh:mm:ss"; the system's start when empty.
	CreatedAt string `json:"created_at,omitempty" yaml:"created_at,omitempty"`
}

// SeedTemplate is a module's template. Type is Email, Todo, Sms or File.
type SeedTemplate struct {
	Id         int    `json:"id" yaml:"id"`
	CategoryId int    `json:"category_id" yaml:"category_id"`
	Type       string `json:"type" yaml:"type"`
	Name       string `json:"name" yaml:"name"`
	Subject    string `json:"subject,omitempty" yaml:"subject,omitempty"`
	Content    string `json:"content,omitempty" yaml:"content,omitempty"`
	FolderId   int    `json:"folder_id,omitempty" yaml:"folder_id,omitempty"`
	CreatedAt  string `json:"created_at,omitempty" yaml:"created_at,omitempty"`
}

// SeedEmail is an e-mail recorded on a card. Status is e.g. Sent, Opened,
// Clicked, Bounced; the *At times are "" when it did not happen.
type SeedEmail struct {
	Id           int    `json:"id" yaml:"id"`
	ProjectId    int    `json:"project_id" yaml:"project_id"`
	TemplateId   int    `json:"template_id,omitempty" yaml:"template_id,omitempty"`
	From         string `json:"from" yaml:"from"`
	To           string `json:"to" yaml:"to"`
	Subject      string `json:"subject" yaml:"subject"`
	Body         string `json:"body,omitempty" yaml:"body,omitempty"`
	Status       string `json:"status,omitempty" yaml:"status,omitempty"`
	CreatedAt    string `json:"created_at" yaml:"created_at"`
	OpenedAt     string `json:"opened_at,omitempty" yaml:"opened_at,omitempty"`
	ClickedAt    string `json:"clicked_at,omitempty" yaml:"clicked_at,omitempty"`
	Unsubscribed string `json:"unsubscribed_at,omitempty" yaml:"unsubscribed_at,omitempty"`
}

// SeedProduct is a product in a data file; Fields holds the written
// fields (Name, SKU, PriceNet, VAT…) as a PUT /Api/R3/Product body would.
type SeedProduct struct {
	Id     int            `json:"id" yaml:"id"`
	Fields map[string]any `json:"fields" yaml:"fields"`
}

// validateCatalog checks the catalog records of a data set; claim reserves
// an id (ids are unique per system), bad records a mistake.
func (ds *Dataset) validateCatalog(claim func(int, string), bad func(string, ...any), contacts map[int]string,
	projects, cats map[int]bool) {
	for _, a := range ds.Addresses {
		claim(a.Id, fmt.Sprintf("address %d", a.Id))
		if _, ok := contacts[a.ContactId]; !ok {
			bad("address %d: contact_id %d is not a contact in this data set", a.Id, a.ContactId)
		}
		if strings.TrimSpace(a.Name) == "" {
			bad("address %d: name is required", a.Id)
		}
		if a.Type != "" {
			if _, ok := addressTypeByValue(a.Type); !ok {
				bad("address %d: type %q is not an address type (%s)", a.Id, a.Type, addressTypeNames())
			}
		}
		if a.Country != "" {
			if _, ok := countryByValue(a.Country); !ok {
				bad("address %d: country %q is not a known country", a.Id, a.Country)
			}
		}
		if _, ok := parseMiniCRMTime(a.CreatedAt); a.CreatedAt != "" && !ok {
			bad("address %d: created_at %q: want YYYY-MM-DD hh:mm:ss", a.Id, a.CreatedAt)
		}
	}
	templates := map[int]bool{}
	for _, t := range ds.Templates {
		claim(t.Id, fmt.Sprintf("template %d", t.Id))
		templates[t.Id] = true
		if !cats[t.CategoryId] {
			bad("template %d: category_id %d is not a category", t.Id, t.CategoryId)
		}
		if _, ok := templateTypes[t.Type]; !ok {
			bad("template %d: type %q: want Email, Todo, Sms or File", t.Id, t.Type)
		}
		if t.Name == "" {
			bad("template %d: name is required", t.Id)
		}
		if _, ok := parseMiniCRMTime(t.CreatedAt); t.CreatedAt != "" && !ok {
			bad("template %d: created_at %q: want YYYY-MM-DD hh:mm:ss", t.Id, t.CreatedAt)
		}
	}
	for _, m := range ds.Emails {
		claim(m.Id, fmt.Sprintf("email %d", m.Id))
		if !projects[m.ProjectId] {
			bad("email %d: project_id %d is not a project in this data set", m.Id, m.ProjectId)
		}
		if m.TemplateId != 0 && !templates[m.TemplateId] {
			bad("email %d: template_id %d is not a template in this data set", m.Id, m.TemplateId)
		}
		for _, at := range []string{m.CreatedAt, m.OpenedAt, m.ClickedAt, m.Unsubscribed} {
			if _, ok := parseMiniCRMTime(at); at != "" && !ok {
				bad("email %d: time %q: want YYYY-MM-DD hh:mm:ss", m.Id, at)
			}
		}
		if m.CreatedAt == "" {
			bad("email %d: created_at is required", m.Id)
		}
	}
	skus := map[string]int{}
	for _, p := range ds.Products {
		claim(p.Id, fmt.Sprintf("product %d", p.Id))
		if sku := strings.TrimSpace(scalarString(p.Fields["SKU"])); sku != "" {
			if prev, ok := skus[sku]; ok {
				bad("product %d: SKU %q is already product %d's (SKUs are unique)", p.Id, sku, prev)
			}
			skus[sku] = p.Id
		}
	}
	for _, f := range ds.ProductFolders {
		if strings.TrimSpace(f) == "" {
			bad("product_folders: a folder needs a name")
		}
	}
}

// catalogState is the store's part for the catalog endpoints.
type catalogState struct {
	addresses map[int]*address
	templates map[int]*SeedTemplate
	emails    map[int]*SeedEmail
	products  map[int]*product
	// connections link two cards (connections.go), keyed by the pair's
	// ids in ascending order.
	connections map[[2]int]*connection
}

// seedCatalog fills the store's catalog from the data set (already
// validated); now stamps records that carry no time.
func (s *store) seedCatalog(ds *Dataset, now time.Time) error {
	s.cat = catalogState{addresses: map[int]*address{}, templates: map[int]*SeedTemplate{},
		emails: map[int]*SeedEmail{}, products: map[int]*product{}, connections: map[[2]int]*connection{}}
	admin := s.apiUser()
	for _, sa := range ds.Addresses {
		at := now
		if t, ok := parseMiniCRMTime(sa.CreatedAt); ok {
			at = t
		}
		a := &address{Id: sa.Id, ContactId: sa.ContactId, Name: sa.Name, PostalCode: sa.PostalCode, City: sa.City,
			County: sa.County, Address: sa.Address, CreatedBy: admin, CreatedAt: at, UpdatedBy: admin, UpdatedAt: at}
		if sa.Type != "" {
			t, _ := addressTypeByValue(sa.Type)
			a.Type = t.Id
		}
		if sa.Country != "" {
			c, _ := countryByValue(sa.Country)
			a.Country = c.En
		}
		s.cat.addresses[a.Id] = a
		s.bump(a.Id)
		s.placeAddress(a, sa.Default)
	}
	for i := range ds.Templates {
		t := ds.Templates[i]
		s.cat.templates[t.Id] = &t
		s.bump(t.Id)
	}
	for i := range ds.Emails {
		m := ds.Emails[i]
		s.cat.emails[m.Id] = &m
		s.bump(m.Id)
	}
	for _, sp := range ds.Products {
		p := &product{Id: sp.Id, CreatedBy: admin, CreatedAt: now, UpdatedBy: admin, UpdatedAt: now}
		s.defaultProduct(p)
		if _, err := s.applyProduct(p, yamlMapToJSON(sp.Fields)); err != nil {
			return fmt.Errorf("product %d: %v", sp.Id, err)
		}
		s.cat.products[p.Id] = p
		s.bump(p.Id)
	}
	return nil
}

func yamlMapToJSON(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = yamlToJSON(v)
	}
	return out
}

// catalogSnapshot is what --state keeps of the catalog: every record, as
// addresses and products change through the API.
type catalogSnapshot struct {
	Addresses []*address      `json:"addresses,omitempty"`
	Templates []*SeedTemplate `json:"templates,omitempty"`
	Emails    []*SeedEmail    `json:"emails,omitempty"`
	Products  []*product      `json:"products,omitempty"`
	// Connections are in the order of their card ids.
	Connections []*connection `json:"connections,omitempty"`
}

func (s *store) catalogSnapshot() *catalogSnapshot {
	c := &catalogSnapshot{}
	for _, id := range sortedIDs(s.cat.addresses) {
		c.Addresses = append(c.Addresses, s.cat.addresses[id])
	}
	for _, id := range sortedIDs(s.cat.templates) {
		c.Templates = append(c.Templates, s.cat.templates[id])
	}
	for _, id := range sortedIDs(s.cat.emails) {
		c.Emails = append(c.Emails, s.cat.emails[id])
	}
	for _, id := range sortedIDs(s.cat.products) {
		c.Products = append(c.Products, s.cat.products[id])
	}
	for _, conn := range s.cat.connections {
		c.Connections = append(c.Connections, conn)
	}
	sort.Slice(c.Connections, func(i, j int) bool {
		a, b := c.Connections[i], c.Connections[j]
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
	return c
}

func (s *store) restoreCatalog(c *catalogSnapshot) {
	if c == nil {
		return
	}
	for _, a := range c.Addresses {
		s.cat.addresses[a.Id] = a
	}
	for _, t := range c.Templates {
		s.cat.templates[t.Id] = t
	}
	for _, m := range c.Emails {
		s.cat.emails[m.Id] = m
	}
	for _, p := range c.Products {
		s.cat.products[p.Id] = p
	}
	for _, conn := range c.Connections {
		s.cat.connections[connKey(conn.From, conn.To)] = conn
	}
}

// The catalog endpoints. Templates and e-mails are read-only (PUT is 405);
// products have no documented read, only the two PUTs.
func init() { routes = append(routes, catalogRoutes()...) }

func catalogRoutes() []route {
	get := func(h handlerFunc) map[string]handlerFunc { return map[string]handlerFunc{http.MethodGet: h} }
	put := map[string]bool{http.MethodPut: true}
	return []route{
		{segs: []string{"Api", "R3", "Schema", "Address"}, entity: "Schema", methods: get(getAddressSchema)},
		{segs: []string{"Api", "R3", "Address"}, entity: "Address", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: createAddress}},
		{segs: []string{"Api", "R3", "Address", "{id}"}, entity: "Address", mutates: put,
			methods: map[string]handlerFunc{http.MethodGet: getAddress, http.MethodPut: updateAddress}},
		{segs: []string{"Api", "R3", "AddressList", "{id}"}, entity: "AddressList", methods: get(getAddressList)},
		{segs: []string{"Api", "R3", "TemplateList", "{id}"}, entity: "TemplateList", methods: get(getTemplateList)},
		{segs: []string{"Api", "R3", "Template", "{id}"}, entity: "Template", methods: get(getTemplate)},
		{segs: []string{"Api", "R3", "EmailList", "{id}"}, entity: "EmailList", methods: get(getEmailList)},
		{segs: []string{"Api", "R3", "Product"}, entity: "Product", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: createProduct}},
		{segs: []string{"Api", "R3", "Product", "{id}"}, entity: "Product", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: updateProduct}},
	}
}
