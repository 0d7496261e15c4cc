package restapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

const secretKey = "s3cr3tKEYs3cr3tKEYs3cr3tKEY0042x" // 32 characters, easy to grep for

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	ok := []restapi.Option{restapi.WithSystemID("12345"), restapi.WithAPIKey(secretKey)}
	tests := []struct {
		name string
		opts []restapi.Option
		want string
	}{
		{"no SystemId", []restapi.Option{restapi.WithAPIKey(secretKey)}, "SystemId is not set"},
		{"no key", []restapi.Option{restapi.WithSystemID("12345")}, "API key is not set"},
		{"SystemId not a number", append(ok, restapi.WithSystemID("r3.minicrm.hu/12345")), "not a positive number"},
		{"SystemId zero", append(ok, restapi.WithSystemID("0")), "not a positive number"},
		{"key with a space", append(ok, restapi.WithAPIKey("abc def")), "spaces"},
		{"credentials in the URL", append(ok, restapi.WithBaseURL("https://12345:"+secretKey+"@r3.minicrm.hu")), "contains credentials"},
		{"SystemId in the URL", append(ok, restapi.WithBaseURL("https://r3.minicrm.hu/12345/")), "looks like a SystemId"},
		{"plain http to a remote host", append(ok, restapi.WithBaseURL("http://r3-test.minicrm.hu")), "clear text"},
		{"not http", append(ok, restapi.WithBaseURL("ftp://r3.minicrm.hu")), "https://"},
		{"query in the URL", append(ok, restapi.WithBaseURL("https://r3.minicrm.hu/?x=1")), "query"},
		{"key in the query", append(ok, restapi.WithBaseURL("https://r3.minicrm.hu/?apikey="+secretKey)), "https://r3.minicrm.hu/?apikey=[redacted] must not have a query"},
		{"key as the query", append(ok, restapi.WithBaseURL("https://r3.minicrm.hu/?"+secretKey)), "must not have a query"},
		{"key in the fragment", append(ok, restapi.WithBaseURL("https://r3.minicrm.hu/#"+secretKey)), "must not have a query or fragment"},
		{"user and key", append(ok, restapi.WithBaseURL("https://"+secretKey+"@r3.minicrm.hu")), "https://[redacted]@r3.minicrm.hu contains credentials"},
		{"key in the query of an ftp URL", append(ok, restapi.WithBaseURL("ftp://r3.minicrm.hu/?k="+secretKey)), "https://"},
		{"rpm zero", append(ok, restapi.WithRPM(0)), "positive"},
		{"headroom too big", append(ok, restapi.WithHeadroom(0.9)), "headroom"},
		{"nil HTTP client", append(ok, restapi.WithHTTPClient(nil)), "nil"},
		{"negative retry", append(ok, restapi.WithRetryPolicy(restapi.RetryPolicy{MaxAttempts: -1})), "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := restapi.NewClient(tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}

	c, err := restapi.NewClient(restapi.WithSystemID("012345"), restapi.WithAPIKey(secretKey), restapi.WithTestEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != restapi.TestBaseURL || c.SystemID() != "12345" || c.RPM() != restapi.DefaultRPM {
		t.Errorf("defaults: %s %s %d", c.BaseURL(), c.SystemID(), c.RPM())
	}
	c, err = restapi.NewClient(restapi.WithCredentials(restapi.Credentials{URL: "http://localhost:8080/", SystemID: "7", APIKey: secretKey}))
	if err != nil || c.BaseURL() != "http://localhost:8080" {
		t.Errorf("loopback http: %v, %v", c, err)
	}
	if _, err := restapi.NewClient(append(ok, restapi.WithBaseURL("http://10.0.0.1"), restapi.WithInsecureHTTP())...); err != nil {
		t.Errorf("WithInsecureHTTP: %v", err)
	}
}

func TestConstructionWarnings(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if _, err := restapi.NewClient(restapi.WithSystemID("1234567"), restapi.WithAPIKey("short"), restapi.WithLogger(log)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "more than 5 digits") || !strings.Contains(logs.String(), "not 32 characters") {
		t.Errorf("warnings: %s", logs.String())
	}
	if strings.Contains(logs.String(), "short") {
		t.Errorf("the key was logged: %s", logs.String())
	}
}

func TestAuthFailureTellsSystemIdFromKey(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{APIKey: secretKey})
	ctx := t.Context()

	// A wrong SystemId.
	wrongSystem := e.client(t, restapi.WithSystemID("54321"))
	_, err := wrongSystem.Categories.List(ctx)
	if !errors.Is(err, restapi.ErrUnauthorized) {
		t.Fatalf("wrong SystemId: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"401 Unauthorized", "SystemId 54321", "SystemId", "r3.minicrm.hu/", "32 characters long", "Settings > System"} {
		if !strings.Contains(msg, want) {
			t.Errorf("wrong SystemId: %q lacks %q", msg, want)
		}
	}
	if !strings.Contains(msg, "ismeretlen rendszer azonosító") {
		t.Errorf("wrong SystemId: the server's text is not passed on: %q", msg)
	}

	// A wrong key (one character short).
	wrongKey := e.client(t, restapi.WithAPIKey(secretKey[:31]))
	_, err = wrongKey.Categories.List(ctx)
	if !errors.Is(err, restapi.ErrUnauthorized) {
		t.Fatalf("wrong key: %v", err)
	}
	msg = err.Error()
	for _, want := range []string{"SystemId " + e.system, "31 characters long, MiniCRM keys are 32", "hibás API kulcs"} {
		if !strings.Contains(msg, want) {
			t.Errorf("wrong key: %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, secretKey[:31]) || strings.Contains(msg, secretKey[27:31]) {
		t.Errorf("the message shows (part of) the key: %q", msg)
	}
	// 401 is not retried.
	if got := wrongKey.Stats().Attempts; got != 1 {
		t.Errorf("%d attempts for a 401", got)
	}
}

// TestKeyNeverLeaks provokes every kind of error and log line and checks
// that neither the key nor the Authorization header value shows anywhere.
func TestKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := setup(t, sandbox.Config{APIKey: secretKey}, restapi.WithLogger(log))
	ctx := t.Context()
	basic := base64.StdEncoding.EncodeToString([]byte(e.system + ":" + secretKey))

	var errs []error
	record := func(_ any, err error) {
		if err == nil {
			t.Error("expected an error")
			return
		}
		errs = append(errs, err)
	}
	record(e.c.Contacts.Get(ctx, 999999))                                           // 404
	record(e.c.Contacts.Update(ctx, 7506, restapi.Fields{"KedvencEtele": "Pizza"})) // 400
	record(e.c.Contacts.Purge(ctx, 7506))                                           // 400, JSON body
	record(e.client(t, restapi.WithSystemID("999")).Categories.List(ctx))           // 401
	e.faults(t, sandbox.Faults{FailRate: 1})
	record(e.c.Categories.List(ctx))                                                       // 500, retries exhausted
	record(e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "X Kft."})) // unknown outcome
	e.faults(t, sandbox.Faults{DropRate: 1})
	record(e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "Y Kft."})) // unknown outcome, network
	e.faults(t, sandbox.Faults{Burst429: 1000, BurstEvery: 1})
	pol := fastRetry
	pol.MaxRateLimited = 2
	record(e.client(t, restapi.WithRetryPolicy(pol), restapi.WithLogger(log)).Categories.List(ctx)) // 429
	e.faults(t, sandbox.Faults{})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	record(e.c.Categories.List(cctx))
	e.ts.Close()
	record(e.c.Categories.List(ctx)) // connection refused
	_, err := restapi.NewClient(restapi.WithBaseURL("https://x:"+secretKey+"@host"), restapi.WithSystemID("1"), restapi.WithAPIKey(secretKey))
	errs = append(errs, err)
	_, err = restapi.NewClient(restapi.WithBaseURL("https://host/%zz"+secretKey), restapi.WithSystemID("1"), restapi.WithAPIKey(secretKey))
	errs = append(errs, err)

	var texts []string
	for _, err := range errs {
		texts = append(texts, err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	creds := restapi.Credentials{URL: e.ts.URL, SystemID: e.system, APIKey: secretKey}
	texts = append(texts, e.c.String(), fmt.Sprint(e.c), fmt.Sprintf("%+v", e.c), fmt.Sprintf("%#v", e.c), fmt.Sprintf("%+v", *e.c),
		fmt.Sprintf("%#v", *e.c), creds.String(), fmt.Sprintf("%v %+v %#v", creds, creds, creds), fmt.Sprintf("%+v", &creds),
		e.c.Stats().String(), logs.String())
	slog.New(slog.NewTextHandler(&logs, nil)).Info("values", "client", e.c, "creds", creds)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("values", "client", e.c, "creds", creds)
	texts = append(texts, logs.String())
	for _, s := range texts {
		if strings.Contains(s, secretKey) || strings.Contains(s, basic) {
			t.Errorf("the key leaked: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("retries were not logged: %s", logs.String())
	}
}

// TestQuirks serves answers in the shapes MiniCRM has been seen to use: a
// BOM, numbers as strings, an empty Results array, PurgePerson's JSON.
func TestQuirks(t *testing.T) {
	t.Parallel()
	answers := map[string]string{
		"/Api/R3/Category":     "\xef\xbb\xbf{\"10\":\"Értékesítés\",\"5\":\"Ügyfélszolgálat\",\"3\":\"Partnerek\"}",
		"/Api/R3/Contact":      "\xef\xbb\xbf" + `{"Count":"0","Results":[]}`,
		"/Api/R3/Project":      `{"Count":"2","Results":{"2054":{"Id":"2054","Name":"A","StatusId":"2538","UserId":22404},"2055":{"Id":2055,"Name":"B","StatusId":2521,"Deleted":"0"}}}`,
		"/Api/R3/Contact/7506": "\xef\xbb\xbf" + `{"Id":"7506","Type":"Személy","FirstName":"Norbert","BusinessId":"7505","Deleted":"0","Tags":[],"Custom":1.5}`,
		"/Api/R3/Schema/Person": `{"Id":"Int","Type":{"Business":"Cég","Person":"Személy"},"Empty":[],"Set":{"1":"A","2":"B","4":"C"},` +
			`"Doc":"File(10MB)","Name":"String(50)","Odd":"Geo"}`,
	}
	var gotAuth string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(404)
			io.WriteString(w, "\xef\xbb\xbfApi (GET): Nem található")
			return
		}
		io.WriteString(w, a)
	}))
	t.Cleanup(ts.Close)
	c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID("32001"), restapi.WithAPIKey(secretKey),
		restapi.WithRPM(testRPM), restapi.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	cats, err := c.Categories.List(ctx)
	if err != nil || len(cats) != 3 || cats[0].Id != 10 || cats[1].Name != "Ügyfélszolgálat" {
		t.Errorf("categories (server order kept): %+v, %v", cats, err)
	}
	for _, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		t.Errorf("empty list yielded %v", err)
	}
	var items []restapi.ProjectItem
	for p, err := range c.Projects.Search(ctx, restapi.ProjectSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, p)
	}
	if len(items) != 2 || items[0].Id != 2054 || items[0].StatusId != 2538 || items[1].StatusId != 2521 {
		t.Errorf("projects: %+v", items)
	}
	p, err := c.Contacts.Get(ctx, 7506)
	if err != nil || p.Id != 7506 || p.BusinessId != 7505 || p.Kind() != "Person" || p.Fields["Custom"] == nil {
		t.Errorf("contact: %+v, %v", p, err)
	}
	sch, err := c.Schemas.Person(ctx)
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := sch.Field("Type")
	if k, _ := typ.OptionKey("Cég"); k != "Business" {
		t.Errorf("Type options: %+v", typ)
	}
	kinds := map[string]restapi.FieldKind{"Empty": restapi.KindEnum, "Set": restapi.KindEnum, "Doc": restapi.KindFile,
		"Name": restapi.KindText, "Odd": restapi.KindOther, "Id": restapi.KindInt}
	for name, want := range kinds {
		if f, _ := sch.Field(name); f.Kind != want {
			t.Errorf("%s: kind %s, want %s", name, f.Kind, want)
		}
	}
	if f, _ := sch.Field("Name"); f.MaxLength != 50 {
		t.Errorf("String(50) max length %d", f.MaxLength)
	}
	_, err = c.ToDos.Get(ctx, 5)
	var apiErr *restapi.APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "Api (GET): Nem található" {
		t.Errorf("404 with a BOM: %#v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("32001:"+secretKey))
	if gotAuth != want {
		t.Errorf("Authorization %q", gotAuth)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	calls := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, `{"3":"Partnerek"}`)
	}))
	t.Cleanup(ts.Close)
	pol := fastRetry
	pol.RateLimitDelay, pol.RateLimitMaxDelay = time.Hour, time.Hour // would hang without Retry-After
	c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID("32002"), restapi.WithAPIKey(secretKey),
		restapi.WithRPM(testRPM), restapi.WithRetryPolicy(pol))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := c.Categories.List(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()
	for range 3 {
		if _, err := e.c.Contacts.Get(ctx, 7506); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.Contacts.Update(ctx, 7506, restapi.Fields{"Position": "CEO"}); err != nil {
		t.Fatal(err)
	}
	st := e.c.Stats()
	if st.Requests["GET /Api/R3/Contact/{id}"] != 3 || st.Requests["PUT /Api/R3/Contact/{id}"] != 1 || st.Calls != 4 || st.Attempts != 4 {
		t.Errorf("requests: %+v", st)
	}
	if st.Status[200] != 4 || st.BytesSent == 0 || st.BytesReceived == 0 || st.Latency.Count != 4 || st.Latency.P50 <= 0 ||
		st.Latency.P99 < st.Latency.P50 || st.Latency.Max < st.Latency.P99 {
		t.Errorf("stats: %+v", st)
	}
	if !strings.Contains(st.String(), "GET /Api/R3/Contact/{id}: 3") {
		t.Errorf("String: %s", st)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	// A to-do create with POST is 405 on live systems; the client uses PUT,
	// but a 405 still maps to its sentinel.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(405)
		io.WriteString(w, "ToDo (POST): A metódus nem engedélyezett!")
	}))
	t.Cleanup(ts.Close)
	c, err := restapi.NewClient(restapi.WithBaseURL(ts.URL), restapi.WithSystemID("32003"), restapi.WithAPIKey(secretKey), restapi.WithRPM(testRPM))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ToDos.Create(t.Context(), restapi.Fields{"ProjectId": 1})
	if !errors.Is(err, restapi.ErrMethodNotAllowed) || !strings.Contains(err.Error(), "405 Method Not Allowed: ToDo (POST)") {
		t.Errorf("got %v", err)
	}
}

// listenClosed returns an address nothing listens on.
func listenClosed(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
