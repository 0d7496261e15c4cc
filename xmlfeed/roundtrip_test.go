package xmlfeed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// TestRoundTrip: CSV → feed → the sandbox (Upload, then Pull from a
// loopback file server) → read back through REST: every value of every
// card, its contact and its company is what the feed said.
func TestRoundTrip(t *testing.T) {
	e := newEnv(t, sandbox.Config{SyncFeedPerHour: -1})
	ctx := context.Background()
	dir := t.TempDir()
	snap, err := xmlfeed.OpenSnapshot(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	opts := xmlfeed.BuildOptions{Snapshot: snap, Scope: "cards"}
	out := filepath.Join(dir, "feed.xml")
	sum, _, _ := build(t, e, "", out, opts)
	if sum.Written != 4 {
		t.Fatalf("summary %+v", sum)
	}
	push := func(f xmlfeed.FeedFile) {
		t.Helper()
		fh, err := os.Open(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if _, err := e.client.SyncFeed.Upload(ctx, 119, fh); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := snap.Promote(f.SHA256); !ok || err != nil {
			t.Fatalf("promote: %v %v", ok, err)
		}
	}
	push(sum.Files[0])
	e.wait(t)
	if o := e.srv.Feeds()[0]; o.Created != 4 || o.Failed != 0 {
		t.Fatalf("outcome %+v", o)
	}
	schemas, err := crm.FetchSchemas(ctx, e.client, mustLoad(t).SchemaNeeds())
	if err != nil {
		t.Fatal(err)
	}
	compareFeed(t, e.client, schemas, out)

	// One value changes; the partial feed is published and MiniCRM (the
	// sandbox) downloads it.
	src := filepath.Join(dir, "cards.csv")
	orig, err := os.ReadFile(filepath.Join(testdata, "cards.csv"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(orig), "Minta és Társa Bt.;87654321-1-13;Nagy;Ödön;nagy.odon@minta.hu;0036 1 555 0100;U-1003;Karbantartás;90 000;Hirdetés;Érdeklődő",
		"Minta és Társa Bt.;87654321-1-13;Nagy;Ödön;nagy.odon@minta.hu;0036 1 555 0100;U-1003;Karbantartás;95 000;Hirdetés;Tárgyalás", 1)
	if err := os.WriteFile(src, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, _, _ = build(t, e, src, out, opts)
	if sum.Written != 1 || sum.Unchanged != 3 {
		t.Fatalf("partial: %+v", sum)
	}
	host := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer host.Close()
	if _, err := e.client.SyncFeed.Pull(ctx, host.URL+"/feed.xml"); err != nil {
		t.Fatal(err)
	}
	e.wait(t)
	if o := e.srv.Feeds()[1]; o.Via != "source" || o.Cards != 1 || o.Updated != 1 {
		t.Fatalf("outcome %+v", o)
	}
	compareFeed(t, e.client, schemas, out)
	p, err := e.client.Projects.GetByReferenceId(ctx, "OPP-1003")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "Tárgyalás" || fmt.Sprint(p.Fields["VarhatoArbevetel"]) != "95000" {
		t.Errorf("after the partial feed: %s %v", p.Status, p.Fields["VarhatoArbevetel"])
	}
	// The other cards were not touched.
	if st := e.srv.Stats(); st.FeedCards != 5 {
		t.Errorf("FeedCards %d, want 4 created + 1 updated", st.FeedCards)
	}
}

func mustLoad(t *testing.T) *mapping.Mapping {
	t.Helper()
	m, err := mapping.Load(cardsMapping)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// compareFeed reads every card of a feed back through REST and compares
// each value, resolving dropdown ids to the labels detail records show.
func compareFeed(t *testing.T, c *restapi.Client, s *mapping.Schemas, path string) {
	t.Helper()
	ctx := context.Background()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, card := range readAll(t, doc) {
		p, err := c.Projects.GetByReferenceId(ctx, card.ID)
		if err != nil {
			t.Fatalf("%s: %v", card.ID, err)
		}
		cat, _ := card.Field("CategoryId")
		cardSchema := s.Projects[p.CategoryId]
		if strconv.Itoa(p.CategoryId) != cat || cardSchema == nil {
			t.Fatalf("%s: module %d, want %s", card.ID, p.CategoryId, cat)
		}
		for _, f := range card.Fields {
			if f.Name == "CategoryId" {
				continue
			}
			same(t, card.ID+"/"+f.Name, cardSchema, f, p.Fields[f.Name])
		}
		person, err := c.Contacts.Get(ctx, p.ContactId)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range card.Contacts[0].Fields {
			same(t, card.ID+"/Contact/"+f.Name, s.Person, f, person.Fields[f.Name])
		}
		if person.Fields["ReferenceId"] != card.Contacts[0].ID {
			t.Errorf("%s: the person's ReferenceId is %v, want the Contact Id %s", card.ID, person.Fields["ReferenceId"], card.Contacts[0].ID)
		}
		business, err := c.Contacts.Get(ctx, p.BusinessId)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range card.Business.Fields {
			same(t, card.ID+"/Business/"+f.Name, s.Business, f, business.Fields[f.Name])
		}
		if person.BusinessId != business.Id {
			t.Errorf("%s: the person is not in the company", card.ID)
		}
	}
}

// same compares a feed value with what a detail record shows: dropdowns
// as labels, numbers as JSON numbers.
func same(t *testing.T, what string, sch *restapi.Schema, f xmlfeed.Field, got any) {
	t.Helper()
	want := f.Value
	sf, ok := sch.Field(f.Name)
	if !ok {
		t.Errorf("%s: not in the schema", what)
		return
	}
	switch {
	case sf.Kind == restapi.KindEnum:
		id, _ := strconv.ParseInt(want, 10, 64)
		want, _ = sf.OptionLabel(id)
	case sf.Kind == restapi.KindInt || sf.Kind == restapi.KindFloat:
		if n, ok := got.(float64); ok {
			got = mapping.FormatNumber(n)
		}
	}
	if fmt.Sprint(got) != want {
		t.Errorf("%s: MiniCRM has %q, the feed said %q", what, got, want)
	}
}
