package webhook_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

const (
	hookUser = "minicrm"
	hookPass = "correct horse battery staple"
)

var budapest = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Budapest")
	if err != nil {
		panic(err)
	}
	return loc
}()

// clock is a settable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 22, 10, 15, 3, 0, budapest)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// syncBuffer is a log destination safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	t    *testing.T
	dir  string
	rc   *webhook.Receiver
	ts   *httptest.Server
	logs *syncBuffer
	clk  *clock
}

func newRig(t *testing.T, cfg webhook.Config) *rig {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.User == "" {
		cfg.User, cfg.Password = hookUser, hookPass
	}
	r := &rig{t: t, dir: cfg.Dir, logs: &syncBuffer{}, clk: newClock()}
	if cfg.Now == nil {
		cfg.Now = r.clk.Now
	}
	if cfg.Location == nil {
		cfg.Location = budapest
	}
	cfg.Logger = slog.New(slog.NewTextHandler(r.logs, nil))
	rc, err := webhook.NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.rc = rc
	r.ts = httptest.NewServer(rc)
	t.Cleanup(func() { r.ts.Close(); rc.Close() })
	return r
}

type answer struct {
	status int
	body   string
	header http.Header
}

func (r *rig) post(body string, auth ...string) answer {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.ts.URL+"/hook/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	switch len(auth) {
	case 0:
		req.SetBasicAuth(hookUser, hookPass)
	case 2:
		req.SetBasicAuth(auth[0], auth[1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b), res.Header}
}

func (r *rig) entries() []webhook.Entry {
	r.t.Helper()
	var out []webhook.Entry
	if err := webhook.ReadLog(r.dir, func(e webhook.Entry) error { out = append(out, e); return nil }); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// change is a notification of card id with a status and an update time.
func change(id int, status, updatedAt string) string {
	return fmt.Sprintf(`{"Id":"%d","Type":"Project","Data":{"CategoryId":"10","StatusId":%q,"Name":"Kártya %d","UpdatedAt":%q},`+
		`"Changed":["StatusId","UpdatedAt"],"Config":[],"Schema":{"CategoryId":{"10":"Értékesítés"},"StatusId":{"2620":"Érdeklődő","2623":"Sikeres"},"Name":"Text(512)"}}`,
		id, status, id, updatedAt)
}

func TestAuth(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{})
	body := change(1, "2620", "2026-11-22 10:00:00")
	for _, tt := range []struct {
		name string
		auth []string
	}{
		{"none", []string{"x"}}, // one value: no Authorization header
		{"wrong password", []string{hookUser, "wrong"}},
		{"password prefix", []string{hookUser, hookPass[:5]}},
		{"wrong user", []string{"admin", hookPass}},
		{"empty", []string{"", ""}},
	} {
		a := r.post(body, tt.auth...)
		if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: %d %q", tt.name, a.status, a.header.Get("WWW-Authenticate"))
		}
	}
	if n := len(r.entries()); n != 0 {
		t.Fatalf("%d entries recorded without auth", n)
	}
	if a := r.post(body); a.status != 200 || a.body != "{}" {
		t.Fatalf("with auth: %d %s", a.status, a.body)
	}
	if st := r.rc.Stats(); st.Unauthorized != 5 || st.Recorded != 1 {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(r.logs.String(), hookPass) || strings.Contains(r.logs.String(), "wrong") {
		t.Errorf("a password was logged:\n%s", r.logs)
	}
	// A GET (a browser, a health check) is not a notification.
	res, err := http.Get(strings.Replace(r.ts.URL, "http://", "http://"+hookUser+":"+strings.ReplaceAll(hookPass, " ", "%20")+"@", 1))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	if _, err := webhook.NewReceiver(webhook.Config{Dir: t.TempDir(), User: "u"}); err == nil {
		t.Error("a receiver without a password was built")
	}
}

func TestMalformedAndOversized(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{MaxBodyBytes: 2048})
	for _, body := range []string{"", "{", `{"Id":"1"}`, `["Project"]`, `{"Id":"x","Type":"Project","Data":{}}`} {
		if a := r.post(body); a.status != http.StatusBadRequest {
			t.Errorf("%q: %d %s", body, a.status, a.body)
		}
	}
	big := change(1, "2620", "2026-11-22 10:00:00")
	big = strings.Replace(big, `"Config":[]`, `"Config":["`+strings.Repeat("x", 4096)+`"]`, 1)
	if a := r.post(big); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d %s", a.status, a.body)
	}
	if n := len(r.entries()); n != 0 {
		t.Fatalf("%d entries recorded", n)
	}
	st := r.rc.Stats()
	if st.Malformed != 5 || st.TooLarge != 1 {
		t.Errorf("stats %+v", st)
	}
	logs := r.logs.String()
	if strings.Count(logs, "malformed notification") != 5 || !strings.Contains(logs, "body too large") {
		t.Errorf("refusals are logged:\n%s", logs)
	}
}

func TestRetriesAreRecordedOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRig(t, webhook.Config{Dir: dir})
	first := change(7, "2620", "2026-11-22 10:00:00")
	second := change(7, "2623", "2026-11-22 10:00:00") // another change in the same second
	for _, b := range []string{first, first, second, first} {
		if a := r.post(b); a.status != 200 {
			t.Fatalf("%d %s", a.status, a.body)
		}
	}
	if st := r.rc.Stats(); st.Recorded != 2 || st.Duplicates != 2 {
		t.Errorf("stats %+v", st)
	}
	r.ts.Close()
	r.rc.Close()
	// A restart reads the log back: a retry arriving now is still known.
	r2 := newRig(t, webhook.Config{Dir: dir})
	reordered := `{"Changed":["UpdatedAt","StatusId"],"Type":"Project","Id":7,` +
		`"Data":{"UpdatedAt":"2026-11-22 10:00:00","Name":"Kártya 7","StatusId":"2620","CategoryId":"10"}}`
	if a := r2.post(reordered); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if st := r2.rc.Stats(); st.Recorded != 0 || st.Duplicates != 1 {
		t.Errorf("after the restart: stats %+v", st)
	}
	es := r2.entries()
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2", len(es))
	}
	p, err := es[0].Parse()
	if err != nil || p.ID != "7" || p.Value("StatusId") != "2620" || es[0].Key != p.Key() {
		t.Errorf("entry 1: %+v %v", p, err)
	}
	if !es[0].ReceivedAt.Equal(newClock().Now()) {
		t.Errorf("received_at = %v", es[0].ReceivedAt)
	}
}

func TestTornLineIsRemovedAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRig(t, webhook.Config{Dir: dir})
	r.post(change(1, "2620", "2026-11-22 10:00:00"))
	r.ts.Close()
	r.rc.Close()
	path := filepath.Join(dir, "changes-2026-11-22.ndjson")
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of the second line: it was never answered 200.
	torn := change(2, "2620", "2026-11-22 10:00:01")
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"received_at":"2026-11-22T10:15:04+01:00","key":"Project/2/2026-11-22 10:00:01/x","payload":` + torn[:40])
	f.Close()
	var n int
	if err := webhook.ReadLog(dir, func(webhook.Entry) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("ReadLog skips a torn last line: %d entries, %v", n, err)
	}
	r2 := newRig(t, webhook.Config{Dir: dir})
	if b, _ := os.ReadFile(path); !bytes.Equal(b, whole) {
		t.Fatalf("the torn line was not removed:\n%s", b)
	}
	if !strings.Contains(r2.logs.String(), "cut short") {
		t.Errorf("the repair is logged:\n%s", r2.logs)
	}
	// MiniCRM retries it: now it is recorded, on a line of its own.
	if a := r2.post(torn); a.status != 200 {
		t.Fatal(a.status)
	}
	if es := r2.entries(); len(es) != 2 {
		t.Fatalf("%d entries, want 2", len(es))
	}
	// A bad line in the middle is an error for ReadLog, with its place.
	os.WriteFile(filepath.Join(dir, "changes-2026-11-23.ndjson"), []byte("{oops}\n"), 0o600)
	err = webhook.ReadLog(dir, func(webhook.Entry) error { return nil })
	var le *webhook.LineError
	if !errors.As(err, &le) || le.Line != 1 || !strings.HasSuffix(le.File, "changes-2026-11-23.ndjson") {
		t.Errorf("ReadLog error %v", err)
	}
}

func TestDailyRotationAndLatest(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{})
	r.clk.Set(time.Date(2026, 11, 22, 23, 59, 59, 0, budapest))
	r.post(change(5, "2620", "2026-11-22 23:59:58"))
	r.post(change(6, "2620", "2026-11-22 23:59:58"))
	r.clk.Set(time.Date(2026, 11, 23, 0, 0, 1, 0, budapest))
	r.post(change(5, "2623", "2026-11-23 00:00:00"))
	// A retry of an older change of card 6 arrives after a newer one.
	r.post(change(6, "2623", "2026-11-23 00:00:00"))
	r.post(strings.Replace(change(6, "2620", "2026-11-22 23:59:59"), `"Name":"Kártya 6"`, `"Name":"Régi"`, 1))
	var names []string
	des, _ := os.ReadDir(r.dir)
	for _, de := range des {
		names = append(names, de.Name())
	}
	if want := []string{"changes-2026-11-22.ndjson", "changes-2026-11-23.ndjson"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	if n := len(r.entries()); n != 5 {
		t.Fatalf("%d entries", n)
	}
	changes, err := webhook.Latest(r.dir, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("%d changes: %+v", len(changes), changes)
	}
	for _, c := range changes {
		if c.Payload.Value("StatusId") != "2623" || c.Payload.Label("StatusId") != "Sikeres" {
			t.Errorf("card %s: the newest state is status %s", c.ID, c.Payload.Value("StatusId"))
		}
	}
	if changes[0].ID != "5" || changes[0].Notifications != 2 || changes[1].Notifications != 3 {
		t.Errorf("changes: %+v", changes)
	}
	// since: only what arrived from then on.
	later, _ := webhook.Latest(r.dir, time.Date(2026, 11, 23, 0, 0, 0, 0, budapest))
	if len(later) != 2 || later[0].Notifications != 1 {
		t.Errorf("since midnight: %+v", later)
	}
}

func TestCSVWithLabels(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{CSV: true})
	r.post(change(5, "2623", "2026-11-22 10:00:00"))
	// A field the module did not have when the file was started: Other.
	r.post(strings.Replace(change(6, "2620", "2026-11-22 10:00:01"), `"Name":"Kártya 6"`, `"Name":"Kártya 6","UjMezo":"x"`, 1))
	person := `{"Id":"7506","Type":"Contact","Data":{"Type":"Person","FirstName":"Norbert","Hirlevel":"2011","Napok":5},` +
		`"Changed":["FirstName","UpdatedAt"],"Schema":{"Hirlevel":{"2011":"Igen","2012":"Nem"},"Napok":{"1":"H","2":"K","4":"Sze"}}}`
	business := `{"Id":"7505","Type":"Contact","Data":{"Type":"Business","Name":"MiniCRM Zrt."},"Changed":["Name"]}`
	r.post(person)
	r.post(business)
	r.post(person) // a retry: no second row
	rows := readCSV(t, filepath.Join(r.dir, "Project-10.csv"))
	want := [][]string{
		{"received_at", "key", "Id", "Changed", "CategoryId", "StatusId", "Name", "UpdatedAt", "Other"},
		{"2026-11-22T10:15:03+01:00", rows[1][1], "5", "StatusId, UpdatedAt", "Értékesítés", "Sikeres", "Kártya 5", "2026-11-22 10:00:00", ""},
		{"2026-11-22T10:15:03+01:00", rows[2][1], "6", "StatusId, UpdatedAt", "Értékesítés", "Érdeklődő", "Kártya 6", "2026-11-22 10:00:01", `{"UjMezo":"x"}`},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("Project-10.csv:\n got %q\nwant %q", rows, want)
	}
	p := readCSV(t, filepath.Join(r.dir, "Person.csv"))
	if len(p) != 2 || p[1][2] != "7506" || !reflect.DeepEqual(p[0][4:], []string{"Hirlevel", "Napok", "Type", "FirstName", "Other"}) ||
		!reflect.DeepEqual(p[1][4:8], []string{"Igen", "H, Sze", "Person", "Norbert"}) {
		t.Errorf("Person.csv: %q", p)
	}
	if b := readCSV(t, filepath.Join(r.dir, "Business.csv")); len(b) != 2 || b[1][5] != "MiniCRM Zrt." {
		t.Errorf("Business.csv: %q", b)
	}
	raw, _ := os.ReadFile(filepath.Join(r.dir, "Person.csv"))
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("CSV lines end in CRLF, for Excel")
	}
}

func TestCSVFailureDoesNotLoseTheChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Someone saved Project-10.csv from Excel with another header.
	os.WriteFile(filepath.Join(dir, "Project-10.csv"), []byte("Id;Állapot\r\n"), 0o600)
	r := newRig(t, webhook.Config{Dir: dir, CSV: true})
	if a := r.post(change(5, "2623", "2026-11-22 10:00:00")); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if st := r.rc.Stats(); st.Recorded != 1 || st.CSVErrors != 1 {
		t.Errorf("stats %+v", st)
	}
	if n := len(r.entries()); n != 1 || !strings.Contains(r.logs.String(), "CSV row not written") {
		t.Errorf("%d entries; logs:\n%s", n, r.logs)
	}
}

func TestLogFailureIs500AndClosedIs503(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := newRig(t, webhook.Config{Dir: dir})
	// The day's file cannot be created: a directory holds its name.
	os.Mkdir(filepath.Join(dir, "changes-2026-11-22.ndjson"), 0o700)
	if a := r.post(change(5, "2623", "2026-11-22 10:00:00")); a.status != http.StatusInternalServerError {
		t.Errorf("%d %s", a.status, a.body)
	}
	os.Remove(filepath.Join(dir, "changes-2026-11-22.ndjson"))
	if a := r.post(change(5, "2623", "2026-11-22 10:00:00")); a.status != 200 {
		t.Errorf("MiniCRM's retry: %d %s", a.status, a.body)
	}
	r.rc.Close()
	if a := r.post(change(6, "2623", "2026-11-22 10:00:00")); a.status != http.StatusServiceUnavailable {
		t.Errorf("after Close: %d", a.status)
	}
	if st := r.rc.Stats(); st.Failed != 1 || st.Recorded != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFilesArePrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "changes")
	r := newRig(t, webhook.Config{Dir: dir, CSV: true})
	r.post(change(5, "2623", "2026-11-22 10:00:00"))
	for _, name := range []string{"", "changes-2026-11-22.ndjson", "Project-10.csv"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v; the log holds personal data", name, fi.Mode().Perm())
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestLatestWhenUpdatedAtTies(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{})
	const sec = "2026-11-22 10:00:00"
	created := strings.Replace(change(1, "2620", sec), `"Changed":["StatusId","UpdatedAt"]`, `"Changed":["CreatedAt","StatusId","UpdatedAt"]`, 1)
	// Card 1: created and changed in one second, the change delivered first.
	r.post(change(1, "2623", sec))
	r.post(created)
	// Card 2: two changes in one second; nothing tells which is newer.
	r.post(change(2, "2620", sec))
	r.post(change(2, "2623", sec))
	// Card 3: the same, then a later change settles it.
	r.post(change(3, "2620", sec))
	r.post(change(3, "2623", sec))
	r.post(change(3, "2624", "2026-11-22 10:00:01"))
	changes, err := webhook.Latest(r.dir, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range changes {
		got[c.ID] = fmt.Sprintf("%s %v", c.Payload.Value("StatusId"), c.Uncertain)
	}
	want := map[string]string{"1": "2623 false", "2": "2623 true", "3": "2624 false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPayloadIsKeptAsReceived(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{})
	body := `{"Id": "9", "Type": "Contact", "Data": {"Name": "Kiss & Társa <Kft.>", "Napok": 12.50}, "Changed": ["Name"]}`
	r.post(body)
	raw, err := os.ReadFile(filepath.Join(r.dir, "changes-2026-11-22.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"payload":{"Id":"9","Type":"Contact","Data":{"Name":"Kiss & Társa <Kft.>","Napok":12.50},"Changed":["Name"]}`
	if !strings.Contains(string(raw), want) || !strings.HasSuffix(string(raw), "}\n") || strings.Count(string(raw), "\n") != 1 {
		t.Errorf("line:\n%s\nwant it to hold\n%s", raw, want)
	}
}

// TestCSVNeutralizesFormulas sends values (and a field name) a spreadsheet
// would run: the CSV view people open holds them as text, the changelog
// holds them exact.
func TestCSVNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{CSV: true})
	evil := []string{`=HYPERLINK("http://evil","x")`, `@SUM(1)`, `+1+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`, "\t=1"}
	data := map[string]any{"Type": "Business", "Name": evil[0], "Email": evil[1], "Phone": evil[2], "Url": evil[3], "Description": evil[4], "=Field()": "x"}
	body, _ := json.Marshal(map[string]any{"Id": "9", "Type": "Contact", "Data": data, "Changed": []string{"=cmd|' /C calc'!A0"}})
	if a := r.post(string(body)); a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	rows := readCSV(t, filepath.Join(r.dir, "Business.csv"))
	if len(rows) != 2 {
		t.Fatalf("Business.csv: %q", rows)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	for _, e := range evil {
		if !slices.Contains(rows[1], "'"+e) {
			t.Errorf("the row %q does not hold %q as text", rows[1], e)
		}
	}
	if got := r.entries(); len(got) != 1 || !strings.Contains(string(got[0].Payload), `=HYPERLINK(\"http://evil\"`) {
		t.Errorf("the changelog does not keep the value exact: %+v", got)
	}
}

// TestSlowBodyIsCut sends a body a few bytes short and then nothing: the
// receiver gives up at its BodyTimeout and answers 408, instead of holding
// the connection for good.
func TestSlowBodyIsCut(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.Config{BodyTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", r.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := change(5, "2623", "2026-11-22 10:00:00")
	auth := base64.StdEncoding.EncodeToString([]byte(hookUser + ":" + hookPass))
	fmt.Fprintf(conn, "POST /hook/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		auth, len(body)+10, body)
	// A guard, so that a receiver without the timeout fails the test
	// instead of hanging it; the answer comes long before.
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a body that stopped: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408", res.StatusCode)
	}
	if n := len(r.entries()); n != 0 {
		t.Errorf("%d entries recorded from a cut body", n)
	}
}
