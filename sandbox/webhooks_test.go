package sandbox_test

// Webhooks: configuration (flag and data file), filters, the payload, the
// retry schedule (scaled down), the write-back of a JSON answer without a
// new notification, and shutdown.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// hookSink is a webhook endpoint that records what it gets; answer decides
// the reply to the n-th request (from 1).
type hookSink struct {
	ts     *httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	answer func(n int, body []byte) (int, string)
}

type hookRequest struct {
	Path        string
	User, Pass  string
	HasAuth     bool
	ContentType string
	Body        []byte
	At          time.Time
}

func newHookSink(t *testing.T, answer func(n int, body []byte) (int, string)) *hookSink {
	t.Helper()
	h := &hookSink{answer: answer}
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u, p, ok := r.BasicAuth()
		h.mu.Lock()
		h.got = append(h.got, hookRequest{Path: r.URL.Path, User: u, Pass: p, HasAuth: ok,
			ContentType: r.Header.Get("Content-Type"), Body: b, At: time.Now()})
		n := len(h.got)
		h.mu.Unlock()
		status, body := http.StatusOK, "{}"
		if h.answer != nil {
			status, body = h.answer(n, b)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(h.ts.Close)
	return h
}

// url is the sink's address with credentials, as MiniCRM's configuration
// writes it.
func (h *hookSink) url(path string) string {
	return strings.Replace(h.ts.URL, "http://", "http://hook:s3cret@", 1) + path
}

func (h *hookSink) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// payloads decodes every request body the sink got.
func (h *hookSink) payloads(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range h.requests() {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("webhook body is not a JSON object: %v\n%s", err, r.Body)
		}
		out = append(out, m)
	}
	return out
}

// fastSchedule runs the whole retry schedule in a few milliseconds.
const fastScale = 1.0 / 10000 // 10 s → 1 ms, 1 h → 360 ms; 667 ms in all

func newHookEnv(t *testing.T, cfg sandbox.Config) *sbEnv {
	t.Helper()
	if cfg.WebhookScale == 0 {
		cfg.WebhookScale = fastScale
	}
	e := newSBEnv(t, cfg)
	t.Cleanup(func() { e.srv.Close() })
	return e
}

func flush(t *testing.T, srv *sandbox.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.FlushWebhooks(ctx); err != nil {
		t.Fatalf("webhooks still pending: %v", err)
	}
}

func TestParseWebhookFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec    string
		want    sandbox.WebhookConfig
		wantErr string
	}{
		{spec: "Project=http://h/x", want: sandbox.WebhookConfig{Type: "Project", URL: "http://h/x"}},
		{spec: "Project:10=http://u:p@h/x", want: sandbox.WebhookConfig{Type: "Project", CategoryId: 10, URL: "http://u:p@h/x"}},
		{spec: "Project:10:StatusId,UserId=https://h/", want: sandbox.WebhookConfig{Type: "Project", CategoryId: 10,
			Fields: []string{"StatusId", "UserId"}, URL: "https://h/"}},
		{spec: "Project::StatusId=http://h/", want: sandbox.WebhookConfig{Type: "Project", Fields: []string{"StatusId"}, URL: "http://h/"}},
		{spec: "Contact:Email=http://h/?a=b", want: sandbox.WebhookConfig{Type: "Contact", Fields: []string{"Email"}, URL: "http://h/?a=b"}},
		{spec: "Project:10", wantErr: "want TYPE"},
		{spec: "Order=http://h/", wantErr: "want Project or Contact"},
		{spec: "Contact:10=http://h/", wantErr: "only for Project"},
		{spec: "Project=ftp://h/", wantErr: "http:// or https://"},
		{spec: "Project:1:A:B=http://h/", wantErr: "want TYPE"},
		{spec: "Project=http://u:topsecret@h:bad/", wantErr: "webhook"},
	}
	for _, tt := range tests {
		got, err := sandbox.ParseWebhookFlag(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one containing %q", tt.spec, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "topsecret") {
				t.Errorf("%q: the error shows the password: %v", tt.spec, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func TestWebhookPayloadOfACardChange(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, nil)
	e := newHookEnv(t, sandbox.Config{Now: newSBClock().Now,
		Webhooks: []sandbox.WebhookConfig{{Type: "Project", URL: sink.url("/StatusChanged/"), Config: map[string]any{"Target": "crm2"}}}})
	if r := e.do(http.MethodPut, "/Api/R3/Project/2056", `{"StatusId":"Sikeres","HolTalaltRank":"Ajánlás"}`); r.Status != 200 {
		t.Fatalf("update: %s", r)
	}
	flush(t, e.srv)
	reqs := sink.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d notifications, want 1", len(reqs))
	}
	rq := reqs[0]
	if rq.Path != "/StatusChanged/" || !rq.HasAuth || rq.User != "hook" || rq.Pass != "s3cret" || !strings.HasPrefix(rq.ContentType, "application/json") {
		t.Errorf("request: path %q auth %v %q:%q content type %q", rq.Path, rq.HasAuth, rq.User, rq.Pass, rq.ContentType)
	}
	p := sink.payloads(t)[0]
	if p["Id"] != "2056" || p["Type"] != "Project" {
		t.Errorf("Id, Type = %v, %v", p["Id"], p["Type"])
	}
	data := p["Data"].(map[string]any)
	// Raw ids as strings, as the documentation's example.
	for k, want := range map[string]any{"CategoryId": "10", "StatusId": "2623", "UserId": "22404", "ContactId": "7506",
		"MainContactId": "7505", "HolTalaltRank": "4032", "AutoSalesV3_Qualification": "4001", "VarhatoArbevetel": float64(1000000),
		"Name": "MiniCRM Zrt. (Leskó Norbert)", "UpdatedAt": "2024-03-01 11:00:00"} {
		if data[k] != want {
			t.Errorf("Data.%s = %#v, want %#v", k, data[k], want)
		}
	}
	if u, _ := data["InternalUrl"].(string); !strings.HasSuffix(u, "/12345/#Project-10/2056") {
		t.Errorf("Data.InternalUrl = %q", u)
	}
	changed := p["Changed"].([]any)
	want := []any{"StatusId", "StatusUpdatedAt", "HolTalaltRank", "UpdatedAt"}
	if !reflect.DeepEqual(changed, want) {
		t.Errorf("Changed = %v, want %v", changed, want)
	}
	schema := p["Schema"].(map[string]any)
	if st, ok := schema["StatusId"].(map[string]any); !ok || st["2623"] != "Sikeres" {
		t.Errorf("Schema.StatusId = %v", schema["StatusId"])
	}
	if schema["Name"] != "Text(512)" {
		t.Errorf("Schema.Name = %v", schema["Name"])
	}
	if !reflect.DeepEqual(p["Config"], map[string]any{"Target": "crm2"}) {
		t.Errorf("Config = %v", p["Config"])
	}
	log := e.srv.WebhookLog()
	if len(log) != 1 || log[0].Status != "delivered" || len(log[0].Attempts) != 1 || log[0].Attempts[0].Status != 200 {
		t.Fatalf("log = %+v", log)
	}
	if strings.Contains(log[0].URL, "s3cret") {
		t.Errorf("the log shows the password: %s", log[0].URL)
	}
}

func TestWebhookNewRecordsAndContacts(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, nil)
	e := newHookEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset(), Webhooks: []sandbox.WebhookConfig{
		{Type: "Contact", URL: sink.url("/c")}, {Type: "Project", CategoryId: 5, Fields: []string{"CreatedAt"}, URL: sink.url("/new-ticket")}}})
	b := e.do(http.MethodPut, "/Api/R3/Contact", `{"Type":"Business","Name":"Teszt Kft.","Iparag":"Gyártás"}`)
	pr := e.do(http.MethodPut, "/Api/R3/Contact", `{"Type":"Person","FirstName":"Anna","BusinessId":`+jsonID(t, b)+`}`)
	e.do(http.MethodPut, "/Api/R3/Project", `{"Name":"Bejelentés","UserId":22404,"CategoryId":5,"ContactId":`+jsonID(t, pr)+`,"StatusId":2520}`)
	card := e.do(http.MethodPut, "/Api/R3/Project", `{"Name":"Másik","UserId":22404,"CategoryId":10,"ContactId":`+jsonID(t, pr)+`,"StatusId":2620}`)
	// A later change of the ticket is not a new ticket: no call to /new-ticket.
	e.do(http.MethodPut, "/Api/R3/Project/"+jsonID(t, card), `{"Name":"Átnevezve"}`)
	flush(t, e.srv)
	// Deliveries run concurrently: tell them apart by content.
	byID := map[string]map[string]any{}
	var paths []string
	for i, p := range sink.payloads(t) {
		byID[p["Id"].(string)] = p
		paths = append(paths, sink.requests()[i].Path)
	}
	slices.Sort(paths)
	if want := []string{"/c", "/c", "/new-ticket"}; !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths = %v, want %v", paths, want)
	}
	business, person := byID[jsonID(t, b)], byID[jsonID(t, pr)]
	var ticket map[string]any
	for _, p := range byID {
		if p["Type"] == "Project" {
			ticket = p
		}
	}
	bd := business["Data"].(map[string]any)
	if business["Type"] != "Contact" || bd["Type"] != "Business" || bd["Name"] != "Teszt Kft." || bd["Iparag"] != "2103" {
		t.Errorf("business payload: %v", business)
	}
	if s := business["Schema"].(map[string]any); s["Iparag"].(map[string]any)["2103"] != "Gyártás" {
		t.Errorf("business Schema.Iparag = %v", s["Iparag"])
	}
	pd := person["Data"].(map[string]any)
	if pd["Type"] != "Person" || pd["BusinessId"] != jsonID(t, b) || pd["KedvencEtele"] != nil {
		t.Errorf("person Data: %v", pd)
	}
	has := func(p map[string]any, fields ...string) {
		t.Helper()
		for _, f := range fields {
			if !slices.Contains(p["Changed"].([]any), any(f)) {
				t.Errorf("Changed of a new %s lacks %s: %v", p["Type"], f, p["Changed"])
			}
		}
	}
	has(person, "CreatedAt", "CreatedBy", "FirstName", "BusinessId", "UpdatedAt")
	has(ticket, "CreatedAt", "Name", "StatusId", "UpdatedAt")
	if slices.Contains(person["Changed"].([]any), any("Deleted")) {
		t.Errorf("a new person's Changed has Deleted (0): %v", person["Changed"])
	}
}

func jsonID(t *testing.T, r sbResp) string {
	t.Helper()
	var v struct{ Id json.Number }
	if r.Status != 200 || json.Unmarshal(r.Body, &v) != nil {
		t.Fatalf("create: %s", r)
	}
	return v.Id.String()
}

func TestWebhookFilters(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, nil)
	e := newHookEnv(t, sandbox.Config{Webhooks: []sandbox.WebhookConfig{
		{Type: "Project", CategoryId: 10, Fields: []string{"StatusId"}, URL: sink.url("/sales-status")},
		{Type: "Project", CategoryId: 5, URL: sink.url("/helpdesk")},
		{Type: "Contact", Fields: []string{"Email"}, URL: sink.url("/email")},
	}})
	steps := []struct{ path, body string }{
		{"/Api/R3/Project/2056", `{"Name":"Új név"}`},                  // module 10, not StatusId: nothing
		{"/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`},             // /sales-status
		{"/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`},             // no change at all: nothing
		{"/Api/R3/Project/2055", `{"Name":"API kérdés"}`},              // module 5, any field: /helpdesk
		{"/Api/R3/Project/2054", `{"StatusId":2539}`},                  // module 3: nothing
		{"/Api/R3/Contact/7506", `{"Email":"uj@minicrm.hu"}`},          // a person's Email: /email
		{"/Api/R3/Contact/7505", `{"Email":"info@minicrm.hu"}`},        // a company's Email: /email
		{"/Api/R3/Contact/7507", `{"Position":"Fejlesztő"}`},           // not Email: nothing
		{"/Api/R3/Project/2056", `{"StatusId":"nincs ilyen státusz"}`}, // refused (400): nothing
	}
	for _, s := range steps {
		e.do(http.MethodPut, s.path, s.body)
	}
	flush(t, e.srv)
	var got []string
	for _, r := range sink.requests() {
		got = append(got, r.Path)
	}
	// Deliveries run concurrently, and MiniCRM promises no order between
	// notifications either (the receiver orders by UpdatedAt): compare which
	// hooks fired and how often, not their arrival order.
	slices.Sort(got)
	if want := []string{"/email", "/email", "/helpdesk", "/sales-status"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("notified %v, want %v", got, want)
	}
}

func TestWebhookRetriesOnTheSchedule(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, func(n int, _ []byte) (int, string) {
		if n <= 2 {
			return http.StatusInternalServerError, "down"
		}
		return http.StatusOK, ""
	})
	sched := []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, time.Hour}
	e := newHookEnv(t, sandbox.Config{WebhookSchedule: sched, WebhookScale: 1,
		Webhooks: []sandbox.WebhookConfig{{Type: "Project", URL: sink.url("/")}}})
	e.do(http.MethodPut, "/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`)
	flush(t, e.srv)
	reqs := sink.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d tries, want 3", len(reqs))
	}
	log := e.srv.WebhookLog()
	if len(log) != 1 || log[0].Status != "delivered" || len(log[0].Attempts) != 3 ||
		log[0].Attempts[0].Status != 500 || log[0].Attempts[2].Status != 200 {
		t.Fatalf("log = %+v", log)
	}
	at := log[0].Attempts
	for i := 1; i < len(reqs); i++ {
		// Each wait counts from the previous try (timers never fire early).
		if gap := at[i].At.Sub(at[i-1].At); gap < sched[i-1] {
			t.Errorf("try %d started %v after try %d, want at least %v", i+1, gap, i, sched[i-1])
		}
		if string(reqs[i].Body) != string(reqs[0].Body) {
			t.Errorf("try %d sent another body", i+1)
		}
	}
}

func TestWebhookGivesUpAfterTheLastRetry(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, func(int, []byte) (int, string) { return http.StatusServiceUnavailable, "" })
	e := newHookEnv(t, sandbox.Config{Webhooks: []sandbox.WebhookConfig{{Type: "Contact", URL: sink.url("/")}}})
	e.do(http.MethodPut, "/Api/R3/Contact/7506", `{"Position":"Elnök"}`)
	flush(t, e.srv)
	// The first try and the six documented retries.
	if n := len(sink.requests()); n != 7 {
		t.Errorf("%d tries, want 7", n)
	}
	log := e.srv.WebhookLog()
	if len(log) != 1 || log[0].Status != "failed" || len(log[0].Attempts) != 7 {
		t.Fatalf("log = %+v", log)
	}
	// An address nobody listens on: errors instead of statuses, same end.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	e2 := newHookEnv(t, sandbox.Config{WebhookSchedule: []time.Duration{time.Millisecond}, WebhookScale: 1,
		Webhooks: []sandbox.WebhookConfig{{Type: "Contact", URL: deadURL}}})
	e2.do(http.MethodPut, "/Api/R3/Contact/7506", `{"Position":"Elnök"}`)
	flush(t, e2.srv)
	log = e2.srv.WebhookLog()
	if len(log) != 1 || log[0].Status != "failed" || len(log[0].Attempts) != 2 || log[0].Attempts[0].Error == "" {
		t.Fatalf("log = %+v", log)
	}
}

func TestWebhookWriteBack(t *testing.T) {
	t.Parallel()
	var answer sync.Map // path → answer body
	sink := newHookSink(t, nil)
	sink.answer = func(n int, body []byte) (int, string) {
		var p struct{ Id string }
		json.Unmarshal(body, &p)
		if a, ok := answer.Load(p.Id); ok {
			return http.StatusOK, a.(string)
		}
		return http.StatusOK, "{}"
	}
	clock := newSBClock()
	e := newHookEnv(t, sandbox.Config{Now: clock.Now, Webhooks: []sandbox.WebhookConfig{
		{Type: "Project", URL: sink.url("/p")}, {Type: "Contact", URL: sink.url("/c")}}})

	// The documentation's example: the answer sets the card's owner.
	answer.Store("2056", `{"UserId":"53986","AutoSalesV3_IsHot":"Nem"}`)
	e.do(http.MethodPut, "/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`)
	flush(t, e.srv)
	got := e.mustGet("/Api/R3/Project/2056")
	if got["UserId"] != "Keszei Csaba" || got["AutoSalesV3_IsHot"] != "Nem" || got["StatusId"] != "Sikeres" {
		t.Errorf("after the write-back: UserId %v, IsHot %v, StatusId %v", got["UserId"], got["AutoSalesV3_IsHot"], got["StatusId"])
	}
	// A contact, with a BOM and spaces around the answer.
	answer.Store("7506", "\ufeff  {\"Position\": \"Ügyvezető\"} \n")
	e.do(http.MethodPut, "/Api/R3/Contact/7506", `{"LastName":"Leskó-Kiss"}`)
	// A refused answer (no such option) changes nothing and is logged.
	answer.Store("2055", `{"Prioritas":"Legsürgősebb","Name":"Nem kerül be"}`)
	e.do(http.MethodPut, "/Api/R3/Project/2055", `{"StatusId":2523}`)
	// Not an object: nothing written.
	answer.Store("2054", `"OK"`)
	e.do(http.MethodPut, "/Api/R3/Project/2054", `{"StatusId":2539}`)
	flush(t, e.srv)

	if c := e.mustGet("/Api/R3/Contact/7506"); c["Position"] != "Ügyvezető" || c["LastName"] != "Leskó-Kiss" {
		t.Errorf("contact after the write-back: %v, %v", c["Position"], c["LastName"])
	}
	if c := e.mustGet("/Api/R3/Project/2055"); c["Name"] != "API segítség kérés" {
		t.Errorf("a refused write-back changed the card: Name %v", c["Name"])
	}
	log := e.srv.WebhookLog()
	// Four changes, four notifications: no write-back was notified.
	if len(log) != 4 || len(sink.requests()) != 4 {
		t.Fatalf("%d deliveries, %d requests; want 4 each: %+v", len(log), len(sink.requests()), log)
	}
	if log[0].WriteBack["UserId"] != "53986" || log[0].WriteBackError != "" {
		t.Errorf("delivery 1: write-back %v, error %q", log[0].WriteBack, log[0].WriteBackError)
	}
	if !strings.Contains(log[2].WriteBackError, "Project (PUT)") || !strings.Contains(log[2].WriteBackError, "Legsürgősebb") {
		t.Errorf("delivery 3: error %q", log[2].WriteBackError)
	}
	if !strings.Contains(log[3].WriteBackError, "not a JSON object") {
		t.Errorf("delivery 4: error %q", log[3].WriteBackError)
	}
	for _, d := range log {
		if d.Status != "delivered" {
			t.Errorf("delivery %d: %s", d.ID, d.Status)
		}
	}
	// The write-back is a write like any other: UpdatedSince finds it.
	st := e.srv.Stats()
	if st.Writes != 4+2 {
		t.Errorf("Writes = %d, want 6 (4 API writes, 2 write-backs)", st.Writes)
	}
}

func TestWebhookHookAndClose(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, func(int, []byte) (int, string) { return http.StatusInternalServerError, "" })
	e := newHookEnv(t, sandbox.Config{WebhookScale: 1, // an hour before the last retry: Close must not wait for it
		Webhooks: []sandbox.WebhookConfig{{Type: "Project", URL: sink.url("/")}}})
	e.do(http.MethodPut, "/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`)
	r := e.mustGet("/_sandbox/webhooks")
	if r["count"] != float64(1) {
		t.Fatalf("GET /_sandbox/webhooks: %v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() { e.srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a delivery waiting for its retry")
	}
	log := e.srv.WebhookLog()
	if len(log) != 1 || log[0].Status != "cancelled" {
		t.Fatalf("log = %+v", log)
	}
	// After Close, changes are logged as cancelled, not sent.
	e.do(http.MethodPut, "/Api/R3/Project/2056", `{"Name":"Később"}`)
	if log = e.srv.WebhookLog(); len(log) != 2 || log[1].Status != "cancelled" {
		t.Fatalf("log = %+v", log)
	}
	if r := e.do(http.MethodDelete, "/_sandbox/webhooks", ""); r.Status != 200 {
		t.Fatalf("DELETE: %s", r)
	}
	if r := e.mustGet("/_sandbox/webhooks"); r["count"] != float64(0) {
		t.Errorf("after DELETE: %v", r)
	}
	if r := e.do(http.MethodPost, "/_sandbox/webhooks", "{}"); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", r)
	}
}

func TestWebhooksInTheDataFile(t *testing.T) {
	t.Parallel()
	base := `
users: [{id: 1, name: Admin}]
categories:
  - {id: 10, name: Sales, statuses: [{id: 100, name: New}]}
`
	ds, err := sandbox.ParseDataset([]byte(base+`
webhooks:
  - {type: Project, category_id: 10, fields: [StatusId], url: "http://u:p@127.0.0.1:9/x", config: {Kulcs: érték}}
  - {type: Contact, url: "https://example.com/c"}
`), ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Webhooks) != 2 || ds.Webhooks[0].CategoryId != 10 || ds.Webhooks[0].Fields[0] != "StatusId" {
		t.Fatalf("webhooks = %+v", ds.Webhooks)
	}
	_, err = sandbox.ParseDataset([]byte(base+`
webhooks:
  - {type: Project, category_id: 99, url: "http://h/"}
  - {type: Card, url: "http://h/"}
  - {type: Contact, url: "mailto:x@y"}
`), ".yaml")
	for _, want := range []string{"webhooks[0]", "category 99", "webhooks[1]", `"Card"`, "webhooks[2]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %s", err, want)
		}
	}
	// Config.Webhooks are checked against the data set too.
	if _, err := sandbox.New(sandbox.Config{SystemID: 1, APIKey: sbAPIKey, Dataset: ds,
		Webhooks: []sandbox.WebhookConfig{{Type: "Project", CategoryId: 99, URL: "http://h/"}}}); err == nil || !strings.Contains(err.Error(), "category 99") {
		t.Errorf("New with a webhook on an unknown module: %v", err)
	}
	if _, err := sandbox.New(sandbox.Config{SystemID: 1, APIKey: sbAPIKey, WebhookScale: -1}); err == nil {
		t.Error("New with a negative WebhookScale")
	}
	// The data set's webhooks are used, along with Config.Webhooks.
	sink := newHookSink(t, nil)
	ds2 := sandbox.DefaultDataset()
	ds2.Webhooks = []sandbox.WebhookConfig{{Type: "Contact", URL: sink.url("/from-data")}}
	e := newHookEnv(t, sandbox.Config{Dataset: ds2, Webhooks: []sandbox.WebhookConfig{{Type: "Contact", URL: sink.url("/from-config")}}})
	e.do(http.MethodPut, "/Api/R3/Contact/7506", `{"Position":"Elnök"}`)
	flush(t, e.srv)
	var paths []string
	for _, r := range sink.requests() {
		paths = append(paths, r.Path)
	}
	slices.Sort(paths)
	if !reflect.DeepEqual(paths, []string{"/from-config", "/from-data"}) {
		t.Errorf("paths = %v", paths)
	}
}

func TestWebhookHeadOfAnOrderCard(t *testing.T) {
	t.Parallel()
	sink := newHookSink(t, nil)
	e := newHookEnv(t, sandbox.Config{Webhooks: []sandbox.WebhookConfig{{Type: "Project", CategoryId: 7, URL: sink.url("/order")}}})
	// Card 206 is order 44's card in the Megrendelés module (the seeds' example).
	if r := e.do(http.MethodPut, "/Api/R3/Project/206", `{"SzallitasExtraInfo":"Kapucsengő: 12"}`); r.Status != 200 {
		t.Fatal(r)
	}
	flush(t, e.srv)
	ps := sink.payloads(t)
	if len(ps) != 1 {
		t.Fatalf("%d notifications", len(ps))
	}
	head, ok := ps[0]["Head"].(map[string]any)
	if !ok || head["Id"] != "44" || head["ProjectId"] != "206" {
		t.Errorf("Head = %v", ps[0]["Head"])
	}
}
