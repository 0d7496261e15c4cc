package sandbox

import (
	"net/http"
	"strconv"
	"time"
)

// templateTypes maps a template's list Type (TemplateList) to the label its
// detail record shows (MAN25's example: "To do").
var templateTypes = map[string]string{"Email": "Email", "Todo": "To do", "Sms": "SMS", "File": "File"}

// createdAtParam reads the optional CreatedAt filter of TemplateList and
// EmailList. MAN25 names the parameter without saying how it compares; the
// sandbox keeps what was created at or after it, like UpdatedSince.
func createdAtParam(r *request, lang string) (time.Time, bool, error) {
	return sinceParam(r, "CreatedAt", lang)
}

func createdAt(s string) time.Time {
	t, _ := parseMiniCRMTime(s)
	return t
}

// createdAtList reads what TemplateList and EmailList take: CreatedAt and
// Page, for a parent (module, card) that must exist.
func createdAtList(r *request, st *store, exists bool) (since time.Time, hasSince bool, pg int, err error) {
	if err = checkParams(r, st.lang, func(k string) bool { return k == "CreatedAt" || k == "Page" }); err != nil {
		return
	}
	if !exists {
		err = errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
		return
	}
	if since, hasSince, err = createdAtParam(r, st.lang); err != nil {
		return
	}
	pg, err = page(r, st.lang)
	return
}

// GET /Api/R3/TemplateList/<CategoryId>: {"Count": N, "Results": [{Id, Type,
// Name, Url}]}, an array like ToDoList's.
func getTemplateList(s *Server, r *request) (any, error) {
	st := s.st
	_, exists := st.categories[r.ids[0]]
	since, hasSince, pg, err := createdAtList(r, st, exists)
	if err != nil {
		return nil, err
	}
	var items []*SeedTemplate
	for _, id := range sortedIDs(st.cat.templates) {
		t := st.cat.templates[id]
		if t.CategoryId != r.ids[0] || hasSince && createdAt(t.CreatedAt).Before(since) {
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
		out.Results = append(out.Results, newObject().set("Id", t.Id).set("Type", t.Type).set("Name", t.Name).
			set("Url", r.base+"/Api/R3/Template/"+strconv.Itoa(t.Id)))
	}
	return out, nil
}

// GET /Api/R3/Template/<Id>: templates are read-only through the API, so
// the route has no PUT (405).
func getTemplate(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	t, ok := st.cat.templates[r.ids[0]]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", r.ids[0]))
	}
	folders := []int{}
	if t.FolderId != 0 {
		folders = append(folders, t.FolderId)
	}
	return newObject().set("Id", t.Id).set("CategoryId", t.CategoryId).set("Type", templateTypes[t.Type]).
		set("Name", t.Name).set("Subject", t.Subject).set("Content", t.Content).set("FolderId", t.FolderId).
		set("Folders", folders), nil
}

// GET /Api/R3/EmailList/<ProjectId>: the e-mails recorded on a card, in the
// usual Count/Results envelope keyed by id. The item fields follow the one
// public mapping of this answer (Cheppers' client); MiniCRM documents no
// example.
func getEmailList(s *Server, r *request) (any, error) {
	st := s.st
	_, exists := st.projects[r.ids[0]]
	since, hasSince, pg, err := createdAtList(r, st, exists)
	if err != nil {
		return nil, err
	}
	var items []*SeedEmail
	for _, id := range sortedIDs(st.cat.emails) {
		m := st.cat.emails[id]
		if m.ProjectId != r.ids[0] || hasSince && createdAt(m.CreatedAt).Before(since) {
			continue
		}
		items = append(items, m)
	}
	out := list{Count: len(items)}
	stamp := func(s string) string {
		if s == "" {
			return ""
		}
		return formatTime(createdAt(s))
	}
	for _, m := range paginate(items, pg) {
		status := m.Status
		if status == "" {
			status = "Sent"
		}
		out.Results = append(out.Results, newObject().set("Id", m.Id).set("ProjectId", m.ProjectId).
			set("TemplateId", m.TemplateId).set("From", m.From).set("To", m.To).set("Subject", m.Subject).
			set("Body", m.Body).set("Status", status).set("CreatedAt", stamp(m.CreatedAt)).
			set("OpenedAt", stamp(m.OpenedAt)).set("ClickedAt", stamp(m.ClickedAt)).
			set("UnsubscribedDate", stamp(m.Unsubscribed)))
	}
	return out, nil
}
