package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// A feed's <Addresses> under <Business> or <Contact> are the contact's
// addresses. The facts leave the matching open; the sandbox upserts [I]:
// an address of the same Type (or, without a Type, the same Name) that the
// contact has is updated, any other is added. Values are checked as an R3
// PUT /Api/R3/Address checks them (Type from the address schema, CountryId
// a known country, lengths); a bad one fails the card. Name is not
// required here: the official WooCommerce plugin sends addresses without
// one. The first address of a contact becomes its default, <Default>1
// makes one the default. An address written with the values it has is no
// change.

// addressPlan is one address of a feed to write once the card cannot fail.
type addressPlan struct {
	orig        *address // nil: a new address
	next        *address
	wantDefault bool
	changed     bool
}

// readAddressNodes reads an <Addresses> list into R3 bodies.
func readAddressNodes(n *xnode) ([]map[string]any, error) {
	var out []map[string]any
	for _, a := range n.kids {
		if a.name != "Address" {
			return nil, fmt.Errorf("unknown element <%s> in <Addresses> (line %d)", a.name, a.line)
		}
		body := map[string]any{}
		for _, f := range a.kids {
			if !f.simple() {
				return nil, fmt.Errorf("unknown element <%s> in <Address> (line %d)", f.name, f.line)
			}
			body[f.name] = f.text
		}
		out = append(out, body)
	}
	return out, nil
}

// planAddresses checks a contact's feed addresses against what it has
// (found nil: a new contact) on copies.
func (s *Server) planAddresses(st *store, found *contact, bodies []map[string]any) ([]*addressPlan, error) {
	var out []*addressPlan
	for i, body := range bodies {
		probe := &address{}
		wantDefault, _, err := applyAddress(st, probe, body)
		if err != nil {
			return nil, fmt.Errorf("Address %d: %w", i+1, err)
		}
		var orig *address
		if found != nil {
			orig = st.feedAddressOf(found.Id, probe, body)
		}
		ap := &addressPlan{orig: orig, wantDefault: wantDefault != nil && *wantDefault}
		if orig == nil {
			ap.next, ap.changed = probe, true
		} else {
			cp := *orig
			_, changed, _ := applyAddress(st, &cp, body)
			ap.next, ap.changed = &cp, changed || (ap.wantDefault && orig.Default == 0)
		}
		out = append(out, ap)
	}
	return out, nil
}

// feedAddressOf finds the contact's address a feed address updates.
func (st *store) feedAddressOf(contactID int, probe *address, body map[string]any) *address {
	_, hasType := body["Type"]
	for _, id := range sortedIDs(st.cat.addresses) {
		a := st.cat.addresses[id]
		if a.ContactId != contactID {
			continue
		}
		if hasType && probe.Type != 0 {
			if a.Type == probe.Type {
				return a
			}
		} else if strings.EqualFold(a.Name, probe.Name) {
			return a
		}
	}
	return nil
}

// commitAddresses stores a contact's planned addresses; it reports whether
// anything changed.
func (s *Server) commitAddresses(st *store, c *contact, plans []*addressPlan, now time.Time) bool {
	dirty := false
	for _, ap := range plans {
		if !ap.changed {
			continue
		}
		dirty = true
		if ap.orig == nil {
			a := ap.next
			a.Id, a.ContactId = st.newID(), c.Id
			a.CreatedBy, a.CreatedAt, a.UpdatedBy, a.UpdatedAt = st.apiUser(), now, st.apiUser(), now
			st.cat.addresses[a.Id] = a
			st.placeAddress(a, ap.wantDefault)
			continue
		}
		ap.next.UpdatedAt, ap.next.UpdatedBy = now, st.apiUser()
		*ap.orig = *ap.next
		if ap.wantDefault {
			st.makeDefault(ap.orig)
		}
	}
	return dirty
}
