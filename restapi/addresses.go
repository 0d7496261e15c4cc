package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// AddressesService reads and writes the addresses of contacts (companies
// and persons). MiniCRM keeps them apart from the contact record: a contact
// has any number of addresses, one of them its default. Addresses cannot
// be deleted through the API.
type AddressesService service

// Address is an address's detail record. Type is the address type's label
// (Székhely, Számlázási cím…); CountryId a country name ("Hungary").
type Address struct {
	Id         int
	ContactId  int
	Type       string
	Name       string
	CountryId  string
	PostalCode string
	City       string
	County     string
	Address    string
	Default    bool
	CreatedBy  string
	CreatedAt  string
	UpdatedBy  string
	UpdatedAt  string
	// Fields holds every member as received; Raw the answer itself.
	Fields map[string]any
	Raw    json.RawMessage
}

// UnmarshalJSON decodes a detail record, numbers or strings alike.
func (a *Address) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, ContactId, Default                                   FlexInt
		Type, Name, CountryId, PostalCode, City, County, Address FlexString
		CreatedBy, CreatedAt, UpdatedBy, UpdatedAt               FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := decodeFields(b)
	if err != nil {
		return err
	}
	*a = Address{Id: w.Id.Int(), ContactId: w.ContactId.Int(), Type: w.Type.String(), Name: w.Name.String(),
		CountryId: w.CountryId.String(), PostalCode: w.PostalCode.String(), City: w.City.String(),
		County: w.County.String(), Address: w.Address.String(), Default: w.Default.Int() == 1,
		CreatedBy: w.CreatedBy.String(), CreatedAt: w.CreatedAt.String(), UpdatedBy: w.UpdatedBy.String(),
		UpdatedAt: w.UpdatedAt.String(), Fields: fields, Raw: bytes.Clone(b)}
	return nil
}

// MarshalJSON encodes the record as received.
func (a Address) MarshalJSON() ([]byte, error) { return rawOrFields(a.Raw, a.Fields) }

// AddressSummary is one entry of AddressList. Display is the plain list's
// "<Name> (<address>)"; Address and Url come with the structured list.
type AddressSummary struct {
	Id      int
	Display string
	Address string
	Url     string
}

// Get returns an address's detail record.
//
// GET /Api/R3/Address/<Id>
func (s *AddressesService) Get(ctx context.Context, id int) (*Address, error) {
	return getDetail[Address](ctx, s.client, "Address", "address Id", id)
}

// List returns a contact's addresses as display strings, in the order the
// server sends them.
//
// GET /Api/R3/AddressList/<ContactId> → {"Results": {"<Id>": "<Name> (<address>)"}, "Count": N}
func (s *AddressesService) List(ctx context.Context, contactID int) ([]AddressSummary, error) {
	return s.list(ctx, contactID, false)
}

// ListStructured returns a contact's addresses with the address text and
// the detail Url apart.
//
// GET /Api/R3/AddressList/<ContactId>?Structured=1 → {"Results": {"<Id>": {"Id", "Address", "Url"}}, "Count": N}
func (s *AddressesService) ListStructured(ctx context.Context, contactID int) ([]AddressSummary, error) {
	return s.list(ctx, contactID, true)
}

func (s *AddressesService) list(ctx context.Context, contactID int, structured bool) ([]AddressSummary, error) {
	if err := checkID("contact Id", contactID); err != nil {
		return nil, err
	}
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/AddressList/" + itoa(contactID), pattern: "/Api/R3/AddressList/{id}", safe: true}
	if structured {
		r.query = url.Values{"Structured": {"1"}}
	}
	data, err := s.client.do(ctx, r)
	if err != nil {
		return nil, err
	}
	// AddressList does not page: everything comes at once.
	raw, err := decodeList(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.endpoint(), err)
	}
	out := make([]AddressSummary, 0, len(raw.Items))
	for _, m := range raw.Items {
		var a AddressSummary
		if structured {
			var w struct {
				Id           FlexInt
				Address, Url FlexString
			}
			if err := json.Unmarshal(m.Value, &w); err != nil {
				return nil, fmt.Errorf("%s %s: address %s: %w", r.method, r.endpoint(), truncate(m.Key, 20), err)
			}
			a = AddressSummary{Id: w.Id.Int(), Address: w.Address.String(), Url: w.Url.String()}
		} else {
			var d FlexString
			if err := json.Unmarshal(m.Value, &d); err != nil {
				return nil, fmt.Errorf("%s %s: address %s: %w", r.method, r.endpoint(), truncate(m.Key, 20), err)
			}
			a.Display = d.String()
		}
		if a.Id == 0 {
			id, err := strconv.Atoi(m.Key)
			if err != nil {
				return nil, fmt.Errorf("%s %s: address key %q is not a number", r.method, r.endpoint(), truncate(m.Key, 20))
			}
			a.Id = id
		}
		out = append(out, a)
	}
	return out, nil
}

// Create adds an address to a contact and returns its Id; f["ContactId"]
// and f["Name"] are required, Type must be a value of the address schema,
// CountryId is a country name. The contact's first address becomes its
// default; {"Default": 1} makes a later one the default. Not retried after
// a 5xx or a lost connection (*UnknownOutcomeError): List the contact's
// addresses before creating again.
//
// PUT /Api/R3/Address → {"Id": N}
func (s *AddressesService) Create(ctx context.Context, f Fields) (int, error) {
	if _, ok := f["ContactId"]; !ok {
		return 0, errors.New("restapi: creating an address needs ContactId")
	}
	if _, ok := f["Name"]; !ok {
		return 0, errors.New("restapi: creating an address needs Name")
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Address", pattern: "/Api/R3/Address", body: f})
}

// Update changes the given fields of an address; ContactId cannot change.
// Retried like a read.
//
// PUT /Api/R3/Address/<Id> → {"Id": N}
func (s *AddressesService) Update(ctx context.Context, id int, f Fields) (int, error) {
	if err := checkID("address Id", id); err != nil {
		return 0, err
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Address/" + itoa(id),
		pattern: "/Api/R3/Address/{id}", body: f, safe: true})
}
