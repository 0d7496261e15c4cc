package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// OrdersService manages orders (the Order module's documents). An order's Id
// is not its card's Id (ProjectId).
type OrdersService struct{ documents }

// InvoicesService manages invoices. MiniCRM's 2025 manual says
// /Api/Invoice is outside the rate limit; this client paces it anyway.
type InvoicesService struct{ documents }

// OffersService manages offers (quotes). Offers are created in their
// module's first status; their items cannot change through the API.
type OffersService struct{ documents }

// documents is the code the three document services share; kind is
// "Order", "Invoice" or "Offer", the path segment after /Api/.
type documents struct {
	client *Client
	kind   string
}

// Document is an order, invoice or offer as its detail (and every write)
// answers. Values are as sent: amounts and quantities keep their text
// ("7500", "2 000,00", "15.0000"). Fields holds every member as received.
type Document struct {
	Id          FlexInt    `json:"Id"`
	ProjectId   FlexInt    `json:"ProjectId"`
	CustomerId  FlexInt    `json:"CustomerId"`
	Number      FlexString `json:"Number"`
	Type        FlexString `json:"Type"`
	Status      FlexString `json:"Status"`
	StatusGroup FlexString `json:"StatusGroup"`
	InvoiceMode FlexString `json:"InvoiceMode"`
	Media       FlexString `json:"Media"`
	Language    FlexString `json:"Language"`
	Customer    Party      `json:"Customer"`
	Vendor      Party      `json:"Vendor"`
	Subject     FlexString `json:"Subject"`
	// PaymentMethod is e.g. Cash, WiredTransfer.
	PaymentMethod FlexString     `json:"PaymentMethod"`
	Issued        FlexString     `json:"Issued"`
	Performance   FlexString     `json:"Performance"`
	Prompt        FlexString     `json:"Prompt"`
	Paid          FlexString     `json:"Paid"`
	CurrencyCode  FlexString     `json:"CurrencyCode"`
	AmountNet     FlexString     `json:"AmountNet"`
	AmountVat     FlexString     `json:"AmountVat"`
	Amount        FlexString     `json:"Amount"`
	VATMode       FlexString     `json:"VATMode"`
	Accounting    FlexString     `json:"Accounting"`
	DocumentUrl   FlexString     `json:"DocumentUrl"`
	Items         []DocumentLine `json:"Items"`
	// Project holds the document card's own fields.
	Project map[string]any  `json:"Project"`
	Fields  map[string]any  `json:"-"`
	Raw     json.RawMessage `json:"-"`
}

// Party is a document's customer (buyer) or vendor.
type Party struct {
	Name                      FlexString `json:"Name"`
	CountryId                 FlexString `json:"CountryId"`
	Country                   FlexString `json:"Country"`
	County                    FlexString `json:"County"`
	PostalCode                FlexString `json:"PostalCode"`
	City                      FlexString `json:"City"`
	Address                   FlexString `json:"Address"`
	AccountNumber             FlexString `json:"AccountNumber"`
	IBAN                      FlexString `json:"IBAN"`
	SWIFT                     FlexString `json:"SWIFT"`
	VatNumber                 FlexString `json:"VatNumber"`
	EUVatNumber               FlexString `json:"EUVatNumber"`
	RegistrationNumber        FlexString `json:"RegistrationNumber"`
	GroupIdentificationNumber FlexString `json:"GroupIdentificationNumber"`
}

// DocumentLine is one item (line) of a document.
type DocumentLine struct {
	Id            FlexInt    `json:"Id"`
	SKU           FlexString `json:"SKU"`
	EAN           FlexString `json:"EAN"`
	Name          FlexString `json:"Name"`
	Description   FlexString `json:"Description"`
	PriceNet      FlexString `json:"PriceNet"`
	Quantity      FlexString `json:"Quantity"`
	Unit          FlexString `json:"Unit"`
	PriceNetTotal FlexString `json:"PriceNetTotal"`
	VAT           FlexString `json:"VAT"`
	VATSubtype    FlexString `json:"VATSubtype"`
	PriceTotal    FlexString `json:"PriceTotal"`
}

// UnmarshalJSON decodes a document, keeping every member in Fields.
func (d *Document) UnmarshalJSON(b []byte) error {
	type plain Document
	fields, err := decodeFields(b)
	if err != nil {
		return err
	}
	var p plain
	if err := json.Unmarshal(phpEmpties(b, []string{"Customer", "Vendor", "Project"}, []string{"Items"}), &p); err != nil {
		return err
	}
	p.Fields, p.Raw = fields, bytes.Clone(b)
	*d = Document(p)
	return nil
}

// MarshalJSON encodes the document as received.
func (d Document) MarshalJSON() ([]byte, error) {
	if len(d.Raw) > 0 {
		return d.Raw, nil
	}
	type plain Document
	return json.Marshal(plain(d))
}

// DocumentSummary is a document as the List endpoints show it.
type DocumentSummary struct {
	Id           FlexInt    `json:"Id"`
	ProjectId    FlexInt    `json:"ProjectId"`
	StornedId    FlexInt    `json:"StornedId"`
	Number       FlexString `json:"Number"`
	Type         FlexString `json:"Type"`
	Issued       FlexString `json:"Issued"`
	Performance  FlexString `json:"Performance"`
	Prompt       FlexString `json:"Prompt"`
	Paid         FlexString `json:"Paid"`
	CurrencyCode FlexString `json:"CurrencyCode"`
	AmountNet    FlexString `json:"AmountNet"`
	AmountVat    FlexString `json:"AmountVat"`
	Amount       FlexString `json:"Amount"`
	Status       FlexString `json:"Status"`
	StatusGroup  FlexString `json:"StatusGroup"`
	DocumentUrl  FlexString `json:"DocumentUrl"`
}

func (d *DocumentSummary) itemID() int { return d.Id.Int() }

// DocumentListOptions filter a document list.
type DocumentListOptions struct {
	// UpdatedSince lists documents changed at or after this time.
	UpdatedSince time.Time
	// StatusGroup is Lead, Open, Success or Failed.
	StatusGroup string
}

func (s *documents) base() string { return "Api/" + s.kind }

func (s *documents) req(method, suffix, patternSuffix string, body any, safe bool) *apiRequest {
	return &apiRequest{method: method, path: s.base() + suffix, pattern: "/" + s.base() + patternSuffix, body: body, safe: safe}
}

// call sends r and decodes the document the server answers with.
func (s *documents) call(ctx context.Context, r *apiRequest) (*Document, error) {
	data, err := s.client.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var d Document
	if err := decodeInto(r, data, &d); err != nil {
		if !r.safe {
			s.client.stats.unknownOutcome()
			return nil, &UnknownOutcomeError{Method: r.method, Endpoint: r.endpoint(), Err: err}
		}
		return nil, err
	}
	return &d, nil
}

func (s *documents) get(ctx context.Context, id int) (*Document, error) {
	if err := checkID(s.kind+" Id", id); err != nil {
		return nil, err
	}
	return s.call(ctx, s.req(http.MethodGet, "/"+itoa(id), "/{id}", nil, true))
}

func (s *documents) create(ctx context.Context, f Fields) (*Document, error) {
	if f["CustomerId"] == nil && f["ReferenceId"] == nil {
		return nil, fmt.Errorf("restapi: creating an %s needs CustomerId or ReferenceId", s.kind)
	}
	return s.call(ctx, s.req(http.MethodPost, "", "", f, false))
}

func (s *documents) updateProject(ctx context.Context, id int, f Fields) (*Document, error) {
	if err := checkID(s.kind+" Id", id); err != nil {
		return nil, err
	}
	if len(f) == 0 {
		return nil, errors.New("restapi: no fields to change")
	}
	return s.call(ctx, s.req(http.MethodPost, "/"+itoa(id)+"/Project", "/{id}/Project", f, true))
}

// transition changes a document's status; sent twice, the second would be
// refused (or, for a storno, make a second document), so it is never
// resent after a lost answer.
func (s *documents) transition(ctx context.Context, method string, id int, action string, body Fields) (*Document, error) {
	if err := checkID(s.kind+" Id", id); err != nil {
		return nil, err
	}
	var b any
	if len(body) > 0 {
		b = body
	}
	return s.call(ctx, s.req(method, "/"+itoa(id)+"/"+action, "/{id}/"+action, b, false))
}

func (s *documents) listRequest(opts DocumentListOptions) apiRequest {
	q := url.Values{}
	if !opts.UpdatedSince.IsZero() {
		q.Set("UpdatedSince", FormatTime(opts.UpdatedSince))
	}
	if opts.StatusGroup != "" {
		q.Set("StatusGroup", opts.StatusGroup)
	}
	return apiRequest{method: http.MethodGet, path: s.base() + "/List", pattern: "/" + s.base() + "/List", query: q, safe: true}
}

func (s *documents) list(ctx context.Context, opts DocumentListOptions) iter.Seq2[DocumentSummary, error] {
	r := s.listRequest(opts)
	return walk(ctx, func(ctx context.Context, page int) (*Page[DocumentSummary], error) {
		return fetchPage[DocumentSummary](ctx, s.client, r, page)
	})
}

func (s *documents) listPage(ctx context.Context, opts DocumentListOptions, page int) (*Page[DocumentSummary], error) {
	return fetchPage[DocumentSummary](ctx, s.client, s.listRequest(opts), page)
}

// ListPage reads one page (100 items, Page from 0) of the issued orders,
// for callers that walk the pages themselves without remembering what they
// saw (an export of any size).
//
// GET /Api/Order/List?Page=N
func (s *OrdersService) ListPage(ctx context.Context, opts DocumentListOptions, page int) (*Page[DocumentSummary], error) {
	return s.listPage(ctx, opts, page)
}

// ListPage reads one page of the issued invoices.
//
// GET /Api/Invoice/List?Page=N
func (s *InvoicesService) ListPage(ctx context.Context, opts DocumentListOptions, page int) (*Page[DocumentSummary], error) {
	return s.listPage(ctx, opts, page)
}

// ListPage reads one page of the issued offers.
//
// GET /Api/Offer/List?Page=N
func (s *OffersService) ListPage(ctx context.Context, opts DocumentListOptions, page int) (*Page[DocumentSummary], error) {
	return s.listPage(ctx, opts, page)
}

// Get returns an order.
//
// GET /Api/Order/<Id>
func (s *OrdersService) Get(ctx context.Context, id int) (*Document, error) { return s.get(ctx, id) }

// Create makes an order in Draft status and returns it, Id and computed
// amounts included. f needs CustomerId (a contact's Id) or ReferenceId (a
// card's external id); Customer, CurrencyCode, Subject and Items are
// optional. Never resent after a 5xx or a lost connection
// (*UnknownOutcomeError).
//
// POST /Api/Order
func (s *OrdersService) Create(ctx context.Context, f Fields) (*Document, error) {
	return s.create(ctx, f)
}

// Update changes a Draft order (CustomerId or ReferenceId required;
// CurrencyCode cannot change). Items with an Id replace that line; items
// without one are added, so such an update is never resent after a lost
// answer (*UnknownOutcomeError); otherwise it is retried like a read.
//
// POST /Api/Order/<Id>
func (s *OrdersService) Update(ctx context.Context, id int, f Fields) (*Document, error) {
	if err := checkID("Order Id", id); err != nil {
		return nil, err
	}
	if f["CustomerId"] == nil && f["ReferenceId"] == nil {
		return nil, errors.New("restapi: updating an Order needs CustomerId or ReferenceId")
	}
	return s.call(ctx, s.req(http.MethodPost, "/"+itoa(id), "/{id}", f, !addsItems(f)))
}

// addsItems reports whether f has an item without an Id (a new line).
func addsItems(f Fields) bool {
	raw, ok := f["Items"]
	if !ok {
		return false
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return true
	}
	var items []struct{ Id FlexInt }
	if err := json.Unmarshal(b, &items); err != nil {
		return true
	}
	for _, it := range items {
		if it.Id <= 0 {
			return true
		}
	}
	return false
}

// DeleteItem removes a line of a Draft order and returns the order. Sent
// twice, the second is refused, so it is never resent after a lost answer.
//
// GET /Api/Order/<Id>/DeleteItem/<ItemId>
func (s *OrdersService) DeleteItem(ctx context.Context, id, itemID int) (*Document, error) {
	if err := checkID("Order Id", id); err != nil {
		return nil, err
	}
	if err := checkID("Order item Id", itemID); err != nil {
		return nil, err
	}
	return s.call(ctx, s.req(http.MethodGet, "/"+itoa(id)+"/DeleteItem/"+itoa(itemID), "/{id}/DeleteItem/{id}", nil, false))
}

// UpdateProject changes the order card's own fields, whatever the status.
// Retried like a read.
//
// POST /Api/Order/<Id>/Project
func (s *OrdersService) UpdateProject(ctx context.Context, id int, f Fields) (*Document, error) {
	return s.updateProject(ctx, id, f)
}

// Finalize moves a Draft order to In progress.
//
// GET /Api/Order/<Id>/Finalize
func (s *OrdersService) Finalize(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodGet, id, "Finalize", nil)
}

// Edit moves an In progress order back to Draft.
//
// GET /Api/Order/<Id>/Edit
func (s *OrdersService) Edit(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodGet, id, "Edit", nil)
}

// Complete moves an In progress order to Completed.
//
// GET /Api/Order/<Id>/Complete
func (s *OrdersService) Complete(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodGet, id, "Complete", nil)
}

// Paid moves a Completed or Failed order to Paid (successful).
//
// GET /Api/Order/<Id>/Paid
func (s *OrdersService) Paid(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodGet, id, "Paid", nil)
}

// Storno moves a Completed or Paid order to Failed. Other transitions are
// refused with 405 (ErrMethodNotAllowed).
//
// GET /Api/Order/<Id>/Storno
func (s *OrdersService) Storno(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodGet, id, "Storno", nil)
}

// List walks the issued orders, most recently changed first, with the
// paging guarantees ContactsService.Search describes.
//
// GET /Api/Order/List
func (s *OrdersService) List(ctx context.Context, opts DocumentListOptions) iter.Seq2[DocumentSummary, error] {
	return s.list(ctx, opts)
}

// Get returns an invoice.
//
// GET /Api/Invoice/<Id>
func (s *InvoicesService) Get(ctx context.Context, id int) (*Document, error) { return s.get(ctx, id) }

// Create issues an invoice and returns it. f needs CustomerId or
// ReferenceId; "ForcesInvoiceOnPerson": "1" invoices a company's person,
// "VATMode": "ReverseCharge" reverse charge. Never resent after a 5xx or a
// lost connection (*UnknownOutcomeError).
//
// POST /Api/Invoice
func (s *InvoicesService) Create(ctx context.Context, f Fields) (*Document, error) {
	return s.create(ctx, f)
}

// Paid marks an issued invoice paid; for a pro forma it issues the paid
// invoice and returns that one. f may carry an updated Customer (or be nil).
//
// POST /Api/Invoice/<Id>/Paid
func (s *InvoicesService) Paid(ctx context.Context, id int, f Fields) (*Document, error) {
	return s.transition(ctx, http.MethodPost, id, "Paid", f)
}

// Storno cancels an invoice; for an invoice MiniCRM issues a storno invoice
// and returns that one.
//
// POST /Api/Invoice/<Id>/Storno
func (s *InvoicesService) Storno(ctx context.Context, id int) (*Document, error) {
	return s.transition(ctx, http.MethodPost, id, "Storno", nil)
}

// UpdateProject changes the invoice card's own fields (not UserId or
// StatusId). Retried like a read.
//
// POST /Api/Invoice/<Id>/Project
func (s *InvoicesService) UpdateProject(ctx context.Context, id int, f Fields) (*Document, error) {
	return s.updateProject(ctx, id, f)
}

// List walks the issued invoices, most recently changed first.
//
// GET /Api/Invoice/List
func (s *InvoicesService) List(ctx context.Context, opts DocumentListOptions) iter.Seq2[DocumentSummary, error] {
	return s.list(ctx, opts)
}

// Get returns an offer.
//
// GET /Api/Offer/<Id>
func (s *OffersService) Get(ctx context.Context, id int) (*Document, error) { return s.get(ctx, id) }

// Create makes an offer in its module's first status and returns it. f needs
// CustomerId or ReferenceId. Never resent after a 5xx or a lost connection
// (*UnknownOutcomeError).
//
// POST /Api/Offer
func (s *OffersService) Create(ctx context.Context, f Fields) (*Document, error) {
	return s.create(ctx, f)
}

// UpdateProject changes the offer card's fields, StatusId included (by id
// or label). Retried like a read.
//
// POST /Api/Offer/<Id>/Project
func (s *OffersService) UpdateProject(ctx context.Context, id int, f Fields) (*Document, error) {
	return s.updateProject(ctx, id, f)
}

// List walks the issued offers, most recently changed first.
//
// GET /Api/Offer/List
func (s *OffersService) List(ctx context.Context, opts DocumentListOptions) iter.Seq2[DocumentSummary, error] {
	return s.list(ctx, opts)
}

// phpEmpties rewrites what PHP's serializer makes of empty or associative
// arrays so that they decode into Go types: [] where an object is expected
// becomes {}, and an object where a list is expected becomes the list of its
// values (in order). Other members are left alone; b is returned unchanged
// when nothing needs rewriting or it is not an object.
func phpEmpties(b []byte, objects, lists []string) []byte {
	members, err := decodeObject(stripBOM(b))
	if err != nil {
		return b
	}
	changed := false
	for i, m := range members {
		v := bytes.TrimSpace(m.Value)
		if len(v) == 0 {
			continue
		}
		for _, k := range objects {
			if m.Key == k && v[0] == '[' {
				members[i].Value, changed = json.RawMessage("{}"), true
			}
		}
		for _, k := range lists {
			if m.Key == k && v[0] == '{' {
				inner, err := decodeObject(v)
				if err != nil {
					continue
				}
				vals := make([]json.RawMessage, len(inner))
				for j, e := range inner {
					vals[j] = e.Value
				}
				if nb, err := json.Marshal(vals); err == nil {
					members[i].Value, changed = nb, true
				}
			}
		}
	}
	if !changed {
		return b
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		out.Write(k)
		out.WriteByte(':')
		out.Write(m.Value)
	}
	out.WriteByte('}')
	return out.Bytes()
}
