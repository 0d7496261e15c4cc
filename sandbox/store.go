package sandbox

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// store is the state of one emulated system. It is not safe for concurrent
// use: the Server guards it with its mutex.
type store struct {
	ds     *Dataset
	lang   string
	nextID int

	users      map[int]User
	categories map[int]*Category
	statusCat  map[int]int // status id -> category id

	personFields   map[string]fieldDef
	businessFields map[string]fieldDef
	projectFields  map[int]map[string]fieldDef // by category

	contacts map[int]*contact
	projects map[int]*project
	history  map[int]*historyEntry
	todos    map[int]*todo
	docs     map[int]*document // orders, invoices, offers (documents.go)
	cat      catalogState      // addresses, templates, e-mails, products (catalog.go)

	// contactIdx and projectIdx cache the ids in order for list pages;
	// removals counts records removed from the maps (it invalidates them).
	contactIdx, projectIdx idIndex
	removals               int
}

type contact struct {
	Id         int            `json:"Id"`
	Type       string         `json:"Type"`
	BusinessId int            `json:"BusinessId,omitempty"`
	Emails     []string       `json:"Emails,omitempty"` // the last one is the default
	Phones     []string       `json:"Phones,omitempty"`
	Deleted    int            `json:"Deleted,omitempty"`
	CreatedBy  int            `json:"CreatedBy"`
	CreatedAt  time.Time      `json:"CreatedAt"`
	UpdatedBy  int            `json:"UpdatedBy"`
	UpdatedAt  time.Time      `json:"UpdatedAt"`
	Values     map[string]any `json:"Values"`
}

func (c *contact) email() string { return last(c.Emails) }
func (c *contact) phone() string { return last(c.Phones) }

// name is the display name: a Business's Name, a Person's "LastName FirstName"
// (Hungarian order, as the seed's "Leskó Norbert").
func (c *contact) name() string {
	if c.Type == "Business" {
		s, _ := c.Values["Name"].(string)
		return s
	}
	first, _ := c.Values["FirstName"].(string)
	lastName, _ := c.Values["LastName"].(string)
	switch {
	case lastName == "":
		return first
	case first == "":
		return lastName
	}
	return lastName + " " + first
}

type project struct {
	Id              int            `json:"Id"`
	CategoryId      int            `json:"CategoryId"`
	ContactId       int            `json:"ContactId"`
	BusinessId      int            `json:"BusinessId"`
	StatusId        int            `json:"StatusId"`
	UserId          int            `json:"UserId"`
	Deleted         int            `json:"Deleted"`
	CreatedBy       int            `json:"CreatedBy"`
	CreatedAt       time.Time      `json:"CreatedAt"`
	UpdatedBy       int            `json:"UpdatedBy"`
	UpdatedAt       time.Time      `json:"UpdatedAt"`
	StatusUpdatedAt time.Time      `json:"StatusUpdatedAt"`
	Hash            string         `json:"Hash"`
	Values          map[string]any `json:"Values"`
}

func (p *project) name() string { s, _ := p.Values["Name"].(string); return s }

type historyEntry struct {
	Id        int       `json:"Id"`
	ProjectId int       `json:"ProjectId"`
	UserId    int       `json:"UserId"`
	At        time.Time `json:"At"`
	OldStatus int       `json:"OldStatus"`
	NewStatus int       `json:"NewStatus"`
}

type todo struct {
	Id        int          `json:"Id"`
	ProjectId int          `json:"ProjectId"`
	ContactId int          `json:"ContactId"`
	AddressId int          `json:"AddressId"`
	UserId    int          `json:"UserId"`
	Type      int          `json:"Type"`
	Duration  int64        `json:"Duration"`
	Reminder  int64        `json:"Reminder"`
	Status    string       `json:"Status"` // Open, Closed, Failed
	Mode      string       `json:"Mode"`
	Deadline  string       `json:"Deadline"`
	Comment   string       `json:"Comment"`
	CreatedBy int          `json:"CreatedBy"`
	CreatedAt time.Time    `json:"CreatedAt"`
	UpdatedBy int          `json:"UpdatedBy"`
	UpdatedAt time.Time    `json:"UpdatedAt"`
	ClosedBy  int          `json:"ClosedBy"`
	ClosedAt  time.Time    `json:"ClosedAt"`
	Members   []todoMember `json:"Members"`
	Notes     []todoNote   `json:"Notes"`
}

type todoMember struct {
	Entity   string `json:"Entity"`
	EntityId string `json:"EntityId"`
}

type todoNote struct {
	Comment   string `json:"Comment"`
	CreatedBy string `json:"CreatedBy"`
	CreatedAt string `json:"CreatedAt"`
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// newStore builds a system from a data set. now stamps seed records that
// carry no creation time.
func newStore(ds *Dataset, now time.Time) (*store, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	s := &store{
		ds:             ds,
		lang:           ds.Language,
		nextID:         1,
		users:          map[int]User{},
		categories:     map[int]*Category{},
		statusCat:      map[int]int{},
		personFields:   map[string]fieldDef{},
		businessFields: map[string]fieldDef{},
		projectFields:  map[int]map[string]fieldDef{},
		contacts:       map[int]*contact{},
		projects:       map[int]*project{},
		history:        map[int]*historyEntry{},
		todos:          map[int]*todo{},
		docs:           map[int]*document{},
	}
	if s.lang == "" {
		s.lang = "hu"
	}
	s.seedSchema(ds)
	if err := s.seedContacts(ds, now); err != nil {
		return nil, err
	}
	if err := s.seedProjects(ds, now); err != nil {
		return nil, err
	}
	s.seedToDos(ds, now)
	docs, err := ds.documents()
	if err != nil {
		return nil, err
	}
	if err := s.seedDocuments(docs, now); err != nil {
		return nil, err
	}
	if err := s.seedCatalog(ds, now); err != nil {
		return nil, err
	}
	// The seed cards' first status entries take their ids last, once every
	// id the data set gives (to-dos, documents) is claimed: taken while the
	// cards were read, one could equal a later to-do's or document's id, and
	// ids are unique per system.
	for _, sp := range ds.Projects {
		p := s.projects[sp.Id]
		s.addHistory(p.Id, sp.UserId, 0, p.StatusId, p.CreatedAt)
	}
	return s, nil
}

// seedSchema takes the data set's users, modules with their statuses, and
// the fields of persons, businesses and each module's cards.
func (s *store) seedSchema(ds *Dataset) {
	for _, u := range ds.Users {
		s.users[u.Id] = u
		s.bump(u.Id)
	}
	for i := range ds.Categories {
		c := &ds.Categories[i]
		s.categories[c.Id] = c
		s.bump(c.Id)
		defs := map[string]fieldDef{}
		for _, f := range append(append([]Field(nil), projectSystemFields...), c.Fields...) {
			defs[f.Name] = newFieldDef(f)
		}
		s.projectFields[c.Id] = defs
		for _, st := range c.Statuses {
			s.statusCat[st.Id] = c.Id
			s.bump(st.Id)
		}
	}
	for _, f := range append(append([]Field(nil), personSystemFields...), ds.PersonFields...) {
		s.personFields[f.Name] = newFieldDef(f)
	}
	for _, f := range append(append([]Field(nil), businessSystemFields...), ds.BusinessFields...) {
		s.businessFields[f.Name] = newFieldDef(f)
	}
}

// seedStamp reads a seed record's created_at; now when it has none.
func seedStamp(at string, now time.Time) (time.Time, error) {
	if at == "" {
		return now, nil
	}
	t, ok := parseMiniCRMTime(at)
	if !ok {
		return time.Time{}, fmt.Errorf("created_at %q: want YYYY-MM-DD hh:mm:ss", at)
	}
	return t, nil
}

// seedContacts takes the data set's contacts, created and updated by its
// first user, their fields checked as an API write checks them.
func (s *store) seedContacts(ds *Dataset, now time.Time) error {
	admin := ds.Users[0].Id
	for _, sc := range ds.Contacts {
		at, err := seedStamp(sc.CreatedAt, now)
		if err != nil {
			return fmt.Errorf("contact %d: %w", sc.Id, err)
		}
		c := &contact{Id: sc.Id, Type: sc.Type, BusinessId: sc.BusinessId, Emails: sc.Emails, Phones: sc.Phones,
			CreatedBy: admin, CreatedAt: at, UpdatedBy: admin, UpdatedAt: at, Values: map[string]any{}}
		defs := s.contactFields(c.Type)
		for k, v := range sc.Fields {
			d, ok := defs[k]
			if !ok {
				return fmt.Errorf("contact %d: unknown field %s", sc.Id, k)
			}
			nv, err := d.normalize(yamlToJSON(v), s.lang)
			if err != nil {
				return fmt.Errorf("contact %d: %w", sc.Id, err)
			}
			c.Values[k] = nv
		}
		s.contacts[c.Id] = c
		s.bump(c.Id)
	}
	return nil
}

// seedProjects takes the data set's cards, as seedContacts does the
// contacts (which must be in the store already: a card's business is its
// contact's).
func (s *store) seedProjects(ds *Dataset, now time.Time) error {
	admin := ds.Users[0].Id
	for _, sp := range ds.Projects {
		at, err := seedStamp(sp.CreatedAt, now)
		if err != nil {
			return fmt.Errorf("project %d: %w", sp.Id, err)
		}
		p := &project{Id: sp.Id, CategoryId: sp.CategoryId, ContactId: sp.ContactId, StatusId: sp.StatusId, UserId: sp.UserId,
			CreatedBy: admin, CreatedAt: at, UpdatedBy: admin, UpdatedAt: at, StatusUpdatedAt: at,
			Values: map[string]any{"Name": sp.Name}}
		p.BusinessId = s.businessOf(p.ContactId)
		p.Hash = projectHash(p.Id)
		if sp.ReferenceId != "" {
			p.Values["ReferenceId"] = sp.ReferenceId
		}
		defs := s.projectFields[p.CategoryId]
		for k, v := range sp.Fields {
			d, ok := defs[k]
			if !ok {
				return fmt.Errorf("project %d: unknown field %s for category %d", sp.Id, k, sp.CategoryId)
			}
			nv, err := d.normalize(yamlToJSON(v), s.lang)
			if err != nil {
				return fmt.Errorf("project %d: %w", sp.Id, err)
			}
			p.Values[k] = nv
		}
		s.projects[p.Id] = p
		s.bump(p.Id)
	}
	return nil
}

// seedToDos takes the data set's to-dos (Open unless they say otherwise).
func (s *store) seedToDos(ds *Dataset, now time.Time) {
	admin := ds.Users[0].Id
	for _, st := range ds.ToDos {
		status := st.Status
		if status == "" {
			status = "Open"
		}
		t := &todo{Id: st.Id, ProjectId: st.ProjectId, UserId: st.UserId, Type: st.Type, Status: status, Mode: "Task",
			Deadline: st.Deadline, Comment: st.Comment, CreatedBy: admin, CreatedAt: now, UpdatedBy: admin, UpdatedAt: now,
			ContactId: s.projects[st.ProjectId].ContactId}
		s.todos[t.Id] = t
		s.bump(t.Id)
	}
}

// bump keeps the id sequence above every id in use: ids are integers unique
// per system, whatever the kind of record.
func (s *store) bump(id int) {
	if id >= s.nextID {
		s.nextID = id + 1
	}
}

func (s *store) newID() int {
	id := s.nextID
	s.nextID++
	return id
}

func (s *store) apiUser() int { return s.ds.Users[0].Id }

func (s *store) contactFields(typ string) map[string]fieldDef {
	if typ == "Business" {
		return s.businessFields
	}
	return s.personFields
}

// businessOf is the business a contact belongs to: itself for a Business,
// its BusinessId for a Person.
func (s *store) businessOf(contactID int) int {
	c, ok := s.contacts[contactID]
	if !ok {
		return 0
	}
	if c.Type == "Business" {
		return c.Id
	}
	return c.BusinessId
}

func (s *store) addHistory(projectID, userID, oldStatus, newStatus int, at time.Time) {
	h := &historyEntry{Id: s.newID(), ProjectId: projectID, UserId: userID, At: at, OldStatus: oldStatus, NewStatus: newStatus}
	s.history[h.Id] = h
}

func (s *store) statusName(id int) string {
	c, ok := s.categories[s.statusCat[id]]
	if !ok {
		return ""
	}
	for _, st := range c.Statuses {
		if st.Id == id {
			return st.Name
		}
	}
	return ""
}

func (s *store) statusGroup(id int) string {
	c, ok := s.categories[s.statusCat[id]]
	if !ok {
		return ""
	}
	for _, st := range c.Statuses {
		if st.Id == id {
			return st.Group
		}
	}
	return ""
}

func (s *store) userName(id int) string { return s.users[id].Name }

// userByValue resolves a written user: id or name.
func (s *store) userByValue(v any) (int, bool) {
	str := scalarString(v)
	if id, err := strconv.Atoi(str); err == nil {
		_, ok := s.users[id]
		return id, ok
	}
	for _, u := range s.ds.Users {
		if u.Name == str {
			return u.Id, true
		}
	}
	return 0, false
}

// statusByValue resolves a written status of a category: id or name.
func (s *store) statusByValue(categoryID int, v any) (int, bool) {
	c, ok := s.categories[categoryID]
	if !ok {
		return 0, false
	}
	str := scalarString(v)
	id, err := strconv.Atoi(str)
	for _, st := range c.Statuses {
		if (err == nil && st.Id == id) || st.Name == str {
			return st.Id, true
		}
	}
	return 0, false
}

// categoryByValue resolves a written category: id or name.
func (s *store) categoryByValue(v any) (int, bool) {
	str := scalarString(v)
	if id, err := strconv.Atoi(str); err == nil {
		_, ok := s.categories[id]
		return id, ok
	}
	for _, c := range s.ds.Categories {
		if c.Name == str {
			return c.Id, true
		}
	}
	return 0, false
}

func projectHash(id int) string {
	sum := sha1.Sum([]byte("minicrm-sandbox-project-" + strconv.Itoa(id)))
	return hex.EncodeToString(sum[:])[:16]
}

// idIndex keeps a map's ids in ascending order between list pages: a page
// of a large system then costs a walk of the ids, not a sort of all of them
// (at 100,000 contacts the sort alone took tens of milliseconds a page).
// It is rebuilt when the map's size changes or a record was removed (gen).
type idIndex struct {
	ids []int
	n   int
	gen int
}

func cachedIDs[T any](x *idIndex, m map[int]T, gen int) []int {
	if x.ids == nil || x.n != len(m) || x.gen != gen {
		x.ids, x.n, x.gen = sortedIDs(m), len(m), gen
	}
	return x.ids
}

// contactIDs and projectIDs are the ids in ascending order (do not modify).
func (st *store) contactIDs() []int { return cachedIDs(&st.contactIdx, st.contacts, st.removals) }
func (st *store) projectIDs() []int { return cachedIDs(&st.projectIdx, st.projects, st.removals) }

func sortedIDs[T any](m map[int]T) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// yamlToJSON turns the values a YAML decoder produces into the shapes a JSON
// body would have, so seed data is checked like an API write.
func yamlToJSON(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case time.Time:
		return x.In(budapest).Format(dateTimeLayout)
	}
	return v
}

// snapshot is what --state persists: the data set the system was built from
// and every record, so a restart continues where it stopped.
type snapshot struct {
	Version  int              `json:"version"`
	Dataset  *Dataset         `json:"dataset"`
	NextID   int              `json:"next_id"`
	Contacts []*contact       `json:"contacts"`
	Projects []*project       `json:"projects"`
	History  []*historyEntry  `json:"history"`
	ToDos    []*todo          `json:"todos"`
	Docs     []*document      `json:"documents"`
	Catalog  *catalogSnapshot `json:"catalog,omitempty"`
}

func (s *store) snapshot() *snapshot {
	snap := &snapshot{Version: 1, Dataset: s.ds, NextID: s.nextID, Catalog: s.catalogSnapshot()}
	for _, id := range sortedIDs(s.contacts) {
		snap.Contacts = append(snap.Contacts, s.contacts[id])
	}
	for _, id := range sortedIDs(s.projects) {
		snap.Projects = append(snap.Projects, s.projects[id])
	}
	for _, id := range sortedIDs(s.history) {
		snap.History = append(snap.History, s.history[id])
	}
	for _, id := range sortedIDs(s.todos) {
		snap.ToDos = append(snap.ToDos, s.todos[id])
	}
	for _, id := range sortedIDs(s.docs) {
		snap.Docs = append(snap.Docs, s.docs[id])
	}
	return snap
}

// restore rebuilds a store from a snapshot. JSON has no integer type, so the
// stored field values are turned back into the types normalize produces.
func restore(snap *snapshot) (*store, error) {
	if snap.Version != 1 || snap.Dataset == nil {
		return nil, fmt.Errorf("state file: unsupported version %d", snap.Version)
	}
	ds := *snap.Dataset
	ds.Contacts, ds.Projects, ds.ToDos, ds.Documents = nil, nil, nil, nil
	ds.Addresses, ds.Templates, ds.Emails, ds.Products = nil, nil, nil, nil
	ds.Invoices, ds.Orders, ds.Offers = nil, nil, nil
	s, err := newStore(&ds, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	s.ds = snap.Dataset
	for _, c := range snap.Contacts {
		retype(c.Values, s.contactFields(c.Type))
		s.contacts[c.Id] = c
	}
	for _, p := range snap.Projects {
		retype(p.Values, s.projectFields[p.CategoryId])
		s.projects[p.Id] = p
	}
	for _, h := range snap.History {
		s.history[h.Id] = h
	}
	for _, t := range snap.ToDos {
		s.todos[t.Id] = t
	}
	for _, d := range snap.Docs {
		s.docs[d.Id] = d
	}
	s.restoreCatalog(snap.Catalog)
	if snap.NextID > s.nextID {
		s.nextID = snap.NextID
	}
	return s, nil
}

func retype(values map[string]any, defs map[string]fieldDef) {
	for k, v := range values {
		if n, ok := v.(json.Number); ok { // loadSnapshot keeps the numbers' text
			if i, err := n.Int64(); err == nil && defs[k].Kind == kindInt {
				values[k] = i
				continue
			}
			v, _ = n.Float64()
			values[k] = v
		}
		f, ok := v.(float64)
		if !ok {
			if v == nil {
				delete(values, k)
			}
			continue
		}
		switch defs[k].Kind {
		case kindEnum:
			values[k] = int(f)
		case kindInt:
			values[k] = int64(f)
		}
	}
}

// writeFileAtomic writes data to a temporary file in the same directory,
// syncs it and renames it over path, so a crash leaves either the old or the
// new file, never half of one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func loadSnapshot(path string) (*store, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	// Read the contacts' and cards' field values once more keeping each
	// number's text: as float64, an Int value above 2^53 would come back
	// changed after a restart. retype turns them into the stored types.
	var exact struct {
		Contacts []struct{ Values map[string]any } `json:"contacts"`
		Projects []struct{ Values map[string]any } `json:"projects"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&exact); err == nil && len(exact.Contacts) == len(snap.Contacts) && len(exact.Projects) == len(snap.Projects) {
		for i, c := range snap.Contacts {
			c.Values = exact.Contacts[i].Values
		}
		for i, p := range snap.Projects {
			p.Values = exact.Projects[i].Values
		}
	}
	return restore(&snap)
}
