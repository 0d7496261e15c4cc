package sandbox

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// GET /Api/R3/Category: {"<Id>": "<Name>"}; with Detailed=1 an object per
// module (the old English help page's shape).
func getCategories(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(k string) bool { return k == "Detailed" }); err != nil {
		return nil, err
	}
	detailed := r.query.Get("Detailed") == "1"
	o := newObject()
	cats := slices.Clone(st.ds.Categories)
	sort.Slice(cats, func(i, j int) bool { return cats[i].Id < cats[j].Id })
	for i, c := range cats {
		if !detailed {
			o.set(strconv.Itoa(c.Id), c.Name)
			continue
		}
		typ := c.Type
		if typ == "" {
			typ = "Generic"
		}
		o.set(strconv.Itoa(c.Id), newObject().set("Id", c.Id).set("OrderId", i+1).set("Name", c.Name).
			set("Type", typ).set("SenderName", "").set("SenderEmail", "").set("Phone", ""))
	}
	return o, nil
}

func usersMap(st *store) map[string]string {
	m := map[string]string{}
	for _, u := range st.ds.Users {
		m[strconv.Itoa(u.Id)] = u.Name
	}
	return m
}

// GET /Api/R3/Schema/Person and /Schema/Business.
func getContactSchema(typ string) handlerFunc {
	return func(s *Server, r *request) (any, error) {
		st := s.st
		if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
			return nil, err
		}
		o := newObject().set("Id", "Int").set("Type", map[string]string{"Business": contactTypeLabel(st.lang, "Business"), "Person": contactTypeLabel(st.lang, "Person")})
		if typ == "Person" {
			o.set("BusinessId", "Int")
		}
		builtIn, custom := personSystemFields, st.ds.PersonFields
		if typ == "Business" {
			builtIn, custom = businessSystemFields, st.ds.BusinessFields
		}
		defs := st.contactFields(typ)
		for _, f := range builtIn {
			o.set(f.Name, defs[f.Name].schemaValue())
		}
		o.set("Deleted", "Int").set("CreatedBy", usersMap(st)).set("CreatedAt", "DateTime").
			set("UpdatedBy", usersMap(st)).set("UpdatedAt", "DateTime")
		for _, f := range custom {
			o.set(f.Name, defs[f.Name].schemaValue())
		}
		return o, nil
	}
}

// GET /Api/R3/Schema/Project/<CategoryId>.
func getProjectSchema(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	c, ok := st.categories[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	cats := map[string]string{}
	for _, cat := range st.ds.Categories {
		cats[strconv.Itoa(cat.Id)] = cat.Name
	}
	statuses := map[string]string{}
	for _, stt := range c.Statuses {
		statuses[strconv.Itoa(stt.Id)] = stt.Name
	}
	defs := st.projectFields[c.Id]
	o := newObject().set("Id", "Int").set("CategoryId", cats).set("ContactId", "Int").set("BusinessId", "Int").
		set("UserId", usersMap(st)).set("Name", "Text(512)").set("StatusId", statuses).set("StatusUpdatedAt", "DateTime").
		set("IsPrivate", "Int").set("Invited", "Text(65535)").set("Deleted", "Int").set("CreatedBy", usersMap(st)).set("CreatedAt", "DateTime").
		set("UpdatedBy", usersMap(st)).set("UpdatedAt", "DateTime").set("ProjectHash", "Text(32)").
		set("ProjectEmail", "Text(128)").set("ReferenceId", "Text(255)")
	for _, f := range c.Fields {
		o.set(f.Name, defs[f.Name].schemaValue())
	}
	return o, nil
}

// contactTypeLabel is the localized Type of a contact detail record
// ("Személy"/"Cég" on a Hungarian system, as seen live).
func contactTypeLabel(lang, typ string) string {
	if lang == "en" {
		return typ
	}
	if typ == "Business" {
		return "Cég"
	}
	return "Személy"
}

// contactItem is a contact as list results show it.
func contactItem(st *store, c *contact, base string) *object {
	o := newObject().set("Id", c.Id).set("Name", c.name()).set("Url", base+"/Api/R3/Contact/"+strconv.Itoa(c.Id)).
		set("Type", c.Type).set("Email", c.email()).set("Phone", c.phone())
	if c.Type == "Person" {
		o.set("BusinessId", c.BusinessId)
	}
	return o
}

// contactDetail is GET Contact/<Id>: every field, enums as labels.
func contactDetail(st *store, c *contact) *object {
	o := newObject().set("Id", c.Id)
	if c.Type == "Person" {
		o.set("ParentId", 0)
	}
	o.set("Type", contactTypeLabel(st.lang, c.Type))
	builtIn, custom := personSystemFields, st.ds.PersonFields
	if c.Type == "Business" {
		builtIn, custom = businessSystemFields, st.ds.BusinessFields
	}
	defs := st.contactFields(c.Type)
	for _, f := range builtIn {
		switch f.Name {
		case "Email":
			o.set("Email", c.email())
		case "Phone":
			o.set("Phone", c.phone())
		default:
			o.set(f.Name, defs[f.Name].detailValue(c.Values[f.Name]))
		}
		if f.Name == "Description" {
			o.set("Deleted", c.Deleted).set("CreatedBy", st.userName(c.CreatedBy)).set("CreatedAt", formatTime(c.CreatedAt)).
				set("UpdatedBy", st.userName(c.UpdatedBy)).set("UpdatedAt", formatTime(c.UpdatedAt))
		}
	}
	for _, f := range custom {
		o.set(f.Name, defs[f.Name].detailValue(c.Values[f.Name]))
	}
	if c.Type == "Person" {
		o.set("BusinessId", c.BusinessId)
	}
	o.set("Tags", []string{})
	return o
}

// GET /Api/R3/Contact: search. Criteria combine (all must hold).
func searchContacts(s *Server, r *request) (any, error) {
	st := s.st
	known := func(k string) bool {
		switch k {
		case "Email", "Phone", "Query", "UpdatedSince", "MainContactId", "Type", "Name", "Page", "Deleted":
			return true
		}
		if contactSysFields[k] {
			return true
		}
		_, p := st.personFields[k]
		_, b := st.businessFields[k]
		return p || b
	}
	if err := checkParams(r, st.lang, known); err != nil {
		return nil, err
	}
	p, err := page(r, st.lang)
	if err != nil {
		return nil, err
	}
	since, hasSince, err := sinceParam(r, "UpdatedSince", st.lang)
	if err != nil {
		return nil, err
	}
	main, hasMain, err := intParam(r, "MainContactId", st.lang)
	if err != nil {
		return nil, err
	}
	typ := r.query.Get("Type")
	if typ != "" && typ != "Person" && typ != "Business" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "Type", typ))
	}
	email := strings.TrimSpace(r.query.Get("Email"))
	phone := r.query.Get("Phone")
	query := r.query.Get("Query")
	name := fold(strings.TrimSpace(r.query.Get("Name")))
	var fieldCriteria [][2]string
	for k, v := range r.query {
		if !known(k) || k == "Email" || k == "Phone" || k == "Query" || k == "UpdatedSince" || k == "MainContactId" ||
			k == "Type" || k == "Name" || k == "Page" || k == "Deleted" || contactSysFields[k] {
			continue
		}
		fieldCriteria = append(fieldCriteria, [2]string{k, v[0]})
	}

	sys, err := sysCriteria(st, r, contactSysFields)
	if err != nil {
		return nil, err
	}
	if typ == "" && !hasSince && !hasMain && email == "" && phone == "" && name == "" && query == "" && !r.query.Has("Deleted") &&
		len(fieldCriteria) == 0 && len(sys) == 0 {
		// A plain listing (an export, a mirror's first fill): the page is
		// a slice of the ids, whatever the system's size.
		ids := st.contactIDs()
		out := list{Count: len(ids)}
		for _, id := range paginate(ids, p) {
			out.Results = append(out.Results, contactItem(st, st.contacts[id], r.base))
		}
		return out, nil
	}
	var matches []*contact
	for _, id := range st.contactIDs() {
		c := st.contacts[id]
		if typ != "" && c.Type != typ || !sysMatch(sys, contactSys(c)) {
			continue
		}
		if hasSince && c.UpdatedAt.Before(since) {
			continue
		}
		if hasMain && c.Id != main && c.BusinessId != main {
			continue
		}
		if email != "" && !slices.ContainsFunc(c.Emails, func(e string) bool { return strings.EqualFold(strings.TrimSpace(e), email) }) {
			continue
		}
		if phone != "" && !slices.ContainsFunc(c.Phones, func(ph string) bool { return phoneMatches(ph, phone) }) {
			continue
		}
		if name != "" && !strings.Contains(fold(c.name()), name) {
			continue
		}
		if query != "" && !contactMatchesQuery(st, c, query) {
			continue
		}
		ok := true
		defs := st.contactFields(c.Type)
		for _, fc := range fieldCriteria {
			d, has := defs[fc[0]]
			if !has || !d.matches(c.Values[fc[0]], fc[1]) {
				ok = false
				break
			}
		}
		if ok {
			matches = append(matches, c)
		}
	}
	out := list{Count: len(matches)}
	for _, c := range paginate(matches, p) {
		out.Results = append(out.Results, contactItem(st, c, r.base))
	}
	return out, nil
}

// contactMatchesQuery is the Query search: a phone number is normalized and
// compared from the end; failing that, every word of the query must be a
// whole word of some text field, ignoring case and accents. A number that
// matches no phone still goes through the words, so a tax number or an
// external id ("12345678-2-42", "884422") is found like any other word.
func contactMatchesQuery(st *store, c *contact, q string) bool {
	if looksLikePhone(q) && slices.ContainsFunc(c.Phones, func(ph string) bool { return phoneMatches(ph, q) }) {
		return true
	}
	texts := append(append([]string{c.name()}, c.Emails...), c.Phones...)
	return matchesQuery(q, st.contactFields(c.Type), c.Values, texts...)
}

func getContact(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	c, ok := st.contacts[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	return contactDetail(st, c), nil
}

// PUT /Api/R3/Contact: create.
func createContact(s *Server, r *request) (any, error) {
	st := s.st
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	typ, _ := body["Type"].(string)
	if typ != "Person" && typ != "Business" {
		if body["Type"] == nil {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "Type"))
		}
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "type_values"))
	}
	now := s.clock()
	c := &contact{Type: typ, CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now, Values: map[string]any{}}
	if _, err := applyContact(st, c, body, true); err != nil {
		return nil, err
	}
	required := "FirstName"
	if typ == "Business" {
		required = "Name"
	}
	if v, _ := c.Values[required].(string); strings.TrimSpace(v) == "" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", required))
	}
	c.Id = st.newID()
	st.contacts[c.Id] = c
	s.contactChanged(r.base, nil, c)
	return map[string]int{"Id": c.Id}, nil
}

// PUT /Api/R3/Contact/<Id>: update only the fields sent.
func updateContact(s *Server, r *request) (any, error) {
	st := s.st
	c, ok := st.contacts[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	if t, has := body["Type"]; has && t != c.Type && t != contactTypeLabel(st.lang, c.Type) {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "Type"))
	}
	// Work on a copy so a refused write changes nothing.
	cp := *c
	cp.Values = cloneValues(c.Values)
	cp.Emails, cp.Phones = slices.Clone(c.Emails), slices.Clone(c.Phones)
	changed, err := applyContact(st, &cp, body, false)
	if err != nil {
		return nil, err
	}
	if changed {
		cp.UpdatedAt, cp.UpdatedBy = s.clock(), st.apiUser()
		s.contactChanged(r.base, c, &cp)
		*c = cp
	}
	return map[string]int{"Id": c.Id}, nil
}

func cloneValues(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// readOnlyFields are accepted in a body (clients echo detail records back)
// but never written.
var readOnlyFields = map[string]bool{
	"Id": true, "CreatedAt": true, "CreatedBy": true, "UpdatedAt": true, "UpdatedBy": true, "ParentId": true,
	"StatusUpdatedAt": true, "ProjectHash": true, "ProjectEmail": true, "Tags": true, "Emails": true, "Phones": true,
}

// applyContact writes body fields onto c, reporting whether anything changed.
func applyContact(st *store, c *contact, body map[string]any, creating bool) (bool, error) {
	defs := st.contactFields(c.Type)
	changed := false
	for k, v := range body {
		switch {
		case k == "Type" || readOnlyFields[k]:
			continue
		case k == "Email" || k == "Phone":
			s := strings.TrimSpace(scalarString(v))
			d := defs[k]
			if _, err := d.normalize(s, st.lang); err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			if s == "" {
				continue
			}
			list := &c.Emails
			if k == "Phone" {
				list = &c.Phones
			}
			// A new email or phone becomes the default; earlier ones are kept.
			if last(*list) != s {
				*list = append(slices.DeleteFunc(*list, func(e string) bool { return e == s }), s)
				changed = true
			}
		case k == "BusinessId":
			if c.Type != "Person" {
				return false, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
			}
			id, ok := idOf(v)
			if !ok && scalarString(v) != "" && scalarString(v) != "0" {
				return false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "BusinessId"))
			}
			if ok {
				if b, exists := st.contacts[id]; !exists || b.Type != "Business" {
					return false, errf(http.StatusBadRequest, msgf(st.lang, "not_business", id))
				}
			}
			// Contacts cannot be moved between companies through the API.
			if !creating && c.BusinessId != 0 && id != c.BusinessId && (st.ds == nil || !st.ds.AllowContactMove) {
				return false, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "BusinessId"))
			}
			if id != c.BusinessId {
				c.BusinessId, changed = id, true
			}
		case k == "Deleted":
			n, err := fieldDef{Name: k, Label: k, Kind: kindInt}.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			if d := int(n.(int64)); d != c.Deleted {
				c.Deleted, changed = d, true
			}
		default:
			d, ok := defs[k]
			if !ok {
				return false, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
			}
			nv, err := d.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			if old, had := c.Values[k]; !had || old != nv {
				if had || nv != d.zero() {
					changed = true
				}
				c.Values[k] = nv
			}
		}
	}
	return changed, nil
}

// GET or PUT /Api/R3/PurgePerson/<Id>: delete a person who is nobody's
// primary contact. It answers JSON {"Message": …}, unlike other errors.
func purgePerson(s *Server, r *request) (any, error) {
	st := s.st
	c, ok := st.contacts[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	if c.Type != "Person" {
		return nil, &jsonError{status: http.StatusBadRequest, body: map[string]string{"Message": msgf(st.lang, "purge_business")}}
	}
	for _, p := range st.projects {
		if p.ContactId == c.Id {
			return nil, &jsonError{status: http.StatusBadRequest, body: map[string]string{"Message": msgf(st.lang, "purge_primary")}}
		}
	}
	delete(st.contacts, c.Id)
	st.removals++
	return map[string]string{"Message": msgf(st.lang, "purge_ok")}, nil
}

// jsonError is an error answered with a JSON body: PurgePerson's refusals.
type jsonError struct {
	status int
	body   any
}

func (e *jsonError) Error() string { return "json error" }
