package sandbox

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Card connections (MAN25 "Card connections"): CreateProjectConnection,
// ListProjectConnection, UpdateProjectConnection, DeleteProjectConnection.
// A connection links two cards with a description. MAN25 shows the create
// answer and the list envelope; it does not say whether a connection is
// seen from both cards, nor what update and delete answer. The sandbox
// lists a connection on both of its cards and answers update and delete
// with the connection's item, as create does.

// connection is stored with From < To, so a pair is one connection
// whichever way it is named.
type connection struct {
	From        int    `json:"From"`
	To          int    `json:"To"`
	Description string `json:"Description"`
}

func connKey(a, b int) [2]int {
	if a > b {
		a, b = b, a
	}
	return [2]int{a, b}
}

// connectionItem is the other card as a connection shows it.
func connectionItem(other *project, description string) *object {
	return newObject().set("ProjectId", other.Id).set("ProjectName", other.name()).set("Description", description).
		set("CategoryId", other.CategoryId).set("StatusId", other.StatusId).set("MainContactId", other.ContactId)
}

// connectionPair reads FromProjectId and ToProjectId of a body.
func connectionPair(st *store, body map[string]any) (from, to *project, err error) {
	ids := [2]int{}
	for i, k := range []string{"FromProjectId", "ToProjectId"} {
		v, has := body[k]
		if !has || strings.TrimSpace(scalarString(v)) == "" {
			return nil, nil, errf(http.StatusBadRequest, msgf(st.lang, "required", k))
		}
		id, ok := idOf(v)
		if _, exists := st.projects[id]; !ok || !exists {
			return nil, nil, errf(http.StatusBadRequest, msgf(st.lang, "not_project", idOrZero(v)))
		}
		ids[i] = id
	}
	if ids[0] == ids[1] {
		return nil, nil, errf(http.StatusBadRequest, msgf(st.lang, "self_connection"))
	}
	return st.projects[ids[0]], st.projects[ids[1]], nil
}

func connectionBody(r *request, st *store, allowed ...string) (map[string]any, error) {
	body, err := r.body(st.lang)
	if err != nil {
		return nil, err
	}
	for k := range body {
		if k != "FromProjectId" && k != "ToProjectId" && !contains(allowed, k) {
			return nil, errf(http.StatusBadRequest, msgf(st.lang, "unknown_field", k))
		}
	}
	return body, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func connectionDescription(st *store, v any) (string, error) {
	d, err := fieldDef{Name: "Description", Label: "Description", Kind: kindText, Max: 1024}.normalize(v, st.lang)
	if err != nil {
		return "", errf(http.StatusBadRequest, err.Error())
	}
	return strings.TrimSpace(d.(string)), nil
}

// PUT /Api/R3/CreateProjectConnection {FromProjectId, ToProjectId
// [, Description]} → the connected card. Connecting two connected cards
// again changes nothing and answers the same.
func createConnection(s *Server, r *request) (any, error) {
	st := s.st
	body, err := connectionBody(r, st, "Description")
	if err != nil {
		return nil, err
	}
	from, to, err := connectionPair(st, body)
	if err != nil {
		return nil, err
	}
	key := connKey(from.Id, to.Id)
	c, ok := st.cat.connections[key]
	if !ok {
		c = &connection{From: key[0], To: key[1]}
		if v, has := body["Description"]; has {
			if c.Description, err = connectionDescription(st, v); err != nil {
				return nil, err
			}
		}
		st.cat.connections[key] = c
	}
	return connectionItem(to, c.Description), nil
}

// PUT /Api/R3/UpdateProjectConnection {FromProjectId, ToProjectId,
// Description}.
func updateConnection(s *Server, r *request) (any, error) {
	st := s.st
	body, err := connectionBody(r, st, "Description")
	if err != nil {
		return nil, err
	}
	from, to, err := connectionPair(st, body)
	if err != nil {
		return nil, err
	}
	c, ok := st.cat.connections[connKey(from.Id, to.Id)]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_connection", from.Id, to.Id))
	}
	if v, has := body["Description"]; has {
		if c.Description, err = connectionDescription(st, v); err != nil {
			return nil, err
		}
	}
	return connectionItem(to, c.Description), nil
}

// PUT /Api/R3/DeleteProjectConnection {FromProjectId, ToProjectId}.
func deleteConnection(s *Server, r *request) (any, error) {
	st := s.st
	body, err := connectionBody(r, st)
	if err != nil {
		return nil, err
	}
	from, to, err := connectionPair(st, body)
	if err != nil {
		return nil, err
	}
	key := connKey(from.Id, to.Id)
	c, ok := st.cat.connections[key]
	if !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_connection", from.Id, to.Id))
	}
	delete(st.cat.connections, key)
	return connectionItem(to, c.Description), nil
}

// GET /Api/R3/ListProjectConnection?FromProjectId=<Id>[&Page=N] →
// {"TotalCount": N, "Page": P, "ItemPerPage": 100, "Connections": {"0":
// {…}, …}}: a paging envelope of its own (MAN25), keyed by position.
func listConnections(s *Server, r *request) (any, error) {
	st := s.st
	if err := checkParams(r, st.lang, func(k string) bool { return k == "FromProjectId" || k == "Page" }); err != nil {
		return nil, err
	}
	id, has, err := intParam(r, "FromProjectId", st.lang)
	if err != nil {
		return nil, err
	}
	if !has {
		return nil, errf(http.StatusBadRequest, msgf(st.lang, "unknown_param", "FromProjectId"))
	}
	if _, ok := st.projects[id]; !ok {
		return nil, errf(http.StatusNotFound, msgf(st.lang, "no_such_id", id))
	}
	pg, err := page(r, st.lang)
	if err != nil {
		return nil, err
	}
	type item struct {
		other *project
		desc  string
	}
	var items []item
	for key, c := range st.cat.connections {
		switch id {
		case key[0]:
			items = append(items, item{st.projects[key[1]], c.Description})
		case key[1]:
			items = append(items, item{st.projects[key[0]], c.Description})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].other.Id < items[j].other.Id })
	conns := newObject()
	for i, it := range paginate(items, pg) {
		conns.set(strconv.Itoa(i), connectionItem(it.other, it.desc))
	}
	out := newObject().set("TotalCount", len(items)).set("Page", pg).set("ItemPerPage", pageSize)
	if len(conns.keys) == 0 {
		return out.set("Connections", []any{}), nil
	}
	return out.set("Connections", conns), nil
}

func init() {
	messages["self_connection"] = [2]string{"Egy adatlap nem kapcsolható önmagához.", "A card cannot be connected to itself."}
	messages["no_connection"] = [2]string{"A(z) %d és %d adatlap nincs összekapcsolva.", "Cards %d and %d are not connected."}
	put := map[string]bool{http.MethodPut: true}
	routes = append(routes,
		route{segs: []string{"Api", "R3", "CreateProjectConnection"}, entity: "CreateProjectConnection", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: createConnection}},
		route{segs: []string{"Api", "R3", "UpdateProjectConnection"}, entity: "UpdateProjectConnection", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: updateConnection}},
		route{segs: []string{"Api", "R3", "DeleteProjectConnection"}, entity: "DeleteProjectConnection", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: deleteConnection}},
		route{segs: []string{"Api", "R3", "ListProjectConnection"}, entity: "ListProjectConnection",
			methods: map[string]handlerFunc{http.MethodGet: listConnections}},
	)
}
