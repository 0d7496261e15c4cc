package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "schema", "Project/10", "--sandbox")
	if r.code != 0 || !strings.Contains(r.stdout, "AutoSalesV3_Qualification") || !strings.Contains(r.stdout, "4001=VIP") ||
		!strings.Contains(r.stdout, "Text(512)") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "schema", "project", "10", "--sandbox")
	if r.code != 0 || !strings.Contains(r.stdout, "Project/10:") {
		t.Errorf("'project 10': exit %d %s", r.code, r.stderr)
	}

	save := filepath.Join(t.TempDir(), "person.json")
	r = runCLI(t, nil, "schema", "person", "--sandbox", "--json", "--save", save)
	var raw map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &raw) != nil || raw["KedvencEtele"] == nil {
		t.Fatalf("--json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(save)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := restapi.ParseSchema("Person", b)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := sch.Field("KedvencEtele"); !ok || len(f.Options) != 4 {
		t.Errorf("saved schema: %+v", f)
	}

	for _, args := range [][]string{{"schema"}, {"schema", "Order"}, {"schema", "Project/x"}, {"schema", "Person", "Business"}} {
		if r := runCLI(t, nil, append(args, "--sandbox")...); r.code != 2 {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, "schema", "Project/999", "--sandbox"); r.code != exitFatal || !strings.Contains(r.stderr, "404") {
		t.Errorf("unknown category: exit %d, %s", r.code, r.stderr)
	}
}

func TestGetCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, id, want string
	}{
		{"contact", "7506", `"FirstName": "Norbert"`},
		{"project", "2056", `"StatusId": "Tárgyalás"`},
		{"cards", "2056", `"Id": 2056`},
		{"todo", "1111", `"ProjectId": 2001`},
		{"order", "44", `"Id": "44"`},
		{"invoice", "12", `"Id": "12"`},
		{"offer", "932", `"Id": "932"`},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, "get", tt.kind, tt.id, "--sandbox")
		if r.code != 0 || !strings.Contains(r.stdout, tt.want) || !json.Valid([]byte(r.stdout)) {
			t.Errorf("get %s %s: exit %d\n%s\n%s", tt.kind, tt.id, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, nil, "get", "contact", "424242", "--sandbox"); r.code != exitFatal || !strings.Contains(r.stderr, "404 Not Found") {
		t.Errorf("missing contact: exit %d, %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"get"}, {"get", "contact"}, {"get", "lead", "1"}, {"get", "contact", "x"}, {"get", "contact", "-3"}} {
		if r := runCLI(t, nil, append(args, "--sandbox")...); r.code != 2 {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
}

func TestSearchCommand(t *testing.T) {
	t.Parallel()
	lines := func(s string) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			if l == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("not a JSON line: %q", l)
			}
			out = append(out, m)
		}
		return out
	}
	r := runCLI(t, nil, "search", "contacts", "--email", "norbert@minicrm.hu", "--sandbox")
	got := lines(r.stdout)
	if r.code != 0 || len(got) != 1 || got[0]["Id"] != float64(7506) || !strings.Contains(r.stderr, "1 contact") {
		t.Fatalf("by email: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "search", "contacts", "--phone", "+36 20 236 7532", "--sandbox")
	if got := lines(r.stdout); r.code != 0 || len(got) != 1 {
		t.Errorf("by phone: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "search", "contacts", "--field", "KedvencEtele=Alma", "--query", "lesko", "--sandbox")
	if got := lines(r.stdout); r.code != 0 || len(got) != 1 || got[0]["Email"] != "norbert@minicrm.hu" {
		t.Errorf("by field and query: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "search", "projects", "--category", "10", "--status", "Tárgyalás", "--sandbox")
	if got := lines(r.stdout); r.code != 0 || len(got) != 1 || got[0]["Id"] != float64(2056) || got[0]["StatusId"] != float64(2622) {
		t.Errorf("projects: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, "search", "contacts", "--limit", "2", "--sandbox")
	if got := lines(r.stdout); r.code != 0 || len(got) != 2 {
		t.Errorf("--limit 2: exit %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, nil, "search", "projects", "--updated-since", "2018-02-14 14:12:30", "--category", "10", "--sandbox")
	if r.code != 0 {
		t.Errorf("--updated-since: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "search", "contacts", "--field", "NoSuchField=1", "--sandbox")
	if r.code != exitFatal || !strings.Contains(r.stderr, "400 Bad Request") || !strings.Contains(r.stderr, "NoSuchField") {
		t.Errorf("unknown field: exit %d, %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"search"}, {"search", "orders"}, {"search", "contacts", "--category", "10"}, {"search", "projects", "--email", "x@y.z"},
		{"search", "contacts", "--field", "NoEquals"}, {"search", "contacts", "--updated-since", "yesterday"},
	} {
		if r := runCLI(t, nil, append(args, "--sandbox")...); r.code != 2 {
			t.Errorf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
}
