package sandbox

// Applying one <Project> of a feed: its business and contacts, the card's
// fields, addresses and documents, all checked before anything is written.

import (
	"fmt"
	"strconv"
	"strings"
)

// applyCardLocked applies one <Project>; s.mu is held.
func (s *Server) applyCardLocked(o *FeedOutcome, idx *feedIndex, n *xnode) {
	st := s.st
	lang := st.lang
	o.Cards++
	ref := strings.TrimSpace(n.attrs["Id"])
	failed := func(reason string) {
		o.Failed++
		o.fail(ref, n.line, reason)
	}
	if ref == "" {
		failed("the Project has no Id attribute")
		return
	}
	body := map[string]any{}
	var busNode *xnode
	var contactNodes, orderNodes, offerNodes []*xnode
	catValue, hasCat := "", false
	contactID := 0
	for _, ch := range n.kids {
		switch ch.name {
		case "Business":
			busNode = ch
		case "Contacts":
			for _, k := range ch.kids {
				if k.name != "Contact" {
					failed(fmt.Sprintf("unknown element <%s> in <Contacts> (line %d)", k.name, k.line))
					return
				}
				contactNodes = append(contactNodes, k)
			}
		case "Orders", "Offers":
			for _, k := range ch.kids {
				if k.name+"s" != ch.name {
					failed(fmt.Sprintf("unknown element <%s> in <%s> (line %d)", k.name, ch.name, k.line))
					return
				}
				if ch.name == "Orders" {
					orderNodes = append(orderNodes, k)
				} else {
					offerNodes = append(offerNodes, k)
				}
			}
		case "CategoryId":
			catValue, hasCat = strings.TrimSpace(ch.text), true
		case "ContactId": // PEN sends the card's contact by id
			id, err := strconv.Atoi(strings.TrimSpace(ch.text))
			if c, ok := st.contacts[id]; err != nil || !ok || c.Deleted != 0 {
				failed(msgf(lang, "not_contact", id))
				return
			}
			contactID = id
		case "ReferenceId":
			// Project@Id is the ReferenceId; an element cannot change it.
		default:
			if !ch.simple() {
				failed(fmt.Sprintf("unknown element <%s> (line %d)", ch.name, ch.line))
				return
			}
			body[ch.name] = ch.text
		}
	}
	catID := 0
	if hasCat {
		id, ok := st.categoryByValue(catValue)
		if !ok {
			failed(msgf(lang, "invalid_value", catValue, "CategoryId"))
			return
		}
		catID = id
	}
	var card *project
	for _, id := range idx.cards[ref] {
		if p, ok := st.projects[id]; ok && p.Values["ReferenceId"] == ref && (catID == 0 || p.CategoryId == catID) {
			card = p
			break
		}
	}
	now := s.clock()

	// Plan everything on copies: a card that fails changes nothing.
	var next *project
	if card == nil {
		if catID == 0 {
			failed("no card has this ReferenceId, and creating one needs CategoryId")
			return
		}
		for _, k := range []string{"Name", "StatusId"} {
			if v, _ := body[k].(string); strings.TrimSpace(v) == "" {
				failed(msgf(lang, "required", k) + " (a new card)")
				return
			}
		}
		next = &project{CategoryId: catID, UserId: st.apiUser(), CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(),
			UpdatedAt: now, StatusUpdatedAt: now, Values: map[string]any{"ReferenceId": ref}}
	} else {
		cp := *card
		cp.Values = cloneValues(card.Values)
		next = &cp
	}
	changed, statusChanged, err := applyProject(st, next, body)
	if err != nil {
		failed(err.Error())
		return
	}

	var busPlan *contactPlan
	if busNode != nil {
		b, emails, phones, addrs, err := readContactNode(busNode, o)
		if err != nil {
			failed(err.Error())
			return
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
			failed(msgf(lang, "required", "Business/Name"))
			return
		}
		if busPlan, err = s.planContact(st, "Business", found, b, emails, phones, addrs); err != nil {
			failed("Business: " + err.Error())
			return
		}
	}
	var personPlans []*contactPlan
	for _, cn := range contactNodes {
		b, emails, phones, addrs, err := readContactNode(cn, o)
		if err != nil {
			failed(err.Error())
			return
		}
		if t, ok := b["Type"]; ok {
			if t != "Person" && t != "Személy" {
				failed(fmt.Sprintf("Contact: Type %q: a <Contact> is a person", t))
				return
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
				failed(msgf(lang, "required", "Contact/FirstName"))
				return
			}
		}
		plan, err := s.planContact(st, "Person", found, b, emails, phones, addrs)
		if err != nil {
			failed("Contact: " + err.Error())
			return
		}
		personPlans = append(personPlans, plan)
	}
	if card == nil && contactID == 0 && busPlan == nil && len(personPlans) == 0 {
		failed("a new card needs its contact: <Contacts>, <Business> or <ContactId>")
		return
	}

	// Commit.
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
	if contactID != 0 && contactID != next.ContactId {
		next.ContactId, changed = contactID, true
	}
	if b := st.businessOf(next.ContactId); b != next.BusinessId {
		next.BusinessId, changed = b, true
	}
	switch {
	case card == nil:
		next.Id = st.newID()
		next.Hash = projectHash(next.Id)
		st.projects[next.Id] = next
		st.addHistory(next.Id, next.UserId, 0, next.StatusId, now)
		idx.cards[ref] = append(idx.cards[ref], next.Id)
		card = next
		o.Created++
		s.stats.FeedCards++
		dirty = true
	case changed:
		next.UpdatedAt, next.UpdatedBy = now, st.apiUser()
		if statusChanged {
			next.StatusUpdatedAt = now
			st.addHistory(card.Id, st.apiUser(), card.StatusId, next.StatusId, now)
		}
		*card = *next
		o.Updated++
		s.stats.FeedCards++
		dirty = true
	default:
		o.Unchanged++
	}
	for _, d := range orderNodes {
		dirty = s.applyFeedDocument(o, st, docOrder, ref, card, d, now) || dirty
	}
	for _, d := range offerNodes {
		dirty = s.applyFeedDocument(o, st, docOffer, ref, card, d, now) || dirty
	}
	if dirty {
		s.dirty = true
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
