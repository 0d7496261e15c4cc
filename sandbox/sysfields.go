package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Every field a Schema answer lists can be searched by: a client reading
// the schema to build a search (the TypeScript client does) must not be
// refused a field the schema offered. The custom and built-in fields are
// matched by fieldDef.matches; these are the system fields around them.

// sysRecord is what the system-field criteria look at.
type sysRecord struct {
	Id, BusinessId, CreatedBy, UpdatedBy  int
	CreatedAt, UpdatedAt, StatusUpdatedAt time.Time
	ProjectHash, ProjectEmail             string
}

var (
	contactSysFields = map[string]bool{"Id": true, "BusinessId": true, "CreatedBy": true, "CreatedAt": true,
		"UpdatedBy": true, "UpdatedAt": true}
	projectSysFields = map[string]bool{"Id": true, "BusinessId": true, "CreatedBy": true, "CreatedAt": true,
		"UpdatedBy": true, "UpdatedAt": true, "StatusUpdatedAt": true, "ProjectHash": true, "ProjectEmail": true,
		"Invited": true}
)

func contactSys(c *contact) sysRecord {
	return sysRecord{Id: c.Id, BusinessId: c.BusinessId, CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func projectSys(p *project) sysRecord {
	return sysRecord{Id: p.Id, BusinessId: p.BusinessId, CreatedBy: p.CreatedBy, UpdatedBy: p.UpdatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, StatusUpdatedAt: p.StatusUpdatedAt,
		ProjectHash: p.Hash, ProjectEmail: projectEmail(p)}
}

func projectEmail(p *project) string { return "adatlap-" + p.Hash + "@sandbox.minicrm.local" }

// sysCriterion turns a search parameter on a system field into a test. A
// user is given by id or name; a time matches to the second, a date the
// whole day (MAN25: UpdatedAt is "updated at that exact date/time").
func sysCriterion(st *store, k, v string) (func(sysRecord) bool, error) {
	badValue := errf(http.StatusBadRequest, msgf(st.lang, "bad_param_value", k, v))
	switch k {
	case "Id", "BusinessId":
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, badValue
		}
		if k == "Id" {
			return func(r sysRecord) bool { return r.Id == n }, nil
		}
		return func(r sysRecord) bool { return r.BusinessId == n }, nil
	case "CreatedBy", "UpdatedBy":
		id, ok := st.userByValue(v)
		if !ok {
			return nil, badValue
		}
		if k == "CreatedBy" {
			return func(r sysRecord) bool { return r.CreatedBy == id }, nil
		}
		return func(r sysRecord) bool { return r.UpdatedBy == id }, nil
	case "CreatedAt", "UpdatedAt", "StatusUpdatedAt":
		s := strings.ReplaceAll(strings.TrimSpace(v), "+", " ")
		t, ok := parseMiniCRMTime(s)
		if !ok {
			return nil, badValue
		}
		wholeDay := len(s) == len(dateLayout)
		at := func(r sysRecord) time.Time {
			switch k {
			case "CreatedAt":
				return r.CreatedAt
			case "UpdatedAt":
				return r.UpdatedAt
			}
			return r.StatusUpdatedAt
		}
		return func(r sysRecord) bool {
			got := at(r).In(budapest)
			if wholeDay {
				y, m, d := got.Date()
				ty, tm, td := t.Date()
				return y == ty && m == tm && d == td
			}
			return got.Truncate(time.Second).Equal(t)
		}, nil
	case "ProjectHash":
		return func(r sysRecord) bool { return strings.EqualFold(r.ProjectHash, strings.TrimSpace(v)) }, nil
	case "ProjectEmail":
		return func(r sysRecord) bool { return strings.EqualFold(r.ProjectEmail, strings.TrimSpace(v)) }, nil
	case "Invited":
		// Nobody is ever invited in the sandbox (live answers "Invited": []):
		// an empty criterion matches every card, any other none.
		empty := strings.TrimSpace(v) == ""
		return func(sysRecord) bool { return empty }, nil
	}
	return nil, errf(http.StatusBadRequest, msgf(st.lang, "unknown_param", k))
}

// sysCriteria collects the criteria on the given system fields.
func sysCriteria(st *store, r *request, fields map[string]bool) ([]func(sysRecord) bool, error) {
	var out []func(sysRecord) bool
	for k, v := range r.query {
		if !fields[k] {
			continue
		}
		f, err := sysCriterion(st, k, v[0])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func sysMatch(crit []func(sysRecord) bool, rec sysRecord) bool {
	for _, f := range crit {
		if !f(rec) {
			return false
		}
	}
	return true
}

// projectMatchesQuery is the card search by Query (the official PHP
// client's Project::Search): every word of the query must be a whole word
// of the card's name or of one of its text or enum fields, ignoring case
// and accents, as the contact Query does.
func projectMatchesQuery(st *store, p *project, q string) bool {
	return matchesQuery(q, st.projectFields[p.CategoryId], p.Values, p.name())
}

// matchesQuery is Query's rule for a record: every word of q is a whole
// word of one of texts or of the record's text or dropdown values (a
// dropdown by its label), ignoring case and accents.
func matchesQuery(q string, defs map[string]fieldDef, values map[string]any, texts ...string) bool {
	qw := words(q)
	if len(qw) == 0 {
		return false
	}
	have := map[string]bool{}
	add := func(s string) {
		for _, w := range words(s) {
			have[w] = true
		}
	}
	for _, t := range texts {
		add(t)
	}
	for k, v := range values {
		if sv, ok := v.(string); ok {
			add(sv)
		} else if d := defs[k]; d.Kind == kindEnum {
			add(d.detailValue(v).(string))
		}
	}
	for _, w := range qw {
		if !have[w] {
			return false
		}
	}
	return true
}
