package sandbox

// The contacts of a feed card: the <Business> and <Contact> elements read,
// matched against the store through a feedIndex (by VAT number, name,
// Contact@Id or email), checked, and written.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// feedIndex finds records by the keys a feed matches on without scanning
// the store for every card.
type feedIndex struct {
	writes         int
	cards          map[string][]int // ReferenceId → card ids, ascending
	personByRef    map[string]int
	personByEmail  map[string]int
	businessByVat  map[string]int
	businessByName map[string]int
}

func newFeedIndex(st *store, writes int) *feedIndex {
	idx := &feedIndex{writes: writes, cards: map[string][]int{}, personByRef: map[string]int{}, personByEmail: map[string]int{},
		businessByVat: map[string]int{}, businessByName: map[string]int{}}
	for _, id := range sortedIDs(st.projects) {
		if ref, _ := st.projects[id].Values["ReferenceId"].(string); ref != "" {
			idx.cards[ref] = append(idx.cards[ref], id)
		}
	}
	for _, id := range sortedIDs(st.contacts) {
		idx.addContact(st.contacts[id])
	}
	return idx
}

// addContact indexes a contact; earlier (lower) ids win.
func (idx *feedIndex) addContact(c *contact) {
	if c.Deleted != 0 {
		return
	}
	put := func(m map[string]int, k string) {
		if _, ok := m[k]; !ok && k != "" {
			m[k] = c.Id
		}
	}
	if c.Type == "Business" {
		v, _ := c.Values["VatNumber"].(string)
		put(idx.businessByVat, vatKey(v))
		put(idx.businessByName, fold(strings.Join(strings.Fields(c.name()), " ")))
		return
	}
	ref, _ := c.Values["ReferenceId"].(string)
	put(idx.personByRef, ref)
	for _, e := range c.Emails {
		put(idx.personByEmail, strings.ToLower(strings.TrimSpace(e)))
	}
}

// vatKey reduces a VAT number to its letters and digits.
func vatKey(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s))
}

// contactPlan is a contact to write once nothing of the card can fail any
// more: a new one (orig nil) or an edited copy of an existing one.
type contactPlan struct {
	orig    *contact
	next    *contact
	changed bool
	// addrs are the contact's addresses of the feed (feedaddress.go).
	addrs []*addressPlan
}

// readContactNode splits a <Business> or <Contact> into a PUT body and its
// email addresses and phone numbers (flat <Email> or <Emails><Email><Value>).
func readContactNode(n *xnode, o *FeedOutcome) (body map[string]any, emails, phones []string, addrs []map[string]any, err error) {
	body = map[string]any{}
	for _, ch := range n.kids {
		switch {
		case ch.name == "Emails" || ch.name == "Phones":
			for _, item := range ch.kids {
				v := item.text
				for _, k := range item.kids {
					if k.name == "Value" {
						v = k.text
					}
				}
				if v = strings.TrimSpace(v); v == "" {
					continue
				}
				if ch.name == "Emails" {
					emails = append(emails, v)
				} else {
					phones = append(phones, v)
				}
			}
		case ch.name == "Addresses":
			as, err := readAddressNodes(ch)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			addrs = append(addrs, as...)
		case ch.name == "Email" && ch.simple():
			if v := strings.TrimSpace(ch.text); v != "" {
				emails = append(emails, v)
			}
		case ch.name == "Phone" && ch.simple():
			if v := strings.TrimSpace(ch.text); v != "" {
				phones = append(phones, v)
			}
		case !ch.simple():
			return nil, nil, nil, nil, fmt.Errorf("unknown element <%s> in <%s> (line %d)", ch.name, n.name, ch.line)
		default:
			body[ch.name] = ch.text
		}
	}
	return body, emails, phones, addrs, nil
}

// planContact matches or creates a contact (checked on a copy; nothing is
// stored yet).
func (s *Server) planContact(st *store, typ string, found *contact, body map[string]any, emails, phones []string, addrs []map[string]any) (*contactPlan, error) {
	now := s.clock()
	cp := &contactPlan{orig: found}
	if found == nil {
		cp.next = &contact{Type: typ, CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now, Values: map[string]any{}}
	} else {
		c := *found
		c.Values = cloneValues(found.Values)
		c.Emails, c.Phones = slices.Clone(found.Emails), slices.Clone(found.Phones)
		cp.next = &c
	}
	changed, err := applyContact(st, cp.next, body, found == nil)
	if err != nil {
		return nil, err
	}
	// Each address is written as an R3 PUT writes one (a new one becomes
	// the default). Addresses the contact has already, in any order, are no
	// change: a feed sent twice must not reorder them.
	for _, e := range emails {
		if _, err := applyContact(st, cp.next, map[string]any{"Email": e}, false); err != nil {
			return nil, err
		}
	}
	for _, p := range phones {
		if _, err := applyContact(st, cp.next, map[string]any{"Phone": p}, false); err != nil {
			return nil, err
		}
	}
	if found != nil {
		sameSet := func(a, b []string) bool {
			return len(a) == len(b) && !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
		}
		if sameSet(found.Emails, cp.next.Emails) {
			cp.next.Emails = found.Emails
		} else {
			changed = true
		}
		if sameSet(found.Phones, cp.next.Phones) {
			cp.next.Phones = found.Phones
		} else {
			changed = true
		}
	}
	cp.changed = changed
	if cp.addrs, err = s.planAddresses(st, found, addrs); err != nil {
		return nil, err
	}
	return cp, nil
}

// commit stores a planned contact and returns it.
func (s *Server) commitContact(st *store, idx *feedIndex, cp *contactPlan, now time.Time) (c *contact, created, updated bool) {
	defer func() {
		if s.commitAddresses(st, c, cp.addrs, now) {
			s.dirty = true
		}
	}()
	if cp.orig == nil {
		cp.next.Id = st.newID()
		st.contacts[cp.next.Id] = cp.next
		idx.addContact(cp.next)
		return cp.next, true, false
	}
	if cp.changed {
		cp.next.UpdatedAt, cp.next.UpdatedBy = now, st.apiUser()
		*cp.orig = *cp.next
		idx.addContact(cp.orig)
		return cp.orig, false, true
	}
	return cp.orig, false, false
}
