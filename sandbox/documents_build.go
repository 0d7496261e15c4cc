package sandbox

// Building documents: checking a create body's keys, reading it into a
// document, its card, customer and vendor, and giving it its number.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The body keys each kind accepts on create. "writable" keys are read;
// "echoed" keys are what a GET answer carries and clients send back (the HU
// offer example posts its AmountNet, DocumentUrl…): accepted and ignored,
// the values being computed. Anything else is refused (400), as the R3
// endpoints refuse unknown fields. Order also echoes MAN25's newer detail
// fields.
var (
	docWritable = map[string]map[string]bool{
		docOrder: keySet("CustomerId", "ReferenceId", "CurrencyCode", "Customer", "Subject", "Items", "Number",
			"Performance", "Project"),
		docInvoice: keySet("CustomerId", "ReferenceId", "Type", "Number", "Media", "Language", "Customer", "Vendor",
			"Subject", "PaymentMethod", "Issued", "Performance", "Prompt", "CurrencyCode", "ConversionRate", "VATMode",
			"ForcesInvoiceOnPerson", "Items", "Project"),
		docOffer: keySet("CustomerId", "ReferenceId", "InvoicePadCounter", "Number", "Type", "Media", "Language",
			"Customer", "Vendor", "ExtraData", "Subject", "PaymentMethod", "Issued", "Performance", "Prompt",
			"CurrencyCode", "ConversionRate", "VATMode", "Accounting", "Items", "Project"),
	}
	docEchoed = map[string]map[string]bool{
		docOrder: keySet("Id", "ProjectId", "AmountNet", "AmountVat", "Amount", "InvoiceMode",
			"VendorGroupIdentificationNumber", "PaymentMethod", "Accounting", "OSS"),
		docInvoice: keySet("Id", "ProjectId", "StornedId", "Paid", "AmountNet", "AmountVat", "Amount", "IsReverseCharge",
			"DocumentId", "DocumentUrl", "DocumentFileName"),
		docOffer: keySet("Id", "ProjectId", "InvoiceMode", "Paid", "AmountNet", "AmountVat", "Amount", "DocumentId",
			"DocumentUrl"),
	}
	itemWritable = keySet("Id", "SKU", "EAN", "Name", "Description", "PriceNet", "Quantity", "Unit", "VAT", "VATSubtype")
	itemEchoed   = keySet("PriceNetTotal", "PriceTotal")
	partyKeys    = keySet("Name", "Country", "CountryId", "County", "PostalCode", "City", "Address", "AccountNumber",
		"IBAN", "SWIFT", "VatNumber", "EUVatNumber", "RegistrationNumber", "GroupIdentificationNumber", "Miscellaneous")
)

func keySet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func checkDocKeys(kind string, body map[string]any, lang string) error {
	for k := range body {
		if !docWritable[kind][k] && !docEchoed[kind][k] {
			return errf(http.StatusBadRequest, msgf(lang, "unknown_field", k))
		}
	}
	return nil
}

// built is a validated new document, not yet stored: the document (ids
// unset), its card (Id 0), and the write to the contact that the Customer
// object implies, to run once nothing can fail any more.
type built struct {
	doc       *document
	card      *project
	overwrite func()
}

// buildDocument checks a create body and builds the document and its card
// without changing the store, so a refused write changes nothing.
func (st *store) buildDocument(kind string, body map[string]any, now time.Time, seeding bool) (*built, error) {
	lang := st.lang
	if err := checkDocKeys(kind, body, lang); err != nil {
		return nil, err
	}
	cust, err := st.resolveCustomer(body)
	if err != nil {
		return nil, err
	}
	cat, ok := st.docCategory(kind)
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(lang, "no_module", kind))
	}
	d := &document{Kind: kind, CustomerId: cust.Id, CreatedAt: now, UpdatedAt: now}
	if err := readDocFields(d, body, now.Format(dateLayout), lang); err != nil {
		return nil, err
	}
	if err := readDocType(d, body, lang); err != nil {
		return nil, err
	}
	billed, block, err := st.readDocParties(d, cust, body)
	if err != nil {
		return nil, err
	}
	if v, has := body["Items"]; has && v != nil {
		if d.Items, err = parseNewItems(v, seeding, lang); err != nil {
			return nil, err
		}
	}
	// An order may start empty and get its items by edits; invoices and
	// offers cannot be edited later, so they need at least one line.
	if kind != docOrder && len(d.Items) == 0 {
		return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Items"))
	}
	card, err := st.docCard(d, cat, cust, billed, body["Project"], now)
	if err != nil {
		return nil, err
	}
	overwrite := func() {}
	if block != nil {
		if overwrite, err = st.prepareBillingOverwrite(billed, block, now); err != nil {
			return nil, err
		}
	}
	return &built{doc: d, card: card, overwrite: overwrite}, nil
}

// docText reads the text body[k], def when it is empty or absent.
func docText(body map[string]any, k, def, lang string) (string, error) {
	s, err := textValue(body[k], k, lang)
	if s == "" {
		s = def
	}
	return s, err
}

// readDocFields reads into d the fields all kinds share (Subject, Number,
// CurrencyCode, the dates) and those invoices and offers share (Media,
// VATMode, PaymentMethod, Language, ConversionRate). today is the date's
// default.
func readDocFields(d *document, body map[string]any, today, lang string) error {
	var err error
	if d.Subject, err = docText(body, "Subject", "", lang); err != nil {
		return err
	}
	if d.Number, err = docText(body, "Number", "", lang); err != nil {
		return err
	}

	// CurrencyCode: the order section makes it required at creation
	// ("azt a rendelés létrehozásakor kötelező megadni"); the invoice and
	// offer sections do not, so they default to the system's currency.
	d.CurrencyCode = "HUF"
	if v, has := body["CurrencyCode"]; has && scalarString(v) != "" {
		if d.CurrencyCode, err = currencyValue(v, lang); err != nil {
			return err
		}
	} else if d.Kind == docOrder {
		return errf(http.StatusBadRequest, msgf(lang, "required", "CurrencyCode"))
	}

	if d.Kind == docOrder {
		d.Performance, err = dateValue(body["Performance"], "Performance", today, lang)
		return err
	}
	// Dates: today when left out; the examples' answers show Prompt
	// equal to Issued, so that is its default.
	if d.Issued, err = dateValue(body["Issued"], "Issued", today, lang); err != nil {
		return err
	}
	if d.Performance, err = dateValue(body["Performance"], "Performance", d.Issued, lang); err != nil {
		return err
	}
	if d.Prompt, err = dateValue(body["Prompt"], "Prompt", d.Issued, lang); err != nil {
		return err
	}
	switch m, _ := docText(body, "Media", "PKI", lang); m {
	case "PKI", "Paper":
		d.Media = m
	default:
		return docBadValue(body["Media"], "Media", lang)
	}
	switch m, _ := docText(body, "VATMode", "NormalVAT", lang); m {
	case "NormalVAT", "ReverseCharge", "VATExempt":
		d.VATMode = m
	default:
		return docBadValue(body["VATMode"], "VATMode", lang)
	}
	if d.PaymentMethod, err = docText(body, "PaymentMethod", "WiredTransfer", lang); err != nil {
		return err
	}
	if d.Language, err = docText(body, "Language", "HU", lang); err != nil {
		return err
	}
	if v, has := body["ConversionRate"]; has && scalarString(v) != "" {
		r, ok := parseAmount(v)
		if !ok || r.Sign() <= 0 {
			return docBadValue(v, "ConversionRate", lang)
		}
		d.ConversionRate = decCanonical(r)
	}
	return nil
}

func docBadValue(v any, field, lang string) error {
	return errf(http.StatusBadRequest, msgf(lang, "bad_value", printable(v), field))
}

// readDocType reads into d the fields of an invoice's or an offer's own:
// the Type, an invoice's ForcesInvoiceOnPerson, an offer's Accounting,
// ExtraData and InvoicePadCounter. An order has none.
func readDocType(d *document, body map[string]any, lang string) error {
	var err error
	switch d.Kind {
	case docInvoice:
		typ, err := docText(body, "Type", typeInvoice, lang)
		if err != nil {
			return err
		}
		switch strings.ToLower(strings.ReplaceAll(typ, " ", "")) {
		case "invoice":
			d.Type = typeInvoice
		case "proforma":
			d.Type = typeProforma
		default:
			return docBadValue(typ, "Type", lang)
		}
		if v, has := body["ForcesInvoiceOnPerson"]; has {
			switch strings.ToLower(scalarString(v)) {
			case "1", "true":
				d.ForcesInvoiceOnPerson = true
			case "0", "false", "":
			default:
				return docBadValue(v, "ForcesInvoiceOnPerson", lang)
			}
		}
	case docOffer:
		if typ, err := docText(body, "Type", docOffer, lang); err != nil || typ != docOffer {
			return docBadValue(body["Type"], "Type", lang)
		}
		d.Type = docOffer
		if d.Accounting, err = docText(body, "Accounting", "Normal", lang); err != nil {
			return err
		}
		if d.ExtraData, err = docText(body, "ExtraData", "", lang); err != nil {
			return err
		}
		if d.PadCounter, err = docText(body, "InvoicePadCounter", "", lang); err != nil {
			return err
		}
	}
	return nil
}

// readDocParties fills d's Customer (the billed contact's data under the
// body's Customer object) and, but for an order, its Vendor. It gives the
// billed contact and the body's Customer object (nil when absent).
func (st *store) readDocParties(d *document, cust *contact, body map[string]any) (billed *contact, block map[string]string, err error) {
	// The customer: an invoice to a person of a company is made out to the
	// company unless ForcesInvoiceOnPerson is "1" ("Számla céghez tartozó
	// magánszemélynek is létrehozható, ebben az esetben … ForcesInvoiceOnPerson").
	billed = cust
	if d.Kind == docInvoice && !d.ForcesInvoiceOnPerson && cust.Type == "Person" && cust.BusinessId != 0 {
		if b, ok := st.contacts[cust.BusinessId]; ok {
			billed = b
		}
	}
	d.BilledId = billed.Id
	block, err = parseParty(body["Customer"], "Customer", st.lang)
	if err != nil {
		return nil, nil, err
	}
	d.Customer = st.customerDefaults(billed)
	for k, v := range block {
		d.Customer[k] = v
	}
	if d.Kind != docOrder {
		vendor, err := parseParty(body["Vendor"], "Vendor", st.lang)
		if err != nil {
			return nil, nil, err
		}
		d.Vendor = defaultVendor()
		for k, v := range vendor {
			d.Vendor[k] = v
		}
	}
	return billed, block, nil
}

// docCard is the new card of document d in module cat, in the kind's first
// state, with the body's "Project" fields (fields, nil when absent).
func (st *store) docCard(d *document, cat int, cust, billed *contact, fields any, now time.Time) (*project, error) {
	var status int
	var ok bool
	switch d.Kind {
	case docOrder:
		status, ok = st.orderStatus(cat, orderDraft)
	case docInvoice:
		status, ok = st.invoiceStatus(cat, invoiceIssued)
	default:
		// "Az ajánlatok az első státuszban kerülnek létrehozásra."
		status, ok = st.firstStatus(cat, "")
	}
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "no_module", d.Kind))
	}
	card := st.newCard(cat, cust.Id, status, now)
	card.Values["Name"] = st.cardName(d, billed)
	if fields != nil {
		if _, _, err := st.applyDocProject(d.Kind, card, fields); err != nil {
			return nil, err
		}
	}
	return card, nil
}

// newCard is a card for a document, not yet stored (Id 0).
func (st *store) newCard(catID, contactID, statusID int, now time.Time) *project {
	return &project{CategoryId: catID, ContactId: contactID, BusinessId: st.businessOf(contactID), StatusId: statusID,
		UserId: st.apiUser(), CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now,
		StatusUpdatedAt: now, Values: map[string]any{}}
}

// cardName names a document's card: the kind and the customer, like
// MAN25's "To be issued (John Doe Ltd.)".
func (st *store) cardName(d *document, billed *contact) string {
	label := map[string][2]string{
		docOrder: {"Megrendelés", "Order"}, docInvoice: {"Számla", "Invoice"}, docOffer: {"Ajánlat", "Offer"},
		typeProforma: {"Díjbekérő", "Pro forma invoice"},
	}
	key := d.Kind
	if d.Type == typeProforma {
		key = typeProforma
	}
	l := label[key][0]
	if st.lang == "en" {
		l = label[key][1]
	}
	name := d.Customer["Name"]
	if name == "" {
		name = billed.name()
	}
	return l + " (" + name + ")"
}

// addDocument stores a built document: ids for the document, its new items
// and (when new) its card, the number, the card's first history entry.
func (st *store) addDocument(d *document, card *project, now time.Time) {
	if d.Id == 0 {
		d.Id = st.newID()
	}
	for _, it := range d.Items {
		if it.Id == 0 {
			it.Id = st.newID()
		}
	}
	st.assignNumber(d)
	if card.Id == 0 {
		card.Id = st.newID()
		card.Hash = projectHash(card.Id)
		if card.name() == "" {
			if billed, ok := st.contacts[d.BilledId]; ok {
				card.Values["Name"] = st.cardName(d, billed)
			}
		}
		st.projects[card.Id] = card
		st.addHistory(card.Id, card.UserId, 0, card.StatusId, now)
	}
	d.ProjectId = card.Id
	st.docs[d.Id] = d
}

// assignNumber numbers an invoice or offer that came without a number, in
// the series the examples show: invoices "2013-E/00014" (other currencies
// "2024-E-EUR/00001", MAN25), offers "AJ2021-E/00008" with
// InvoicePadCounter "00008". Pro formas get "D2013-E/00001", the sandbox's
// own choice (no example shows one). Storno invoices continue the invoice
// series, as in MAN25's example. Orders keep the empty number of the
// example unless one was sent.
func (st *store) assignNumber(d *document) {
	if d.Number != "" || d.Kind == docOrder {
		return
	}
	year := d.Issued
	if len(year) >= 4 {
		year = year[:4]
	}
	prefix := year + "-E/"
	switch {
	case d.Kind == docOffer:
		prefix = "AJ" + year + "-E/"
	case d.Type == typeProforma:
		prefix = "D" + year + "-E/"
	case d.CurrencyCode != "HUF":
		prefix = year + "-E-" + d.CurrencyCode + "/"
	}
	last := 0
	for _, o := range st.docs {
		if rest, ok := strings.CutPrefix(o.Number, prefix); ok && o.Kind == d.Kind {
			if n, err := strconv.Atoi(rest); err == nil && n > last {
				last = n
			}
		}
	}
	counter := fmt.Sprintf("%05d", last+1)
	d.Number = prefix + counter
	if d.Kind == docOffer && d.PadCounter == "" {
		d.PadCounter = counter
	}
}

// docCategory is the module a kind of document lives in: the first
// category whose Type is the kind.
func (st *store) docCategory(kind string) (int, bool) {
	for _, c := range st.ds.Categories {
		if c.Type == kind {
			return c.Id, true
		}
	}
	return 0, false
}

// resolveCustomer reads CustomerId (a contact) or ReferenceId (the external
// id of a card created by SyncFeed, whose contact is the customer, as the
// HU and EN texts say; MAN25's invoice section calls it a contact's
// external id, which the seeds do not). One of them is required; both must
// name the same contact.
func (st *store) resolveCustomer(body map[string]any) (*contact, error) {
	lang := st.lang
	present := func(k string) (any, bool) {
		v, has := body[k]
		if !has || v == nil || strings.TrimSpace(scalarString(v)) == "" {
			return nil, false
		}
		return v, true
	}
	var byID, byRef *contact
	if v, has := present("CustomerId"); has {
		id, ok := idOf(v)
		c, exists := st.contacts[id]
		if !ok || !exists || c.Deleted != 0 {
			return nil, errf(http.StatusBadRequest, msgf(lang, "no_customer", printable(v)))
		}
		byID = c
	}
	if v, has := present("ReferenceId"); has {
		ref := strings.TrimSpace(scalarString(v))
		for _, id := range sortedIDs(st.projects) {
			if p := st.projects[id]; p.Deleted == 0 && p.Values["ReferenceId"] == ref {
				byRef = st.contacts[p.ContactId]
				break
			}
		}
		if byRef == nil {
			return nil, errf(http.StatusBadRequest, msgf(lang, "no_reference", printable(v)))
		}
	}
	switch {
	case byID == nil && byRef == nil:
		return nil, errf(http.StatusBadRequest, msgf(lang, "customer_required"))
	case byID != nil && byRef != nil && byID.Id != byRef.Id:
		return nil, errf(http.StatusBadRequest, msgf(lang, "customer_clash"))
	case byID != nil:
		return byID, nil
	}
	return byRef, nil
}

// customerDefaults is the Customer object a document gets from its contact
// when the body leaves parts out: the name, VAT numbers, bank account and
// registration number from the contact's fields, and the billing address
// last recorded for the contact (a document's Customer address becomes the
// contact's default billing address, as the documentation says; the sandbox
// keeps addresses only on documents).
func (st *store) customerDefaults(c *contact) map[string]string {
	get := func(k string) string { s, _ := c.Values[k].(string); return s }
	m := map[string]string{
		"Name": c.name(), "CountryId": "", "County": "", "PostalCode": "", "City": "", "Address": "",
		"AccountNumber": get("BankAccount"), "VatNumber": get("VatNumber"), "EUVatNumber": get("EUVatNumber"),
		"RegistrationNumber": get("RegistrationNumber"), "GroupIdentificationNumber": get("GroupIdentificationNumber"),
	}
	// The newest document billed to c with an address: one pass, no sort
	// (a data set of many documents calls this once per document).
	var last *document
	for id, d := range st.docs {
		if d.BilledId == c.Id && d.Customer["City"]+d.Customer["Address"] != "" && (last == nil || id > last.Id) {
			last = d
		}
	}
	if last != nil {
		for _, k := range []string{"CountryId", "County", "PostalCode", "City", "Address"} {
			m[k] = last.Customer[k]
		}
	}
	return m
}

// prepareBillingOverwrite checks what a Customer object writes to the
// contact ("Az adószám és bankszámlaszám mezőket ilyen esetben felülírja az
// API!") and returns the write. Only values sent and not empty overwrite: an
// empty AccountNumber, as the HU offer example sends, does not erase the
// contact's bank account.
func (st *store) prepareBillingOverwrite(c *contact, block map[string]string, now time.Time) (func(), error) {
	defs := st.contactFields(c.Type)
	changes := map[string]any{}
	for _, kv := range [][2]string{{"VatNumber", "VatNumber"}, {"AccountNumber", "BankAccount"}} {
		v := block[kv[0]]
		d, ok := defs[kv[1]]
		if v == "" || !ok {
			continue
		}
		nv, err := d.normalize(v, st.lang)
		if err != nil {
			return nil, errf(http.StatusBadRequest, err.Error())
		}
		if c.Values[kv[1]] != nv {
			changes[kv[1]] = nv
		}
	}
	return func() {
		if len(changes) == 0 {
			return
		}
		for k, v := range changes {
			c.Values[k] = v
		}
		c.UpdatedAt, c.UpdatedBy = now, st.apiUser()
	}, nil
}

// defaultVendor is the system's own company data, the Vendor of its
// invoices and offers: the HU invoice example's "Invoice Zrt.".
func defaultVendor() map[string]string {
	return map[string]string{
		"Name": "Invoice Zrt.", "CountryId": "36", "PostalCode": "1234", "City": "Budapest", "Address": "Petőfi u. 8.",
		"AccountNumber": "87654321-87654321-87654321", "IBAN": "", "SWIFT": "", "VatNumber": "87654321-02-3",
		"EUVatNumber": "", "GroupIdentificationNumber": "", "RegistrationNumber": "", "Miscellaneous": "",
	}
}
