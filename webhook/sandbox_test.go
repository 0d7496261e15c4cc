package webhook_test

// The Receiver against the sandbox's deliveries: the change log holds
// exactly the changes made, a receiver that is down for the first tries
// still gets each change once, wrong credentials are refused to the end, and
// a write-back goes round without a second notification.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

const (
	sbSystemID = 12345
	sbKey      = "0123456789abcdef0123456789abcdef"
)

// pair is a sandbox whose webhooks point at a Receiver.
type pair struct {
	t    *testing.T
	sb   *sandbox.Server
	api  *httptest.Server
	rc   *webhook.Receiver
	dir  string
	hook *httptest.Server
}

// newPair starts a Receiver behind wrap (nil: as it is) and a sandbox whose
// webhooks (hooks, with {url} replaced by the receiver's address with the
// right credentials, {wrong-password-url} with a wrong password) notify it,
// on a schedule shrunk to milliseconds.
func newPair(t *testing.T, rcfg webhook.Config, wrap func(http.Handler) http.Handler, hooks ...sandbox.WebhookConfig) *pair {
	t.Helper()
	p := &pair{t: t, dir: t.TempDir()}
	rcfg.Dir, rcfg.User, rcfg.Password = p.dir, hookUser, hookPass
	rc, err := webhook.NewReceiver(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	p.rc = rc
	var h http.Handler = rc
	if wrap != nil {
		h = wrap(rc)
	}
	p.hook = httptest.NewServer(h)
	withAuth := strings.Replace(p.hook.URL, "http://", "http://"+hookUser+":"+strings.ReplaceAll(hookPass, " ", "%20")+"@", 1)
	wrongAuth := strings.Replace(p.hook.URL, "http://", "http://"+hookUser+":guess@", 1)
	for i := range hooks {
		hooks[i].URL = strings.NewReplacer("{url}", withAuth, "{wrong-password-url}", wrongAuth).Replace(hooks[i].URL)
	}
	sb, err := sandbox.New(sandbox.Config{SystemID: sbSystemID, APIKey: sbKey, RPM: 0, Webhooks: hooks, WebhookScale: 1.0 / 10000})
	if err != nil {
		t.Fatal(err)
	}
	p.sb = sb
	p.api = httptest.NewServer(sb)
	t.Cleanup(func() {
		p.api.Close()
		sb.Close()
		p.hook.Close()
		rc.Close()
	})
	return p
}

// put writes through the sandbox's API and returns the status and the id
// in the answer.
func (p *pair) put(path, body string) (int, string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, p.api.URL+path, strings.NewReader(body))
	req.SetBasicAuth("12345", sbKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Id json.Number }
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Id.String()
}

func (p *pair) get(path string) map[string]any {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.api.URL+path, nil)
	req.SetBasicAuth("12345", sbKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		p.t.Fatal(err)
	}
	return m
}

func (p *pair) flush() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.sb.FlushWebhooks(ctx); err != nil {
		p.t.Fatal(err)
	}
}

func (p *pair) entries() []webhook.Entry {
	p.t.Helper()
	var out []webhook.Entry
	if err := webhook.ReadLog(p.dir, func(e webhook.Entry) error { out = append(out, e); return nil }); err != nil {
		p.t.Fatal(err)
	}
	return out
}

func TestSandboxChangesReachTheLog(t *testing.T) {
	t.Parallel()
	p := newPair(t, webhook.Config{CSV: true, Location: budapest}, nil,
		sandbox.WebhookConfig{Type: "Project", URL: "{url}/projects/"}, sandbox.WebhookConfig{Type: "Contact", URL: "{url}/contacts/"})

	_, business := p.put("/Api/R3/Contact", `{"Type":"Business","Name":"Webhook Kft.","Iparag":"Gyártás"}`)
	_, person := p.put("/Api/R3/Contact", `{"Type":"Person","FirstName":"Ildikó","LastName":"Varga","BusinessId":`+business+`}`)
	_, card := p.put("/Api/R3/Project", `{"Name":"Új lehetőség","UserId":22404,"CategoryId":10,"ContactId":`+person+`,"StatusId":"Érdeklődő"}`)
	p.put("/Api/R3/Project/"+card, `{"StatusId":"Sikeres","HolTalaltRank":"Ajánlás"}`)
	p.put("/Api/R3/Contact/7506", `{"Email":"norbert.uj@minicrm.hu"}`)
	// Neither of these is a change: no notification.
	if st, _ := p.put("/Api/R3/Project/"+card, `{"StatusId":"nincs ilyen"}`); st != 400 {
		t.Fatalf("a bad status was accepted: %d", st)
	}
	p.put("/Api/R3/Contact/7506", `{"Email":"norbert.uj@minicrm.hu"}`)
	p.flush()

	es := p.entries()
	type seen struct{ typ, id string }
	var got []seen
	for _, e := range es {
		pl, err := e.Parse()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, seen{pl.Type, pl.ID})
	}
	want := []seen{{"Contact", business}, {"Contact", person}, {"Project", card}, {"Project", card}, {"Contact", "7506"}}
	// Deliveries run concurrently; compare as sets, then the card's order
	// through UpdatedAt-independent content below.
	sortSeen := func(s []seen) {
		slices.SortFunc(s, func(a, b seen) int { return strings.Compare(a.typ+a.id, b.typ+b.id) })
	}
	sortSeen(got)
	sortSeen(want)
	if !slices.Equal(got, want) {
		t.Fatalf("logged %v, want %v", got, want)
	}
	if st := p.rc.Stats(); st.Recorded != 5 || st.Duplicates != 0 || st.Malformed != 0 || st.Unauthorized != 0 {
		t.Errorf("receiver stats %+v", st)
	}

	changes, err := webhook.Latest(p.dir, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Fatalf("%d records changed, want 4", len(changes))
	}
	var cardChange webhook.Change
	for _, c := range changes {
		if c.Type == "Project" {
			cardChange = c
		}
	}
	cp := cardChange.Payload
	if cardChange.Notifications != 2 || cp.Label("StatusId") != "Sikeres" || cp.Value("StatusId") != "2623" ||
		cp.Label("HolTalaltRank") != "Ajánlás" || cp.Label("UserId") != "Leskó Norbert" || cp.Value("ContactId") != person {
		t.Errorf("the card's newest state: %+v %s", cardChange, cp.Raw())
	}
	for _, f := range []string{"CreatedAt", "StatusId", "HolTalaltRank"} {
		if !slices.Contains(cardChange.Changed, f) {
			t.Errorf("the card's changes lack %s: %v", f, cardChange.Changed)
		}
	}
	// The CSV views, enum ids as labels.
	rows := readCSV(t, filepath.Join(p.dir, "Project-10.csv"))
	if len(rows) != 3 {
		t.Fatalf("Project-10.csv has %d rows", len(rows))
	}
	status := slices.Index(rows[0], "StatusId")
	if status < 0 || !slices.Contains([]string{rows[1][status], rows[2][status]}, "Sikeres") {
		t.Errorf("Project-10.csv: %q", rows)
	}
	for _, f := range []string{"Person.csv", "Business.csv"} {
		if _, err := os.Stat(filepath.Join(p.dir, f)); err != nil {
			t.Error(err)
		}
	}
	b := readCSV(t, filepath.Join(p.dir, "Business.csv"))
	if i := slices.Index(b[0], "Iparag"); i < 0 || b[1][i] != "Gyártás" {
		t.Errorf("Business.csv: %q", b)
	}
}

// flaky answers 500 to the first n notifications it is given, without
// passing them on.
func flaky(n int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		seen := 0
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen++
			down := seen <= n
			mu.Unlock()
			if down {
				io.Copy(io.Discard, r.Body)
				http.Error(w, "down for maintenance", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestReceiverDownForTheFirstTries(t *testing.T) {
	t.Parallel()
	p := newPair(t, webhook.Config{}, flaky(2), sandbox.WebhookConfig{Type: "Project", CategoryId: 10, Fields: []string{"StatusId"}, URL: "{url}/"})
	p.put("/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`)
	p.flush()
	if es := p.entries(); len(es) != 1 {
		t.Fatalf("%d entries, want 1", len(es))
	}
	log := p.sb.WebhookLog()
	if len(log) != 1 || log[0].Status != "delivered" || len(log[0].Attempts) != 3 {
		t.Fatalf("sandbox log %+v", log)
	}
}

// lostAnswer passes the first notification to the receiver (which records
// it) but answers 500, as if the 200 had been lost on the way back.
func lostAnswer(next http.Handler) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lost := false
		once.Do(func() { lost = true })
		if lost {
			next.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "gateway timeout", http.StatusGatewayTimeout)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestRetryOfARecordedChangeIsRecordedOnce(t *testing.T) {
	t.Parallel()
	p := newPair(t, webhook.Config{}, lostAnswer, sandbox.WebhookConfig{Type: "Contact", URL: "{url}/"})
	p.put("/Api/R3/Contact/7506", `{"Position":"Elnök"}`)
	p.flush()
	if es := p.entries(); len(es) != 1 {
		t.Fatalf("%d entries, want 1", len(es))
	}
	if st := p.rc.Stats(); st.Recorded != 1 || st.Duplicates != 1 {
		t.Errorf("receiver stats %+v", st)
	}
	if log := p.sb.WebhookLog(); len(log) != 1 || log[0].Status != "delivered" || len(log[0].Attempts) != 2 {
		t.Fatalf("sandbox log %+v", log)
	}
}

func TestSandboxWithTheWrongPassword(t *testing.T) {
	t.Parallel()
	p := newPair(t, webhook.Config{}, nil, sandbox.WebhookConfig{Type: "Contact", URL: "{wrong-password-url}/"})
	p.put("/Api/R3/Contact/7506", `{"Position":"Elnök"}`)
	p.flush()
	log := p.sb.WebhookLog()
	if len(log) != 1 || log[0].Status != "failed" || len(log[0].Attempts) != 7 || log[0].Attempts[6].Status != 401 {
		t.Fatalf("sandbox log %+v", log)
	}
	if st := p.rc.Stats(); st.Unauthorized != 7 || st.Recorded != 0 {
		t.Errorf("receiver stats %+v", st)
	}
	if es := p.entries(); len(es) != 0 {
		t.Errorf("%d entries recorded with a wrong password", len(es))
	}
}

func TestWriteBackRoundTrip(t *testing.T) {
	t.Parallel()
	rules, err := webhook.ParseRules([]byte(`rules:
  - name: won
    type: Project
    category_id: 10
    when: {changed: StatusId, to: Sikeres}
    set: {AutoSalesV3_SalesStatus: Sikeres értékesítés}
`), "rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t, webhook.Config{Rules: rules}, nil, sandbox.WebhookConfig{Type: "Project", URL: "{url}/"})
	if got := p.get("/Api/R3/Project/2056")["AutoSalesV3_SalesStatus"]; got != "Értékesítés folyamatban" {
		t.Fatalf("before: %v", got)
	}
	p.put("/Api/R3/Project/2056", `{"StatusId":"Sikeres"}`)
	p.flush()
	if got := p.get("/Api/R3/Project/2056")["AutoSalesV3_SalesStatus"]; got != "Sikeres értékesítés" {
		t.Fatalf("the write-back did not arrive: %v", got)
	}
	log := p.sb.WebhookLog()
	if len(log) != 1 || log[0].WriteBack["AutoSalesV3_SalesStatus"] != "Sikeres értékesítés" || log[0].WriteBackError != "" {
		t.Fatalf("sandbox log %+v", log)
	}
	es := p.entries()
	if len(es) != 1 || es[0].Answer["AutoSalesV3_SalesStatus"] != "Sikeres értékesítés" {
		t.Fatalf("entries %+v", es)
	}
	// Someone changes the field the rule sets, through the API: that is
	// notified (it is not a write-back), the rule does not fire on it, and
	// the answer writes nothing.
	p.put("/Api/R3/Project/2056", `{"AutoSalesV3_SalesStatus":"Értékesítés folyamatban"}`)
	p.flush()
	log = p.sb.WebhookLog()
	if len(log) != 2 || log[1].WriteBack != nil || log[1].Status != "delivered" {
		t.Fatalf("sandbox log %+v", log)
	}
	if got := p.get("/Api/R3/Project/2056")["AutoSalesV3_SalesStatus"]; got != "Értékesítés folyamatban" {
		t.Errorf("the API write was undone: %v", got)
	}
	if st := p.rc.Stats(); st.Recorded != 2 || st.Answered != 1 {
		t.Errorf("receiver stats %+v", st)
	}
}
