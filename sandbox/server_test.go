package sandbox_test

// The server machinery over real HTTP on loopback: authentication, routing
// (404/405/400), the rate limit, the test hooks, fault injection,
// persistence and concurrent use. The helpers at the top (sbEnv and
// friends) are shared by the other R3 test files of this package; their
// names carry an "sb" prefix so they cannot clash with other test files.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

const (
	sbSystemID = 12345
	sbAPIKey   = "0123456789abcdef0123456789abcdef"
)

// sbClock is a settable clock for Config.Now: the rate limit and UpdatedAt
// are driven by it, so no test sleeps.
type sbClock struct {
	mu  sync.Mutex
	now time.Time
}

func newSBClock() *sbClock {
	return &sbClock{now: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *sbClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *sbClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sbEnv is one sandbox behind an httptest server.
type sbEnv struct {
	t      *testing.T
	srv    *sandbox.Server
	ts     *httptest.Server
	client *http.Client
}

// newSBEnv starts a sandbox; SystemID and APIKey default to the test ones,
// and RPM stays 0 (no limit) unless the test sets it.
func newSBEnv(t *testing.T, cfg sandbox.Config) *sbEnv {
	t.Helper()
	if cfg.SystemID == 0 {
		cfg.SystemID = sbSystemID
	}
	if cfg.APIKey == "" {
		cfg.APIKey = sbAPIKey
	}
	srv, err := sandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	return mountSB(t, srv)
}

func mountSB(t *testing.T, srv *sandbox.Server) *sbEnv {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &sbEnv{t: t, srv: srv, ts: ts, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// noKeepAlive makes every request use a fresh connection. Fault tests need
// it: Go's transport silently retries an idempotent request whose reused
// connection was dropped, which would hide the injected fault.
func (e *sbEnv) noKeepAlive() *sbEnv {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	e.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return e
}

type sbResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r sbResp) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// JSON decodes the body; numbers stay float64 and strings stay strings, so
// tests can tell "1" from 1.
func (r sbResp) JSON(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// Obj decodes a JSON object body.
func (r sbResp) Obj(t *testing.T) map[string]any {
	t.Helper()
	m, ok := r.JSON(t).(map[string]any)
	if !ok {
		t.Fatalf("body is not a JSON object: %s", r.Body)
	}
	return m
}

// sbRequest is one call; user/pass override the credentials, noAuth drops
// them.
type sbRequest struct {
	method, path, body string
	contentType        string
	user, pass         string
	noAuth             bool
}

func (e *sbEnv) send(rq sbRequest) (sbResp, error) {
	e.t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, e.ts.URL+rq.path, body)
	if err != nil {
		e.t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	if !rq.noAuth {
		user, pass := rq.user, rq.pass
		if user == "" {
			user = strconv.Itoa(sbSystemID)
		}
		if pass == "" {
			pass = sbAPIKey
		}
		req.SetBasicAuth(user, pass)
	}
	if rq.body != "" {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	res, err := e.client.Do(req)
	if err != nil {
		return sbResp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return sbResp{}, err
	}
	return sbResp{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

func (e *sbEnv) do(method, path, body string) sbResp {
	e.t.Helper()
	r, err := e.send(sbRequest{method: method, path: path, body: body})
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (e *sbEnv) get(path string) sbResp { e.t.Helper(); return e.do(http.MethodGet, path, "") }

// mustGet fails the test unless the answer is 200 JSON.
func (e *sbEnv) mustGet(path string) map[string]any {
	e.t.Helper()
	r := e.get(path)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET %s: %s", path, r)
	}
	return r.Obj(e.t)
}

// create PUTs a new record and returns its Id.
func (e *sbEnv) create(path string, body any) int {
	e.t.Helper()
	r := e.do(http.MethodPut, path, sbJSON(e.t, body))
	if r.Status != http.StatusOK {
		e.t.Fatalf("PUT %s %v: %s", path, body, r)
	}
	id, ok := r.Obj(e.t)["Id"].(float64)
	if !ok || id <= 0 {
		e.t.Fatalf("PUT %s: no Id in %s", path, r.Body)
	}
	return int(id)
}

// update PUTs fields onto an existing record and checks the {"Id":N} answer.
func (e *sbEnv) update(path string, body any) {
	e.t.Helper()
	r := e.do(http.MethodPut, path, sbJSON(e.t, body))
	if r.Status != http.StatusOK {
		e.t.Fatalf("PUT %s %v: %s", path, body, r)
	}
	id := path[strings.LastIndex(path, "/")+1:]
	sbMatch(e.t, "answer", r.JSON(e.t), sbParse(e.t, `{"Id":`+id+`}`))
}

func sbJSON(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sbParse(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expectation %q: %v", s, err)
	}
	return v
}

// sbMatch reports where got differs from want: every key of a wanted object
// must be in got with a matching value (got may have more keys); arrays and
// scalars must be equal, type included.
func sbMatch(t *testing.T, path string, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: got %s, want an object", path, sbShow(got))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s: key %q missing", path, k)
				continue
			}
			sbMatch(t, path+"."+k, gv, wv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: got %s, want %s", path, sbShow(got), sbShow(want))
			return
		}
		for i := range w {
			sbMatch(t, fmt.Sprintf("%s[%d]", path, i), g[i], w[i])
		}
	default:
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %s, want %s", path, sbShow(got), sbShow(want))
		}
	}
}

func sbShow(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// sbIDs returns the keys of a list's Results object as ints, in the order
// the server wrote them, and fails unless each key equals its item's Id.
func sbIDs(t *testing.T, r sbResp) []int {
	t.Helper()
	var env struct {
		Count   json.RawMessage
		Results json.RawMessage
	}
	if err := json.Unmarshal(r.Body, &env); err != nil || env.Count == nil || env.Results == nil {
		t.Fatalf("not a Count/Results list: %s", r.Body)
	}
	if string(env.Results) == "[]" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(env.Results))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("Results is not an object: %s", env.Results)
	}
	var ids []int
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		key := tok.(string)
		var item map[string]any
		if err := dec.Decode(&item); err != nil {
			t.Fatal(err)
		}
		id, err := strconv.Atoi(key)
		if err != nil || fmt.Sprint(item["Id"]) != key {
			t.Fatalf("Results key %q does not match its item's Id %v", key, item["Id"])
		}
		ids = append(ids, id)
	}
	return ids
}

// sbCount is a list's Count as an int (ProjectHistory gives it as a string).
func sbCount(t *testing.T, r sbResp) int {
	t.Helper()
	switch c := r.Obj(t)["Count"].(type) {
	case float64:
		return int(c)
	case string:
		n, err := strconv.Atoi(c)
		if err == nil {
			return n
		}
	}
	t.Fatalf("no usable Count in %s", r.Body)
	return 0
}

// sbText checks a plain-text error answer.
func sbText(t *testing.T, r sbResp, status int, body string) {
	t.Helper()
	if r.Status != status || string(r.Body) != body {
		t.Errorf("got %d %q, want %d %q", r.Status, r.Body, status, body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
}

func TestAuth(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	tests := []struct {
		name string
		rq   sbRequest
		want int
		body string
	}{
		{"no credentials", sbRequest{path: "/Api/R3/Category", noAuth: true}, 401,
			"Category (GET): Hozzáférés megtagadva: hiányzó azonosítás (HTTP Basic SystemId:ApiKey)."},
		{"wrong system id", sbRequest{path: "/Api/R3/Category", user: "54321"}, 401,
			"Category (GET): Hozzáférés megtagadva: ismeretlen rendszer azonosító (SystemId)."},
		{"wrong key", sbRequest{path: "/Api/R3/Contact/7506", pass: "NemTudom"}, 401,
			"Contact (GET): Hozzáférés megtagadva: hibás API kulcs."},
		{"wrong key on a PUT", sbRequest{method: "PUT", path: "/Api/R3/Contact", pass: "x", body: `{"Type":"Business","Name":"X"}`}, 401,
			"Contact (PUT): Hozzáférés megtagadva: hibás API kulcs."},
		{"unknown path needs auth first", sbRequest{path: "/Api/R3/Nope", noAuth: true}, 401,
			"Nope (GET): Hozzáférés megtagadva: hiányzó azonosítás (HTTP Basic SystemId:ApiKey)."},
		{"hooks need auth", sbRequest{path: "/_sandbox/stats", noAuth: true}, 401,
			"Sandbox (GET): Hozzáférés megtagadva: hiányzó azonosítás (HTTP Basic SystemId:ApiKey)."},
		{"right credentials", sbRequest{path: "/Api/R3/Category"}, 200, ""},
		{"SystemId path prefix", sbRequest{path: "/12345/Api/R3/ProjectHistory/29592?Type=StatusHistory"}, 200, ""},
		{"another system's prefix", sbRequest{path: "/54321/Api/R3/Category"}, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rq.method == "" {
				tt.rq.method = http.MethodGet
			}
			r, err := e.send(tt.rq)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want {
				t.Fatalf("got %s, want %d", r, tt.want)
			}
			if tt.want == 401 {
				sbText(t, r, 401, tt.body)
				if r.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
	if got := e.srv.Stats().Unauthorized; got != 6 {
		t.Errorf("Stats.Unauthorized = %d, want 6", got)
	}
	if got := e.srv.Stats().Writes; got != 0 {
		t.Errorf("a refused PUT was processed: Writes = %d", got)
	}
}

func TestAuthInURL(t *testing.T) {
	// The seeds' ProjectHistory and ToDo examples put the credentials in
	// the URL (https://SystemId:ApiKey@host/…); clients turn that into
	// basic auth.
	e := newSBEnv(t, sandbox.Config{})
	u := strings.Replace(e.ts.URL, "http://", fmt.Sprintf("http://%d:%s@", sbSystemID, sbAPIKey), 1)
	res, err := e.client.Get(u + fmt.Sprintf("/%d/Api/R3/ProjectHistory/29592?Type=StatusHistory", sbSystemID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestRouting(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	tests := []struct {
		name, method, path, body string
		status                   int
		text                     string // exact plain-text body when set
	}{
		{"trailing slash", "GET", "/Api/R3/Contact/7506/", "", 200, ""},
		{"path case", "GET", "/api/r3/contact/7506", "", 200, ""},
		{"unknown endpoint", "GET", "/Api/R3/Foo", "", 404, "Foo (GET): Nem található: /Api/R3/Foo"},
		{"unknown path", "GET", "/nothing/here", "", 404, "nothing (GET): Nem található: /nothing/here"},
		{"unknown id", "GET", "/Api/R3/Contact/999999", "", 404, "Contact (GET): Nincs ilyen azonosítójú rekord: 999999"},
		{"id not a number", "GET", "/Api/R3/Contact/abc", "", 404, ""},
		{"id zero", "GET", "/Api/R3/Project/0", "", 404, ""},
		{"unknown project", "GET", "/Api/R3/Project/999999", "", 404, "Project (GET): Nincs ilyen azonosítójú rekord: 999999"},
		{"unknown todo", "GET", "/Api/R3/ToDo/999999", "", 404, "ToDo (GET): Nincs ilyen azonosítójú rekord: 999999"},
		{"update unknown contact", "PUT", "/Api/R3/Contact/999999", `{"FirstName":"X"}`, 404, "Contact (PUT): Nincs ilyen azonosítójú rekord: 999999"},
		// The seeds' endpoint line writes ".../ProjectHistory/$ProjectId/Type=StatusHistory";
		// their example (and the sandbox) use the query form ?Type=StatusHistory.
		{"history Type as a path segment", "GET", "/12345/Api/R3/ProjectHistory/29592/Type=StatusHistory", "", 404,
			"ProjectHistory (GET): Nem található: /12345/Api/R3/ProjectHistory/29592/Type=StatusHistory"},
		{"unknown schema category", "GET", "/Api/R3/Schema/Project/999", "", 404, "Schema (GET): Nincs ilyen azonosítójú rekord: 999"},
		{"todo list of unknown card", "GET", "/Api/R3/ToDoList/999999", "", 404, "ToDoList (GET): Nincs ilyen azonosítójú rekord: 999999"},
		// Live: POST /Api/R3/ToDo/ answers exactly this.
		{"POST ToDo", "POST", "/Api/R3/ToDo/", `{"ProjectId":2001}`, 405, "ToDo (POST): A metódus nem engedélyezett!"},
		{"GET ToDo collection", "GET", "/Api/R3/ToDo", "", 405, "ToDo (GET): A metódus nem engedélyezett!"},
		{"DELETE contact", "DELETE", "/Api/R3/Contact/7506", "", 405, "Contact (DELETE): A metódus nem engedélyezett!"},
		{"POST contact", "POST", "/Api/R3/Contact", `{}`, 405, "Contact (POST): A metódus nem engedélyezett!"},
		{"PUT category", "PUT", "/Api/R3/Category", `{}`, 405, "Category (PUT): A metódus nem engedélyezett!"},
		{"PATCH project", "PATCH", "/Api/R3/Project/2056", `{}`, 405, "Project (PATCH): A metódus nem engedélyezett!"},
		{"unknown query parameter", "GET", "/Api/R3/Contact?Emial=x", "", 400, `Contact (GET): Nem megfelelő paraméter: "Emial"`},
		{"parameter on a detail", "GET", "/Api/R3/Project/2056?Foo=1", "", 400, `Project (GET): Nem megfelelő paraméter: "Foo"`},
		{"bad Page", "GET", "/Api/R3/Project?Page=x", "", 400, `Project (GET): Nem megfelelő paraméter érték: Page="x"`},
		{"negative Page", "GET", "/Api/R3/Contact?Page=-1", "", 400, `Contact (GET): Nem megfelelő paraméter érték: Page="-1"`},
		{"bad UpdatedSince", "GET", "/Api/R3/Contact?UpdatedSince=tegnap", "", 400, `Contact (GET): Nem megfelelő paraméter érték: UpdatedSince="tegnap"`},
		{"malformed body", "PUT", "/Api/R3/Contact/7506", `{"FirstName":`, 400, `Contact (PUT): Nem megfelelő paraméter: "Data (JSON)"`},
		{"body not an object", "PUT", "/Api/R3/Contact/7506", `["x"]`, 400, `Contact (PUT): Nem megfelelő paraméter: "Data (JSON)"`},
		{"two bodies", "PUT", "/Api/R3/Contact/7506", `{} {}`, 400, `Contact (PUT): Nem megfelelő paraméter: "Data (JSON)"`},
		{"no body", "PUT", "/Api/R3/Project/2056", "", 400, `Project (PUT): Nem megfelelő paraméter: "Data (JSON)"`},
		// Live: PUT /Api/R3/ToDo/ with {} answers exactly this.
		{"empty object", "PUT", "/Api/R3/ToDo/", `{}`, 400, `ToDo (PUT): Nem megfelelő paraméter: "Data (JSON)"`},
		{"unknown field", "PUT", "/Api/R3/Contact/7506", `{"Nincs":"x"}`, 400, `Contact (PUT): Ismeretlen mező: "Nincs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.body)
			if r.Status != tt.status {
				t.Fatalf("got %s, want %d", r, tt.status)
			}
			if tt.status == 200 {
				if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				return
			}
			if tt.text != "" {
				sbText(t, r, tt.status, tt.text)
			} else if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("error answer is not plain text: %q", r.Header.Get("Content-Type"))
			}
		})
	}
	if w := e.srv.Stats().Writes; w != 0 {
		t.Errorf("refused writes were counted as processed: Writes = %d", w)
	}
}

func TestRateLimit(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{RPM: 3, Now: clk.Now})
	step := func(d time.Duration, path string, want int) sbResp {
		t.Helper()
		clk.Add(d)
		r := e.get(path)
		if r.Status != want {
			t.Fatalf("after %v: GET %s = %s, want %d", d, path, r, want)
		}
		if want == 429 {
			sbText(t, r, 429, "Too Many Requests")
		}
		return r
	}
	step(0, "/Api/R3/Category", 200)          // t=0
	step(20*time.Second, "/Api/R3/Nope", 404) // t=20: an unknown path counts too
	step(20*time.Second, "/Api/R3/Category", 200)
	step(19*time.Second, "/Api/R3/Category", 429) // t=59: three in the last minute
	step(0, "/_sandbox/stats", 200)               // hooks are not limited

	// A limited write is not processed.
	r := e.do("PUT", "/Api/R3/Contact", `{"Type":"Business","Name":"Limitált Kft."}`)
	if r.Status != 429 {
		t.Fatalf("PUT while limited: %s", r)
	}
	step(time.Second, "/Api/R3/Category", 200)                      // t=60: the t=0 request left the window
	step(time.Second, "/Api/R3/Category", 429)                      // t=61: 20, 40, 60 are in it
	r = step(19*time.Second, "/Api/R3/Contact?Query=Limitált", 200) // t=80
	if got := sbCount(t, r); got != 0 {
		t.Fatalf("the 429'd PUT created a contact (Count %d)", got)
	}
	st := e.srv.Stats()
	if st.RateLimited != 3 || st.Writes != 0 || st.Status["429"] != 3 {
		t.Errorf("stats: RateLimited %d, Writes %d, 429s %d; want 3, 0, 3", st.RateLimited, st.Writes, st.Status["429"])
	}
}

func TestRateLimitDefaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		rpm  int
		want int // requests accepted in one instant; 0 = unlimited
	}{
		{"HU documentation default", -1, 60},
		{"EN documentation", 180, 180},
		{"disabled", 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newSBClock()
			e := newSBEnv(t, sandbox.Config{RPM: tt.rpm, Now: clk.Now})
			n := tt.want
			if n == 0 {
				n = 250
			}
			for i := 0; i < n; i++ {
				if r := e.get("/Api/R3/Category"); r.Status != 200 {
					t.Fatalf("request %d: %s", i+1, r)
				}
			}
			want := 429
			if tt.want == 0 {
				want = 200
			}
			if r := e.get("/Api/R3/Category"); r.Status != want {
				t.Fatalf("request %d: %s, want %d", n+1, r, want)
			}
		})
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	biz := e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Párhuzamos Kft."})
	const workers, each = 8, 12
	var (
		mu   sync.Mutex
		ids  []int
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
	call := func(method, path, body string) (map[string]any, bool) {
		r, err := e.send(sbRequest{method: method, path: path, body: body})
		if err != nil || r.Status != 200 {
			fail(fmt.Errorf("%s %s: %v %v", method, path, r, err))
			return nil, false
		}
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			fail(err)
			return nil, false
		}
		return m, true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m, ok := call("PUT", "/Api/R3/Contact", fmt.Sprintf(`{"Type":"Person","FirstName":"P%d-%d","BusinessId":%d}`, w, i, biz))
				if !ok {
					return
				}
				pid := int(m["Id"].(float64))
				m, ok = call("PUT", "/Api/R3/Project", fmt.Sprintf(`{"Name":"Card %d-%d","UserId":22404,"CategoryId":6,"ContactId":%d,"StatusId":2630}`, w, i, pid))
				if !ok {
					return
				}
				cid := int(m["Id"].(float64))
				mu.Lock()
				ids = append(ids, pid, cid)
				mu.Unlock()
				call("PUT", fmt.Sprintf("/Api/R3/Contact/%d", pid), `{"Position":"Tesztelő"}`)
				call("PUT", fmt.Sprintf("/Api/R3/Project/%d", cid), `{"StatusId":"Megvalósítás"}`)
				call("GET", fmt.Sprintf("/Api/R3/Contact?MainContactId=%d", biz), "")
				call("GET", fmt.Sprintf("/Api/R3/Project/%d", cid), "")
				call("GET", "/Api/R3/Project?CategoryId=6&StatusId=2631", "")
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	sort.Ints(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("id %d given twice", ids[i])
		}
	}
	if len(ids) != 2*workers*each {
		t.Fatalf("%d ids, want %d", len(ids), 2*workers*each)
	}
	st := e.srv.Stats()
	if st.Writes != 1+4*workers*each || st.Requests["PUT /Api/R3/Contact"] != 1+workers*each ||
		st.Total != 1+7*workers*each || st.Status["200"] != st.Total {
		t.Errorf("stats do not add up: %+v", st)
	}
	if n := sbCount(t, e.get(fmt.Sprintf("/Api/R3/Contact?MainContactId=%d", biz))); n != 1+workers*each {
		t.Errorf("company has %d contacts, want %d", n, 1+workers*each)
	}
	if n := sbCount(t, e.get("/Api/R3/Project?CategoryId=6&StatusId=Megvalósítás")); n != workers*each {
		t.Errorf("%d cards moved to Megvalósítás, want %d", n, workers*each)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []sandbox.Config{{APIKey: "k"}, {SystemID: 1}, {SystemID: -5, APIKey: "k"}} {
		if _, err := sandbox.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	if k := sandbox.GenerateAPIKey(); len(k) != 32 || k == sandbox.GenerateAPIKey() {
		t.Errorf("GenerateAPIKey gave %q", k)
	}
}

func TestSlowBodyDoesNotBlockOthers(t *testing.T) {
	// A client that sends its headers and then dribbles (or never sends)
	// the body must not hold up the other requests.
	e := newSBEnv(t, sandbox.Config{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", sbSystemID, sbAPIKey)))
	fmt.Fprintf(conn, "PUT /Api/R3/Contact HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Basic %s\r\nContent-Length: 100\r\n\r\n{\"Type\":", auth)
	time.Sleep(50 * time.Millisecond) // let the server start on it

	done := make(chan sbResp, 1)
	go func() {
		r, err := e.send(sbRequest{method: "GET", path: "/Api/R3/Contact/7506"})
		if err != nil {
			r.Status = -1
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.Status != 200 {
			t.Errorf("other request: %v", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a request waited for another client's body")
	}
}

// TestSlowBodyIsCut sends a request whose body stops short: the sandbox
// gives up at its BodyTimeout and answers 408 instead of holding the
// connection for good; a normal request on the same server still works,
// and latency after a body is read does not cancel it.
func TestSlowBodyIsCut(t *testing.T) {
	t.Parallel()
	e := newSBEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset(), BodyTimeout: 100 * time.Millisecond,
		Faults: sandbox.Faults{Latency: 300 * time.Millisecond}})
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(sbSystemID) + ":" + sbAPIKey))
	fmt.Fprintf(conn, "PUT /Api/R3/Contact HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\nContent-Length: 100\r\n\r\n{\"Type\":", auth)
	// A guard: a server without the timeout fails the test, not hangs it.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a body that stopped: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408", res.StatusCode)
	}
	// The deadline is taken off once a body is read: the latency after it
	// (3 times the body timeout) does not end the request.
	id := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Ede", "LastName": "Szabó"})
	if id == 0 {
		t.Error("a normal create failed")
	}
}
