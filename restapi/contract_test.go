package restapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// The contract is what this client relies on from MiniCRM, checked with
// real calls: the same steps run against the sandbox in every `make test`
// (TestContractSandbox) and against a real MiniCRM TEST system with
// `go test -tags live ./restapi/` (TestContractLive, contract_live_test.go),
// so a difference between the sandbox and MiniCRM shows up as a failing
// step there rather than as a surprise in someone's migration.
//
// It writes only records it creates, all named "minicrm-bulk contract
// <run>": a person with a card, and a second person it deletes again. The
// card is moved to the trash at the end; MiniCRM's API deletes neither
// cards nor the primary contacts of cards, so that person and the trashed
// card stay, and contract() reports their ids.

// contractRun is what one run of the contract created.
type contractRun struct {
	mark      string // unique text in every record's name
	personID  int
	spareID   int // the person that is deleted again
	projectID int
}

func contract(t *testing.T, c *restapi.Client) *contractRun {
	ctx := t.Context()
	run := &contractRun{mark: fmt.Sprintf("minicrm-bulk contract %d", time.Now().UnixNano())}
	email := fmt.Sprintf("contract-%d@example.invalid", time.Now().UnixNano())

	var category restapi.Category
	// A card needs an owner and a status (both required): the first of
	// each the schema offers.
	var owner, status int64
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow() // later steps build on this one
		}
	}
	step("categories", func(t *testing.T) {
		cats, err := c.Categories.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cats) == 0 {
			t.Fatal("Category lists no module; the contract needs one to put a card in")
		}
		for _, k := range cats {
			if k.Id <= 0 || k.Name == "" {
				t.Errorf("module %+v has no id or name", k)
			}
		}
		category = cats[0]
	})
	step("schemas", func(t *testing.T) {
		person, err := c.Schemas.Person(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"FirstName", "LastName", "Email", "Phone"} {
			if !hasField(person, f) {
				t.Errorf("the Person schema has no %s", f)
			}
		}
		project, err := c.Schemas.Project(ctx, category.Id)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := project.Field("StatusId"); !ok || len(f.Options) == 0 {
			t.Errorf("the schema of module %d lists no statuses under StatusId", category.Id)
		} else {
			status = f.Options[0].Id
		}
		if f, ok := project.Field("UserId"); !ok || len(f.Options) == 0 {
			t.Errorf("the schema of module %d lists no users under UserId", category.Id)
		} else {
			owner = f.Options[0].Id
		}
	})
	step("create and read a person", func(t *testing.T) {
		id, err := c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Teszt",
			"LastName": run.mark, "Email": email})
		if err != nil || id <= 0 {
			t.Fatalf("create: %d, %v", id, err)
		}
		run.personID = id
		got, err := c.Contacts.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		// A Hungarian system names the type in its language in detail
		// records (as the Hungarian documentation's examples show).
		if got.Id != id || (got.Type != "Person" && got.Type != "Személy") || got.LastName != run.mark || got.Email != email {
			t.Errorf("read back Id %d, Type %q, LastName %q, Email %q", got.Id, got.Type, got.LastName, got.Email)
		}
	})
	step("update a person", func(t *testing.T) {
		id, err := c.Contacts.Update(ctx, run.personID, restapi.Fields{"Description": "kétszer írva: " + run.mark})
		if err != nil || id != run.personID {
			t.Fatalf("update: %d, %v", id, err)
		}
		got, err := c.Contacts.Get(ctx, run.personID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != "kétszer írva: "+run.mark {
			t.Errorf("description after the update: %q", got.Description)
		}
	})
	step("search by email", func(t *testing.T) {
		page, err := c.Contacts.SearchPage(ctx, restapi.ContactSearchOptions{Email: email}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if page.Count != 1 || len(page.Items) != 1 || page.Items[0].Id != run.personID {
			t.Errorf("Count %d, %d items; want the one person", page.Count, len(page.Items))
		}
		none, err := c.Contacts.SearchPage(ctx, restapi.ContactSearchOptions{Email: "nobody-" + email}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if none.Count != 0 || len(none.Items) != 0 {
			t.Errorf("a search that matches nothing: Count %d, %d items", none.Count, len(none.Items))
		}
	})
	step("create, read and find a card", func(t *testing.T) {
		id, err := c.Projects.Create(ctx, restapi.Fields{"CategoryId": category.Id, "ContactId": run.personID, "Name": run.mark,
			"UserId": owner, "StatusId": status})
		if err != nil || id <= 0 {
			t.Fatalf("create: %d, %v", id, err)
		}
		run.projectID = id
		got, err := c.Projects.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Id != id || got.CategoryId != category.Id || got.ContactId != run.personID || got.Name != run.mark {
			t.Errorf("read back Id %d, CategoryId %d, ContactId %d, Name %q", got.Id, got.CategoryId, got.ContactId, got.Name)
		}
		page, err := c.Projects.SearchPage(ctx, restapi.ProjectSearchOptions{CategoryId: category.Id, ContactId: run.personID}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if page.Count != 1 || len(page.Items) != 1 || page.Items[0].Id != id {
			t.Errorf("cards of the person: Count %d, %d items", page.Count, len(page.Items))
		}
	})
	step("errors are typed, with MiniCRM's text", func(t *testing.T) {
		_, err := c.Contacts.Get(ctx, 2_000_000_000)
		var apiErr *restapi.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Message == "" {
			t.Errorf("a contact that does not exist: %v", err)
		}
		_, err = c.Contacts.SearchPage(ctx, restapi.ContactSearchOptions{Fields: map[string]string{"NoSuchParameter": "x"}}, 0)
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Message == "" {
			t.Errorf("a search by a parameter that does not exist: %v", err)
		}
	})
	step("delete a person who has no card", func(t *testing.T) {
		id, err := c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Törölni", "LastName": run.mark})
		if err != nil {
			t.Fatal(err)
		}
		run.spareID = id
		if _, err := c.Contacts.Purge(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Contacts.Get(ctx, id); !isStatus(err, http.StatusNotFound) {
			t.Errorf("the deleted person can still be read: %v", err)
		}
	})
	step("move the card to the trash", func(t *testing.T) {
		if _, err := c.Projects.Update(ctx, run.projectID, restapi.Fields{"Deleted": 1}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Projects.Get(ctx, run.projectID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Deleted != 1 {
			t.Errorf("the card is not in the trash: Deleted %d", got.Deleted)
		}
	})
	t.Logf("left in the system (the API deletes neither cards nor their contacts): person %d and its trashed card %d, named %q",
		run.personID, run.projectID, run.mark)
	return run
}

func hasField(s *restapi.Schema, name string) bool {
	for _, f := range s.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func isStatus(err error, code int) bool {
	var apiErr *restapi.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == code
}

// TestContractSandbox runs the contract against the sandbox, and counts its
// requests: the contract costs the same on MiniCRM, and at 60 a minute a
// run of it is about 20 seconds of a system's budget.
func TestContractSandbox(t *testing.T) {
	t.Parallel()
	e := setup(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	run := contract(t, e.c)
	if st := e.srv.Stats(); st.Total != contractRequests {
		t.Errorf("the contract made %d requests, want %d", st.Total, contractRequests)
	}
	// Nothing outside the contract's own records was written.
	for c, err := range e.c.Contacts.Search(t.Context(), restapi.ContactSearchOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.Name, run.mark) {
			t.Errorf("contact %d %q is not the contract's", c.Id, c.Name)
		}
	}
}

// contractRequests is what one run of the contract costs.
const contractRequests = 19
