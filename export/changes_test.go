package export_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

// TestFromChanges drives the whole way: the sandbox notifies a webhook
// Receiver of every change, and the next export applies its change log
// instead of listing: no list request, the files show the changes.
func TestFromChanges(t *testing.T) {
	t.Parallel()
	logDir := t.TempDir()
	rc, err := webhook.NewReceiver(webhook.Config{Dir: logDir, User: "minicrm", Password: "titok"})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(rc)
	t.Cleanup(func() { hook.Close(); rc.Close() })
	url := strings.Replace(hook.URL, "http://", "http://minicrm:titok@", 1)
	e := newEnv(t, dataset(3), sandbox.WebhookConfig{Type: "Contact", URL: url}, sandbox.WebhookConfig{Type: "Project", URL: url})

	cfg := e.config("out.xlsx", export.Persons, export.Projects)
	cfg.Category = 10
	e.export(cfg)

	e.update("contact", 1002, restapi.Fields{"LastName": "Webhookos", "KedvencEtele": "Sajt"})
	e.update("project", 1003, restapi.Fields{"StatusId": "Sikeres"})
	e.update("project", 1006, restapi.Fields{"Deleted": 1})
	c := e.client()
	newID, err := c.Contacts.Create(context.Background(), restapi.Fields{"Type": "Person", "FirstName": "Új", "LastName": "Ember",
		"Email": "uj.ember@pelda.example", "BusinessId": 1001})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}

	cfg.FromChanges = logDir
	before := e.requests()
	sum := e.export(cfg)
	got := diff(e.requests(), before)
	if got["GET /Api/R3/Contact"] != 0 || got["GET /Api/R3/Project"] != 0 || sum.Changes != 4 || sum.Removed != 1 {
		t.Errorf("requests %v, summary %+v", got, sum)
	}
	if sum.Mode["contacts"] != "changes" || sum.Mode["cards/10"] != "changes" {
		t.Errorf("modes %v", sum.Mode)
	}
	persons := sheet(t, cfg.Output, "Persons")
	cards := sheet(t, cfg.Output, "Projects")
	if p := persons["1002"]; p == nil || p["Name"] != "Webhookos Éva" || p["BusinessName"] != "Példa 1 Kft." {
		t.Errorf("changed person %v", p)
	}
	if p := persons[itoa(newID)]; p == nil || p["Email"] != "uj.ember@pelda.example" || p["BusinessName"] != "Példa 1 Kft." {
		t.Errorf("new person %v", p)
	}
	if len(persons) != 7 || len(cards) != 5 || cards["1003"]["StatusId"] != "Sikeres" || cards["1006"] != nil {
		t.Errorf("persons %d, cards %d: %v", len(persons), len(cards), cards["1003"])
	}

	// The same log again: what arrived within the overlap before the last
	// run is applied again, harmlessly (the newest state of a record is
	// its state); nothing else is read.
	before = e.requests()
	e.export(cfg)
	got = diff(e.requests(), before)
	if got["GET /Api/R3/Contact"] != 0 || got["GET /Api/R3/Project"] != 0 {
		t.Errorf("requests %v", got)
	}
	if p := sheet(t, cfg.Output, "Persons"); len(p) != 7 || p["1002"]["Name"] != "Webhookos Éva" {
		t.Errorf("after applying the log again: %v", p["1002"])
	}
}

// TestFromChangesUncertain: two notifications of one record in the same
// second with different data cannot be ordered; the record is read again
// through the API.
func TestFromChangesUncertain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(2))
	cfg := e.config("persons.csv", export.Persons)
	cfg.Details = true
	e.export(cfg)
	e.update("contact", 1002, restapi.Fields{"Position": "Igazgató"})

	logDir := t.TempDir()
	now := time.Now()
	line := func(pos string) string {
		payload := map[string]any{"Id": "1002", "Type": "Contact", "Changed": []string{"Position", "UpdatedAt"},
			"Data": map[string]any{"Type": "Person", "Name": "Szabó Éva", "FirstName": "Éva", "LastName": "Szabó",
				"Position": pos, "Deleted": "0", "UpdatedAt": "2026-05-01 10:00:00"}}
		raw, _ := json.Marshal(payload)
		p, err := webhook.ParsePayload(raw)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(webhook.Entry{ReceivedAt: now.Add(time.Minute), Key: p.Key(), Payload: p.Raw()})
		return string(b) + "\n"
	}
	if err := os.WriteFile(filepath.Join(logDir, webhook.LogFileName(now)), []byte(line("A")+line("B")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.FromChanges = logDir
	before := e.requests()
	sum := e.export(cfg)
	if got := diff(e.requests(), before)["GET /Api/R3/Contact/{id}"]; got != 1 || sum.Reread != 1 {
		t.Errorf("re-read %d times (want 1), summary %+v", got, sum)
	}
	_, rows := readCSV(t, cfg.Output, ',')
	if p := byID(rows)["1002"]; p["Position"] != "Igazgató" {
		t.Errorf("the re-read record: %v", p)
	}
}
