package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// projectItem is a card as list results show it: enums as ids.
func projectItem(c *project, base string) *object {
	return newObject().set("Id", c.Id).set("Name", c.name()).set("Url", base+"/Api/R3/Project/"+strconv.Itoa(c.Id)).
		set("ContactId", c.ContactId).set("StatusId", c.StatusId).set("UserId", c.UserId).set("Deleted", c.Deleted).
		set("BusinessId", c.BusinessId)
}

// projectDetail is GET Project/<Id>: StatusId, UserId, CreatedBy, UpdatedBy
// and enum fields as labels, the way live systems answer.
func projectDetail(st *store, p *project) *object {
	o := newObject().set("Id", p.Id).set("CategoryId", p.CategoryId).set("ContactId", p.ContactId).
		set("UserId", st.userName(p.UserId)).set("Name", p.name()).set("StatusId", st.statusName(p.StatusId)).
		set("StatusUpdatedAt", formatTime(p.StatusUpdatedAt)).set("IsPrivate", valueOr(p.Values["IsPrivate"], int64(0))).
		set("Invited", []any{}).set("Deleted", p.Deleted).set("CreatedBy", st.userName(p.CreatedBy)).set("CreatedAt", formatTime(p.CreatedAt)).
		set("UpdatedBy", st.userName(p.UpdatedBy)).set("UpdatedAt", formatTime(p.UpdatedAt)).
		set("ProjectHash", p.Hash).set("ProjectEmail", projectEmail(p)).
		set("ReferenceId", valueOr(p.Values["ReferenceId"], ""))
	defs := st.projectFields[p.CategoryId]
	for _, f := range st.categories[p.CategoryId].Fields {
		o.set(f.Name, defs[f.Name].detailValue(p.Values[f.Name]))
	}
	o.set("BusinessId", p.BusinessId)
	return o
}

func valueOr(v, def any) any {
	if v == nil {
		return def
	}
	return v
}

// projectParams are the search parameters of GET /Api/R3/Project that are
// not fields.
var projectParams = keySet("CategoryId", "MainContactId", "ContactId", "StatusId", "StatusGroup", "UserId",
	"UpdatedSince", "Name", "ReferenceId", "Deleted", "Page", "Query")

// GET /Api/R3/Project: search; with ReferenceId, the one card's detail
// record instead of a list (MiniCRM's help pages say so).
func searchProjects(s *Server, r *request) (any, error) {
	st := s.st
	known := func(k string) bool {
		if projectParams[k] || projectSysFields[k] {
			return true
		}
		for _, defs := range st.projectFields {
			if _, ok := defs[k]; ok {
				return true
			}
		}
		return false
	}
	if err := checkParams(r, st.lang, known); err != nil {
		return nil, err
	}
	if ref := r.query.Get("ReferenceId"); ref != "" && len(r.query) == 1 {
		for _, id := range st.projectIDs() {
			if p := st.projects[id]; p.Values["ReferenceId"] == ref {
				return projectDetail(st, p), nil
			}
		}
		return nil, errf(http.StatusNotFound, msgf(st.lang, "not_found", "ReferenceId="+ref))
	}
	pg, err := page(r, st.lang)
	if err != nil {
		return nil, err
	}
	c, err := readProjectCriteria(st, r)
	if err != nil {
		return nil, err
	}
	var matches []*project
	for _, id := range st.projectIDs() {
		if p := st.projects[id]; c.match(st, p) {
			matches = append(matches, p)
		}
	}
	out := list{Count: len(matches)}
	for _, p := range paginate(matches, pg) {
		out.Results = append(out.Results, projectItem(p, r.base))
	}
	return out, nil
}

// projectCriteria is what a card search asks for.
type projectCriteria struct {
	since            time.Time
	hasSince         bool
	intCrit          map[string]int // CategoryId, MainContactId, ContactId, Deleted
	catID            int
	hasCat           bool
	statusIDs        map[int]bool // nil: any status
	userID           int
	group, name, ref string
	fieldCrit        [][2]string // field name, value
	deleted          int
	sys              []func(sysRecord) bool
	query            string
}

// readProjectCriteria reads the search parameters, refusing values that
// name nothing.
func readProjectCriteria(st *store, r *request) (*projectCriteria, error) {
	c := &projectCriteria{intCrit: map[string]int{}}
	var err error
	if c.since, c.hasSince, err = sinceParam(r, "UpdatedSince", st.lang); err != nil {
		return nil, err
	}
	for _, k := range []string{"CategoryId", "MainContactId", "ContactId", "Deleted"} {
		n, has, err := intParam(r, k, st.lang)
		if err != nil {
			return nil, err
		}
		if has {
			c.intCrit[k] = n
		}
	}
	c.catID, c.hasCat = c.intCrit["CategoryId"]
	// A status label can name a status in several modules ("Érdeklődő" in
	// two of the built-in ones): without CategoryId it matches all of them.
	if v := r.query.Get("StatusId"); v != "" {
		c.statusIDs = map[int]bool{}
		for _, cat := range st.ds.Categories {
			if c.hasCat && cat.Id != c.catID {
				continue
			}
			if id, ok := st.statusByValue(cat.Id, v); ok {
				c.statusIDs[id] = true
			}
		}
		if len(c.statusIDs) == 0 {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "StatusId", v))
		}
	}
	if v := r.query.Get("UserId"); v != "" {
		id, ok := st.userByValue(v)
		if !ok {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "UserId", v))
		}
		c.userID = id
	}
	c.group = r.query.Get("StatusGroup")
	switch c.group {
	case "", "Lead", "Open", "Success", "Failed":
	default:
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "StatusGroup", c.group))
	}
	c.name = fold(strings.TrimSpace(r.query.Get("Name")))
	c.ref = r.query.Get("ReferenceId")
	for k, v := range r.query {
		if projectParams[k] || projectSysFields[k] {
			continue
		}
		c.fieldCrit = append(c.fieldCrit, [2]string{k, v[0]})
	}
	if d, has := c.intCrit["Deleted"]; has {
		c.deleted = d
	}
	if c.sys, err = sysCriteria(st, r, projectSysFields); err != nil {
		return nil, err
	}
	c.query = r.query.Get("Query")
	return c, nil
}

// match tells whether card p meets every criterion.
func (c *projectCriteria) match(st *store, p *project) bool {
	switch {
	case c.hasCat && p.CategoryId != c.catID,
		p.Deleted != c.deleted,
		c.intCrit["MainContactId"] != 0 && p.BusinessId != c.intCrit["MainContactId"] && p.ContactId != c.intCrit["MainContactId"],
		c.intCrit["ContactId"] != 0 && p.ContactId != c.intCrit["ContactId"],
		c.statusIDs != nil && !c.statusIDs[p.StatusId],
		c.userID != 0 && p.UserId != c.userID,
		c.group != "" && st.statusGroup(p.StatusId) != c.group,
		c.hasSince && p.UpdatedAt.Before(c.since),
		c.name != "" && !strings.Contains(fold(p.name()), c.name),
		c.ref != "" && p.Values["ReferenceId"] != c.ref,
		!sysMatch(c.sys, projectSys(p)),
		c.query != "" && !projectMatchesQuery(st, p, c.query):
		return false
	}
	defs := st.projectFields[p.CategoryId]
	for _, fc := range c.fieldCrit {
		d, has := defs[fc[0]]
		if !has || !d.matches(p.Values[fc[0]], fc[1]) {
			return false
		}
	}
	return true
}

func getProject(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	p, ok := st.projects[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	return projectDetail(st, p), nil
}

// PUT /Api/R3/Project: create. The HU seed names the fields a new card
// needs: Name, UserId, CategoryId, ContactId, StatusId.
func createProject(s *Server, r *request) (any, error) {
	st := s.st
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"Name", "UserId", "CategoryId", "ContactId", "StatusId"} {
		if v, ok := body[k]; !ok || strings.TrimSpace(scalarString(v)) == "" {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", k))
		}
	}
	catID, ok := st.categoryByValue(body["CategoryId"])
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(body["CategoryId"]), "CategoryId"))
	}
	now := s.clock()
	p := &project{CategoryId: catID, CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now,
		StatusUpdatedAt: now, Values: map[string]any{}}
	if _, _, err := applyProject(st, p, body); err != nil {
		return nil, err
	}
	p.Id = st.newID()
	p.Hash = projectHash(p.Id)
	st.projects[p.Id] = p
	st.addHistory(p.Id, p.UserId, 0, p.StatusId, now)
	s.projectChanged(r.base, nil, p)
	return map[string]int{"Id": p.Id}, nil
}

// PUT /Api/R3/Project/<Id>: update only the fields sent.
func updateProject(s *Server, r *request) (any, error) {
	st := s.st
	p, ok := st.projects[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	if v, has := body["CategoryId"]; has {
		if id, ok := st.categoryByValue(v); !ok || id != p.CategoryId {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "CategoryId"))
		}
	}
	cp := *p
	cp.Values = cloneValues(p.Values)
	oldStatus := p.StatusId
	changed, statusChanged, err := applyProject(st, &cp, body)
	if err != nil {
		return nil, err
	}
	if changed {
		now := s.clock()
		cp.UpdatedAt, cp.UpdatedBy = now, st.apiUser()
		if statusChanged {
			cp.StatusUpdatedAt = now
			st.addHistory(p.Id, st.apiUser(), oldStatus, cp.StatusId, now)
		}
		s.projectChanged(r.base, p, &cp)
		*p = cp
	}
	return map[string]int{"Id": p.Id}, nil
}

// applyProject writes body fields onto p.
func applyProject(st *store, p *project, body map[string]any) (changed, statusChanged bool, err error) {
	defs := st.projectFields[p.CategoryId]
	catName := st.categories[p.CategoryId].Name
	setInt := func(dst *int, v int) {
		if *dst != v {
			*dst, changed = v, true
		}
	}
	// ContactId first: BusinessId, when sent too, moves the card to another
	// company (MAN25 "move card").
	if v, has := body["ContactId"]; has {
		id, ok := idOf(v)
		if _, exists := st.contacts[id]; !ok || !exists {
			return false, false, errf(http.StatusBadRequest, msgf(st.lang, "not_contact", id))
		}
		setInt(&p.ContactId, id)
		setInt(&p.BusinessId, st.businessOf(id))
	}
	for k, v := range body {
		switch {
		case k == "CategoryId" || k == "ContactId" || readOnlyFields[k]:
			continue
		case k == "Invited":
			// Shown as [] in detail records; clients echo it back. Inviting
			// users is not part of the API.
			continue
		case k == "BusinessId":
			id, ok := idOf(v)
			if c, exists := st.contacts[id]; !ok || !exists || c.Type != "Business" {
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "not_business", id))
			}
			setInt(&p.BusinessId, id)
		case k == "StatusId":
			id, ok := st.statusByValue(p.CategoryId, v)
			if !ok {
				if _, other := st.statusCat[idOrZero(v)]; other {
					return false, false, errf(http.StatusBadRequest, msgf(st.lang, "wrong_status", printable(v), catName))
				}
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Státusz"))
			}
			if id != p.StatusId {
				p.StatusId, changed, statusChanged = id, true, true
			}
		case k == "UserId":
			// MAN25 says a live system answers 200 to an unknown owner name
			// and picks someone; we refuse it instead (400), which is what
			// an integrator rehearsing a migration needs to see.
			id, ok := st.userByValue(v)
			if !ok {
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Felelős"))
			}
			setInt(&p.UserId, id)
		case k == "Deleted":
			n, err := fieldDef{Name: k, Label: k, Kind: kindInt}.normalize(v, st.lang)
			if err != nil || (n.(int64) != 0 && n.(int64) != 1) {
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Deleted"))
			}
			setInt(&p.Deleted, int(n.(int64)))
		default:
			d, ok := defs[k]
			if !ok {
				return false, false, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
			}
			nv, err := d.normalize(v, st.lang)
			if err != nil {
				return false, false, errf(http.StatusBadRequest, err.Error())
			}
			if old, had := p.Values[k]; !had || old != nv {
				if had || nv != d.zero() {
					changed = true
				}
				p.Values[k] = nv
			}
		}
	}
	if strings.TrimSpace(p.name()) == "" {
		return false, false, errf(http.StatusBadRequest, msgf(st.lang, "required", "Name"))
	}
	return changed, statusChanged, nil
}

func idOrZero(v any) int {
	id, _ := idOf(v)
	return id
}

// GET /Api/R3/ProjectHistory/<Id>?Type=StatusHistory (also under
// /<SystemId>/Api/R3/…): every status change, all values as strings, as the
// seed's example shows.
func getProjectHistory(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(k string) bool { return k == "Type" || k == "Page" }); err != nil {
		return nil, err
	}
	if t := r.query.Get("Type"); t != "" && t != "StatusHistory" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "Type", t))
	}
	p, ok := st.projects[r.ids[0]]
	if !ok || p.Deleted != 0 {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	pg, err := page(r, st.lang)
	if err != nil {
		return nil, err
	}
	var entries []*historyEntry
	for _, id := range sortedIDs(st.history) {
		if h := st.history[id]; h.ProjectId == p.Id {
			entries = append(entries, h)
		}
	}
	type stringList struct {
		Count   string  `json:"Count"`
		Results results `json:"Results"`
	}
	out := stringList{Count: strconv.Itoa(len(entries))}
	str := func(id int) string {
		if id == 0 {
			return ""
		}
		return strconv.Itoa(id)
	}
	for _, h := range paginate(entries, pg) {
		item := newObject().set("Id", str(h.Id)).set("ProjectId", str(h.ProjectId)).set("Type", "StatusHistory").
			set("UserId", str(h.UserId)).set("ClosedAt", formatTime(h.At)).set("Status_Old_Id", str(h.OldStatus)).
			set("Status_New_Id", str(h.NewStatus)).set("Status_Old_Name", st.statusName(h.OldStatus)).
			set("Status_New_Name", st.statusName(h.NewStatus))
		out.Results = append(out.Results, item)
	}
	return out, nil
}
