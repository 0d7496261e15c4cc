package xmlfeed

// Card is one <Project> of a feed: a MiniCRM card with, optionally, the
// company and the people it belongs to and the orders and offers of its
// customer. Values are text exactly as they go into the file: option ids
// (or labels) for dropdowns, "2006-01-02" dates, "2006-01-02 15:04:05"
// date-times, numbers without grouping.
type Card struct {
	// ID is Project@Id, the source's own id for the card. MiniCRM stores it
	// as the card's ReferenceId and updates that card when the same Id comes
	// again; it is the only element a card needs in every feed.
	ID string
	// Loc says where the card came from ("clients.csv:12"), for reports of
	// dropped characters and rejected rows; it is not written.
	Loc string
	// Line is the line of the <Project> start tag (Reader only).
	Line int
	// Fields are the card's own fields by API name, in the order written:
	// Name, CategoryId, StatusId, UserId first by convention, then any
	// system or custom card field. An empty Value writes an empty element.
	Fields []Field
	// Business is the company (<Business>), or nil.
	Business *Business
	// Contacts are the card's people (<Contacts><Contact>…).
	Contacts []Contact
	// Orders and Offers are webshop documents of the card's customer.
	Orders []Document
	Offers []Document
	// Unknown lists elements under <Project> with children of their own
	// that the format does not know (Reader only; the Writer never writes
	// them), as "Name (line N)".
	Unknown []string
}

// Field is one simple element, <Name>Value</Name>.
type Field struct {
	Name  string
	Value string
}

// Business is the <Business> element: the company of the card.
type Business struct {
	// Fields are Business fields by API name (Name, VatNumber,
	// RegistrationNumber, custom fields…).
	Fields    []Field
	Addresses []Address
	// Emails and Phones are written as <Emails><Email><Value>…, the form the
	// official WooCommerce plugin sends.
	Emails []string
	Phones []string
}

// Address is one <Address> of a Business or a Contact: Type (a value of
// the address schema), Name, CountryId (a country name, e.g.
// "Magyarország"), PostalCode, City, County, Address.
type Address struct {
	Fields []Field
}

// Contact is one <Contact> of <Contacts>: a person.
type Contact struct {
	// ID is Contact@Id, the source's id for the person; MiniCRM most likely
	// stores it as the contact's ReferenceId (minicrm-facts.md 1.4, [I]).
	// Empty: no Id attribute is written.
	ID string
	// Fields are Person fields by API name: FirstName, LastName, Email,
	// Phone (flat, as PEN's production code sends them), custom fields.
	Fields []Field
	// Addresses are the person's addresses, written as <Addresses> in the
	// same form as a Business's.
	Addresses []Address
}

// Document is an <Order> or an <Offer>.
type Document struct {
	// ID is Order@Id or Offer@Id, the source's id for the document.
	ID string
	// Fields are the document's own elements: Number, CurrencyCode,
	// Language, Performance, Status, PaymentMethod, Subject, Prompt…
	Fields []Field
	// Customer is the billing party: Name, CountryId, PostalCode, City,
	// Address (required by the official sample file, [C-code]).
	Customer []Field
	Products []Product
	// Project are fields of the order's (offer's) own card in the
	// Megrendelés (Ajánlat) module, by API name; written as <Project>.
	Project []Field
}

// Product is one <Product> line of a document.
type Product struct {
	// ID is Product@Id, the source's product id (required).
	ID string
	// Fields: Name, SKU, EAN, Description, PriceNet (net unit price),
	// Quantity, Unit, VAT ("27%"), FolderName.
	Fields []Field
}

// Get returns the value of the first field of that name.
func Get(fields []Field, name string) (string, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Field returns the value of one of the card's own fields.
func (c *Card) Field(name string) (string, bool) { return Get(c.Fields, name) }
