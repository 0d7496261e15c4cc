package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // MiniCRM speaks Hungarian local time; don't depend on the host's zoneinfo.
)

// ContactsService searches, reads and writes contacts: businesses
// (companies) and persons (contact persons), and deletes persons.
type ContactsService service

// Fields is the body of a create or update: field API names (case-
// sensitive) to values. Dropdown fields take the option's id or label.
// Send only the fields to change.
type Fields map[string]any

// ContactItem is a contact as search results show it.
type ContactItem struct {
	Id   int    `json:"Id"`
	Name string `json:"Name"`
	Url  string `json:"Url"`
	// Type is "Person" or "Business" in lists.
	Type  string `json:"Type"`
	Email string `json:"Email"`
	Phone string `json:"Phone"`
	// BusinessId is the company a person belongs to (persons only).
	BusinessId int `json:"BusinessId,omitempty"`
}

// UnmarshalJSON accepts ids as numbers or strings.
func (c *ContactItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, BusinessId                FlexInt
		Name, Url, Type, Email, Phone FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = ContactItem{Id: w.Id.Int(), Name: w.Name.String(), Url: w.Url.String(), Type: w.Type.String(),
		Email: w.Email.String(), Phone: w.Phone.String(), BusinessId: w.BusinessId.Int()}
	return nil
}

func (c *ContactItem) itemID() int { return c.Id }

// Contact is a contact's detail record. The typed fields are the system
// fields every MiniCRM system has; Fields holds every field of the record
// as received, custom ones included (numbers as json.Number), so nothing is
// lost. Dropdown fields hold labels here (lists and webhooks give ids).
type Contact struct {
	Id int
	// Type is as sent: in detail records a localized label ("Személy" and
	// "Cég" on a Hungarian system). Kind gives Person or Business.
	Type        string
	Name        string // businesses
	FirstName   string // persons
	LastName    string // persons
	Email       string
	Phone       string
	Description string
	BusinessId  int
	Deleted     int
	CreatedBy   string
	CreatedAt   string
	UpdatedBy   string
	UpdatedAt   string
	Fields      map[string]any
	// Raw is the record as received.
	Raw json.RawMessage
}

// Kind is "Person" or "Business", from the localized Type label or, failing
// that, from the fields the record has ("" when neither tells).
func (c *Contact) Kind() string {
	switch strings.ToLower(c.Type) {
	case "person", "személy", "szemely", "persoană", "persoana":
		return "Person"
	case "business", "cég", "ceg", "company", "firmă", "firma":
		return "Business"
	}
	if _, ok := c.Fields["FirstName"]; ok {
		return "Person"
	}
	if _, ok := c.Fields["Name"]; ok {
		return "Business"
	}
	return ""
}

// UnmarshalJSON decodes a detail record.
func (c *Contact) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, BusinessId, Deleted                                    FlexInt
		Type, Name, FirstName, LastName, Email, Phone, Description FlexString
		CreatedBy, CreatedAt, UpdatedBy, UpdatedAt                 FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := decodeFields(b)
	if err != nil {
		return err
	}
	*c = Contact{Id: w.Id.Int(), Type: w.Type.String(), Name: w.Name.String(), FirstName: w.FirstName.String(),
		LastName: w.LastName.String(), Email: w.Email.String(), Phone: w.Phone.String(), Description: w.Description.String(),
		BusinessId: w.BusinessId.Int(), Deleted: w.Deleted.Int(), CreatedBy: w.CreatedBy.String(), CreatedAt: w.CreatedAt.String(),
		UpdatedBy: w.UpdatedBy.String(), UpdatedAt: w.UpdatedAt.String(), Fields: fields, Raw: bytes.Clone(b)}
	return nil
}

// MarshalJSON encodes the record as received.
func (c Contact) MarshalJSON() ([]byte, error) { return rawOrFields(c.Raw, c.Fields) }

// ContactSearchOptions are the criteria of a contact search; they combine.
// Zero values are not sent.
type ContactSearchOptions struct {
	// Email matches one of a contact's email addresses exactly.
	Email string
	// Phone matches a phone number after normalization, from the end.
	Phone string
	// Query matches whole words of any text field, ignoring case and
	// accents; a phone number is normalized and matched from the end.
	Query string
	// Name matches part of the name.
	Name string
	// Type is "Person" or "Business".
	Type string
	// MainContactId lists a business and its persons.
	MainContactId int
	// UpdatedSince lists contacts changed at or after this time (sent in
	// Hungarian local time, to the second).
	UpdatedSince time.Time
	// Fields are criteria on any field by API name, e.g.
	// {"KedvencEtele": "Alma"}; dropdowns take the id or the label.
	Fields map[string]string
}

func (o ContactSearchOptions) values() url.Values {
	q := url.Values{}
	for k, v := range o.Fields {
		q.Set(k, v)
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("Email", o.Email)
	set("Phone", o.Phone)
	set("Query", o.Query)
	set("Name", o.Name)
	set("Type", o.Type)
	if o.MainContactId > 0 {
		q.Set("MainContactId", itoa(o.MainContactId))
	}
	if !o.UpdatedSince.IsZero() {
		q.Set("UpdatedSince", FormatTime(o.UpdatedSince))
	}
	return q
}

func (s *ContactsService) searchRequest(opts ContactSearchOptions) apiRequest {
	return apiRequest{method: http.MethodGet, path: "Api/R3/Contact", pattern: "/Api/R3/Contact", query: opts.values(), safe: true}
}

// SearchPage returns one page (from 0) of a contact search.
//
// GET /Api/R3/Contact?…&Page=N
func (s *ContactsService) SearchPage(ctx context.Context, opts ContactSearchOptions, page int) (*Page[ContactItem], error) {
	return fetchPage[ContactItem](ctx, s.client, s.searchRequest(opts), page)
}

// Search walks every page of a contact search and yields each contact once.
// With no criteria it lists every contact.
//
// Paging guarantees, when records change during the walk (MiniCRM pages by
// offset, 100 a page, and offers no snapshot):
//   - no contact is yielded twice;
//   - a Count that grows does not end the walk early, one that shrinks
//     does not make it loop;
//   - a contact that exists for the whole walk is yielded, unless a
//     deletion during the walk moved it onto a page already read;
//   - contacts created or changed during the walk may or may not appear.
//
// For a complete picture, note the time before the walk, and after it walk
// again with UpdatedSince set to that time: that catches everything created
// or changed meanwhile. If contacts may also have been deleted during the
// walk, repeat the full walk and take the union.
func (s *ContactsService) Search(ctx context.Context, opts ContactSearchOptions) iter.Seq2[ContactItem, error] {
	r := s.searchRequest(opts)
	return walk(ctx, func(ctx context.Context, page int) (*Page[ContactItem], error) {
		return fetchPage[ContactItem](ctx, s.client, r, page)
	})
}

// Get returns a contact's detail record.
//
// GET /Api/R3/Contact/<Id>
func (s *ContactsService) Get(ctx context.Context, id int) (*Contact, error) {
	return getDetail[Contact](ctx, s.client, "Contact", "contact Id", id)
}

// Create adds a business (Type "Business", Name required) or a person (Type
// "Person", FirstName required; BusinessId attaches it to a company) and
// returns its Id. b is a ContactRequest, or Fields with "Type" among them.
//
// It is not retried after a 5xx or a lost connection: such failures are an
// *UnknownOutcomeError, and the caller should search (by Email, say) before
// creating again.
//
// PUT /Api/R3/Contact → {"Id": N}
func (s *ContactsService) Create(ctx context.Context, b ContactBody) (int, error) {
	f := b.contactBody()
	if t, _ := f[FieldType].(string); t != "Person" && t != "Business" {
		return 0, fmt.Errorf("restapi: creating a contact needs Type \"Person\" or \"Business\", got %v", f["Type"])
	}
	r := &apiRequest{method: http.MethodPut, path: "Api/R3/Contact", pattern: "/Api/R3/Contact", body: f}
	return s.client.write(ctx, r)
}

// Update changes the given fields of a contact. A new Email or Phone is
// added and becomes the default; Type and the business cannot change. It is
// retried like a read: setting the same values twice is harmless.
//
// PUT /Api/R3/Contact/<Id> → {"Id": N}
func (s *ContactsService) Update(ctx context.Context, id int, b ContactBody) (int, error) {
	if err := checkID("contact Id", id); err != nil {
		return 0, err
	}
	r := &apiRequest{method: http.MethodPut, path: "Api/R3/Contact/" + itoa(id), pattern: "/Api/R3/Contact/{id}", body: b.contactBody(), safe: true}
	return s.client.write(ctx, r)
}

// Purge deletes a person who is nobody's primary contact and returns the
// server's message. A refusal (a business, a primary contact) is a 400
// *APIError whose Message is the server's. Not retried after a lost answer:
// an *UnknownOutcomeError then means "look it up with Get; ErrNotFound means
// it is gone".
//
// GET /Api/R3/PurgePerson/<Id> → {"Message": "…"}
func (s *ContactsService) Purge(ctx context.Context, id int) (string, error) {
	if err := checkID("contact Id", id); err != nil {
		return "", err
	}
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/PurgePerson/" + itoa(id), pattern: "/Api/R3/PurgePerson/{id}"}
	data, err := s.client.do(ctx, r)
	if err != nil {
		return "", err
	}
	var m struct{ Message FlexString }
	if err := decodeInto(r, data, &m); err != nil {
		return "", err
	}
	return m.Message.String(), nil
}

var budapest = mustLoadLocation("Europe/Budapest")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}

// FormatTime renders t the way MiniCRM's filters take it: Hungarian local
// time, "2006-01-02 15:04:05".
func FormatTime(t time.Time) string { return t.In(budapest).Format("2006-01-02 15:04:05") }

// ParseTime reads a MiniCRM timestamp ("2006-01-02 15:04:05", or a date) as
// Hungarian local time. "0000-00-00 00:00:00" and "" are the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, budapest); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("restapi: %q is not a MiniCRM date or time", truncate(s, 40))
}

// rawOrFields encodes a detail record as received, or its Fields when it was
// built by hand.
func rawOrFields(raw json.RawMessage, fields map[string]any) ([]byte, error) {
	if len(raw) > 0 {
		return raw, nil
	}
	if fields == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(fields)
}
