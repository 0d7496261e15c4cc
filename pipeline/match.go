package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// rowJob is a mapped row on its way to the writers: its records and, once
// planned, one step per record in write order (Business, Person, Project).
type rowJob struct {
	seq   int
	row   source.Row
	b     *mapping.Bundle
	base  outcome
	steps []*step
	// carry: records this row created in the run being resumed.
	carry map[mapping.EntityKind]int
}

// step writes one record of a row onto its entity. prev is closed when the
// previous step on the same entity is done, done when this one is.
type step struct {
	rec *mapping.Record
	ent *entity
	// adopt: a feed created the record; it is taken as created with the
	// row's values (adopt.go).
	adopt bool
	// note says what the planner left out of the record (see settle).
	note string
	link *step // the step of the record this one links to (a Person's Business…)
	prev <-chan struct{}
	done chan struct{}
}

// planner matches each row's records against the mirror, in file order, and
// decides which entity each step writes to. It alone owns the mirror's
// indexes, so matching needs no locks and sees every earlier row's records:
// the second row naming a company finds the entity the first row planned,
// whether or not it has been created yet.
type planner struct {
	r *run
	m *mirror
	// cards indexes the module's cards by contact and name for the rows a
	// feed created (adopt.go); built when first needed.
	cards map[string][]*entity
}

// ambiguousError is a record that matches more than one candidate by the
// first key that matches anything. The row goes to the errors: guessing
// would write onto the wrong record.
type ambiguousError struct {
	kind  mapping.EntityKind
	key   string
	value string
	cands []*entity
}

func (e *ambiguousError) Error() string {
	labels := make([]string, len(e.cands))
	for i, c := range e.cands {
		labels[i] = c.label
	}
	sort.Strings(labels)
	return fmt.Sprintf("ambiguous: %s %s %q matches %d records (%s); nothing was written for this row: make the key unique in MiniCRM or in the file",
		e.kind, strings.ReplaceAll(e.key, "_", " "), e.value, len(e.cands), strings.Join(labels, ", "))
}

// run is the planner stage. Once ctx (the user) ends the run, the rows
// still to plan are left for the resume.
func (p *planner) run(ctx, gctx context.Context, in <-chan []*rowJob, out chan<- *rowJob, outcomes chan<- *outcome) error {
	for batch := range in {
		for _, j := range batch {
			if ctx.Err() != nil {
				o := j.base
				o.incomplete = true
				outcomes <- &o
				continue
			}
			err := p.plan(gctx, j)
			var amb *ambiguousError
			switch {
			case err == nil:
			case errors.As(err, &amb) || !fatal(err) && !stopped(err):
				p.warnRow(j.row.Loc.Line, err)
				o := j.base
				o.row = state.RowOutcome{Line: j.row.Loc.Line, Done: true, Status: RowError, Field: string(recordKind(err)), Reason: err.Error()}
				outcomes <- &o
				continue
			case stopped(err):
				o := j.base
				o.incomplete = true
				outcomes <- &o
				continue
			default:
				return err
			}
			select {
			case out <- j:
			case <-gctx.Done():
				return nil
			}
		}
	}
	return nil
}

// notFoundError is a match-only record (create: false) that matches no
// existing record: the row is an error, nothing of it is written.
type notFoundError struct {
	kind mapping.EntityKind
	keys []string
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("no existing %s matches %s, and the mapping does not create %ss (create: false); nothing was written for this row",
		strings.ToLower(string(e.kind)), strings.Join(e.keys, " or "), strings.ToLower(string(e.kind)))
}

// warnRow lists a row's planning error among the warnings when it is one
// of the guards' (a heuristic's doubt, not a broken value).
func (p *planner) warnRow(line int, err error) {
	var (
		amb *ambiguousError
		no  *nameOnlyError
		cr  *conflictingRowsError
	)
	switch {
	case errors.As(err, &amb):
		p.r.warns.add(WarnAmbiguous, line, "%s", err.Error())
	case errors.As(err, &no):
		p.r.warns.add(WarnNameAccents, line, "%s", err.Error())
	case errors.As(err, &cr):
		p.r.warns.add(WarnConflictingRows, line, "%s", err.Error())
	}
}

// recordKind is the kind of record a planning error is about.
func recordKind(err error) mapping.EntityKind {
	var amb *ambiguousError
	if errors.As(err, &amb) {
		return amb.kind
	}
	var no *nameOnlyError
	if errors.As(err, &no) {
		return no.kind
	}
	var cr *conflictingRowsError
	if errors.As(err, &cr) {
		return cr.kind
	}
	var nf *notFoundError
	if errors.As(err, &nf) {
		return nf.kind
	}
	return ""
}

// plan matches every record of the row first, and only if all of them are
// unambiguous commits the row: provisional entities for the records to
// create, the row's keys added to the indexes, and the steps with their
// tokens.
func (p *planner) plan(ctx context.Context, j *rowJob) error {
	if p.r.cfg.adopt[j.row.Loc.Line] {
		return p.adoptRow(j)
	}
	recs := j.b.Records()
	line := j.row.Loc.Line
	chosen := map[mapping.EntityKind]*entity{}
	for _, rec := range recs {
		scope := ""
		if rec.Kind == mapping.KindProject {
			if linked := chosen[rec.Link]; linked != nil {
				scope = linked.scope
			}
		}
		e, err := p.match(ctx, line, rec, scope)
		if err != nil {
			return err
		}
		if e != nil {
			if err := p.checkClaims(rec, e); err != nil {
				return err
			}
		}
		if e == nil && rec.NoCreate {
			var keys []string
			for _, k := range rec.Match {
				if v := rec.Keys.Key(k); v != "" {
					keys = append(keys, fmt.Sprintf("%s %q", strings.ReplaceAll(k, "_", " "), v))
				}
			}
			return &notFoundError{kind: rec.Kind, keys: keys}
		}
		chosen[rec.Kind] = e
	}
	steps := map[mapping.EntityKind]*step{}
	for _, rec := range recs {
		e := chosen[rec.Kind]
		if e == nil {
			e = p.m.provisional(rec.Kind, j.row.Loc.Line)
			chosen[rec.Kind] = e
		}
		p.claim(line, rec, e)
		note := p.settle(line, rec, e)
		scope := ""
		if rec.Kind == mapping.KindProject && chosen[rec.Link] != nil {
			scope = chosen[rec.Link].scope
		}
		p.indexKeys(rec, e, scope)
		chain(j, steps, &step{rec: rec, ent: e, note: note})
	}
	return nil
}

// indexKeys enters a record's match keys for its entity, so that later
// rows find it; a card's name counts within its contact (scope), and not
// at all without one.
func (p *planner) indexKeys(rec *mapping.Record, e *entity, scope string) {
	for _, k := range rec.Match {
		v := rec.Keys.Key(k)
		if v == "" || (rec.Kind == mapping.KindProject && k == "name" && scope == "") {
			continue
		}
		if rec.Kind == mapping.KindProject && k == "name" {
			v = scope + "|" + v
		}
		p.m.addKey(e, k, v)
	}
}

// chain adds a step to a row's job: after the entity's last step, and
// linked to the step of the record its record links to.
func chain(j *rowJob, steps map[mapping.EntityKind]*step, st *step) {
	st.prev, st.done = st.ent.last, make(chan struct{})
	st.ent.last = st.done
	if st.rec.Link != "" {
		st.link = steps[st.rec.Link]
	}
	steps[st.rec.Kind] = st
	j.steps = append(j.steps, st)
}

// match finds the record's entity by its keys in the mapping's order: the
// first key that has candidates decides; two candidates are an
// *ambiguousError. A candidate with another value of a stronger key than
// the row's is no candidate (see screen), and a match by a name equal only
// when folded must be confirmed (see checkName). nil means a new record.
func (p *planner) match(ctx context.Context, line int, rec *mapping.Record, scope string) (*entity, error) {
	warned := map[*entity]bool{}
	for _, k := range rec.Match {
		v := rec.Keys.Key(k)
		if v == "" {
			continue
		}
		if rec.Kind == mapping.KindProject && k == "name" {
			if scope == "" {
				continue // a card of a contact this row creates: it has no cards yet
			}
			v = scope + "|" + v
		}
		found, err := p.candidates(ctx, rec.Kind, k, v)
		if err != nil {
			return nil, err
		}
		cands, err := p.screen(ctx, line, rec, k, found, warned)
		if err != nil {
			return nil, err
		}
		switch len(cands) {
		case 0:
			continue
		case 1:
			if k == "name" {
				if err := p.checkName(ctx, rec, cands[0]); err != nil {
					return nil, err
				}
			}
			return cands[0], nil
		default:
			shown := rec.Keys.Key(k)
			return nil, &ambiguousError{kind: rec.Kind, key: k, value: shown, cands: cands}
		}
	}
	return nil, nil
}

// candidates returns the entities whose key k equals v.
//
// Email, phone and name are in the list summaries, so the index knows them
// for every record. External ids and VAT numbers are not: they are known for
// the records created or read in detail before, and unknown for the others.
// While some records' values are unknown, a lookup cannot trust the index
// alone. For an external id it searches MiniCRM by the field (one request),
// until it has made as many such searches as there are unknown records; then
// it fetches their detail records once (one request each, cached in the
// mirror), after which every lookup is free. That bounds the cost to twice
// the cheaper of the two ways, whatever the file holds. A VAT number is
// written in many ways ("12345678-2-41", "12345678241"), so an exact search
// could miss the record: it goes straight to the detail records.
func (p *planner) candidates(ctx context.Context, kind mapping.EntityKind, k, v string) ([]*entity, error) {
	m := p.m
	unknown := m.unknown[kind][k]
	if len(unknown) > 0 {
		p.prune(kind, k)
	}
	if len(unknown) == 0 {
		return m.index[kind][k][v], nil
	}
	if k == "external_id" && m.rents[kind][k] < len(unknown) {
		m.rents[kind][k]++
		found, err := p.searchExternal(ctx, kind, v)
		if err != nil {
			return nil, err
		}
		out := found
		for _, e := range m.index[kind][k][v] {
			if !containsEntity(out, e) {
				out = append(out, e)
			}
		}
		return out, nil
	}
	if err := p.fetchUnknown(ctx, kind, k); err != nil {
		return nil, err
	}
	return m.index[kind][k][v], nil
}

func containsEntity(es []*entity, e *entity) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// keyField is the field behind a key that needs the detail record.
func (p *planner) keyField(kind mapping.EntityKind, k string) string {
	if k == "vat_number" {
		return "VatNumber"
	}
	return p.m.ext[kind]
}

// prune moves the entities whose value of k became known (a writer read
// their detail record, or created them) from the unknown set to the index.
func (p *planner) prune(kind mapping.EntityKind, k string) {
	field := p.keyField(kind, k)
	for e := range p.m.unknown[kind][k] {
		r := e.snapshot()
		v, ok := r.Fields[field]
		if !ok && !r.Detail {
			continue
		}
		delete(p.m.unknown[kind][k], e)
		if k == "vat_number" {
			v = mapping.VatKey(v)
		} else {
			v = strings.TrimSpace(v)
		}
		p.m.addKey(e, k, v)
	}
}

// searchExternal asks MiniCRM which records have external id v. The answer
// is authoritative for the records it names: they get the value in the
// mirror.
func (p *planner) searchExternal(ctx context.Context, kind mapping.EntityKind, v string) ([]*entity, error) {
	r := p.r
	field := p.m.ext[kind]
	r.searches.Add(1)
	var recs []state.MirrorRecord
	var err error
	switch {
	case kind == mapping.KindProject && field == "ReferenceId":
		d, gerr := r.c.Projects.GetByReferenceId(ctx, v)
		if gerr != nil && !errors.Is(gerr, restapi.ErrNotFound) {
			return nil, gerr
		}
		if gerr == nil && d.CategoryId == p.m.categoryID {
			rec := state.MirrorRecord{Id: d.Id, Kind: string(mapping.KindProject), CategoryId: p.m.categoryID}
			r.canon.projectDetail(&rec, d)
			recs = append(recs, rec)
		}
	case kind == mapping.KindProject:
		recs, err = r.searchCards(ctx, restapi.ProjectSearchOptions{CategoryId: p.m.categoryID, Fields: map[string]string{field: v}}, nil)
	default:
		recs, err = r.searchContacts(ctx, restapi.ContactSearchOptions{Type: string(kind), Fields: map[string]string{field: v}}, nil)
	}
	if err != nil {
		return nil, err
	}
	var out []*entity
	for _, rec := range recs {
		e := p.m.lookup(rec.Id)
		if e == nil {
			e = p.m.add(rec)
			r.com.mirror(e.snapshot())
		}
		if e.kind != kind {
			continue
		}
		e.update(func(cur *state.MirrorRecord) {
			if cur.Fields == nil {
				cur.Fields = map[string]string{}
			}
			if _, known := cur.Fields[field]; !known && !cur.Detail {
				cur.Fields[field] = v
			}
		})
		delete(p.m.unknown[kind]["external_id"], e)
		p.m.addKey(e, "external_id", v)
		out = append(out, e)
	}
	return out, nil
}

// fetchUnknown reads the detail record of every entity whose value of k is
// unknown, four at a time, and indexes what they say.
func (p *planner) fetchUnknown(ctx context.Context, kind mapping.EntityKind, k string) error {
	r := p.r
	var ents []*entity
	for e := range p.m.unknown[kind][k] {
		ents = append(ents, e)
	}
	gone := make([]bool, len(ents))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, e := range ents {
		g.Go(func() error {
			err := r.fetchDetail(gctx, e)
			if errors.Is(err, restapi.ErrNotFound) {
				gone[i] = true
				return nil
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, e := range ents {
		delete(p.m.unknown[kind][k], e)
		if gone[i] {
			r.com.removed(e.snapshot())
			p.m.remove(e)
			continue
		}
		rec := e.snapshot()
		known, _ := p.m.keysOf(&rec)
		for kk, v := range known {
			p.m.addKey(e, kk, v)
		}
		for kk, set := range p.m.unknown[kind] {
			if _, ok := known[kk]; ok || rec.Detail {
				delete(set, e)
			}
		}
	}
	return nil
}

// fetchDetail reads an entity's detail record into the mirror. It returns
// restapi.ErrNotFound (wrapped) when the record is gone.
func (r *run) fetchDetail(ctx context.Context, e *entity) error {
	id := e.id()
	if id == 0 {
		return nil
	}
	r.details.Add(1)
	// A detail record read while a writer changes the record would put
	// older values over newer ones: what a writer wrote meanwhile wins.
	before := e.snapshot().WrittenAt
	apply := func(f func(cur *state.MirrorRecord)) {
		applied := false
		rec := e.update(func(cur *state.MirrorRecord) {
			if cur.WrittenAt.Equal(before) {
				f(cur)
				applied = true
			}
		})
		if applied {
			r.com.mirror(rec)
		}
	}
	if e.kind == mapping.KindProject {
		d, err := r.c.Projects.Get(ctx, id)
		if err != nil {
			return err
		}
		apply(func(cur *state.MirrorRecord) { r.canon.projectDetail(cur, d) })
	} else {
		d, err := r.c.Contacts.Get(ctx, id)
		if err != nil {
			return err
		}
		apply(func(cur *state.MirrorRecord) { r.canon.contactDetail(cur, d) })
	}
	return nil
}
