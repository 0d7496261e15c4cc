package pipeline

import (
	"fmt"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// Step 4 of an import via the feed (viafeed.go): the rows the feed
// created, in the planner (adoptRow: their records found by their links)
// and in the writers (adopt: taken as created, without a request).

// feedMissingError is a feed row whose record MiniCRM does not show.
type feedMissingError struct {
	kind mapping.EntityKind
	how  string
}

func (e *feedMissingError) Error() string {
	return fmt.Sprintf("the XML feed was to create this row's %s, but MiniCRM does not show it (%s): MiniCRM refused the card or has not applied the feed yet; nothing else was written for this row, and the next run matches it again",
		strings.ToLower(string(e.kind)), e.how)
}

// adoptRow plans a row the feed created: its records are found by their
// links (the person by e-mail or phone, its company by BusinessId, the card
// by its contact and name) instead of by every key, and each record the
// first time a row names it is taken as created (see worker.adopt).
func (p *planner) adoptRow(j *rowJob) error {
	recs := j.b.Records()
	line := j.row.Loc.Line
	chosen := map[mapping.EntityKind]*entity{}
	byKind := map[mapping.EntityKind]*mapping.Record{}
	for _, rec := range recs {
		byKind[rec.Kind] = rec
	}
	if pr := byKind[mapping.KindPerson]; pr != nil {
		var e *entity
		for _, k := range []string{"email", "phone"} {
			if v := pr.Keys.Key(k); v != "" {
				if list := p.m.index[mapping.KindPerson][k][v]; len(list) == 1 {
					e = list[0]
					break
				} else if len(list) > 1 {
					return &ambiguousError{kind: mapping.KindPerson, key: k, value: v, cands: list}
				}
			}
		}
		if e == nil || e.id() == 0 {
			return &feedMissingError{kind: mapping.KindPerson, how: "no person with its e-mail or phone"}
		}
		chosen[mapping.KindPerson] = e
	}
	if br := byKind[mapping.KindBusiness]; br != nil {
		var e *entity
		if pe := chosen[mapping.KindPerson]; pe != nil && byKind[mapping.KindPerson].Link == mapping.KindBusiness {
			e = p.m.lookup(pe.snapshot().BusinessId)
		} else if v := br.Keys.Key("name"); v != "" {
			if list := p.m.index[mapping.KindBusiness]["name"][v]; len(list) == 1 {
				e = list[0]
			}
		}
		if e == nil || e.kind != mapping.KindBusiness {
			return &feedMissingError{kind: mapping.KindBusiness, how: "its person has no company, or no company has its name"}
		}
		chosen[mapping.KindBusiness] = e
	}
	if cr := byKind[mapping.KindProject]; cr != nil {
		contact := chosen[cr.Link]
		if contact == nil {
			return &feedMissingError{kind: mapping.KindProject, how: "its contact was not found"}
		}
		e := p.cardOf(contact.id(), mapping.ValueString(cr.Fields["Name"]))
		if e == nil {
			return &feedMissingError{kind: mapping.KindProject, how: fmt.Sprintf("no card %q of contact %d", mapping.ValueString(cr.Fields["Name"]), contact.id())}
		}
		chosen[mapping.KindProject] = e
	}
	for _, rec := range recs {
		if err := p.checkClaims(rec, chosen[rec.Kind]); err != nil {
			return err
		}
	}
	steps := map[mapping.EntityKind]*step{}
	for _, rec := range recs {
		e := chosen[rec.Kind]
		p.claim(line, rec, e)
		scope := ""
		if rec.Kind == mapping.KindProject {
			scope = p.cardScope(e)
		}
		p.indexKeys(rec, e, scope)
		chain(j, steps, &step{rec: rec, ent: e, adopt: !e.adopted})
		e.adopted = true
	}
	return nil
}

// cardScope is the name-key scope of a card: its contact's.
func (p *planner) cardScope(e *entity) string {
	if c := p.m.lookup(e.snapshot().ContactId); c != nil {
		return c.scope
	}
	return e.scope
}

// cardOf finds the mapped module's card of a contact by its name, from an
// index built the first time it is needed (the mirror is complete by then).
func (p *planner) cardOf(contactID int, name string) *entity {
	if p.cards == nil {
		p.cards = map[string][]*entity{}
		for _, e := range p.m.all() {
			if e.kind != mapping.KindProject {
				continue
			}
			r := e.snapshot()
			k := fmt.Sprintf("%d|%s", r.ContactId, r.Name)
			p.cards[k] = append(p.cards[k], e)
		}
	}
	list := p.cards[fmt.Sprintf("%d|%s", contactID, name)]
	for _, e := range list {
		if !e.adopted {
			return e
		}
	}
	if len(list) > 0 {
		return list[0]
	}
	return nil
}

// adopt takes a record the feed created as this row's create: the mirror
// learns the values the row gave it (what the feed sent), and the row
// reports it created, as a REST create would have. No request is made.
func (w *worker) adopt(j *rowJob, st *step, linkID int) state.EntityOutcome {
	r := w.r
	e, rec := st.ent, st.rec
	body := restapi.Fields{}
	for f, v := range rec.Fields {
		if v != nil {
			body[f] = v
		}
	}
	switch rec.Kind {
	case mapping.KindPerson:
		if linkID > 0 {
			body["BusinessId"] = linkID
		}
	case mapping.KindProject:
		if linkID > 0 {
			body["ContactId"] = linkID
		}
	}
	id := e.id()
	out := e.update(func(c *state.MirrorRecord) {
		listed := *c
		*c = r.createdRecord(rec, id, body)
		// The list's own summary stays: it is what the next refresh
		// compares with.
		setSummary(c, listed)
	})
	r.com.mirror(out)
	return state.EntityOutcome{Kind: string(rec.Kind), Id: id, Action: ActionCreated}
}
