package sandbox

import (
	"fmt"
	"strings"
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
