package restapi

import "encoding/json"

// The wire names of the members ContactRequest and ProjectRequest type,
// for callers that name changed fields in reports.
const (
	FieldType       = "Type"
	FieldBusinessId = "BusinessId"
	FieldCategoryId = "CategoryId"
	FieldContactId  = "ContactId"
)

// ContactRequest is the body of a contact's create or update, with the
// system fields typed; Fields holds the others by API name (it must not
// repeat a typed member). On the wire it is one flat object, exactly what
// json.Marshal makes of the equivalent Fields.
type ContactRequest struct {
	// Type is "Business" or "Person": required to create, never changed
	// by an update ("" sends none).
	Type string
	// BusinessId attaches a person to a company (0 sends none).
	BusinessId int
	Fields     Fields
}

// ProjectRequest is the body of a card's create or update, with the system
// fields typed; Fields holds the others by API name (it must not repeat a
// typed member). On the wire it is one flat object.
type ProjectRequest struct {
	// CategoryId is the card's module: required to create, never changed
	// by an update (0 sends none).
	CategoryId int
	// ContactId is the card's contact (0 sends none).
	ContactId int
	Fields    Fields
}

// Body is the request as one Fields map: what is sent, and what a journal
// of creates records.
func (r ContactRequest) Body() Fields {
	b := make(Fields, len(r.Fields)+2)
	for k, v := range r.Fields {
		b[k] = v
	}
	if r.Type != "" {
		b[FieldType] = r.Type
	}
	if r.BusinessId != 0 {
		b[FieldBusinessId] = r.BusinessId
	}
	return b
}

// Body is the request as one Fields map: what is sent, and what a journal
// of creates records.
func (r ProjectRequest) Body() Fields {
	b := make(Fields, len(r.Fields)+2)
	for k, v := range r.Fields {
		b[k] = v
	}
	if r.CategoryId != 0 {
		b[FieldCategoryId] = r.CategoryId
	}
	if r.ContactId != 0 {
		b[FieldContactId] = r.ContactId
	}
	return b
}

// MarshalJSON writes the request as MiniCRM takes it.
func (r ContactRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.Body()) }

// MarshalJSON writes the request as MiniCRM takes it.
func (r ProjectRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.Body()) }

// ContactBody is what Contacts.Create and Update send: a ContactRequest, or
// Fields built by hand.
type ContactBody interface{ contactBody() Fields }

// ProjectBody is what Projects.Create and Update send: a ProjectRequest, or
// Fields built by hand.
type ProjectBody interface{ projectBody() Fields }

func (f Fields) contactBody() Fields         { return f }
func (f Fields) projectBody() Fields         { return f }
func (r ContactRequest) contactBody() Fields { return r.Body() }
func (r ProjectRequest) projectBody() Fields { return r.Body() }
