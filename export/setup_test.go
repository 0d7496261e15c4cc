package export_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// testSystemID is every test sandbox's SystemId: each client paces with a
// budget of its own, so tests need no SystemIds apart.
const testSystemID = 31000

var fastRetry = restapi.RetryPolicy{
	MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, RateLimitDelay: time.Millisecond,
	RateLimitMaxDelay: 5 * time.Millisecond, MaxRateLimited: 500, AttemptTimeout: 10 * time.Second,
}

// clock is the time line the sandbox (UpdatedAt) and the export
// (watermarks) share. Every reading moves it a second on, so that writes
// and listings made within milliseconds are seconds apart, as they would be
// at 60 requests a minute; MiniCRM's timestamps have whole seconds.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Add(int64(time.Second))))
}

// env is a sandbox on loopback and a state directory.
type env struct {
	t      testing.TB
	srv    *sandbox.Server
	ts     *httptest.Server
	key    string
	system string
	clock  *clock
	state  string
	dir    string
}

func newEnv(t testing.TB, ds *sandbox.Dataset, hooks ...sandbox.WebhookConfig) *env {
	t.Helper()
	id := testSystemID
	e := &env{t: t, key: sandbox.GenerateAPIKey(), system: strconv.Itoa(id), clock: &clock{}, state: t.TempDir(), dir: t.TempDir()}
	srv, err := sandbox.New(sandbox.Config{SystemID: id, APIKey: e.key, RPM: 0, Dataset: ds, Now: e.clock.now,
		Webhooks: hooks, WebhookScale: 1.0 / 10000})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(func() { e.ts.Close(); srv.Close() })
	return e
}

func (e *env) client(opts ...restapi.Option) *restapi.Client {
	e.t.Helper()
	all := append([]restapi.Option{restapi.WithBaseURL(e.ts.URL), restapi.WithSystemID(e.system), restapi.WithAPIKey(e.key),
		restapi.WithRPM(600000), restapi.WithRetryPolicy(fastRetry)}, opts...)
	c, err := restapi.NewClient(all...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// config is an export of the entities to a file in the env's directory.
func (e *env) config(file string, entities ...export.Entity) export.Config {
	return export.Config{Client: e.client(), Entities: entities, Output: e.dir + "/" + file, StateDir: e.state,
		Now: e.clock.now, Overlap: time.Second}
}

func (e *env) export(cfg export.Config) *export.Summary {
	e.t.Helper()
	sum, err := export.Export(context.Background(), cfg)
	if err != nil {
		e.t.Fatalf("export: %v", err)
	}
	return sum
}

// requests is the sandbox's count of requests by endpoint so far.
func (e *env) requests() map[string]int { return e.srv.Stats().Requests }

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func (e *env) update(kind string, id int, fields restapi.Fields) {
	e.t.Helper()
	c := e.client()
	var err error
	if kind == "contact" {
		_, err = c.Contacts.Update(context.Background(), id, fields)
	} else {
		_, err = c.Projects.Update(context.Background(), id, fields)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// dataset is a small system: businesses with two persons each, a card in
// Értékesítés for each person, a to-do on some cards; accents, dropdowns,
// dates, numbers, and a text that looks like a formula.
func dataset(businesses int) *sandbox.Dataset {
	ds := sandbox.EmptyDataset()
	firsts := []string{"Éva", "Árpád", "Zsófia", "Győző", "Ödön", "Ünige"}
	lasts := []string{"Szabó", "Kovács", "Tóth", "Nagy", "Horváth", "Kiss"}
	foods := []string{"Alma", "Narancs", "Sajt", "Kolbász"}
	sources := []string{"Weboldal", "Ajánlás", "Hirdetés", "Rendezvény"}
	statuses := []int{2620, 2621, 2622, 2623}
	id := 1000
	for b := range businesses {
		id++
		bid := id
		bizFields := map[string]any{"Name": fmt.Sprintf("Példa %d Kft.", b+1), "VatNumber": fmt.Sprintf("1%07d-2-41", b),
			"Iparag": []string{"Informatika", "Kereskedelem", "Gyártás", "Szolgáltatás"}[b%4], "HitelKeret": 1250000.5 + float64(b)}
		if b == 0 {
			bizFields["Description"] = "=HYPERLINK(\"http://evil.example\",\"katt\")"
		}
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: bid, Type: "Business", Emails: []string{fmt.Sprintf("info%d@pelda.example", b+1)},
			CreatedAt: "2020-01-02 10:00:00", Fields: bizFields})
		for p := range 2 {
			id++
			pid := id
			n := b*2 + p
			ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: pid, Type: "Person", BusinessId: bid,
				Emails: []string{fmt.Sprintf("szemely%d@pelda.example", n+1)}, Phones: []string{fmt.Sprintf("+36 20 %03d %04d", n%1000, n)},
				CreatedAt: "2020-01-02 10:00:00", Fields: map[string]any{"FirstName": firsts[n%len(firsts)], "LastName": lasts[n%len(lasts)],
					"KedvencEtele": foods[n%len(foods)], "SzuletesiDatum": fmt.Sprintf("19%02d-%02d-%02d", 60+n%40, 1+n%12, 1+n%28),
					"VasarlasokSzama": n % 17, "KulsoAzonosito": fmt.Sprintf("K-%05d", n+1), "Position": "Ügyvezető"}})
			id++
			ds.Projects = append(ds.Projects, sandbox.SeedProject{Id: id, CategoryId: 10, ContactId: pid, StatusId: statuses[n%len(statuses)],
				UserId: 53602, Name: fmt.Sprintf("Lehetőség %d", n+1), CreatedAt: "2021-03-04 09:00:00",
				Fields: map[string]any{"VarhatoArbevetel": 100000 * (n + 1), "Valoszinuseg": 12.5, "HolTalaltRank": sources[n%len(sources)],
					"KovetkezoHivasIdpontja": fmt.Sprintf("2026-05-%02d 13:30:00", 1+n%28), "KulsoAzonosito": fmt.Sprintf("OPP-%05d", n+1),
					"Megjegyzes": "árvíztűrő tükörfúrógép"}})
			if n%3 == 0 {
				pj := id
				id++
				ds.ToDos = append(ds.ToDos, sandbox.SeedToDo{Id: id, ProjectId: pj, UserId: 53602, Type: 1566,
					Comment: "Visszahívni", Deadline: "2026-06-01 10:00:00"})
			}
		}
	}
	return ds
}

// readCSV reads a CSV with the given separator as maps by column name.
func readCSV(t *testing.T, path string, comma rune) ([]string, []map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return recs[0], out
}

func byID(rows []map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range rows {
		out[r["Id"]] = r
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// sheet reads an XLSX sheet as rows by Id.
func sheet(t *testing.T, path, name string) map[string]map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out[m["Id"]] = m
	}
	return out
}

func mustColumns(t testing.TB, s string) []export.ColumnSpec {
	t.Helper()
	c, err := export.ParseColumns(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
