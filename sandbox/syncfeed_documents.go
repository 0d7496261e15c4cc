package sandbox

// The <Orders> and <Offers> of a feed card: each becomes a document of the
// Order or Offer module, created or, when Order@Id (Offer@Id) comes again,
// updated.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// orderStates maps an <Order>'s Status to the order's state: WOO sends
// Issued, Completed, Failed; PEN Draft [C-doc: WOO, C-code: PEN]. Paid is
// the sandbox's addition for the Success group.
var orderStates = map[string]orderState{"draft": orderDraft, "issued": orderInProgress, "inprogress": orderInProgress,
	"completed": orderCompleted, "paid": orderPaid, "failed": orderFailed}

// applyFeedDocument creates or updates the order or offer of a card. A bad
// document fails alone (recorded); the card stays applied. It reports
// whether anything changed.
func (s *Server) applyFeedDocument(o *FeedOutcome, st *store, kind, ref string, card *project, n *xnode, now time.Time) bool {
	ext := strings.TrimSpace(n.attrs["Id"])
	failed := func(reason string) bool {
		o.fail(ref, n.line, kind+" "+strconv.Quote(ext)+": "+reason)
		return false
	}
	if ext == "" {
		return failed("the Id attribute is missing")
	}
	body := map[string]any{"CustomerId": float64(card.ContactId)}
	status := ""
	for _, ch := range n.kids {
		switch ch.name {
		case "Customer":
			m := map[string]any{}
			for _, k := range ch.kids {
				m[k.name] = k.text
			}
			body["Customer"] = m
		case "Project":
			m := map[string]any{}
			for _, k := range ch.kids {
				m[k.name] = k.text
			}
			body["Project"] = m
		case "Products":
			var items []any
			for _, p := range ch.kids {
				it := map[string]any{}
				for _, k := range p.kids {
					switch k.name {
					case "FolderName":
						o.note("product folders (FolderName) are not stored")
					default:
						it[k.name] = k.text
					}
				}
				if _, has := it["SKU"]; !has {
					it["SKU"] = p.attrs["Id"] // the external product id, to tell lines apart
				}
				items = append(items, it)
			}
			body["Items"] = items
		case "Status":
			status = strings.TrimSpace(ch.text)
		case "Language":
			if kind == docOffer {
				body["Language"] = strings.TrimPrefix(strings.TrimSpace(ch.text), "_")
			}
		default:
			if !docWritable[kind][ch.name] {
				o.note(fmt.Sprintf("%s/%s is not stored", kind, ch.name))
				continue
			}
			body[ch.name] = ch.text
		}
	}
	b, err := st.buildDocument(kind, body, now, false)
	if err != nil {
		return failed(err.Error())
	}
	cat := b.card.CategoryId
	statusID := 0
	if status != "" {
		var ok bool
		if kind == docOrder {
			state, known := orderStates[strings.ToLower(strings.ReplaceAll(status, " ", ""))]
			if statusID, ok = st.orderStatus(cat, state); !known || !ok {
				return failed(fmt.Sprintf("Status %q is not one of Draft, Issued, Completed, Paid, Failed", status))
			}
		} else if statusID, ok = st.statusByValue(cat, status); !ok {
			return failed(msgf(st.lang, "invalid_value", status, "Status"))
		}
	}
	f := &s.feeds
	if f.docsOf != st {
		f.docs, f.docsOf = map[string]int{}, st
	}
	key := kind + "\x00" + ext
	if id, ok := f.docs[key]; ok {
		if d, ok := st.docs[id]; ok && d.Kind == kind {
			return s.updateFeedDocument(o, st, d, b, body["Project"], statusID, now, failed)
		}
	}
	b.overwrite()
	st.addDocument(b.doc, b.card, now)
	if statusID != 0 {
		st.setCardStatus(st.projects[b.doc.ProjectId], statusID, now)
	}
	f.docs[key] = b.doc.Id
	o.Documents++
	if len(o.DocumentIds) < maxFeedFailures {
		o.DocumentIds = append(o.DocumentIds, FeedDocument{Kind: kind, Id: ext, Document: b.doc.Id, ProjectId: b.doc.ProjectId})
	}
	return true
}

// updateFeedDocument brings an existing document to what the feed says:
// its data and lines (replaced as a whole when they differ), its card's
// fields and status.
func (s *Server) updateFeedDocument(o *FeedOutcome, st *store, d *document, b *built, project any, statusID int, now time.Time,
	failed func(string) bool) bool {
	nd := b.doc
	same := func(x, y any) bool {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		return bytes.Equal(bx, by)
	}
	lines := func(items []*docItem) []docItem {
		out := make([]docItem, len(items))
		for i, it := range items {
			out[i] = *it
			out[i].Id = 0
		}
		return out
	}
	changed := false
	if d.Subject != nd.Subject || d.Performance != nd.Performance || d.CurrencyCode != nd.CurrencyCode ||
		(nd.Number != "" && d.Number != nd.Number) || !same(d.Customer, nd.Customer) || !same(lines(d.Items), lines(nd.Items)) {
		d.Subject, d.Performance, d.CurrencyCode, d.Customer = nd.Subject, nd.Performance, nd.CurrencyCode, nd.Customer
		if nd.Number != "" {
			d.Number = nd.Number
		}
		for _, it := range nd.Items {
			it.Id = st.newID()
		}
		d.Items = nd.Items
		d.UpdatedAt = now
		changed = true
	}
	card := st.projects[d.ProjectId]
	if card == nil {
		return changed
	}
	if project != nil {
		cp := *card
		cp.Values = cloneValues(card.Values)
		ch, stCh, err := applyProject(st, &cp, project.(map[string]any))
		if err != nil {
			failed(err.Error())
		} else {
			st.commitCard(card, &cp, ch, stCh, now)
			changed = changed || ch
		}
	}
	if statusID != 0 && statusID != card.StatusId {
		st.setCardStatus(card, statusID, now)
		changed = true
	}
	if changed {
		b.overwrite()
		o.Documents++
	}
	return changed
}
