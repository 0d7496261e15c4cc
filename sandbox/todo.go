package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// todoTypes are the to-do types every sandbox system has (a ToDo's Type is
// an id in lists and a label in detail records). The ids are taken from the
// seed's ToDoList example ("Type":"1566").
var todoTypes = fieldDef{Name: "Type", Label: "Típus", Kind: kindEnum, Options: []Option{
	{Id: 1566, Label: "Telefonhívás"}, {Id: 1567, Label: "Email"}, {Id: 1568, Label: "Találkozó"}, {Id: 1569, Label: "Feladat"},
}}

const zeroTime = "0000-00-00 00:00:00"

func todoURL(base string, id int) string { return base + "/Api/R3/ToDo/" + strconv.Itoa(id) }

// GET /Api/R3/ToDoList/<ProjectId>?Status=Open|Closed|All: Results is an
// array here. Id and UserId are numbers and Type is "" for a to-do without
// a type, as a live system answered (2026); the seed documents' example
// shows every value as a string. A set Type is its id as a string there.
func getToDoList(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(k string) bool { return k == "Status" || k == "UserId" || k == "Page" }); err != nil {
		return nil, err
	}
	if _, ok := st.projects[r.ids[0]]; !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	status := r.query.Get("Status")
	switch status {
	case "", "All", "Open", "Closed":
	default:
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "Status", status))
	}
	userID := 0
	if v := r.query.Get("UserId"); v != "" {
		id, ok := st.userByValue(v)
		if !ok {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", "UserId", v))
		}
		userID = id
	}
	pg, err := page(r, st.lang)
	if err != nil {
		return nil, err
	}
	var items []*todo
	for _, id := range sortedIDs(st.todos) {
		t := st.todos[id]
		open := t.Status == "Open"
		switch {
		case t.ProjectId != r.ids[0],
			status == "Open" && !open,
			status == "Closed" && open,
			userID != 0 && t.UserId != userID:
			continue
		}
		items = append(items, t)
	}
	type arrayList struct {
		Count   int       `json:"Count"`
		Results []*object `json:"Results"`
	}
	out := arrayList{Count: len(items), Results: []*object{}}
	for _, t := range paginate(items, pg) {
		typ := ""
		if t.Type != 0 {
			typ = strconv.Itoa(t.Type)
		}
		out.Results = append(out.Results, newObject().set("Id", t.Id).set("Status", t.Status).
			set("Comment", t.Comment).set("Deadline", t.Deadline).set("UserId", t.UserId).
			set("Type", typ).set("Url", todoURL(r.base, t.Id)))
	}
	return out, nil
}

func todoDetail(st *store, t *todo) *object {
	mode := "Task"
	if st.lang == "hu" {
		mode = "Teendő"
	}
	closedAt := zeroTime
	if !t.ClosedAt.IsZero() {
		closedAt = formatTime(t.ClosedAt)
	}
	members := t.Members
	if members == nil {
		members = []todoMember{}
	}
	notes := t.Notes
	if notes == nil {
		notes = []todoNote{}
	}
	return newObject().set("Id", t.Id).set("UserId", st.userName(t.UserId)).set("ContactId", t.ContactId).
		set("ProjectId", t.ProjectId).set("Type", todoTypes.detailValue(t.Type)).set("Duration", t.Duration).
		set("Reminder", t.Reminder).set("Status", t.Status).set("Mode", mode).set("Deadline", t.Deadline).
		set("Comment", t.Comment).set("Attachments", map[string]string{}).set("CreatedBy", st.userName(t.CreatedBy)).
		set("CreatedAt", formatTime(t.CreatedAt)).set("UpdatedBy", st.userName(t.UpdatedBy)).
		set("UpdatedAt", formatTime(t.UpdatedAt)).set("ClosedBy", st.userName(t.ClosedBy)).set("ClosedAt", closedAt).
		set("AddressId", t.AddressId).set("Members", members).set("Notes", notes)
}

func getToDo(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	t, ok := st.todos[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	return todoDetail(st, t), nil
}

// todoBody reads a to-do write: a JSON body or, as some production code
// does against live MiniCRM, the fields as query parameters with no body.
func todoBody(r *request, lang string) (map[string]any, error) {
	if r.ContentLength == 0 && len(r.query) > 0 {
		m := map[string]any{}
		for k, v := range r.query {
			m[k] = v[0]
		}
		return m, nil
	}
	return r.body(lang)
}

// PUT /Api/R3/ToDo: create; ProjectId is required. POST is 405 (live).
func createToDo(s *Server, r *request) (any, error) {
	st := s.st
	body, err := todoBody(r, st.lang)
	if err != nil {
		return nil, err
	}
	pid, ok := idOf(body["ProjectId"])
	if !ok {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "ProjectId"))
	}
	p, exists := st.projects[pid]
	if !exists {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "not_project", pid))
	}
	now := s.clock()
	t := &todo{ProjectId: pid, ContactId: p.ContactId, UserId: p.UserId, Status: "Open", Mode: "Task",
		CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now}
	if _, err := applyToDo(st, t, body, now); err != nil {
		return nil, err
	}
	t.Id = st.newID()
	st.todos[t.Id] = t
	return map[string]int{"Id": t.Id}, nil
}

// PUT /Api/R3/ToDo/<Id>: ProjectId, Members and Notes cannot change, and a
// closed to-do cannot change at all.
func updateToDo(s *Server, r *request) (any, error) {
	st := s.st
	t, ok := st.todos[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := todoBody(r, st.lang)
	if err != nil {
		return nil, err
	}
	if t.Status != "Open" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "todo_closed"))
	}
	if v, has := body["ProjectId"]; has && idOrZero(v) != t.ProjectId {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "ProjectId"))
	}
	for _, k := range []string{"Members", "Notes"} {
		if _, has := body[k]; has {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", k))
		}
	}
	cp := *t
	now := s.clock()
	changed, err := applyToDo(st, &cp, body, now)
	if err != nil {
		return nil, err
	}
	if changed {
		cp.UpdatedAt, cp.UpdatedBy = now, st.apiUser()
		*t = cp
	}
	return map[string]int{"Id": t.Id}, nil
}

// applyToDo writes body fields onto t.
func applyToDo(st *store, t *todo, body map[string]any, now time.Time) (bool, error) {
	changed := false
	setStr := func(dst *string, v string) {
		if *dst != v {
			*dst, changed = v, true
		}
	}
	for k, v := range body {
		switch k {
		case "ProjectId", "Members", "Notes", "Mode", "Attachments":
			// ProjectId is checked by the callers; Members and Notes are
			// read-only; Mode and Attachments are accepted and not kept.
		case "ClosedAt":
			// MAN25 sets a close time with POST; closeToDo takes it out of
			// the body before it comes here.
			return false, errf(http.StatusBadRequest, msgf(st.lang, "closed_at_post"))
		case "Id", "CreatedAt", "CreatedBy", "UpdatedAt", "UpdatedBy", "ClosedBy":
		case "UserId":
			id, ok := st.userByValue(v)
			if !ok {
				return false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "UserId"))
			}
			if id != t.UserId {
				t.UserId, changed = id, true
			}
		case "Comment":
			c, err := fieldDef{Name: k, Label: "Comment", Kind: kindText, Max: 65535}.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			setStr(&t.Comment, c.(string))
		case "Deadline":
			d, err := fieldDef{Name: k, Label: "Deadline", Kind: kindDateTime}.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			setStr(&t.Deadline, d.(string))
		case "Type":
			id, err := todoTypes.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			if id.(int) != t.Type {
				t.Type, changed = id.(int), true
			}
		case "Duration", "Reminder", "AddressId", "ContactId":
			n, err := fieldDef{Name: k, Label: k, Kind: kindInt}.normalize(v, st.lang)
			if err != nil {
				return false, errf(http.StatusBadRequest, err.Error())
			}
			switch k {
			case "Duration":
				changed = changed || t.Duration != n.(int64)
				t.Duration = n.(int64)
			case "Reminder":
				changed = changed || t.Reminder != n.(int64)
				t.Reminder = n.(int64)
			case "AddressId":
				changed = changed || t.AddressId != int(n.(int64))
				t.AddressId = int(n.(int64))
			case "ContactId":
				changed = changed || t.ContactId != int(n.(int64))
				t.ContactId = int(n.(int64))
			}
		case "Status":
			sv := strings.TrimSpace(scalarString(v))
			switch sv {
			case "Open":
			case "Closed", "Failed":
				t.Status, t.ClosedBy, t.ClosedAt, changed = sv, st.apiUser(), now, true
			default:
				return false, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Status"))
			}
		default:
			return false, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
		}
	}
	return changed, nil
}

func init() {
	messages["closed_at_post"] = [2]string{"A ClosedAt (lezárás ideje) POST kéréssel adható meg: POST /Api/R3/ToDo/<Id>.",
		"ClosedAt (the close time) is set with POST: POST /Api/R3/ToDo/<Id>."}
}

// POST /Api/R3/ToDo/<Id>: MAN25 closes a to-do with {"Status": "Closed"}
// and lets the close time be set with ClosedAt ({"Status": "Closed",
// "ClosedAt": "2009-01-09"}); ClosedAt without Status closes it too. Only
// Closed and Failed are close statuses here (not "Successful"). Other
// fields may come along and are written as by PUT. Creating with POST
// (no id) stays 405, as live systems answer.
func closeToDo(s *Server, r *request) (any, error) {
	st := s.st
	t, ok := st.todos[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	body, err := todoBody(r, st.lang)
	if err != nil {
		return nil, err
	}
	if t.Status != "Open" {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "todo_closed"))
	}
	now := s.clock()
	closedAt := now
	if v, has := body["ClosedAt"]; has {
		at, ok := parseMiniCRMTime(scalarString(v))
		if !ok {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "ClosedAt"))
		}
		closedAt = at
		delete(body, "ClosedAt")
		if _, has := body["Status"]; !has {
			body["Status"] = "Closed"
		}
	}
	if v, has := body["Status"]; has {
		if sv := strings.TrimSpace(scalarString(v)); sv != "Closed" && sv != "Failed" {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "invalid_value", printable(v), "Status"))
		}
	} else {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "required", "Status"))
	}
	if v, has := body["ProjectId"]; has && idOrZero(v) != t.ProjectId {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", "ProjectId"))
	}
	for _, k := range []string{"Members", "Notes"} {
		if _, has := body[k]; has {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "immutable", k))
		}
	}
	cp := *t
	if _, err := applyToDo(st, &cp, body, now); err != nil {
		return nil, err
	}
	cp.ClosedAt = closedAt
	cp.UpdatedAt, cp.UpdatedBy = now, st.apiUser()
	*t = cp
	return map[string]int{"Id": t.Id}, nil
}
