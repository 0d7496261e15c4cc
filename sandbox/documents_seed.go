package sandbox

// The documents of a data set: gathered from its lists, created in the
// store with their cards and states, and the examples of the HU
// documentation that DefaultDataset carries.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// documents is every document a data set names: its "documents" (each with
// a Kind) and then its "invoices", "orders" and "offers" (whose Kind is the
// key's; a Kind given there must agree).
func (ds *Dataset) documents() ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(ds.Documents)+len(ds.Invoices)+len(ds.Orders)+len(ds.Offers))
	out = append(out, ds.Documents...)
	for _, g := range []struct {
		key, kind string
		docs      []map[string]any
	}{{"invoices", docInvoice, ds.Invoices}, {"orders", docOrder, ds.Orders}, {"offers", docOffer, ds.Offers}} {
		for i, d := range g.docs {
			if d == nil {
				return nil, fmt.Errorf("%s #%d: empty", g.key, i+1)
			}
			c := make(map[string]any, len(d)+1)
			for k, v := range d {
				c[k] = v
			}
			if k, has := c["Kind"]; has && !strings.EqualFold(scalarString(k), g.kind) {
				return nil, fmt.Errorf("%s #%d: Kind %q in the %s list", g.key, i+1, printable(k), g.key)
			}
			c["Kind"] = g.kind
			out = append(out, c)
		}
	}
	return out, nil
}

// DemoDataset is DefaultDataset with a few dozen documents more (see
// builtinDocuments): the built-in data of the CLI's sandbox, where an
// export of invoices, orders or offers has something to show.
// DefaultDataset itself keeps to the documentation's examples, which its
// tests compare answers with.
func DemoDataset() *Dataset {
	ds := DefaultDataset()
	ds.Invoices, ds.Orders, ds.Offers = nil, nil, nil
	ds.Documents = append(ds.Documents, builtinDocuments()...)
	return ds
}

// builtinDocuments are DemoDataset's invoices, orders and offers beyond
// the documentation's examples: 24 invoices (issued, paid and
// cancelled; HUF, EUR and USD; 27%, 18%, 5%, 0% and exempt lines; reverse
// charge; made out to companies and to a person), 8 orders in every state
// and 6 offers, for the contacts of DefaultDataset. Their ids (and their
// cards' and lines') are handed out after the data set's own, in this
// order; the dates are in 2025 and 2026.
func builtinDocuments() []map[string]any {
	customers := []int{225, 7505, 7453, 7506, 351}
	currencies := []string{"HUF", "HUF", "EUR", "HUF", "USD", "HUF"}
	type product struct {
		name, sku, unit, vat string
		huf                  int // net unit price in HUF; EUR/USD prices are /400 and /360
	}
	products := []product{
		{"CRM licenc (havi)", "LIC-001", "hó", "27%", 12900},
		{"Bevezetési tanácsadás", "SRV-010", "óra", "27%", 18000},
		{"Szakkönyv: Értékesítés lépésről lépésre", "BK-105", "db", "5%", 6990},
		{"Rendezvényjegy", "EVT-220", "db", "18%", 25000},
		{"Oktatás (tárgyi mentes)", "EDU-300", "alkalom", "AAM", 45000},
		{"Export szolgáltatás", "EXP-400", "db", "0%", 99000},
		{"Árvíztűrő tükörfúrógép", "TFG-001", "db", "27%", 3499},
	}
	price := func(p product, cur string) string {
		switch cur {
		case "EUR":
			return fmt.Sprintf("%.2f", float64(p.huf)/400)
		case "USD":
			return fmt.Sprintf("%.2f", float64(p.huf)/360)
		}
		return fmt.Sprintf("%d", p.huf)
	}
	lines := func(n, seed int, cur string) []any {
		var out []any
		for j := range n {
			p := products[(seed+j*3)%len(products)]
			out = append(out, map[string]any{"Name": p.name, "SKU": p.sku, "Unit": p.unit, "VAT": p.vat,
				"PriceNet": price(p, cur), "Quantity": fmt.Sprintf("%d", 1+(seed+j)%5)})
		}
		return out
	}
	var docs []map[string]any
	invoiceStates := []string{"Issued", "Paid", "Paid", "Issued", "Storno", "Paid"}
	for i := range 24 {
		cur := currencies[i%len(currencies)]
		month, day := 1+i%12, 1+(i*7)%27
		issued := fmt.Sprintf("%d-%02d-%02d", 2025+i/12, month, day)
		d := map[string]any{"Kind": docInvoice, "CustomerId": customers[i%len(customers)], "CurrencyCode": cur,
			"Issued": issued, "Performance": issued, "Prompt": fmt.Sprintf("%d-%02d-%02d", 2025+i/12, month, day+1),
			"PaymentMethod": []string{"WiredTransfer", "Cash", "CreditCard"}[i%3], "Items": lines(1+i%4, i, cur)}
		switch st := invoiceStates[i%len(invoiceStates)]; st {
		case "Paid":
			d["Paid"] = fmt.Sprintf("%d-%02d-%02d", 2025+i/12, month, day+1)
		default:
			d["Status"] = st
		}
		if customers[i%len(customers)] == 351 {
			d["ForcesInvoiceOnPerson"] = "1"
		}
		if i%11 == 10 {
			d["VATMode"] = "ReverseCharge"
		}
		docs = append(docs, d)
	}
	orderStates := []string{"Draft", "InProgress", "Completed", "Paid", "Failed", "InProgress", "Completed", "Paid"}
	for i, st := range orderStates {
		cur := currencies[(i+1)%len(currencies)]
		docs = append(docs, map[string]any{"Kind": docOrder, "CustomerId": customers[(i+1)%len(customers)],
			"CurrencyCode": cur, "Performance": fmt.Sprintf("2025-%02d-15", 1+i), "Status": st,
			"Subject": fmt.Sprintf("Megrendelés #%d", i+1), "Items": lines(1+i%3, i+2, cur)})
	}
	offerStates := []string{"Kiállítandó", "Elfogadásra vár", "Elfogadott", "Elutasítva"}
	for i := range 6 {
		cur := currencies[(i+2)%len(currencies)]
		d := map[string]any{"Kind": docOffer, "CustomerId": customers[(i+2)%len(customers)], "CurrencyCode": cur,
			"Issued": fmt.Sprintf("2025-%02d-10", 2+i), "Subject": fmt.Sprintf("Ajánlat #%d", i+1),
			"Items": lines(1+i%2, i+4, cur), "Status": offerStates[i%len(offerStates)]}
		docs = append(docs, d)
	}
	return docs
}

// seedDocuments creates the documents of a data set. Each is the documented
// POST body plus "Kind" (Order, Invoice or Offer) and "Id"; items may carry
// their "Id". Optional keys only a data file has:
//   - "ProjectId": link an existing card of the kind's module and the same
//     contact instead of creating one (order 44 and card 206 of the HU
//     example);
//   - "Status": the state to start in: for an order Draft, InProgress,
//     Completed, Paid or Failed; for an invoice Issued, Paid or Storno; for
//     an offer a status of its module (id or name). Not with ProjectId: a
//     linked card's status is the document's.
//   - "Paid": an invoice's payment date; the invoice starts paid.
//
// Seeding writes nothing to the contacts (the Customer object's VAT number
// and bank account are not copied): a data file states the contacts as
// they are.
func (s *store) seedDocuments(docs []map[string]any, now time.Time) error {
	if len(docs) == 0 {
		return nil
	}
	used := s.usedIDs()
	bodies := make([]map[string]any, len(docs))
	ids := make([]int, len(docs))
	// First claim every id given, so ids handed out below cannot clash.
	for i, raw := range docs {
		body, err := jsonClone(raw)
		if err != nil {
			return fmt.Errorf("document #%d: %w", i+1, err)
		}
		bodies[i] = body
		what := fmt.Sprintf("document #%d", i+1)
		if v, has := body["Id"]; has {
			id, ok := idOf(v)
			if !ok {
				return fmt.Errorf("%s: Id %v is not a positive number", what, v)
			}
			ids[i] = id
			what = fmt.Sprintf("document %d", id)
		}
		claim := []int{ids[i]}
		if items, ok := body["Items"].([]any); ok {
			for _, it := range items {
				if m, ok := it.(map[string]any); ok && m["Id"] != nil {
					id, ok := idOf(m["Id"])
					if !ok {
						return fmt.Errorf("%s: item Id %v is not a positive number", what, m["Id"])
					}
					claim = append(claim, id)
				}
			}
		}
		for _, id := range claim {
			if id == 0 {
				continue
			}
			if prev, ok := used[id]; ok {
				return fmt.Errorf("%s: id %d is already used by %s (ids are unique per system)", what, id, prev)
			}
			used[id] = what
			s.bump(id)
		}
	}
	for i, body := range bodies {
		if err := s.seedDocument(ids[i], body, now); err != nil {
			if ids[i] != 0 {
				return fmt.Errorf("document %d: %w", ids[i], err)
			}
			return fmt.Errorf("document #%d: %w", i+1, err)
		}
	}
	return nil
}

func (s *store) seedDocument(id int, body map[string]any, now time.Time) error {
	kind, _ := body["Kind"].(string)
	if kind != docOrder && kind != docInvoice && kind != docOffer {
		return fmt.Errorf("Kind %q: want Order, Invoice or Offer", printable(body["Kind"]))
	}
	projectID, status, paid := body["ProjectId"], body["Status"], body["Paid"]
	for _, k := range []string{"Kind", "Id", "ProjectId", "Status", "Paid"} {
		delete(body, k)
	}
	b, err := s.buildDocument(kind, body, now, true)
	if err != nil {
		return err
	}
	d, card := b.doc, b.card
	d.Id = id
	if projectID != nil {
		pid, _ := idOf(projectID)
		p, ok := s.projects[pid]
		switch {
		case !ok:
			return fmt.Errorf("ProjectId %v is not a card", printable(projectID))
		case p.CategoryId != card.CategoryId:
			return fmt.Errorf("ProjectId %d is not a card of the %s module (category %d)", pid, kind, card.CategoryId)
		case p.ContactId != d.CustomerId:
			return fmt.Errorf("ProjectId %d belongs to contact %d, not to the customer %d", pid, p.ContactId, d.CustomerId)
		case status != nil:
			return fmt.Errorf("Status cannot be given with ProjectId: the card's status is the document's")
		}
		for _, o := range s.docs {
			if o.ProjectId == pid {
				return fmt.Errorf("ProjectId %d is already the card of document %d", pid, o.Id)
			}
		}
		if pb, has := body["Project"]; has && pb != nil {
			if _, _, err := s.applyDocProject(kind, p, pb); err != nil {
				return err
			}
		}
		card = p
	}
	if status != nil {
		sid, ok := s.seedStatus(kind, card.CategoryId, status)
		if !ok {
			return fmt.Errorf("Status %q: not a state of an %s", printable(status), kind)
		}
		card.StatusId = sid
	}
	if paid != nil && scalarString(paid) != "" && scalarString(paid) != "0000-00-00" {
		if kind != docInvoice {
			return fmt.Errorf("Paid is only for invoices")
		}
		if d.PaidOn, err = dateValue(paid, "Paid", "", s.lang); err != nil {
			return err
		}
		if sid, ok := s.invoiceStatus(card.CategoryId, invoicePaidState); ok {
			card.StatusId = sid
		}
	}
	s.addDocument(d, card, now)
	return nil
}

func (s *store) seedStatus(kind string, catID int, v any) (int, bool) {
	name := scalarString(v)
	switch kind {
	case docOrder:
		states := map[string]orderState{"Draft": orderDraft, "InProgress": orderInProgress,
			"Completed": orderCompleted, "Paid": orderPaid, "Failed": orderFailed}
		if st, ok := states[name]; ok {
			return s.orderStatus(catID, st)
		}
	case docInvoice:
		states := map[string]invoiceState{"Issued": invoiceIssued, "Paid": invoicePaidState, "Storno": invoiceStornoState}
		if st, ok := states[name]; ok {
			return s.invoiceStatus(catID, st)
		}
	default:
		return s.statusByValue(catID, v)
	}
	return 0, false
}

// usedIDs is every id the system has handed out, with what holds it.
func (s *store) usedIDs() map[int]string {
	used := map[int]string{}
	for id := range s.users {
		used[id] = fmt.Sprintf("user %d", id)
	}
	for id := range s.categories {
		used[id] = fmt.Sprintf("category %d", id)
	}
	for id := range s.statusCat {
		used[id] = fmt.Sprintf("status %d", id)
	}
	for id := range s.contacts {
		used[id] = fmt.Sprintf("contact %d", id)
	}
	for id := range s.projects {
		used[id] = fmt.Sprintf("project %d", id)
	}
	for id := range s.history {
		used[id] = fmt.Sprintf("history entry %d", id)
	}
	for id := range s.todos {
		used[id] = fmt.Sprintf("todo %d", id)
	}
	for id, d := range s.docs {
		used[id] = fmt.Sprintf("document %d", id)
		for _, it := range d.Items {
			used[it.Id] = fmt.Sprintf("item %d of document %d", it.Id, id)
		}
	}
	return used
}

// jsonClone gives a data file's document the shapes a JSON body has
// (YAML's ints become float64, nested maps map[string]any), and a copy the
// seeding may change.
func jsonClone(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

// exampleDocuments are the documents of the HU documentation's examples,
// for DefaultDataset: order 44 of Gigabit Távközlési Kft. (contact 225) on
// its card 206 with item 54, "Optikai kábel" (GET /Api/Order/44 answers as
// the example does); invoice 12, "2013-E/00014", with the example's
// customer data, made out to Szabó Éva (351, a person of contact 225; the
// example's CustomerId 98 is not in the data set); offer 932,
// "AJ2021-E/00008", for contact 225 (the example's 20404 is not in the data
// set), with item 1306. The invoice and the offer get new cards in the
// Számlázó and Ajánlatok modules.
func exampleDocuments() []map[string]any {
	return []map[string]any{
		{
			"Kind": "Order", "Id": 44, "ProjectId": 206, "CustomerId": "225", "CurrencyCode": "HUF",
			"Customer": map[string]any{
				"Name": "Gigabit Távközlési Kft.", "Country": "36", "PostalCode": "9245", "City": "Mosonszolnok",
				"Address": "Alkotás u. 49.", "AccountNumber": "92826253-45043722-59650728",
				"VatNumber": "17823443-1-26", "EUVatNumber": "",
			},
			"Subject": "", "Performance": "2018-11-20",
			"Items": []any{map[string]any{
				"Id": 54, "SKU": "", "Name": "Optikai kábel", "Description": "", "PriceNet": "500.00",
				"Quantity": "15.00", "Unit": "m", "VAT": "27",
			}},
		},
		{
			"Kind": "Invoice", "Id": 12, "CustomerId": 351, "ForcesInvoiceOnPerson": "1", "Number": "2013-E/00014",
			"Type": "Invoice", "Media": "PKI",
			"Customer": map[string]any{
				"Name": "Teszt User", "CountryId": "36", "PostalCode": "1234", "City": "Budapest",
				"Address": "Teszt utca 1.", "AccountNumber": "12345678-12345678-12345678", "VatNumber": "12345678-12-1",
			},
			"Subject": "", "PaymentMethod": "Cash", "Issued": "2013-11-27", "Performance": "2013-11-27",
			"Prompt": "2013-11-27", "CurrencyCode": "HUF", "VATMode": "NormalVAT",
			"Items": []any{map[string]any{
				"Name": "Példa tétel", "Description": "", "PriceNet": "1 000,00", "VAT": "27%", "Quantity": "2",
				"Unit": "darab",
			}},
		},
		{
			"Kind": "Offer", "Id": 932, "CustomerId": 225, "InvoicePadCounter": "00008", "Number": "AJ2021-E/00008",
			"Type": "Offer", "Media": "PKI", "Language": "_HU",
			"Customer": map[string]any{
				"Name": "teszt", "CountryId": "36", "County": "", "PostalCode": "1076", "City": "Budapest",
				"Address": "rwe", "AccountNumber": "", "VatNumber": "", "EUVatNumber": "", "RegistrationNumber": "",
				"GroupIdentificationNumber": "",
			},
			"Vendor": map[string]any{
				"Name": "Mycompany INC", "CountryId": "36", "PostalCode": "1111", "City": "asd", "Address": "asd",
				"AccountNumber": "109180010000008402870007", "IBAN": "HU87109180010000008402870007",
				"SWIFT": "BACXHUHB", "VatNumber": "12345678-1-23", "EUVatNumber": "HU11080099",
				"GroupIdentificationNumber": "", "RegistrationNumber": "",
			},
			"ExtraData": `{"VendorMiscellaneous":"kisv\u00e1llalkoz\u00f3"}`, "Subject": "",
			"PaymentMethod": "WiredTransfer", "Issued": "2021-10-15", "Performance": "2021-10-15",
			"Prompt": "2021-10-15", "CurrencyCode": "HUF", "ConversionRate": "", "VATMode": "VATExempt",
			"Accounting": "Normal",
			"Items": []any{map[string]any{
				"Id": 1306, "SKU": "", "EAN": "", "Name": "testr", "Description": "", "PriceNet": "23.0000",
				"Quantity": "1.00", "Unit": "darab", "VAT": "AAM",
			}},
		},
	}
}
