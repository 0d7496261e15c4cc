package pipeline

import (
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// entity is one MiniCRM record the run may touch: one that exists (from the
// mirror, or found by a search during the run) or one the run is going to
// create (provisional: Id 0). Rows that name the same record share one
// entity, so a company named on many rows is created once and a person
// twice in the file is written once and diffed the second time against the
// result of the first.
//
// Every write to an entity happens in file order: each planned step takes a
// token (a channel closed when the step before it on the same entity is
// done), so the record ends as the last row naming it says.
type entity struct {
	kind mapping.EntityKind
	// scope names the entity for the name keys of its cards ("id:7506",
	// "new:12"); label for messages. Both fixed at creation.
	scope string
	label string

	mu  sync.Mutex
	rec state.MirrorRecord // guarded by mu; rec.Id is 0 until created

	// last is the token of the last step planned on the entity (planner
	// only).
	last chan struct{}
	// claims are the identity key values (external id, VAT number, e-mail,
	// phone) the rows of this run gave the entity, with the first row that
	// did; exact is the name the first such row gave it (planner only).
	claims map[string]claim
	exact  string
	// values are the field values the rows of this run gave the entity,
	// with the first row that did (planner only; see settle).
	values map[string]claim
	// adopted: a row of this run took the record as the feed's create
	// (planner only).
	adopted bool
	// broken is set (under the token) when a create of the entity ended
	// with an outcome nobody could settle: later steps must not create it
	// again.
	broken string
	// simulated marks an entity created by a dry run (no Id).
	simulated bool
}

// snapshot copies the record.
func (e *entity) snapshot() state.MirrorRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.rec
	r.Fields = maps.Clone(e.rec.Fields)
	return r
}

// id is the record's Id (0 while it is to be created).
func (e *entity) id() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rec.Id
}

// update changes the record under the lock.
func (e *entity) update(f func(r *state.MirrorRecord)) state.MirrorRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(&e.rec)
	r := e.rec
	r.Fields = maps.Clone(e.rec.Fields)
	return r
}

// mirror is the run's in-memory view of MiniCRM: the entities and the match
// indexes over them. The indexes are the planner's: only the planner
// goroutine reads and writes them.
type mirror struct {
	c          *canonizer
	categoryID int
	nextSeq    int

	// byID finds an entity by its MiniCRM Id; workers add the entities
	// they create, so it has a lock of its own.
	mu   sync.Mutex
	byID map[int]*entity

	match map[mapping.EntityKind][]string // the mapping's match order
	ext   map[mapping.EntityKind]string   // the external id field

	// index: kind → key name → key value → entities. Keys are normalized
	// exactly as mapping.Record.Keys are, so matching is an equality test.
	index map[mapping.EntityKind]map[string]map[string][]*entity
	// unknown: kind → key name (external_id, vat_number: not in list
	// summaries) → entities whose value of it is not known.
	unknown map[mapping.EntityKind]map[string]map[*entity]struct{}
	// rents counts key searches through the API (see planner.candidates).
	rents map[mapping.EntityKind]map[string]int
}

func newMirror(p *mapping.Plan, c *canonizer) *mirror {
	m := &mirror{c: c, categoryID: p.CategoryID(), byID: map[int]*entity{},
		match: map[mapping.EntityKind][]string{}, ext: map[mapping.EntityKind]string{},
		index:   map[mapping.EntityKind]map[string]map[string][]*entity{},
		unknown: map[mapping.EntityKind]map[string]map[*entity]struct{}{},
		rents:   map[mapping.EntityKind]map[string]int{}}
	for _, kind := range p.Mapping().Entities() {
		e := p.Mapping().Entity(kind)
		m.match[kind] = e.Match
		m.ext[kind] = e.ExternalID
		m.index[kind] = map[string]map[string][]*entity{}
		m.unknown[kind] = map[string]map[*entity]struct{}{}
		m.rents[kind] = map[string]int{}
		for _, k := range e.Match {
			m.index[kind][k] = map[string][]*entity{}
			if k == "external_id" || k == "vat_number" {
				m.unknown[kind][k] = map[*entity]struct{}{}
			}
		}
	}
	return m
}

// kindOf maps a mirror record's kind.
func kindOf(r *state.MirrorRecord) mapping.EntityKind { return mapping.EntityKind(r.Kind) }

// add makes an entity of an existing record and indexes it; an entity of
// the same Id is replaced.
func (m *mirror) add(r state.MirrorRecord) *entity {
	if old := m.lookup(r.Id); old != nil {
		m.remove(old)
	}
	e := &entity{kind: kindOf(&r), rec: r, scope: "id:" + strconv.Itoa(r.Id)}
	e.label = strings.ToLower(string(e.kind)) + " " + strconv.Itoa(r.Id)
	if e.kind == mapping.KindProject {
		e.label = "card " + strconv.Itoa(r.Id)
	}
	m.setID(e, r.Id)
	m.indexEntity(e)
	return e
}

// lookup finds the entity of an Id.
func (m *mirror) lookup(id int) *entity {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

// setID records that the entity has this Id (a worker created it).
func (m *mirror) setID(e *entity, id int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID[id] = e
}

// all lists the entities with an Id.
func (m *mirror) all() []*entity {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*entity, 0, len(m.byID))
	for _, e := range m.byID {
		out = append(out, e)
	}
	return out
}

// provisional makes an entity for a record the run will create.
func (m *mirror) provisional(kind mapping.EntityKind, line int) *entity {
	m.nextSeq++
	e := &entity{kind: kind, scope: "new:" + strconv.Itoa(m.nextSeq),
		label: "the new " + strings.ToLower(string(kind)) + " of row " + strconv.Itoa(line)}
	e.rec.Kind = string(kind)
	if kind == mapping.KindProject {
		e.rec.CategoryId = m.categoryID
		e.label = "the new card of row " + strconv.Itoa(line)
	}
	return e
}

// remove drops an entity (deleted in MiniCRM) from the mirror.
func (m *mirror) remove(e *entity) {
	m.mu.Lock()
	for id, x := range m.byID {
		if x == e {
			delete(m.byID, id)
		}
	}
	m.mu.Unlock()
	m.unindex(e)
}

// reindex indexes an entity again after its record changed.
func (m *mirror) reindex(e *entity) {
	m.unindex(e)
	m.indexEntity(e)
}

// unindex drops an entity from the indexes.
func (m *mirror) unindex(e *entity) {
	for _, byKey := range m.index[e.kind] {
		for v, list := range byKey {
			for i, x := range list {
				if x == e {
					byKey[v] = append(list[:i:i], list[i+1:]...)
					break
				}
			}
		}
	}
	for _, set := range m.unknown[e.kind] {
		delete(set, e)
	}
}

// indexEntity indexes an entity's known keys and notes the unknown ones.
func (m *mirror) indexEntity(e *entity) {
	if _, mapped := m.index[e.kind]; !mapped {
		return
	}
	r := e.snapshot()
	known, unknown := m.keysOf(&r)
	for k, v := range known {
		m.addKey(e, k, v)
	}
	for _, k := range unknown {
		m.unknown[e.kind][k][e] = struct{}{}
	}
}

// addKey indexes one key value of an entity.
func (m *mirror) addKey(e *entity, k, v string) {
	byKey := m.index[e.kind][k]
	if byKey == nil || v == "" {
		return
	}
	for _, x := range byKey[v] {
		if x == e {
			return
		}
	}
	// A copy: the index lives all run, and a row's key is often a piece of
	// its line (a map assignment stores the key it is given).
	byKey[strings.Clone(v)] = append(byKey[v], e)
}

// keysOf computes a record's match keys (those its entity's mapping uses)
// and lists the ones it cannot know without the detail record.
func (m *mirror) keysOf(r *state.MirrorRecord) (known map[string]string, unknown []string) {
	kind := kindOf(r)
	known = map[string]string{}
	fieldKey := func(k, field string, norm func(string) string) {
		if field == "" {
			return
		}
		if v, ok := r.Fields[field]; ok {
			if v = norm(v); v != "" {
				known[k] = v
			}
		} else if !r.Detail {
			unknown = append(unknown, k)
		}
	}
	for _, k := range m.match[kind] {
		switch k {
		case "email":
			if r.Email != "" {
				known[k] = emailKey(r.Email)
			}
		case "phone":
			if strings.TrimSpace(r.Phone) != "" {
				known[k] = m.c.phones.Key(r.Phone)
			}
		case "name":
			if n := mapping.NameKey(r.Name); n != "" {
				if kind == mapping.KindProject {
					n = "id:" + strconv.Itoa(r.ContactId) + "|" + n
				}
				known[k] = n
			}
		case "external_id":
			fieldKey(k, m.ext[kind], strings.TrimSpace)
		case "vat_number":
			fieldKey(k, "VatNumber", mapping.VatKey)
		}
	}
	return known, unknown
}

// summaryOf is a list item as a mirror record.
func contactRecord(it restapi.ContactItem) state.MirrorRecord {
	return state.MirrorRecord{Id: it.Id, Kind: it.Type, Name: it.Name, Email: it.Email, Phone: it.Phone, BusinessId: it.BusinessId}
}

func cardRecord(it restapi.ProjectItem, categoryID int) state.MirrorRecord {
	return state.MirrorRecord{Id: it.Id, Kind: string(mapping.KindProject), CategoryId: categoryID, Name: it.Name,
		ContactId: it.ContactId, BusinessId: it.BusinessId, StatusId: it.StatusId, UserId: it.UserId}
}

// setSummary replaces a record's list summary, keeping what else is known.
func setSummary(r *state.MirrorRecord, s state.MirrorRecord) {
	r.Name, r.Email, r.Phone, r.BusinessId = s.Name, s.Email, s.Phone, s.BusinessId
	r.ContactId, r.StatusId, r.UserId = s.ContactId, s.StatusId, s.UserId
	if s.Kind != "" {
		r.Kind = s.Kind
	}
}

// contactDetail puts a contact's detail record into r: every field of the
// schema, in canonical form.
func (c *canonizer) contactDetail(r *state.MirrorRecord, d *restapi.Contact) {
	kind := mapping.EntityKind(r.Kind)
	if k := d.Kind(); k != "" {
		kind = mapping.EntityKind(k)
		r.Kind = k
	}
	r.Fields = map[string]string{}
	sch := c.schema(kind)
	for name, v := range d.Fields {
		if sch != nil {
			if _, ok := sch.Field(name); !ok {
				continue
			}
		}
		if !keptField(name) {
			continue
		}
		r.Fields[name] = c.remote(kind, name, v)
	}
	r.Detail, r.UpdatedAt = true, d.UpdatedAt
	r.Email, r.Phone, r.BusinessId = d.Email, d.Phone, d.BusinessId
	if kind == mapping.KindPerson {
		r.Name = mapping.PersonName(d.FirstName, d.LastName)
	} else {
		r.Name = d.Name
	}
}

// projectDetail puts a card's detail record into r.
func (c *canonizer) projectDetail(r *state.MirrorRecord, d *restapi.Project) {
	r.Fields = map[string]string{}
	sch := c.schema(mapping.KindProject)
	for name, v := range d.Fields {
		if sch != nil {
			if _, ok := sch.Field(name); !ok {
				continue
			}
		}
		if !keptField(name) {
			continue
		}
		r.Fields[name] = c.remote(mapping.KindProject, name, v)
	}
	r.Detail, r.UpdatedAt = true, d.UpdatedAt
	r.Name, r.ContactId, r.BusinessId = d.Name, d.ContactId, d.BusinessId
	r.StatusId, _ = strconv.Atoi(r.Fields["StatusId"])
	r.UserId, _ = strconv.Atoi(r.Fields["UserId"])
	if d.CategoryId != 0 {
		r.CategoryId = d.CategoryId
	}
}
