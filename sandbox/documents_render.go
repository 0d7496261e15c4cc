package sandbox

// Rendering documents: the JSON answer of each kind in the shape of its
// documentation example, the card fields it carries, and the document's
// URL and file name.

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The Customer and Vendor keys each kind's example shows, in its order.
var (
	orderCustomerKeys = []string{"Name", "CountryId", "PostalCode", "City", "Address", "AccountNumber", "VatNumber",
		"EUVatNumber", "RegistrationNumber", "GroupIdentificationNumber"}
	invoiceCustomerKeys = []string{"Name", "CountryId", "PostalCode", "City", "Address", "AccountNumber", "VatNumber"}
	offerCustomerKeys   = []string{"Name", "CountryId", "County", "PostalCode", "City", "Address", "AccountNumber",
		"VatNumber", "EUVatNumber", "RegistrationNumber", "GroupIdentificationNumber"}
	invoiceVendorKeys = []string{"Name", "CountryId", "PostalCode", "City", "Address", "AccountNumber", "VatNumber",
		"RegistrationNumber", "Miscellaneous"}
	offerVendorKeys = []string{"Name", "CountryId", "PostalCode", "City", "Address", "AccountNumber", "IBAN", "SWIFT",
		"VatNumber", "EUVatNumber", "GroupIdentificationNumber", "RegistrationNumber"}
)

func partyObject(m map[string]string, keys []string) *object {
	o := newObject()
	for _, k := range keys {
		o.set(k, m[k])
	}
	return o
}

func idString(id int) string {
	if id == 0 {
		return ""
	}
	return strconv.Itoa(id)
}

// documentDetail is a document as GET answers it, in the shape of its kind's
// example: ids and numbers as strings.
func (s *Server) documentDetail(r *request, d *document) *object {
	st := s.st
	card := st.projects[d.ProjectId]
	net, vat, gross := docTotals(d)
	items := make([]*object, 0, len(d.Items))
	switch d.Kind {
	case docOrder:
		// HU/EN example: "AmountNet": "7500", item "PriceNet": "500.00",
		// "Quantity": "15.00", "PriceNetTotal": "7500.00", "VAT": "27%".
		for _, it := range d.Items {
			price, qty, n, _, g := lineTotals(it, d.VATMode)
			items = append(items, newObject().set("Id", idString(it.Id)).set("SKU", it.SKU).set("EAN", it.EAN).
				set("Name", it.Name).set("Description", it.Description).set("PriceNet", decFixed(price, 2)).
				set("Quantity", decFixed(qty, 2)).set("Unit", it.Unit).set("PriceNetTotal", decFixed(n, 2)).
				set("VAT", it.VAT).set("PriceTotal", decFixed(g, 2)))
		}
		return newObject().set("Id", idString(d.Id)).set("ProjectId", idString(d.ProjectId)).
			set("CustomerId", idString(d.CustomerId)).set("Number", d.Number).
			set("Customer", partyObject(d.Customer, orderCustomerKeys)).set("Subject", d.Subject).
			set("Performance", d.Performance).set("CurrencyCode", d.CurrencyCode).
			set("AmountNet", decMinimal(net, 2)).set("AmountVat", decMinimal(vat, 2)).set("Amount", decMinimal(gross, 2)).
			set("Items", items).set("Project", st.cardFields(card, false))
	case docInvoice:
		// HU example: "AmountNet": "2000.00", item "PriceNet": "1 000,00",
		// "Quantity": "2", "PriceNetTotal": "2 000,00", no item Id.
		for _, it := range d.Items {
			price, qty, n, _, g := lineTotals(it, d.VATMode)
			o := newObject().set("Name", it.Name).set("Description", it.Description).
				set("PriceNet", decHungarian(decFixed(price, 2)))
			if d.VATMode != "VATExempt" {
				o.set("VAT", it.VAT)
			}
			items = append(items, o.set("Quantity", decHungarian(decMinimal(qty, 4))).set("Unit", it.Unit).
				set("PriceNetTotal", decHungarian(decFixed(n, 2))).set("PriceTotal", decHungarian(decFixed(g, 2))))
		}
		paid := d.PaidOn
		if paid == "" {
			paid = "0000-00-00"
		}
		reverse := "0"
		if d.VATMode == "ReverseCharge" {
			reverse = "1"
		}
		// ProjectId, StornedId and Project are not in the HU example; they
		// are added at the end because the invoice's card exists (MAN25's
		// invoice list carries ProjectId and StornedId) and /Project edits
		// it, which a client could not see otherwise.
		return newObject().set("Id", idString(d.Id)).set("Number", d.Number).set("Type", d.Type).
			set("Media", d.Media).set("Customer", partyObject(d.Customer, invoiceCustomerKeys)).
			set("Vendor", partyObject(d.Vendor, invoiceVendorKeys)).set("Subject", d.Subject).
			set("PaymentMethod", d.PaymentMethod).set("Issued", d.Issued).set("Performance", d.Performance).
			set("Prompt", d.Prompt).set("Paid", paid).set("CurrencyCode", d.CurrencyCode).
			set("AmountNet", decFixed(net, 2)).set("AmountVat", decFixed(vat, 2)).set("Amount", decFixed(gross, 2)).
			set("IsReverseCharge", reverse).set("DocumentUrl", s.documentURL(r, d)).
			set("DocumentFileName", documentFileName(st.lang, d)).set("Items", items).
			set("ProjectId", idString(d.ProjectId)).set("StornedId", idString(d.StornedId)).
			set("Project", st.cardFields(card, true))
	}
	// Offer, HU example: "AmountNet": "23", item "PriceNet": "23.0000",
	// "Quantity": "1.00", "PriceNetTotal": "23", no VAT under VATExempt.
	for _, it := range d.Items {
		price, qty, n, _, g := lineTotals(it, d.VATMode)
		o := newObject().set("Id", idString(it.Id)).set("SKU", it.SKU).set("EAN", it.EAN).set("Name", it.Name).
			set("Description", it.Description).set("PriceNet", decFixed(price, 4)).set("Quantity", decFixed(qty, 2)).
			set("Unit", it.Unit).set("PriceNetTotal", decMinimal(n, 2))
		if d.VATMode != "VATExempt" {
			o.set("VAT", it.VAT)
		}
		items = append(items, o.set("PriceTotal", decMinimal(g, 2)))
	}
	// ProjectId is not in the HU example either; added at the end.
	return newObject().set("Id", idString(d.Id)).set("InvoicePadCounter", d.PadCounter).set("Number", d.Number).
		set("Type", docOffer).set("InvoiceMode", "Normal").set("Media", d.Media).set("Language", d.Language).
		set("Customer", partyObject(d.Customer, offerCustomerKeys)).set("Vendor", partyObject(d.Vendor, offerVendorKeys)).
		set("ExtraData", d.ExtraData).set("Subject", d.Subject).set("PaymentMethod", d.PaymentMethod).
		set("Issued", d.Issued).set("Performance", d.Performance).set("Prompt", d.Prompt).set("Paid", "").
		set("CurrencyCode", d.CurrencyCode).set("ConversionRate", d.ConversionRate).
		set("AmountNet", decMinimal(net, 2)).set("AmountVat", decMinimal(vat, 2)).set("Amount", decMinimal(gross, 2)).
		set("VATMode", d.VATMode).set("Accounting", d.Accounting).set("DocumentId", idString(d.Id)).
		set("DocumentUrl", s.documentURL(r, d)).set("Items", items).set("Project", st.cardFields(card, true)).
		set("ProjectId", idString(d.ProjectId))
}

// cardFields is a document's "Project" object: the module's custom fields,
// every value a string, empty when unset ("Float1910": ""), enums as option
// ids (the offer example gives the status as an id, "StatusId": "3426",
// unlike the R3 card detail's labels); offers and invoices add StatusId.
func (st *store) cardFields(p *project, withStatus bool) *object {
	o := newObject()
	if p == nil {
		return o
	}
	for _, f := range st.categories[p.CategoryId].Fields {
		var s string
		switch x := p.Values[f.Name].(type) {
		case string:
			s = x
		case int:
			if x != 0 {
				s = strconv.Itoa(x)
			}
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		}
		o.set(f.Name, s)
	}
	if withStatus {
		o.set("StatusId", strconv.Itoa(p.StatusId))
	}
	return o
}

// documentURL is where MiniCRM would serve the PDF (the offer example's
// shape). The sandbox renders no PDF, so the address is only a stable
// placeholder.
func (s *Server) documentURL(r *request, d *document) string {
	sum := sha1.Sum([]byte("minicrm-sandbox-document-" + strconv.Itoa(d.Id)))
	return fmt.Sprintf("%s/%d/Download/S3/?t=doc&inline=0&e=%s", r.base, s.cfg.SystemID, hex.EncodeToString(sum[:])[:20])
}

// documentFileName follows the HU example "szamla-50-2013-e-00014-1.pdf"
// and MAN25's "storno_invoice-2023-e-00017.pdf".
func documentFileName(lang string, d *document) string {
	prefix := [2]string{"szamla", "invoice"}
	switch {
	case d.StornedId != 0:
		prefix = [2]string{"sztorno_szamla", "storno_invoice"}
	case d.Type == typeProforma:
		prefix = [2]string{"dijbekero", "proforma"}
	}
	p := prefix[0]
	if lang == "en" {
		p = prefix[1]
	}
	slug := strings.ToLower(strings.NewReplacer("/", "-", " ", "-").Replace(d.Number))
	return fmt.Sprintf("%s-%d-%s-1.pdf", p, d.Id, slug)
}
