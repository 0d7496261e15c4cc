package lookup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/lookup"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// client is a client of an embedded sandbox holding the example data.
func client(t *testing.T) *restapi.Client {
	t.Helper()
	sb, err := sandbox.StartEmbedded(sandbox.Config{Dataset: sandbox.DemoDataset()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	c, err := restapi.NewClient(restapi.WithBaseURL(sb.URL), restapi.WithSystemID(fmt.Sprint(sb.SystemID)),
		restapi.WithAPIKey(sb.APIKey), restapi.WithRPM(60000))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseKind(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"contact", "contact", true}, {"Contacts", "contact", true}, {"card", "project", true}, {"CARDS", "project", true},
		{"todos", "todo", true}, {"invoice", "invoice", true}, {"offers", "offer", true}, {"person", "person", false}, {"", "", false}} {
		got, ok := lookup.ParseKind(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestRecord fetches a record of the example data and refuses an unknown
// kind without a request.
func TestRecord(t *testing.T) {
	c := client(t)
	raw, err := lookup.Record(context.Background(), c, "contact", 7506)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Id int }
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Id != 7506 {
		t.Fatalf("contact 7506: %s (%v)", raw, err)
	}
	var out bytes.Buffer
	if err := lookup.WriteJSON(&out, raw); err != nil || !strings.HasPrefix(out.String(), "{\n  \"") || !strings.HasSuffix(out.String(), "}\n") {
		t.Errorf("WriteJSON: %q, %v", out.String(), err)
	}
	before := c.Stats().Attempts
	if _, err := lookup.Record(context.Background(), c, "person", 1); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("kind person: %v", err)
	}
	if n := c.Stats().Attempts - before; n != 0 {
		t.Errorf("an unknown kind made %d requests", n)
	}
}

// TestJSONLinesLimit stops at the limit and writes one object a line.
func TestJSONLinesLimit(t *testing.T) {
	c := client(t)
	var out bytes.Buffer
	n, err := lookup.JSONLines(&out, c.Contacts.Search(context.Background(), restapi.ContactSearchOptions{}), 2)
	if err != nil || n != 2 || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("n=%d err=%v:\n%s", n, err, out.String())
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"2024-01-02", "2024-01-02 15:04:05", "2024-01-02T15:04:05Z", "", "yesterday", "0000-00-00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := lookup.ParseSince(s)
		if err == nil && tm.IsZero() {
			t.Errorf("ParseSince(%q) accepted the zero time", s)
		}
	})
}
