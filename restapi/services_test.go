package restapi_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestCategories(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	cats, err := e.c.Categories.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := sandbox.DefaultDataset().Categories
	if len(cats) != len(want) {
		t.Fatalf("got %d categories, want %d: %v", len(cats), len(want), cats)
	}
	byID := map[int]string{}
	for _, c := range cats {
		byID[c.Id] = c.Name
	}
	for _, w := range want {
		if byID[w.Id] != w.Name {
			t.Errorf("category %d: got %q, want %q", w.Id, byID[w.Id], w.Name)
		}
	}

	det, err := e.c.Categories.ListDetailed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(det, func(d restapi.CategoryDetail) bool { return d.Id == 5 })
	if i < 0 || det[i].Type != "HelpDesk" || det[i].Name != "Ügyfélszolgálat" {
		t.Errorf("detailed category 5: %+v", det)
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	person, err := e.c.Schemas.Person(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if person.Entity != "Person" || len(person.Raw) == 0 {
		t.Errorf("entity %q, raw %d bytes", person.Entity, len(person.Raw))
	}
	email, ok := person.Field("Email")
	if !ok || email.Kind != restapi.KindText || email.MaxLength != 128 || email.Type != "Text(128)" {
		t.Errorf("Email field: %+v", email)
	}
	food, ok := person.Field("KedvencEtele")
	if !ok || food.Kind != restapi.KindEnum || len(food.Options) != 4 {
		t.Fatalf("KedvencEtele field: %+v", food)
	}
	if id, ok := food.OptionID("Narancs"); !ok || id != 2002 {
		t.Errorf("OptionID(Narancs) = %d, %v", id, ok)
	}
	if l, ok := food.OptionLabel(2004); !ok || l != "Kolbász" {
		t.Errorf("OptionLabel(2004) = %q, %v", l, ok)
	}
	if f, ok := person.Field("SzuletesiDatum"); !ok || f.Kind != restapi.KindDate {
		t.Errorf("SzuletesiDatum: %+v", f)
	}

	biz, err := e.c.Schemas.Business(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := biz.Field("HitelKeret"); !ok || f.Kind != restapi.KindFloat {
		t.Errorf("HitelKeret: %+v", f)
	}

	proj, err := e.c.Schemas.Get(ctx, "project/10")
	if err != nil {
		t.Fatal(err)
	}
	if proj.Entity != "Project/10" {
		t.Errorf("entity %q", proj.Entity)
	}
	status, ok := proj.Field("StatusId")
	if !ok || status.Kind != restapi.KindEnum {
		t.Fatalf("StatusId: %+v", status)
	}
	if id, _ := status.OptionID("Tárgyalás"); id != 2622 {
		t.Errorf("status Tárgyalás id %d", id)
	}
	if f, ok := proj.Field("KovetkezoHivasIdpontja"); !ok || f.Kind != restapi.KindDateTime {
		t.Errorf("KovetkezoHivasIdpontja: %+v", f)
	}

	if _, err := e.c.Schemas.Project(ctx, 999); !errors.Is(err, restapi.ErrNotFound) {
		t.Errorf("unknown category: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "Projects/3", "Project/x", "Project/0", "Order"} {
		if _, err := restapi.ParseSchemaEntity(bad); err == nil {
			t.Errorf("ParseSchemaEntity(%q) accepted", bad)
		}
	}
	// A saved schema reads back the same offline.
	again, err := restapi.ParseSchema("Person", person.Raw)
	if err != nil || len(again.Fields) != len(person.Fields) {
		t.Errorf("ParseSchema of the saved raw: %v, %d fields", err, len(again.Fields))
	}
}

func TestContactsSearch(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	search := func(o restapi.ContactSearchOptions) []restapi.ContactItem {
		t.Helper()
		var out []restapi.ContactItem
		for c, err := range e.c.Contacts.Search(ctx, o) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	ids := func(items []restapi.ContactItem) []int {
		var out []int
		for _, c := range items {
			out = append(out, c.Id)
		}
		slices.Sort(out)
		return out
	}

	got := search(restapi.ContactSearchOptions{Email: "norbert@minicrm.hu"})
	if len(got) != 1 || got[0].Id != 7506 || got[0].Type != "Person" || got[0].BusinessId != 7505 || got[0].Name != "Leskó Norbert" {
		t.Errorf("by email: %+v", got)
	}
	if got := ids(search(restapi.ContactSearchOptions{Query: "2367532"})); !slices.Equal(got, []int{7506}) {
		t.Errorf("by phone query: %v", got)
	}
	if got := ids(search(restapi.ContactSearchOptions{Query: "lesko"})); !slices.Equal(got, []int{7506}) {
		t.Errorf("by word query: %v", got)
	}
	if got := ids(search(restapi.ContactSearchOptions{Fields: map[string]string{"KedvencEtele": "Alma"}})); !slices.Equal(got, []int{7506}) {
		t.Errorf("by field: %v", got)
	}
	if got := ids(search(restapi.ContactSearchOptions{MainContactId: 7505})); !slices.Equal(got, []int{7505, 7506, 7507}) {
		t.Errorf("by MainContactId: %v", got)
	}
	var businesses []int
	for _, c := range sandbox.DefaultDataset().Contacts {
		if c.Type == "Business" {
			businesses = append(businesses, c.Id)
		}
	}
	slices.Sort(businesses)
	if got := ids(search(restapi.ContactSearchOptions{Type: "Business"})); !slices.Equal(got, businesses) {
		t.Errorf("by Type: %v, want %v", got, businesses)
	}
	if got := search(restapi.ContactSearchOptions{Email: "nobody@nowhere.example"}); len(got) != 0 {
		t.Errorf("no match: %v", got)
	}
	before := time.Now().Add(-2 * time.Second)
	id, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "Friss Kft."})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(search(restapi.ContactSearchOptions{UpdatedSince: before})); !slices.Equal(got, []int{id}) {
		t.Errorf("UpdatedSince before the create: %v, want [%d]", got, id)
	}
	// An unknown search field is the server's 400, with its message.
	_, err = e.c.Contacts.SearchPage(ctx, restapi.ContactSearchOptions{Fields: map[string]string{"NoSuchField": "x"}}, 0)
	var apiErr *restapi.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, restapi.ErrBadRequest) || !strings.Contains(apiErr.Message, "NoSuchField") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestContactsPaging(t *testing.T) {
	t.Parallel()
	const n = 250
	e := setup(t, sandbox.Config{Dataset: manyContacts(n)})
	ctx := t.Context()

	total := n + len(sandbox.DefaultDataset().Contacts)
	seen := map[int]bool{}
	for c, err := range e.c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.Id] {
			t.Fatalf("contact %d yielded twice", c.Id)
		}
		seen[c.Id] = true
	}
	if len(seen) != total {
		t.Errorf("walked %d contacts, want %d", len(seen), total)
	}
	// 250 and a few contacts are 3 pages: the walk stops after the short one.
	if got := e.c.Stats().Requests["GET /Api/R3/Contact"]; got != 3 {
		t.Errorf("%d list requests, want 3", got)
	}

	p, err := e.c.Contacts.SearchPage(ctx, restapi.ContactSearchOptions{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != total || len(p.Items) != total-200 || p.Number != 2 {
		t.Errorf("page 2: Count %d, %d items, Number %d", p.Count, len(p.Items), p.Number)
	}

	// Breaking out of the loop stops fetching.
	before := e.c.Stats().Requests["GET /Api/R3/Contact"]
	for range e.c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		break
	}
	if got := e.c.Stats().Requests["GET /Api/R3/Contact"] - before; got != 1 {
		t.Errorf("break after the first item made %d requests, want 1", got)
	}
}

func TestContactsWrite(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	c, err := e.c.Contacts.Get(ctx, 7506)
	if err != nil {
		t.Fatal(err)
	}
	if c.Id != 7506 || c.Kind() != "Person" || c.FirstName != "Norbert" || c.BusinessId != 7505 || c.Fields["KedvencEtele"] != "Alma" {
		t.Errorf("contact 7506: %+v", c)
	}
	if b, _ := e.c.Contacts.Get(ctx, 7505); b == nil || b.Kind() != "Business" || b.Name != "MiniCRM Zrt." {
		t.Errorf("contact 7505: %+v", b)
	}

	id, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Péter", "LastName": "Kovács",
		"Email": "kovacs.peter@example.com", "BusinessId": 7505, "KedvencEtele": "Sajt"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Contacts.Update(ctx, id, restapi.Fields{"Email": "kovacs.peter+2@example.com", "KedvencEtele": 2001}); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.Contacts.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "kovacs.peter+2@example.com" || got.Fields["KedvencEtele"] != "Alma" || got.LastName != "Kovács" {
		t.Errorf("after update: %+v", got)
	}
	// The record marshals as received.
	if b, _ := got.MarshalJSON(); !strings.Contains(string(b), `"KedvencEtele":"Alma"`) {
		t.Errorf("MarshalJSON: %s", b)
	}

	_, err = e.c.Contacts.Update(ctx, id, restapi.Fields{"KedvencEtele": "Pizza"})
	var apiErr *restapi.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "Pizza") ||
		!strings.HasPrefix(apiErr.Message, "Contact (PUT): ") || apiErr.Endpoint != fmt.Sprintf("/Api/R3/Contact/%d", id) {
		t.Errorf("invalid enum value: %#v", err)
	}
	if _, err := e.c.Contacts.Get(ctx, 999999); !errors.Is(err, restapi.ErrNotFound) {
		t.Errorf("missing contact: %v", err)
	}
	if _, err := e.c.Contacts.Create(ctx, restapi.Fields{"FirstName": "NoType"}); err == nil {
		t.Error("create without Type accepted")
	}
	if _, err := e.c.Contacts.Get(ctx, 0); err == nil {
		t.Error("Get(0) accepted")
	}
}

func TestContactsPurge(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	id, err := e.c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Temp", "BusinessId": 7505})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := e.c.Contacts.Purge(ctx, id)
	if err != nil || msg == "" {
		t.Fatalf("purge: %q, %v", msg, err)
	}
	if _, err := e.c.Contacts.Get(ctx, id); !errors.Is(err, restapi.ErrNotFound) {
		t.Errorf("purged contact still there: %v", err)
	}
	// 7506 is a card's primary contact: refused with a JSON message.
	_, err = e.c.Contacts.Purge(ctx, 7506)
	var apiErr *restapi.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || strings.Contains(apiErr.Message, "{") || apiErr.Message == "" {
		t.Errorf("purging a primary contact: %v", err)
	}
}

func TestProjects(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	var ids []int
	for p, err := range e.c.Projects.Search(ctx, restapi.ProjectSearchOptions{CategoryId: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Id)
		if p.Id == 2056 && (p.StatusId != 2622 || p.UserId != 22404 || p.ContactId != 7506 || p.BusinessId != 7505) {
			t.Errorf("list item 2056: %+v", p)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int{2001, 2056, 29592}) {
		t.Errorf("category 10 cards: %v", ids)
	}

	p, err := e.c.Projects.Get(ctx, 2056)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "Tárgyalás" || p.User != "Leskó Norbert" || p.CategoryId != 10 || p.Fields["AutoSalesV3_Qualification"] != "VIP" {
		t.Errorf("card 2056: %+v", p)
	}

	newID, err := e.c.Projects.Create(ctx, restapi.Fields{"Name": "Teszt kártya", "UserId": "Keszei Csaba", "CategoryId": 10,
		"ContactId": 7507, "StatusId": "Érdeklődő", "ReferenceId": "ext-42"})
	if err != nil {
		t.Fatal(err)
	}
	byRef, err := e.c.Projects.GetByReferenceId(ctx, "ext-42")
	if err != nil {
		t.Fatal(err)
	}
	if byRef.Id != newID || byRef.ReferenceId != "ext-42" {
		t.Errorf("by ReferenceId: %+v", byRef)
	}
	if _, err := e.c.Projects.GetByReferenceId(ctx, "no-such-ref"); !errors.Is(err, restapi.ErrNotFound) {
		t.Errorf("unknown ReferenceId: %v", err)
	}
	// A search by ReferenceId alone stays a list (Page=0 is sent).
	n := 0
	for item, err := range e.c.Projects.Search(ctx, restapi.ProjectSearchOptions{ReferenceId: "ext-42"}) {
		if err != nil {
			t.Fatal(err)
		}
		if item.Id != newID {
			t.Errorf("search by ReferenceId: %+v", item)
		}
		n++
	}
	if n != 1 {
		t.Errorf("search by ReferenceId: %d cards", n)
	}

	if _, err := e.c.Projects.Update(ctx, newID, restapi.Fields{"StatusId": 2621, "VarhatoArbevetel": 500000}); err != nil {
		t.Fatal(err)
	}
	hist, err := e.c.Projects.History(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].OldStatusId != 0 || hist[0].NewStatusId != 2620 || hist[1].OldStatusId != 2620 ||
		hist[1].NewStatusId != 2621 || hist[1].NewStatusName != "Ajánlat kiküldve" || hist[1].ProjectId != newID {
		t.Errorf("history: %+v", hist)
	}
	if _, err := e.c.Projects.Update(ctx, newID, restapi.Fields{"CategoryId": 3}); !errors.Is(err, restapi.ErrBadRequest) {
		t.Errorf("changing CategoryId: %v", err)
	}
}

func TestToDos(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	list, err := e.c.ToDos.List(ctx, 2001, restapi.ToDoListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Id != 1111 || list[1].Type != 1566 || list[1].UserId != 22404 {
		t.Errorf("to-do list: %+v", list)
	}
	td, err := e.c.ToDos.Get(ctx, 1111)
	if err != nil {
		t.Fatal(err)
	}
	if td.ProjectId != 2001 || td.User != "Keszei Csaba" || td.Status != "Open" || td.Members == nil && td.Fields["Members"] == nil {
		t.Errorf("to-do 1111: %+v", td)
	}

	id, err := e.c.ToDos.Create(ctx, restapi.Fields{"ProjectId": 2001, "UserId": "Keszei Csaba", "Comment": "Teendő szövege",
		"Deadline": "2019-07-25 13:30:00"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ToDos.Update(ctx, id, restapi.Fields{"Comment": "Módosított"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ToDos.Update(ctx, id, restapi.Fields{"Status": "Closed"}); err != nil {
		t.Fatal(err)
	}
	open, err := e.c.ToDos.List(ctx, 2001, restapi.ToDoListOptions{Status: "Open"})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 {
		t.Errorf("open to-dos after closing the new one: %+v", open)
	}
	if _, err := e.c.ToDos.Update(ctx, id, restapi.Fields{"Comment": "again"}); !errors.Is(err, restapi.ErrBadRequest) {
		t.Errorf("changing a closed to-do: %v", err)
	}
	if _, err := e.c.ToDos.Create(ctx, restapi.Fields{"Comment": "no card"}); err == nil {
		t.Error("to-do without ProjectId accepted")
	}
}

// documentsServed reports whether the sandbox serves the Order/Invoice/Offer
// endpoints (sandbox/documents.go); a route it does not know is counted
// under "(unknown)".
func documentsServed(t *testing.T, e *env) bool {
	t.Helper()
	_, _ = e.c.Orders.Get(context.Background(), 1)
	return e.srv.Stats().Requests["GET (unknown)"] == 0
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	// The routes are part of the sandbox's contract: a test that skipped
	// without them would pass with the document API gone.
	if !documentsServed(t, e) {
		t.Fatal("the sandbox does not serve /Api/Order (sandbox/documents.go: documentRoutes): the document routes are broken")
	}
	ctx := t.Context()
	start := time.Now().Add(-time.Second)

	order, err := e.c.Orders.Create(ctx, restapi.Fields{"CustomerId": 225, "CurrencyCode": "HUF", "Subject": "",
		"Items": []any{map[string]any{"SKU": "", "Name": "Optikai kábel", "PriceNet": "500.00", "Quantity": "15.00", "Unit": "m", "VAT": "27"}}})
	if err != nil {
		t.Fatal(err)
	}
	if order.Id <= 0 || len(order.Items) != 1 || order.Items[0].Name != "Optikai kábel" {
		t.Fatalf("created order: %+v", order)
	}
	got, err := e.c.Orders.Get(ctx, order.Id.Int())
	if err != nil {
		t.Fatal(err)
	}
	if got.Id != order.Id || got.CustomerId != 225 || got.CurrencyCode != "HUF" {
		t.Errorf("order: %+v", got)
	}
	upd, err := e.c.Orders.Update(ctx, order.Id.Int(), restapi.Fields{"CustomerId": 225, "Subject": "Call him first"})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Subject != "Call him first" {
		t.Errorf("updated subject: %q", upd.Subject)
	}
	if _, err := e.c.Orders.UpdateProject(ctx, order.Id.Int(), restapi.Fields{"SzallitasExtraInfo": "9-12"}); err != nil {
		t.Error(err)
	}
	if _, err := e.c.Orders.Finalize(ctx, order.Id.Int()); err != nil {
		t.Error(err)
	}
	// Paid is only allowed from Completed or Failed.
	if _, err := e.c.Orders.Paid(ctx, order.Id.Int()); !errors.Is(err, restapi.ErrMethodNotAllowed) {
		t.Errorf("Paid from In progress: %v, want ErrMethodNotAllowed", err)
	}

	inv, err := e.c.Invoices.Create(ctx, restapi.Fields{"Type": "Invoice", "CustomerId": 225, "PaymentMethod": "Cash",
		"CurrencyCode": "HUF", "Items": []any{map[string]any{"Name": "Példa tétel", "PriceNet": "1000", "VAT": "27%", "Quantity": "2", "Unit": "darab"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Invoices.Get(ctx, inv.Id.Int()); err != nil {
		t.Error(err)
	}
	offer, err := e.c.Offers.Create(ctx, restapi.Fields{"CustomerId": 225, "Type": "Offer", "CurrencyCode": "HUF",
		"Items": []any{map[string]any{"Name": "testr", "PriceNet": "23", "Quantity": "1", "Unit": "darab", "VAT": "27%"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Offers.Get(ctx, offer.Id.Int()); err != nil {
		t.Error(err)
	}
	if _, err := e.c.Orders.Get(ctx, 99999999); !errors.Is(err, restapi.ErrNotFound) {
		t.Errorf("missing order: %v", err)
	}
	if _, err := e.c.Orders.Create(ctx, restapi.Fields{"CurrencyCode": "HUF"}); err == nil {
		t.Error("order without CustomerId or ReferenceId accepted")
	}

	// The rest of an order's life: back to draft, add and delete a line,
	// then through In progress and Completed to Paid, and Storno to Failed.
	oid := order.Id.Int()
	if _, err := e.c.Orders.Edit(ctx, oid); err != nil {
		t.Fatal(err)
	}
	two, err := e.c.Orders.Update(ctx, oid, restapi.Fields{"CustomerId": 225,
		"Items": []any{map[string]any{"Name": "Cisco IP telefon", "PriceNet": "15000.00", "Quantity": "2.00", "Unit": "darab", "VAT": "27"}}})
	if err != nil || len(two.Items) != 2 {
		t.Fatalf("adding a line: %+v, %v", two, err)
	}
	one, err := e.c.Orders.DeleteItem(ctx, oid, two.Items[1].Id.Int())
	if err != nil || len(one.Items) != 1 || one.AmountNet == two.AmountNet {
		t.Fatalf("deleting a line: %+v, %v", one, err)
	}
	for _, step := range []func(context.Context, int) (*restapi.Document, error){e.c.Orders.Finalize, e.c.Orders.Complete,
		e.c.Orders.Paid, e.c.Orders.Storno} {
		if _, err := step(ctx, oid); err != nil {
			t.Fatal(err)
		}
	}
	// Seed documents of the data set: order 44, invoice 12, offer 932.
	if o, err := e.c.Orders.Get(ctx, 44); err != nil || o.ProjectId != 206 || o.Items[0].PriceNet != "500.00" {
		t.Errorf("order 44: %+v, %v", o, err)
	}

	if _, err := e.c.Invoices.UpdateProject(ctx, inv.Id.Int(), restapi.Fields{"SzamlaMegjegyzes": "Teszt"}); err != nil {
		t.Error(err)
	}
	paid, err := e.c.Invoices.Paid(ctx, inv.Id.Int(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if paid.Paid == "" || paid.Paid == "0000-00-00" {
		t.Errorf("paid invoice: Paid %q", paid.Paid)
	}
	storno, err := e.c.Invoices.Storno(ctx, inv.Id.Int())
	if err != nil {
		t.Fatal(err)
	}
	if storno.Id == inv.Id {
		t.Errorf("storno answered the cancelled invoice, not the storno invoice: %+v", storno)
	}

	o, err := e.c.Offers.UpdateProject(ctx, offer.Id.Int(), restapi.Fields{"StatusId": "Elfogadott"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Project["StatusId"] != "3042" {
		t.Errorf("offer status: %v", o.Project)
	}

	// A document create is never resent after a 500.
	e.faults(t, sandbox.Faults{FailRate: 1})
	before := e.srv.Stats().Total
	if _, err := e.c.Invoices.Create(ctx, restapi.Fields{"CustomerId": 225, "CurrencyCode": "HUF", "Items": []any{}}); !errors.Is(err, restapi.ErrUnknownOutcome) {
		t.Errorf("invoice create under 500s: %v", err)
	}
	if _, err := e.c.Orders.Update(ctx, oid, restapi.Fields{"CustomerId": 225, "Items": []any{map[string]any{"Name": "new"}}}); !errors.Is(err, restapi.ErrUnknownOutcome) {
		t.Errorf("order update adding a line under 500s: %v", err)
	}
	if got := e.srv.Stats().Total - before; got != 2 {
		t.Errorf("%d requests for two unsafe calls", got)
	}
	e.faults(t, sandbox.Faults{})

	t.Run("List", func(t *testing.T) {
		list := func(seq iter.Seq2[restapi.DocumentSummary, error]) map[int]restapi.DocumentSummary {
			t.Helper()
			out := map[int]restapi.DocumentSummary{}
			for d, err := range seq {
				if err != nil {
					t.Fatal(err)
				}
				if _, dup := out[d.Id.Int()]; dup {
					t.Errorf("document %d listed twice", d.Id.Int())
				}
				out[d.Id.Int()] = d
			}
			return out
		}
		// The order went Draft → … → Paid → Failed; its one line is 15 m
		// at 500 + 27% VAT.
		orders := list(e.c.Orders.List(ctx, restapi.DocumentListOptions{}))
		o, ok := orders[oid]
		if !ok {
			t.Fatalf("order %d not listed: %v", oid, orders)
		}
		if o.ProjectId != order.ProjectId || o.Number != order.Number || o.CurrencyCode != "HUF" ||
			o.AmountNet != "7500.0000" || o.AmountVat != "2025.0000" || o.Amount != "9525.0000" ||
			o.StatusGroup != "Failed" || o.Status == "" {
			t.Errorf("order summary: %+v", o)
		}
		if _, ok := orders[44]; ok {
			t.Errorf("seed order 44, a draft (Piszkozat), listed: %v", orders)
		}
		if failed := list(e.c.Orders.List(ctx, restapi.DocumentListOptions{StatusGroup: "Failed"})); len(failed) != 1 || failed[oid].Id != order.Id {
			t.Errorf("StatusGroup Failed: %v", failed)
		}
		// A draft order is not issued yet; finalized, it is listed (Open).
		draft, err := e.c.Orders.Create(ctx, restapi.Fields{"CustomerId": 225, "CurrencyCode": "HUF"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := list(e.c.Orders.List(ctx, restapi.DocumentListOptions{}))[draft.Id.Int()]; ok {
			t.Errorf("draft order %d listed", draft.Id.Int())
		}
		if _, err := e.c.Orders.Finalize(ctx, draft.Id.Int()); err != nil {
			t.Fatal(err)
		}
		if open := list(e.c.Orders.List(ctx, restapi.DocumentListOptions{StatusGroup: "Open"})); len(open) != 1 || open[draft.Id.Int()].StatusGroup != "Open" {
			t.Errorf("StatusGroup Open: %v", open)
		}

		// The invoice (2 × 1000 + 27%) was paid, then cancelled by a storno
		// invoice.
		invoices := list(e.c.Invoices.List(ctx, restapi.DocumentListOptions{}))
		i, s := invoices[inv.Id.Int()], invoices[storno.Id.Int()]
		if i.Id != inv.Id || i.AmountNet != "2000.0000" || i.AmountVat != "540.0000" || i.Amount != "2540.0000" ||
			i.StatusGroup != "Failed" || i.Paid != paid.Paid || i.Number != inv.Number || i.DocumentUrl == "" {
			t.Errorf("invoice summary: %+v", i)
		}
		if s.Id != storno.Id || s.StornedId != inv.Id {
			t.Errorf("storno summary: %+v", s)
		}
		if _, ok := invoices[12]; !ok {
			t.Errorf("seed invoice 12 not listed: %v", invoices)
		}
		if got := list(e.c.Invoices.List(ctx, restapi.DocumentListOptions{StatusGroup: "Success"})); got[inv.Id.Int()].Id != 0 {
			t.Errorf("cancelled invoice under StatusGroup Success: %v", got)
		}

		offers := list(e.c.Offers.List(ctx, restapi.DocumentListOptions{StatusGroup: "Success"}))
		if of := offers[offer.Id.Int()]; of.Id != offer.Id || of.Status != "Elfogadott" || of.Type != "Offer" ||
			of.AmountNet != "23.0000" || of.Amount != "29.2100" {
			t.Errorf("accepted offer: %+v (of %v)", of, offers)
		}
		if _, ok := offers[932]; ok {
			t.Errorf("seed offer 932 is not in a Success status: %v", offers)
		}

		// UpdatedSince: everything above changed within the test.
		if got := list(e.c.Offers.List(ctx, restapi.DocumentListOptions{UpdatedSince: time.Now().Add(time.Hour)})); len(got) != 0 {
			t.Errorf("UpdatedSince an hour ahead: %v", got)
		}
		if got := list(e.c.Orders.List(ctx, restapi.DocumentListOptions{UpdatedSince: start})); got[oid].Id != order.Id {
			t.Errorf("UpdatedSince the start of the test: %v", got)
		}

		// An unknown StatusGroup is the server's 400.
		for _, err := range e.c.Orders.List(ctx, restapi.DocumentListOptions{StatusGroup: "Closed"}) {
			if !errors.Is(err, restapi.ErrBadRequest) {
				t.Errorf("StatusGroup Closed: %v", err)
			}
		}
	})
}
