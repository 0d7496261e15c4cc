package sandbox_test

// Paging at its edges: 0, 100, 101 and 250 records, loaded through
// POST /_sandbox/load, on every kind of list (Results keyed by id for
// Contact and Project, an array for ToDoList, string Count for
// ProjectHistory). MiniCRM: 100 results a page, Page counted from 0, Count
// is the total, an empty page is "Results":[].

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// sbPagingDataset has n people, n cards in category 2 and n to-dos on card
// 20 (category 4), besides one company (10) that owns everything.
func sbPagingDataset(t *testing.T, n int) string {
	t.Helper()
	ds := sandbox.Dataset{
		Users: []sandbox.User{{Id: 1, Name: "Admin"}},
		Categories: []sandbox.Category{
			{Id: 2, Name: "Lista", Statuses: []sandbox.Status{{Id: 3, Name: "Új"}}},
			{Id: 4, Name: "Gazda", Statuses: []sandbox.Status{{Id: 5, Name: "Nyitott"}}},
		},
		Contacts: []sandbox.SeedContact{{Id: 10, Type: "Business", Fields: map[string]any{"Name": "Gazda Kft."}}},
		Projects: []sandbox.SeedProject{{Id: 20, CategoryId: 4, ContactId: 10, StatusId: 5, UserId: 1, Name: "Gazda"}},
	}
	for i := 0; i < n; i++ {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 1000 + i, Type: "Person", BusinessId: 10,
			Fields: map[string]any{"FirstName": fmt.Sprintf("Ember%d", i)}})
		ds.Projects = append(ds.Projects, sandbox.SeedProject{Id: 5000 + i, CategoryId: 2, ContactId: 10, StatusId: 3,
			UserId: 1, Name: fmt.Sprintf("Lap %d", i)})
		ds.ToDos = append(ds.ToDos, sandbox.SeedToDo{Id: 9000 + i, ProjectId: 20, UserId: 1, Comment: fmt.Sprintf("Teendő %d", i)})
	}
	return sbJSON(t, ds)
}

func sbLoad(t *testing.T, e *sbEnv, dataset string) {
	t.Helper()
	r, err := e.send(sbRequest{method: "POST", path: "/_sandbox/load", body: dataset, contentType: "application/json"})
	if err != nil || r.Status != 200 {
		t.Fatalf("load: %v %v", r, err)
	}
}

func TestPaging(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	for _, n := range []int{0, 100, 101, 250} {
		sbLoad(t, e, sbPagingDataset(t, n))
		lists := []struct {
			name, path string
			first      int  // id of the first record
			array      bool // Results is an array (ToDoList)
		}{
			{"contacts", "/Api/R3/Contact?Type=Person", 1000, false},
			{"cards", "/Api/R3/Project?CategoryId=2", 5000, false},
			{"to-dos", "/Api/R3/ToDoList/20", 9000, true},
		}
		for _, l := range lists {
			t.Run(fmt.Sprintf("%s/%d", l.name, n), func(t *testing.T) {
				pages := (n + 99) / 100
				var seen []int
				for p := 0; p <= pages; p++ { // one page past the end
					sep := "?"
					if strings.Contains(l.path, "?") {
						sep = "&"
					}
					r := e.get(fmt.Sprintf("%s%sPage=%d", l.path, sep, p))
					if r.Status != 200 {
						t.Fatalf("page %d: %s", p, r)
					}
					if got := sbCount(t, r); got != n {
						t.Errorf("page %d: Count %d, want the total %d", p, got, n)
					}
					ids := sbPageIDs(t, e, r, l.array)
					want := min(100, max(0, n-100*p))
					if len(ids) != want {
						t.Errorf("page %d has %d results, want %d", p, len(ids), want)
					}
					if want == 0 && !strings.HasSuffix(string(r.Body), `"Results":[]}`) {
						t.Errorf("empty page %d: %s, want Results []", p, r.Body)
					}
					seen = append(seen, ids...)
				}
				if len(seen) != n {
					t.Fatalf("pages gave %d records, want %d", len(seen), n)
				}
				for i, id := range seen {
					if id != l.first+i {
						t.Fatalf("record %d across pages is %d, want %d (id order, no gaps or repeats)", i, id, l.first+i)
					}
				}
			})
		}
	}
}

// sbPageIDs reads one page's ids and checks each item's Url points back at
// this server.
func sbPageIDs(t *testing.T, e *sbEnv, r sbResp, array bool) []int {
	t.Helper()
	if !array {
		ids := sbIDs(t, r)
		for _, item := range sbResults(t, r) {
			if u, _ := item["Url"].(string); !strings.HasPrefix(u, e.ts.URL+"/Api/R3/") {
				t.Errorf("Url %q does not point at this server", u)
			}
		}
		return ids
	}
	var l struct {
		Results []map[string]any
	}
	if err := json.Unmarshal(r.Body, &l); err != nil || l.Results == nil {
		t.Fatalf("ToDoList Results is not an array: %s", r.Body)
	}
	var ids []int
	for _, item := range l.Results {
		// Live systems answer numeric ids here (the seeds show strings).
		f, ok := item["Id"].(float64)
		if !ok {
			t.Fatalf("ToDoList Id %#v is not a number", item["Id"])
		}
		id := int(f)
		if item["Url"] != fmt.Sprintf("%s/Api/R3/ToDo/%d", e.ts.URL, id) {
			t.Errorf("to-do %d Url %v", id, item["Url"])
		}
		ids = append(ids, id)
	}
	return ids
}

// sbResults is a list's Results as items (none for []).
func sbResults(t *testing.T, r sbResp) map[string]map[string]any {
	t.Helper()
	var l struct {
		Results json.RawMessage
	}
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatal(err)
	}
	if string(l.Results) == "[]" {
		return nil
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(l.Results, &m); err != nil {
		t.Fatalf("Results is not an object of records: %s", l.Results)
	}
	return m
}

func TestPagingFarBeyondTheEnd(t *testing.T) {
	// A Page so large that Page*100 overflows must answer an empty page, not
	// panic while the server holds its lock (which would hang every later
	// request).
	e := newSBEnv(t, sandbox.Config{})
	for _, path := range []string{
		"/Api/R3/Contact?Page=92233720368547759",
		"/Api/R3/Project?Page=9223372036854775807",
		"/Api/R3/ToDoList/2001?Page=92233720368547759",
		"/Api/R3/ProjectHistory/2056?Page=92233720368547759",
	} {
		r := e.get(path)
		if r.Status != 200 || !strings.HasSuffix(string(r.Body), `"Results":[]}`) {
			t.Errorf("GET %s: %s", path, r)
		}
	}
	if r := e.get("/Api/R3/Contact/7506"); r.Status != 200 {
		t.Errorf("server unusable afterwards: %s", r)
	}
}

func TestPagingProjectHistory(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	card := e.create("/Api/R3/Project", map[string]any{"Name": "Sokat mozgó", "UserId": 22404, "CategoryId": 6, "ContactId": 7506, "StatusId": 2630})
	statuses := []int{2631, 2632}
	for i := 0; i < 100; i++ { // 1 entry for the creation + 100 changes
		e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"StatusId": statuses[i%2]})
	}
	path := fmt.Sprintf("/Api/R3/ProjectHistory/%d?Type=StatusHistory", card)
	p0, p1, p2 := e.get(path), e.get(path+"&Page=1"), e.get(path+"&Page=2")
	for i, tt := range []struct {
		r    sbResp
		size int
	}{{p0, 100}, {p1, 1}, {p2, 0}} {
		if tt.r.Obj(t)["Count"] != "101" {
			t.Errorf("page %d: Count %v, want the string \"101\"", i, tt.r.Obj(t)["Count"])
		}
		if got := len(sbResults(t, tt.r)); got != tt.size {
			t.Errorf("page %d: %d entries, want %d", i, got, tt.size)
		}
	}
	last := sbResults(t, p1)
	for _, h := range last {
		sbMatch(t, "last change", h, sbParse(t, `{"Status_Old_Id":"2631","Status_New_Id":"2632","Status_Old_Name":"Megvalósítás","Status_New_Name":"Lezárva"}`))
	}
}
