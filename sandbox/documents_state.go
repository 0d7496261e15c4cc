package sandbox

// The states of orders and invoices. An order's state is its card's status
// (Draft → InProgress → Completed → Paid, or Failed), moved by the order
// action routes; an invoice is Issued, Paid or Storno, moved by
// POST /Api/Invoice/<Id>/Paid and /Storno. The handlers of those routes are
// here; the routes are in documents.go.

import (
	"net/http"
	"slices"
	"time"
)

type orderState int

const (
	orderDraft orderState = iota
	orderInProgress
	orderCompleted
	orderPaid
	orderFailed
)

// orderTransitions is the documentation's table. The HU text is followed
// for Storno: "Teljesítve, vagy Sikeres státuszból Sikertelen" (Completed or
// Paid → Failed). The EN edition and MAN25 say "from Completed or
// Unsuccessful to Failed", which would make Failed → Failed the only other
// move: a mistranslation of "Sikeres" (the EN title of Paid is "Setting an
// order to Successful"). Failed → Failed is refused like any non-move.
var orderTransitions = map[string]struct {
	from []orderState
	to   orderState
}{
	"Finalize": {from: []orderState{orderDraft}, to: orderInProgress},
	"Edit":     {from: []orderState{orderInProgress}, to: orderDraft},
	"Complete": {from: []orderState{orderInProgress}, to: orderCompleted},
	"Paid":     {from: []orderState{orderCompleted, orderFailed}, to: orderPaid},
	"Storno":   {from: []orderState{orderCompleted, orderPaid}, to: orderFailed},
}

// GET or POST /Api/Order/<Id>/<Action>. A move the table does not allow is
// "405 Method Not Allowed" and changes nothing, as both editions say. The
// answer is the whole order.
func orderAction(action string) handlerFunc {
	t := orderTransitions[action]
	return func(s *Server, r *request) (any, error) {
		st := s.st
		d, card, err := st.docOfPath(r, docOrder)
		if err != nil {
			return nil, err
		}
		status, ok := st.orderStatus(card.CategoryId, t.to)
		if !ok || !slices.Contains(t.from, st.orderStateOf(card)) {
			return nil, errf(http.StatusMethodNotAllowed, msgf(st.lang, "bad_transition", action, st.statusName(card.StatusId)))
		}
		now := s.clock()
		st.setCardStatus(card, status, now)
		d.UpdatedAt = now
		return s.documentDetail(r, d), nil
	}
}

// The order's state is its card's status, read by status group: Lead is the
// draft ("Előkészítés"/"Piszkozat"), the first Open status is In progress,
// any later Open status is Completed, Success is Paid, Failed is Failed.
// The other way round, each state is the first status of its group (the
// last Open one for Completed). The built-in Megrendelés module has one
// status per state in this order.
func (st *store) orderStateOf(p *project) orderState {
	switch st.statusGroup(p.StatusId) {
	case "Success":
		return orderPaid
	case "Failed":
		return orderFailed
	case "Open":
		if first, ok := st.firstStatus(p.CategoryId, "Open"); ok && first == p.StatusId {
			return orderInProgress
		}
		return orderCompleted
	}
	return orderDraft
}

func (st *store) orderStatus(catID int, s orderState) (int, bool) {
	switch s {
	case orderDraft:
		if id, ok := st.firstStatus(catID, "Lead"); ok {
			return id, true
		}
		return st.firstStatus(catID, "")
	case orderInProgress:
		return st.firstStatus(catID, "Open")
	case orderCompleted:
		return st.lastStatus(catID, "Open")
	case orderPaid:
		return st.firstStatus(catID, "Success")
	}
	return st.firstStatus(catID, "Failed")
}

// Invoice states, read from the card the same way: Success is paid, Failed
// is cancelled (storno), anything else is issued.
type invoiceState int

const (
	invoiceIssued invoiceState = iota
	invoicePaidState
	invoiceStornoState
)

func (st *store) invoiceStateOf(p *project) invoiceState {
	switch st.statusGroup(p.StatusId) {
	case "Success":
		return invoicePaidState
	case "Failed":
		return invoiceStornoState
	}
	return invoiceIssued
}

func (st *store) invoiceStatus(catID int, s invoiceState) (int, bool) {
	switch s {
	case invoicePaidState:
		return st.firstStatus(catID, "Success")
	case invoiceStornoState:
		return st.firstStatus(catID, "Failed")
	}
	if id, ok := st.firstStatus(catID, "Open"); ok {
		return id, true
	}
	return st.firstStatus(catID, "")
}

// firstStatus is the first status of a category in a group ("" = any).
func (st *store) firstStatus(catID int, group string) (int, bool) {
	c, ok := st.categories[catID]
	if !ok {
		return 0, false
	}
	for _, s := range c.Statuses {
		if group == "" || s.Group == group {
			return s.Id, true
		}
	}
	return 0, false
}

func (st *store) lastStatus(catID int, group string) (int, bool) {
	c, ok := st.categories[catID]
	if !ok {
		return 0, false
	}
	for i := len(c.Statuses) - 1; i >= 0; i-- {
		if c.Statuses[i].Group == group {
			return c.Statuses[i].Id, true
		}
	}
	return 0, false
}

func (st *store) setCardStatus(p *project, statusID int, now time.Time) {
	if p.StatusId == statusID {
		return
	}
	old := p.StatusId
	p.StatusId, p.StatusUpdatedAt, p.UpdatedAt, p.UpdatedBy = statusID, now, now, st.apiUser()
	st.addHistory(p.Id, st.apiUser(), old, statusID, now)
}

// ---------------------------------------------------------------------------
// Invoice Paid and Storno

// POST /Api/Invoice/<Id>/Paid: an issued invoice becomes paid and is the
// answer. A paid pro forma (díjbekérő) generates a paid invoice, which is
// the answer ("A válasz díjbekérő fizetettre állítása esetén, az újonnan
// létrehozott számla adatait tartalmazza"). The optional Customer object
// matters only then: the new invoice is made out with it, and, as on every
// write with a Customer object, it overwrites the contact's VAT number and
// bank account. An invoice already paid or cancelled, and a storno invoice,
// cannot be paid: 405, as for the orders.
func invoicePaid(s *Server, r *request) (any, error) {
	st := s.st
	lang := st.lang
	d, card, err := st.docOfPath(r, docInvoice)
	if err != nil {
		return nil, err
	}
	body, err := optionalBody(r, lang)
	if err != nil {
		return nil, err
	}
	for k := range body {
		if k != "Customer" {
			return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_field", k))
		}
	}
	block, err := parseParty(body["Customer"], "Customer", lang)
	if err != nil {
		return nil, err
	}
	paid, ok := st.invoiceStatus(card.CategoryId, invoicePaidState)
	if !ok || d.StornedId != 0 || st.invoiceStateOf(card) != invoiceIssued {
		return nil, errf(http.StatusMethodNotAllowed, msgf(lang, "invoice_state", "Paid", st.statusName(card.StatusId)))
	}
	now := s.clock()
	overwrite := func() {}
	if d.Type == typeProforma && block != nil {
		if billed, ok := st.contacts[d.BilledId]; ok {
			if overwrite, err = st.prepareBillingOverwrite(billed, block, now); err != nil {
				return nil, err
			}
		}
	}
	today := now.Format(dateLayout)
	st.setCardStatus(card, paid, now)
	d.PaidOn, d.UpdatedAt = today, now
	if d.Type != typeProforma {
		return s.documentDetail(r, d), nil
	}
	inv := d.clone()
	inv.Id, inv.ProjectId, inv.Type, inv.Number = 0, 0, typeInvoice, ""
	inv.Issued, inv.Performance, inv.Prompt, inv.PaidOn = today, today, today, today
	inv.StornedId, inv.StornoId, inv.InvoiceId = 0, 0, 0
	inv.CreatedAt, inv.UpdatedAt = now, now
	for k, v := range block {
		inv.Customer[k] = v
	}
	for _, it := range inv.Items {
		it.Id = 0
	}
	overwrite()
	st.addDocument(inv, st.newCard(card.CategoryId, card.ContactId, paid, now), now)
	d.InvoiceId = inv.Id
	return s.documentDetail(r, inv), nil
}

// POST /Api/Invoice/<Id>/Storno: an invoice is cancelled by a generated
// storno invoice, which is the answer; anything else (a pro forma) is
// cancelled itself and is the answer. The storno invoice reverses the
// original: the same lines with negative quantities, so its totals are the
// original's negated, as Hungarian storno invoices are. (MAN25's example
// answer shows positive amounts, but it is a copy of its Paid example: same
// Id 17, same DocumentId 68.) A cancelled invoice and a storno invoice
// cannot be cancelled again: 405.
func invoiceStorno(s *Server, r *request) (any, error) {
	st := s.st
	lang := st.lang
	d, card, err := st.docOfPath(r, docInvoice)
	if err != nil {
		return nil, err
	}
	storno, ok := st.invoiceStatus(card.CategoryId, invoiceStornoState)
	if !ok || d.StornedId != 0 || st.invoiceStateOf(card) == invoiceStornoState {
		return nil, errf(http.StatusMethodNotAllowed, msgf(lang, "invoice_state", "Storno", st.statusName(card.StatusId)))
	}
	now := s.clock()
	today := now.Format(dateLayout)
	st.setCardStatus(card, storno, now)
	d.UpdatedAt = now
	if d.Type == typeProforma {
		return s.documentDetail(r, d), nil
	}
	sto := d.clone()
	sto.Id, sto.ProjectId, sto.Type, sto.Number = 0, 0, typeInvoice, ""
	sto.Issued, sto.Prompt, sto.PaidOn = today, today, ""
	sto.StornedId, sto.StornoId, sto.InvoiceId = d.Id, 0, 0
	sto.CreatedAt, sto.UpdatedAt = now, now
	for _, it := range sto.Items {
		it.Id = 0
		q, _ := parseDecimal(it.Quantity)
		it.Quantity = decCanonical(q.Neg(q))
	}
	st.addDocument(sto, st.newCard(card.CategoryId, card.ContactId, storno, now), now)
	sto.Subject = msgf(lang, "storno_subject", sto.Number, d.Number)
	d.StornoId = sto.Id
	return s.documentDetail(r, sto), nil
}
