package restapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestRequestWire: a typed request goes out as exactly the bytes of the
// Fields map callers built by hand before (one flat object, keys sorted),
// members left at zero not sent.
func TestRequestWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  any
		same restapi.Fields
		want string
	}{
		{"business", restapi.ContactRequest{Type: "Business", Fields: restapi.Fields{"Name": "Példa Kft.", "VatNumber": "12345678-2-41"}},
			restapi.Fields{"Type": "Business", "Name": "Példa Kft.", "VatNumber": "12345678-2-41"},
			`{"Name":"Példa Kft.","Type":"Business","VatNumber":"12345678-2-41"}`},
		{"person of a company", restapi.ContactRequest{Type: "Person", BusinessId: 7505, Fields: restapi.Fields{"FirstName": "Anna", "Employees": int64(3)}},
			restapi.Fields{"Type": "Person", "BusinessId": 7505, "FirstName": "Anna", "Employees": int64(3)},
			`{"BusinessId":7505,"Employees":3,"FirstName":"Anna","Type":"Person"}`},
		{"person of no company", restapi.ContactRequest{Type: "Person", Fields: restapi.Fields{"FirstName": "Anna"}},
			restapi.Fields{"Type": "Person", "FirstName": "Anna"}, `{"FirstName":"Anna","Type":"Person"}`},
		{"contact update, no type", restapi.ContactRequest{Fields: restapi.Fields{"Email": "a@b.hu"}},
			restapi.Fields{"Email": "a@b.hu"}, `{"Email":"a@b.hu"}`},
		{"card", restapi.ProjectRequest{CategoryId: 10, ContactId: 7506, Fields: restapi.Fields{"Name": "Ajánlat", "StatusId": int64(2620), "Amount": 1.5}},
			restapi.Fields{"CategoryId": 10, "ContactId": 7506, "Name": "Ajánlat", "StatusId": int64(2620), "Amount": 1.5},
			`{"Amount":1.5,"CategoryId":10,"ContactId":7506,"Name":"Ajánlat","StatusId":2620}`},
		{"card moved to another contact", restapi.ProjectRequest{ContactId: 7, Fields: restapi.Fields{}},
			restapi.Fields{"ContactId": 7}, `{"ContactId":7}`},
	} {
		got, err := json.Marshal(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := json.Marshal(tc.same)
		if string(got) != tc.want || !bytes.Equal(got, old) {
			t.Errorf("%s: %s\nwant %s\n(hand-built: %s)", tc.name, got, tc.want, old)
		}
	}
}

// bodies records the bodies of the requests a client sends.
type bodies struct {
	mu  sync.Mutex
	got []string
	rt  http.RoundTripper
}

func (b *bodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		b.got = append(b.got, string(data))
		b.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(data))
	}
	return b.rt.RoundTrip(r)
}

// TestRequestsAgainstTheSandbox sends typed creates and updates through
// the client: the bytes on the wire are the hand-built ones, and MiniCRM's
// emulator files the records where the typed members say.
func TestRequestsAgainstTheSandbox(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	rec := &bodies{rt: http.DefaultTransport}
	c := e.client(t, restapi.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := t.Context()

	person, err := c.Contacts.Create(ctx, restapi.ContactRequest{Type: "Person", BusinessId: 7505,
		Fields: restapi.Fields{"FirstName": "Péter", "LastName": "Kovács"}})
	if err != nil {
		t.Fatal(err)
	}
	card, err := c.Projects.Create(ctx, restapi.ProjectRequest{CategoryId: 10, ContactId: person,
		Fields: restapi.Fields{"Name": "Kovács – ajánlat", "UserId": 22404, "StatusId": 2620}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Update(ctx, person, restapi.ContactRequest{Fields: restapi.Fields{"Position": "Vezető"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Create(ctx, restapi.ContactRequest{Fields: restapi.Fields{"FirstName": "NoType"}}); err == nil {
		t.Error("a ContactRequest without Type was sent")
	}
	p, err := c.Contacts.Get(ctx, person)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind() != "Person" || p.BusinessId != 7505 || p.Fields["Position"] != "Vezető" {
		t.Errorf("person: kind %q business %d position %v", p.Kind(), p.BusinessId, p.Fields["Position"])
	}
	pr, err := c.Projects.Get(ctx, card)
	if err != nil {
		t.Fatal(err)
	}
	if pr.CategoryId != 10 || pr.ContactId != person {
		t.Errorf("card: category %d contact %d", pr.CategoryId, pr.ContactId)
	}
	want := []string{
		`{"BusinessId":7505,"FirstName":"Péter","LastName":"Kovács","Type":"Person"}`,
		`{"CategoryId":10,"ContactId":` + itoa(person) + `,"Name":"Kovács – ajánlat","StatusId":2620,"UserId":22404}`,
		`{"Position":"Vezető"}`,
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var sent []string
	for _, b := range rec.got {
		if b != "" {
			sent = append(sent, b)
		}
	}
	if len(sent) != len(want) {
		t.Fatalf("bodies sent: %q", sent)
	}
	for i := range want {
		if sent[i] != want[i] {
			t.Errorf("body %d: %s\nwant %s", i, sent[i], want[i])
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
