package restapi_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestAddresses(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	list, err := e.c.Addresses.List(ctx, 7505)
	if err != nil {
		t.Fatal(err)
	}
	want := []restapi.AddressSummary{
		{Id: 8002, Display: "Központi iroda (1123 Budapest, Példa utca 1., Hungary)"},
		{Id: 8003, Display: "Számlázás (1123 Budapest, Példa utca 1. 3. em., Hungary)"},
	}
	if !slices.Equal(list, want) {
		t.Errorf("List(7505) = %+v, want %+v", list, want)
	}
	st, err := e.c.Addresses.ListStructured(ctx, 225)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Id != 8001 || st[0].Address != "9245 Mosonszolnok, Alkotás u. 49., Győr-Moson-Sopron, Hungary" ||
		st[0].Url != e.ts.URL+"/Api/R3/Address/8001" {
		t.Errorf("ListStructured(225) = %+v", st)
	}
	if none, err := e.c.Addresses.List(ctx, 7507); err != nil || len(none) != 0 {
		t.Errorf("List(7507) = %v, %v; want none", none, err)
	}

	id, err := e.c.Addresses.Create(ctx, restapi.Fields{"ContactId": 7507, "Name": "Iroda", "Type": "Telephely",
		"CountryId": "Ausztria", "PostalCode": "1010", "City": "Wien", "Address": "Ring 1."})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.c.Addresses.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Id != id || a.ContactId != 7507 || a.Type != "Telephely" || a.CountryId != "Austria" || a.City != "Wien" || !a.Default ||
		a.CreatedBy != "Leskó Norbert" || a.Fields["PostalCode"] != "1010" {
		t.Errorf("Get(%d) = %+v", id, a)
	}
	if _, err := e.c.Addresses.Update(ctx, id, restapi.Fields{"PostalCode": "1011"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.c.Addresses.Get(ctx, id); a.PostalCode != "1011" {
		t.Errorf("after Update: %+v", a)
	}
	var apiErr *restapi.APIError
	_, err = e.c.Addresses.Update(ctx, id, restapi.Fields{"ContactId": 7506})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Message != "Address (PUT): A(z) ContactId mező nem módosítható." {
		t.Errorf("moving an address: %v", err)
	}
	_, err = e.c.Addresses.Get(ctx, 999999)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("Get(999999): %v", err)
	}

	// Checked before any request.
	before := e.srv.Stats().Total
	if _, err := e.c.Addresses.Create(ctx, restapi.Fields{"Name": "x"}); err == nil {
		t.Error("Create without ContactId passed")
	}
	if _, err := e.c.Addresses.Create(ctx, restapi.Fields{"ContactId": 7507}); err == nil {
		t.Error("Create without Name passed")
	}
	if _, err := e.c.Addresses.List(ctx, 0); err == nil {
		t.Error("List(0) passed")
	}
	if n := e.srv.Stats().Total - before; n != 0 {
		t.Errorf("refused calls sent %d requests", n)
	}
	// One request per call: the counts are exact.
	req := e.srv.Stats().Requests
	for k, n := range map[string]int{"PUT /Api/R3/Address": 1, "PUT /Api/R3/Address/{id}": 2, "GET /Api/R3/Address/{id}": 3,
		"GET /Api/R3/AddressList/{id}": 3} {
		if req[k] != n {
			t.Errorf("%s: %d requests, want %d", k, req[k], n)
		}
	}
}

func TestTemplatesEmails(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	items, err := e.c.Templates.List(ctx, 10, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Id != 8113 || items[0].Type != "Email" || items[1].Type != "Todo" ||
		items[1].Url != e.ts.URL+"/Api/R3/Template/8114" {
		t.Errorf("TemplateList/10 = %+v", items)
	}
	since, _ := restapi.ParseTime("2019-01-01 00:00:00")
	if items, err := e.c.Templates.List(ctx, 10, since); err != nil || len(items) != 1 || items[0].Id != 8114 {
		t.Errorf("TemplateList/10 since 2019: %+v, %v", items, err)
	}
	tpl, err := e.c.Templates.Get(ctx, 8114)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.CategoryId != 10 || tpl.Type != "To do" || tpl.Subject != "Visszahívás (Értékesítés)" || !slices.Equal(tpl.Folders, []int{9010}) {
		t.Errorf("Template/8114 = %+v", tpl)
	}

	mails, err := e.c.Emails.List(ctx, 2056, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 || mails[0].Id != 8201 || mails[0].Status != "Opened" || mails[0].OpenedAt != "2018-02-15 10:02:11" ||
		mails[1].Subject != "Emlékeztető: tárgyalás" || mails[1].OpenedAt != "" {
		t.Errorf("EmailList/2056 = %+v", mails)
	}
	if mails, err := e.c.Emails.List(ctx, 2001, time.Time{}); err != nil || len(mails) != 0 {
		t.Errorf("EmailList/2001 = %+v, %v", mails, err)
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	id, err := e.c.Products.Put(ctx, restapi.Fields{"Name": "Kábel", "SKU": "K-9", "PriceNet": 10})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.c.Products.Put(ctx, restapi.Fields{"SKU": "K-9", "Quantity": 4})
	if err != nil || again != id {
		t.Errorf("Put by an existing SKU: %d, %v; want %d", again, err, id)
	}
	if _, err := e.c.Products.Update(ctx, id, restapi.Fields{"Deleted": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Products.Put(ctx, restapi.Fields{"Quantity": 1}); err == nil {
		t.Error("Put without Name or SKU passed")
	}
	var apiErr *restapi.APIError
	if _, err := e.c.Products.Put(ctx, restapi.Fields{"Name": "X", "VAT": "33%"}); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("bad VAT: %v", err)
	}
	if n := e.srv.Stats().Requests["PUT /Api/R3/Product"]; n != 3 {
		t.Errorf("%d product PUTs, want 3", n)
	}
}

func TestToDoCloseAndProjectQuery(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{})
	ctx := t.Context()

	at, _ := restapi.ParseTime("2023-05-06 07:08:09")
	if _, err := e.c.ToDos.Close(ctx, 2222, "", at); err != nil {
		t.Fatal(err)
	}
	td, err := e.c.ToDos.Get(ctx, 2222)
	if err != nil {
		t.Fatal(err)
	}
	if td.Status != "Closed" || td.ClosedAt != "2023-05-06 07:08:09" {
		t.Errorf("closed to-do: %s %s", td.Status, td.ClosedAt)
	}
	var apiErr *restapi.APIError
	if _, err := e.c.ToDos.Close(ctx, 2222, "", time.Time{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("closing twice: %v", err)
	}
	items, err := e.c.ToDos.List(ctx, 2001, restapi.ToDoListOptions{})
	if err != nil || len(items) != 2 || items[0].UserId != 53986 || items[1].Type != 1566 {
		t.Errorf("ToDoList/2001 = %+v, %v", items, err)
	}

	var ids []int
	for p, err := range e.c.Projects.Search(ctx, restapi.ProjectSearchOptions{Query: "minicrm zrt"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Id)
	}
	if !slices.Equal(ids, []int{2054, 2056}) {
		t.Errorf("Query search: %v", ids)
	}
}
