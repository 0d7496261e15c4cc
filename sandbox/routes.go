package sandbox

import "net/http"

// routes is every endpoint the sandbox serves. A path that matches a route
// with another method gets 405; a path that matches none gets 404.
var routes = append(r3Routes(), documentRoutes()...)

func r3Routes() []route {
	get := func(h handlerFunc) map[string]handlerFunc { return map[string]handlerFunc{http.MethodGet: h} }
	put := map[string]bool{http.MethodPut: true}
	return []route{
		{segs: []string{"Api", "R3", "Category"}, entity: "Category", methods: get(getCategories)},
		{segs: []string{"Api", "R3", "Schema", "Person"}, entity: "Schema", methods: get(getContactSchema("Person"))},
		{segs: []string{"Api", "R3", "Schema", "Business"}, entity: "Schema", methods: get(getContactSchema("Business"))},
		{segs: []string{"Api", "R3", "Schema", "Project", "{id}"}, entity: "Schema", methods: get(getProjectSchema)},
		{segs: []string{"Api", "R3", "Contact"}, entity: "Contact", mutates: put,
			methods: map[string]handlerFunc{http.MethodGet: searchContacts, http.MethodPut: createContact}},
		{segs: []string{"Api", "R3", "Contact", "{id}"}, entity: "Contact", mutates: put,
			methods: map[string]handlerFunc{http.MethodGet: getContact, http.MethodPut: updateContact}},
		// The documentation shows PurgePerson called with GET; MAN25 also with PUT.
		{segs: []string{"Api", "R3", "PurgePerson", "{id}"}, entity: "PurgePerson",
			mutates: map[string]bool{http.MethodGet: true, http.MethodPut: true},
			methods: map[string]handlerFunc{http.MethodGet: purgePerson, http.MethodPut: purgePerson}},
		{segs: []string{"Api", "R3", "Project"}, entity: "Project", mutates: put,
			methods: map[string]handlerFunc{http.MethodGet: searchProjects, http.MethodPut: createProject}},
		{segs: []string{"Api", "R3", "Project", "{id}"}, entity: "Project", mutates: put,
			methods: map[string]handlerFunc{http.MethodGet: getProject, http.MethodPut: updateProject}},
		{segs: []string{"Api", "R3", "ProjectHistory", "{id}"}, entity: "ProjectHistory", methods: get(getProjectHistory)},
		{segs: []string{"Api", "R3", "ToDoList", "{id}"}, entity: "ToDoList", methods: get(getToDoList)},
		// Creating a to-do with POST is 405 on live systems, though MAN25 documents it.
		{segs: []string{"Api", "R3", "ToDo"}, entity: "ToDo", mutates: put,
			methods: map[string]handlerFunc{http.MethodPut: createToDo}},
		// POST closes a to-do, optionally at a given ClosedAt (MAN25).
		{segs: []string{"Api", "R3", "ToDo", "{id}"}, entity: "ToDo", mutates: map[string]bool{http.MethodPut: true, http.MethodPost: true},
			methods: map[string]handlerFunc{http.MethodGet: getToDo, http.MethodPut: updateToDo, http.MethodPost: closeToDo}},
	}
}

// The XML sync endpoints (syncfeed.go). They are outside the REST rate
// limit: MAN25 gives XML sync a limit of its own, 180 calls an hour, which
// the handlers apply (Config.SyncFeedPerHour). A feed is applied after the
// answer, so the requests themselves write nothing.
func init() { routes = append(routes, syncFeedRoutes()...) }

func syncFeedRoutes() []route {
	return []route{
		// MiniCRM downloads the feed from Source; the path's id is the SystemId.
		{segs: []string{"Api", "SyncFeed", "{id}"}, entity: "SyncFeed", unthrottled: true,
			methods: map[string]handlerFunc{http.MethodGet: pullFeed}},
		// The feed in the body; the path's id is a FeedId MiniCRM assigns (PEN).
		{segs: []string{"Api", "SyncFeed", "{id}", "Upload"}, entity: "SyncFeed", unthrottled: true,
			methods: map[string]handlerFunc{http.MethodPost: uploadFeed}},
	}
}
