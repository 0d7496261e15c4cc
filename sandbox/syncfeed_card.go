package sandbox

// Applying one <Project> of a feed: its business and contacts, the card's
// fields, addresses and documents, all checked before anything is written.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// feedCard is a <Project> sorted into its parts.
type feedCard struct {
	ref  string         // Project@Id, the card's ReferenceId
	body map[string]any // the card's simple elements, as an R3 PUT body
	// business is the <Business> element; contacts the <Contact>s of
	// <Contacts>; orders and offers the documents.
	business                 *xnode
	contacts, orders, offers []*xnode
	catValue                 string // <CategoryId>, when hasCat
	hasCat                   bool
	contactID                int // <ContactId>, else 0
}

// cardPlan is a card as a feed would leave it: orig is the stored card (nil
// for a new one), next its copy with the feed's values.
type cardPlan struct {
	orig, next             *project
	changed, statusChanged bool
}

// applyCardLocked applies one <Project>; s.mu is held. Every step before
// the commit works on copies, so a card that fails changes nothing.
func (s *Server) applyCardLocked(o *FeedOutcome, idx *feedIndex, n *xnode) {
	st := s.st
	o.Cards++
	ref := strings.TrimSpace(n.attrs["Id"])
	failed := func(err error) {
		o.Failed++
		o.fail(ref, n.line, err.Error())
	}
	if ref == "" {
		failed(errors.New("the Project has no Id attribute"))
		return
	}
	fc, err := readFeedCard(st, ref, n)
	if err != nil {
		failed(err)
		return
	}
	card, catID, err := st.findFeedCard(idx, fc)
	if err != nil {
		failed(err)
		return
	}
	now := s.clock()
	cp, err := st.planFeedCard(card, catID, fc, now)
	if err != nil {
		failed(err)
		return
	}
	busPlan, personPlans, err := s.planFeedContacts(st, idx, o, fc)
	if err != nil {
		failed(err)
		return
	}
	if card == nil && fc.contactID == 0 && busPlan == nil && len(personPlans) == 0 {
		failed(errors.New("a new card needs its contact: <Contacts>, <Business> or <ContactId>"))
		return
	}

	// Commit.
	contactID, dirty := s.commitFeedContacts(st, idx, o, busPlan, personPlans, fc.contactID, now)
	if contactID != 0 && contactID != cp.next.ContactId {
		cp.next.ContactId, cp.changed = contactID, true
	}
	if b := st.businessOf(cp.next.ContactId); b != cp.next.BusinessId {
		cp.next.BusinessId, cp.changed = b, true
	}
	card, written := s.saveFeedCard(idx, o, ref, cp, now)
	dirty = dirty || written
	for _, d := range fc.orders {
		dirty = s.applyFeedDocument(o, st, docOrder, ref, card, d, now) || dirty
	}
	for _, d := range fc.offers {
		dirty = s.applyFeedDocument(o, st, docOffer, ref, card, d, now) || dirty
	}
	if dirty {
		s.dirty = true
	}
}

// readFeedCard sorts the children of a <Project> into a feedCard. An
// unknown element or a <ContactId> naming no contact is an error.
func readFeedCard(st *store, ref string, n *xnode) (*feedCard, error) {
	fc := &feedCard{ref: ref, body: map[string]any{}}
	for _, ch := range n.kids {
		switch ch.name {
		case "Business":
			fc.business = ch
		case "Contacts":
			for _, k := range ch.kids {
				if k.name != "Contact" {
					return nil, fmt.Errorf("unknown element <%s> in <Contacts> (line %d)", k.name, k.line)
				}
				fc.contacts = append(fc.contacts, k)
			}
		case "Orders", "Offers":
			for _, k := range ch.kids {
				if k.name+"s" != ch.name {
					return nil, fmt.Errorf("unknown element <%s> in <%s> (line %d)", k.name, ch.name, k.line)
				}
				if ch.name == "Orders" {
					fc.orders = append(fc.orders, k)
				} else {
					fc.offers = append(fc.offers, k)
				}
			}
		case "CategoryId":
			fc.catValue, fc.hasCat = strings.TrimSpace(ch.text), true
		case "ContactId": // PEN sends the card's contact by id
			id, err := strconv.Atoi(strings.TrimSpace(ch.text))
			if c, ok := st.contacts[id]; err != nil || !ok || c.Deleted != 0 {
				return nil, errors.New(msgf(st.lang, "not_contact", id))
			}
			fc.contactID = id
		case "ReferenceId":
			// Project@Id is the ReferenceId; an element cannot change it.
		default:
			if !ch.simple() {
				return nil, fmt.Errorf("unknown element <%s> (line %d)", ch.name, ch.line)
			}
			fc.body[ch.name] = ch.text
		}
	}
	return fc, nil
}

// findFeedCard resolves the card's <CategoryId> (0 without one) and finds
// the card with its ReferenceId in that module, or in any without one; nil
// when there is none.
func (st *store) findFeedCard(idx *feedIndex, fc *feedCard) (card *project, catID int, err error) {
	if fc.hasCat {
		id, ok := st.categoryByValue(fc.catValue)
		if !ok {
			return nil, 0, errors.New(msgf(st.lang, "invalid_value", fc.catValue, "CategoryId"))
		}
		catID = id
	}
	for _, id := range idx.cards[fc.ref] {
		if p, ok := st.projects[id]; ok && p.Values["ReferenceId"] == fc.ref && (catID == 0 || p.CategoryId == catID) {
			return p, catID, nil
		}
	}
	return nil, catID, nil
}

// planFeedCard gives the card as the feed would leave it: a copy of card
// with the feed's values, or a new card (which needs CategoryId, Name and
// StatusId) when card is nil. Nothing is stored.
func (st *store) planFeedCard(card *project, catID int, fc *feedCard, now time.Time) (*cardPlan, error) {
	cp := &cardPlan{orig: card}
	if card == nil {
		if catID == 0 {
			return nil, errors.New("no card has this ReferenceId, and creating one needs CategoryId")
		}
		for _, k := range []string{"Name", "StatusId"} {
			if v, _ := fc.body[k].(string); strings.TrimSpace(v) == "" {
				return nil, errors.New(msgf(st.lang, "required", k) + " (a new card)")
			}
		}
		cp.next = &project{CategoryId: catID, UserId: st.apiUser(), CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(),
			UpdatedAt: now, StatusUpdatedAt: now, Values: map[string]any{"ReferenceId": fc.ref}}
	} else {
		c := *card
		c.Values = cloneValues(card.Values)
		cp.next = &c
	}
	var err error
	if cp.changed, cp.statusChanged, err = applyProject(st, cp.next, fc.body); err != nil {
		return nil, err
	}
	return cp, nil
}

// planFeedContacts plans the card's <Business> (nil without one) and each
// <Contact>, in the feed's order.
func (s *Server) planFeedContacts(st *store, idx *feedIndex, o *FeedOutcome, fc *feedCard) (bus *contactPlan, persons []*contactPlan, err error) {
	if fc.business != nil {
		if bus, err = s.planFeedBusiness(st, idx, o, fc.business); err != nil {
			return nil, nil, err
		}
	}
	for _, cn := range fc.contacts {
		plan, err := s.planFeedPerson(st, idx, o, cn)
		if err != nil {
			return nil, nil, err
		}
		persons = append(persons, plan)
	}
	return bus, persons, nil
}

// planFeedBusiness plans a <Business>: matched by its VAT number when it
// has one, else by its name, else a new business.
func (s *Server) planFeedBusiness(st *store, idx *feedIndex, o *FeedOutcome, n *xnode) (*contactPlan, error) {
	b, emails, phones, addrs, err := readContactNode(n, o)
	if err != nil {
		return nil, err
	}
	var found *contact
	vat, _ := b["VatNumber"].(string)
	if vatKey(vat) != "" {
		found = st.contacts[idx.businessByVat[vatKey(vat)]]
	}
	name, _ := b["Name"].(string)
	if found == nil && vatKey(vat) == "" {
		found = st.contacts[idx.businessByName[fold(strings.Join(strings.Fields(name), " "))]]
		if found != nil {
			// Found by its name, spelled the same but for case, accents
			// or spacing: that spelling is no change to write (two
			// cards of a feed would otherwise rename it back and forth).
			delete(b, "Name")
		}
	}
	if found == nil && strings.TrimSpace(name) == "" {
		return nil, errors.New(msgf(st.lang, "required", "Business/Name"))
	}
	plan, err := s.planContact(st, "Business", found, b, emails, phones, addrs)
	if err != nil {
		return nil, errors.New("Business: " + err.Error())
	}
	return plan, nil
}

// planFeedPerson plans a <Contact>: matched by Contact@Id (the person's
// ReferenceId), then by email, else a new person.
func (s *Server) planFeedPerson(st *store, idx *feedIndex, o *FeedOutcome, cn *xnode) (*contactPlan, error) {
	b, emails, phones, addrs, err := readContactNode(cn, o)
	if err != nil {
		return nil, err
	}
	if t, ok := b["Type"]; ok {
		if t != "Person" && t != "Személy" {
			return nil, fmt.Errorf("Contact: Type %q: a <Contact> is a person", t)
		}
		delete(b, "Type")
	}
	if v, ok := b["Name"]; ok { // PEN's minimal form: <Name> for the whole name
		if _, has := b["FirstName"]; !has {
			if _, has := b["LastName"]; !has {
				b["FirstName"] = v
			}
		}
		delete(b, "Name")
	}
	cref := strings.TrimSpace(cn.attrs["Id"])
	var found *contact
	if cref != "" {
		found = st.contacts[idx.personByRef[cref]]
	}
	for _, e := range emails {
		if found == nil {
			found = st.contacts[idx.personByEmail[strings.ToLower(e)]]
		}
	}
	if cref != "" {
		old := ""
		if found != nil {
			old, _ = found.Values["ReferenceId"].(string)
		}
		if old == "" { // a person matched by email keeps the id it has
			b["ReferenceId"] = cref
		}
	}
	if found == nil {
		first, _ := b["FirstName"].(string)
		last, _ := b["LastName"].(string)
		if strings.TrimSpace(first+last) == "" {
			return nil, errors.New(msgf(st.lang, "required", "Contact/FirstName"))
		}
	}
	plan, err := s.planContact(st, "Person", found, b, emails, phones, addrs)
	if err != nil {
		return nil, errors.New("Contact: " + err.Error())
	}
	return plan, nil
}

// commitFeedContacts writes the planned business and persons and gives the
// card's contact: the <ContactId> (contactID) if given, else the first
// person, else the business; 0 when there is none. dirty says whether a
// contact was written.
func (s *Server) commitFeedContacts(st *store, idx *feedIndex, o *FeedOutcome, busPlan *contactPlan, personPlans []*contactPlan, contactID int, now time.Time) (int, bool) {
	dirty := false
	var bus *contact
	if busPlan != nil {
		var created, updated bool
		bus, created, updated = s.commitContact(st, idx, busPlan, now)
		o.BusinessesCreated += b2i(created)
		o.BusinessesUpdated += b2i(updated)
		dirty = dirty || created || updated
	}
	for i, pp := range personPlans {
		if bus != nil && pp.next.BusinessId == 0 {
			// A person is put in the card's company when in none yet
			// (contacts cannot move between companies through the API).
			pp.next.BusinessId = bus.Id
			pp.changed = true
		}
		c, created, updated := s.commitContact(st, idx, pp, now)
		o.PersonsCreated += b2i(created)
		o.PersonsUpdated += b2i(updated)
		dirty = dirty || created || updated
		if i == 0 && contactID == 0 {
			contactID = c.Id
		}
	}
	if contactID == 0 && bus != nil {
		contactID = bus.Id
	}
	return contactID, dirty
}

// saveFeedCard stores a planned card: as a new card (with ReferenceId ref)
// when it has no original, over the original when changed, and counts the
// outcome. It gives the stored card and whether anything was written.
func (s *Server) saveFeedCard(idx *feedIndex, o *FeedOutcome, ref string, cp *cardPlan, now time.Time) (*project, bool) {
	st := s.st
	card, next := cp.orig, cp.next
	switch {
	case card == nil:
		next.Id = st.newID()
		next.Hash = projectHash(next.Id)
		st.projects[next.Id] = next
		st.addHistory(next.Id, next.UserId, 0, next.StatusId, now)
		idx.cards[ref] = append(idx.cards[ref], next.Id)
		o.Created++
		s.stats.FeedCards++
		return next, true
	case cp.changed:
		next.UpdatedAt, next.UpdatedBy = now, st.apiUser()
		if cp.statusChanged {
			next.StatusUpdatedAt = now
			st.addHistory(card.Id, st.apiUser(), card.StatusId, next.StatusId, now)
		}
		*card = *next
		o.Updated++
		s.stats.FeedCards++
		return card, true
	default:
		o.Unchanged++
		return card, false
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
