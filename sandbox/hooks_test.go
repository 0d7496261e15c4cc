package sandbox_test

// Tests of the test hooks under /_sandbox/ and of the state file.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestHooks(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	first := e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Első Kft."})
	e.get("/Api/R3/Contact/7506")

	var st sandbox.Stats
	r := e.get("/_sandbox/stats")
	if r.Status != 200 {
		t.Fatalf("stats: %s", r)
	}
	if err := json.Unmarshal(r.Body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Total != 2 || st.Writes != 1 || st.Requests["PUT /Api/R3/Contact"] != 1 ||
		st.Requests["GET /Api/R3/Contact/{id}"] != 1 || st.Status["200"] != 2 {
		t.Errorf("stats after two calls: %+v", st)
	}
	if r := e.do("DELETE", "/_sandbox/stats", ""); r.Status != 200 {
		t.Fatalf("DELETE stats: %s", r)
	}
	if st := e.srv.Stats(); st.Total != 0 || len(st.Requests) != 0 {
		t.Errorf("stats not cleared: %+v", st)
	}

	// reset: records and the id sequence go back to the data set.
	if r := e.do("POST", "/_sandbox/reset", ""); r.Status != 200 {
		t.Fatalf("reset: %s", r)
	}
	if r := e.get(fmt.Sprintf("/Api/R3/Contact/%d", first)); r.Status != 404 {
		t.Errorf("contact %d survived the reset: %s", first, r)
	}
	if again := e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Első Kft."}); again != first {
		t.Errorf("after reset the id sequence gave %d, want %d again", again, first)
	}

	// load: YAML by default, JSON by Content-Type.
	yamlDS := "language: en\nusers: [{id: 1, name: Admin}]\ncategories: [{id: 2, name: Sales, statuses: [{id: 3, name: New}]}]\n" +
		"contacts: [{id: 10, type: Business, fields: {Name: Acme Ltd}}]\n"
	if r, _ := e.send(sbRequest{method: "POST", path: "/_sandbox/load", body: yamlDS, contentType: "application/yaml"}); r.Status != 200 {
		t.Fatalf("load yaml: %s", r)
	}
	sbMatch(t, "Category", e.get("/Api/R3/Category").JSON(t), sbParse(t, `{"2":"Sales"}`))
	sbMatch(t, "Contact/10", e.get("/Api/R3/Contact/10").JSON(t), sbParse(t, `{"Type":"Business","Name":"Acme Ltd"}`))
	r, _ = e.send(sbRequest{method: "POST", path: "/_sandbox/load", contentType: "application/json",
		body: `{"users":[{"id":5,"name":"U"}],"categories":[{"id":6,"name":"Értékesítés","statuses":[{"id":7,"name":"Új"}]}]}`})
	if r.Status != 200 {
		t.Fatalf("load json: %s", r)
	}
	if r := e.get("/Api/R3/Contact"); string(r.Body) != `{"Count":0,"Results":[]}` {
		t.Errorf("empty system's contact list: %s", r.Body)
	}
	if r := e.do("POST", "/_sandbox/reset", ""); r.Status != 200 {
		t.Fatal(r)
	}
	sbMatch(t, "Category after reset", e.get("/Api/R3/Category").JSON(t), sbParse(t, `{"6":"Értékesítés"}`))

	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		prefix                   string
	}{
		{"load invalid data set", "POST", "/_sandbox/load", `{"users":[]}`, 400, "Sandbox (POST): data set is invalid"},
		{"load unknown key", "POST", "/_sandbox/load", `{"userz":[]}`, 400, "Sandbox (POST): data set: json: unknown field"},
		{"faults unknown key", "POST", "/_sandbox/faults", `{"fail":1}`, 400, "Sandbox (POST): faults:"},
		{"faults bad rate", "POST", "/_sandbox/faults", `{"fail_rate":2}`, 400, "Sandbox (POST): sandbox: fault rates"},
		{"wrong method", "GET", "/_sandbox/reset", "", 405, "Sandbox (GET): method not allowed"},
		{"unknown hook", "GET", "/_sandbox/nope", "", 404, "Sandbox (GET): no such hook: nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.body)
			if r.Status != tt.status || !strings.HasPrefix(string(r.Body), tt.prefix) {
				t.Errorf("got %s, want %d %q…", r, tt.status, tt.prefix)
			}
		})
	}
	// A refused load leaves the system as it was.
	sbMatch(t, "Category after refused loads", e.get("/Api/R3/Category").JSON(t), sbParse(t, `{"6":"Értékesítés"}`))

	r = e.do("POST", "/_sandbox/faults", `{"fail_rate":0.5,"seed":7,"latency":1000}`)
	if r.Status != 200 {
		t.Fatalf("faults: %s", r)
	}
	sbMatch(t, "GET faults", e.get("/_sandbox/faults").JSON(t),
		sbParse(t, `{"fail_rate":0.5,"drop_rate":0,"latency":1000,"latency_jitter":0,"burst_429":0,"burst_every":0,"seed":7}`))
}

func TestHooksNotRateLimited(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{RPM: 1, Now: clk.Now})
	e.get("/Api/R3/Category")
	if r := e.get("/Api/R3/Category"); r.Status != 429 {
		t.Fatalf("second call: %s", r)
	}
	for _, rq := range []sbRequest{{method: "GET", path: "/_sandbox/stats"}, {method: "GET", path: "/_sandbox/faults"},
		{method: "POST", path: "/_sandbox/reset"}, {method: "GET", path: "/_sandbox/stats"}} {
		if r, err := e.send(rq); err != nil || r.Status != 200 {
			t.Errorf("%s %s while limited: %v %v", rq.method, rq.path, r, err)
		}
	}
	// reset empties the rate-limit window too.
	if r := e.get("/Api/R3/Category"); r.Status != 200 {
		t.Errorf("after reset: %s", r)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clk := newSBClock()
	cfg := sandbox.Config{StatePath: path, Now: clk.Now}
	a := newSBEnv(t, cfg)

	biz := a.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Tartós Kft.", "Iparag": "Gyártás", "HitelKeret": 1.5e6})
	person := a.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Ilona", "LastName": "Tartós",
		"BusinessId": biz, "Email": "ilona@tartos.example", "KedvencEtele": "Sajt", "VasarlasokSzama": "9007199254740993",
		"SzuletesiDatum": "1980-05-06"})
	a.update(fmt.Sprintf("/Api/R3/Contact/%d", person), map[string]any{"Email": "ilona2@tartos.example", "Phone": "+36 30 111 2222"})
	gone := a.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Törölt"})
	if r := a.get(fmt.Sprintf("/Api/R3/PurgePerson/%d", gone)); r.Status != 200 {
		t.Fatal(r)
	}
	clk.Add(time.Hour)
	card := a.create("/Api/R3/Project", map[string]any{"Name": "Tartós ügy", "UserId": "Kovács Anna", "CategoryId": 10,
		"ContactId": person, "StatusId": "Érdeklődő", "AutoSalesV3_Qualification": "VIP", "VarhatoArbevetel": 250000,
		"Valoszinuseg": 0.75, "VarhatoLezarasDatuma": "2024-06-30", "KovetkezoHivasIdpontja": "2024-03-05 09:30:00"})
	clk.Add(time.Hour)
	a.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"StatusId": 2622})
	todo := a.create("/Api/R3/ToDo", map[string]any{"ProjectId": card, "Comment": "Visszahívni", "Deadline": "2024-03-10 10:00:00", "Type": "Email"})
	a.create("/Api/R3/ToDo", map[string]any{"ProjectId": card, "Comment": "Lezárt", "Status": "Closed"})
	a.update("/Api/R3/Project/2056", map[string]any{"AutoSalesV3_Qualification": "Célcsoport"})

	if err := a.srv.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}

	b := newSBEnv(t, cfg)
	for _, p := range []string{
		fmt.Sprintf("/Api/R3/Contact/%d", biz), fmt.Sprintf("/Api/R3/Contact/%d", person),
		fmt.Sprintf("/Api/R3/Contact/%d", gone), fmt.Sprintf("/Api/R3/Project/%d", card),
		fmt.Sprintf("/Api/R3/ProjectHistory/%d?Type=StatusHistory", card), fmt.Sprintf("/Api/R3/ToDoList/%d?Status=All", card),
		fmt.Sprintf("/Api/R3/ToDo/%d", todo), "/Api/R3/Project/2056", "/Api/R3/Contact?Email=ilona@tartos.example",
		"/Api/R3/Contact?UpdatedSince=2024-03-01+00:00:00", "/Api/R3/Project?CategoryId=10", "/Api/R3/Contact?VasarlasokSzama=9007199254740993",
	} {
		ra, rb := a.get(p), b.get(p)
		ba := strings.ReplaceAll(string(ra.Body), a.ts.URL, "")
		bb := strings.ReplaceAll(string(rb.Body), b.ts.URL, "")
		if ra.Status != rb.Status || ba != bb {
			t.Errorf("GET %s differs after restart:\nbefore %d %s\nafter  %d %s", p, ra.Status, ba, rb.Status, bb)
		}
	}
	sbMatch(t, "person", b.mustGet(fmt.Sprintf("/Api/R3/Contact/%d", person)),
		sbParse(t, `{"VasarlasokSzama":9007199254740993,"KedvencEtele":"Sajt","Email":"ilona2@tartos.example"}`))

	// The id sequence goes on where it stopped, on both servers alike.
	next := b.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Új Kft."})
	if again := a.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Új Kft."}); next != again {
		t.Errorf("restarted server gave id %d, the original %d", next, again)
	}
	for _, id := range []int{biz, person, gone, card, todo} {
		if next <= id {
			t.Errorf("new id %d is not above %d", next, id)
		}
	}

	// A state file that cannot be read stops New instead of starting empty.
	if err := os.WriteFile(path, []byte("{nem json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.New(sandbox.Config{SystemID: 1, APIKey: "k", StatePath: path}); err == nil {
		t.Error("New accepted a corrupt state file")
	}
	// Without a StatePath, Save does nothing.
	if err := newSBEnv(t, sandbox.Config{}).srv.Save(); err != nil {
		t.Error(err)
	}
}
