package pipeline_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// sandboxStats reads GET /_sandbox/stats: the server's own count of what it
// was asked, whoever asked.
func (e *env) sandboxStats() (reads, writes int) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/_sandbox/stats", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(e.system, e.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Requests map[string]int `json:"requests"`
		Writes   int            `json:"writes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		e.t.Fatal(err)
	}
	for ep, n := range st.Requests {
		if strings.HasPrefix(ep, "GET ") {
			reads += n
		}
	}
	return reads, st.Writes
}

// measure runs f and returns the reads and writes the sandbox saw meanwhile.
func (e *env) measure(f func()) (reads, writes int) {
	r0, w0 := e.sandboxStats()
	f()
	r1, w1 := e.sandboxStats()
	return r1 - r0, w1 - w0
}

// naiveImport is the way an import is usually written first: for every row,
// search the company by name and the person by email; found, read it and
// write every field back; not found, create it. Three requests an entity a
// row, whatever changed.
func naiveImport(b testing.TB, c *restapi.Client, rows [][]string) {
	ctx := context.Background()
	phones := mapping.PhoneNormalizer{Region: "HU"}
	for _, r := range rows {
		biz := restapi.Fields{"Name": r[0], "VatNumber": r[1]}
		bizID := 0
		for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{Type: "Business", Name: r[0]}) {
			if err != nil {
				b.Fatal(err)
			}
			if it.Name == r[0] {
				bizID = it.Id
			}
		}
		if bizID != 0 {
			if _, err := c.Contacts.Get(ctx, bizID); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Contacts.Update(ctx, bizID, biz); err != nil {
				b.Fatal(err)
			}
		} else {
			biz["Type"] = "Business"
			id, err := c.Contacts.Create(ctx, biz)
			if err != nil {
				b.Fatal(err)
			}
			bizID = id
		}
		phone, _ := phones.Normalize(r[5])
		person := restapi.Fields{"LastName": r[2], "FirstName": r[3], "Email": r[4], "Phone": phone, "Position": r[6], "KulsoAzonosito": r[7]}
		personID := 0
		for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{Type: "Person", Email: r[4]}) {
			if err != nil {
				b.Fatal(err)
			}
			personID = it.Id
		}
		if personID != 0 {
			if _, err := c.Contacts.Get(ctx, personID); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Contacts.Update(ctx, personID, person); err != nil {
				b.Fatal(err)
			}
		} else {
			person["Type"], person["BusinessId"] = "Person", bizID
			if _, err := c.Contacts.Create(ctx, person); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRequestBudget counts, with the sandbox's /_sandbox/stats, the
// requests an import of N people in M companies takes (people.yaml: a
// company and a person a row), against the budget:
//
//   - first import into an empty system: at most N+M writes, plus the
//     mirror's list pages, plus a small constant of reads;
//   - the same file again: no write, and a small constant of reads (nothing
//     changed in MiniCRM meanwhile);
//   - 5% of the rows changed: writes for those rows only;
//
// and the same three for the naive per-row search + get + put client, with
// the ratio. BUDGET_N and BUDGET_M change the size (default 1000 in 100).
func BenchmarkRequestBudget(b *testing.B) {
	n, m := envInt("BUDGET_N", 1000), envInt("BUDGET_M", 100)
	peopleMapping := filepath.Join(testdata, "people.yaml")
	dir := b.TempDir()
	v1 := writeCSV(b, dir, "v1.csv", genRows(n, m, nil))
	changed := 0
	v2 := writeCSV(b, dir, "v2.csv", genRows(n, m, func(i int, r []string) {
		if i%20 == 7 {
			r[6] = "csoportvezető"
			changed++
		}
	}))
	rows1, rows2 := genRows(n, m, nil), genRows(n, m, func(i int, r []string) {
		if i%20 == 7 {
			r[6] = "csoportvezető"
		}
	})

	for range b.N {
		// The import.
		e := newEnv(b, nil)
		cfg := func(src string) pipeline.Config {
			c := e.config(peopleMapping, src)
			c.Workers = 8
			return c
		}
		var pr [3][2]int
		var start time.Time
		start = time.Now()
		pr[0][0], pr[0][1] = e.measure(func() { e.run(cfg(v1)) })
		first := time.Since(start)
		e.clock.advance(24 * time.Hour)
		pr[1][0], pr[1][1] = e.measure(func() { e.run(cfg(v1)) })
		e.clock.advance(24 * time.Hour)
		pr[2][0], pr[2][1] = e.measure(func() { e.run(cfg(v2)) })

		// The naive client.
		ne := newEnv(b, nil)
		nc := ne.client()
		var nv [3][2]int
		nv[0][0], nv[0][1] = ne.measure(func() { naiveImport(b, nc, rows1) })
		nv[1][0], nv[1][1] = ne.measure(func() { naiveImport(b, nc, rows1) })
		nv[2][0], nv[2][1] = ne.measure(func() { naiveImport(b, nc, rows2) })

		pages := (n+m+restapi.PageSize-1)/restapi.PageSize + 1
		b.Logf("N=%d people in M=%d companies; %d rows changed in the third run; first import took %s in-process",
			n, m, changed, first.Round(time.Millisecond))
		b.Logf("%-14s %8s %8s %8s   %8s %8s %8s   %7s  %s", "", "writes", "reads", "total", "naive w", "naive r", "total", "ratio", "budget")
		budget := []string{
			"writes ≤ N+M = " + itoa(n+m) + "; reads ≤ list pages " + itoa(pages) + " + a constant",
			"writes = 0; reads ≤ ⌈changed remotely/100⌉ (0) + a constant",
			"writes = changed rows = " + itoa(changed),
		}
		for i, name := range []string{"first import", "same file", "5% changed"} {
			tot, ntot := pr[i][0]+pr[i][1], nv[i][0]+nv[i][1]
			b.Logf("%-14s %8d %8d %8d   %8d %8d %8d   %6.1fx  %s", name, pr[i][1], pr[i][0], tot, nv[i][1], nv[i][0], ntot,
				float64(ntot)/float64(max(tot, 1)), budget[i])
		}
		b.Logf("at 60 requests a minute: first import %s vs %s naive; nightly re-run %s vs %s",
			minutes(pr[0][0]+pr[0][1]), minutes(nv[0][0]+nv[0][1]), minutes(pr[1][0]+pr[1][1]), minutes(nv[1][0]+nv[1][1]))
		b.ReportMetric(float64(pr[0][1]), "first-writes")
		b.ReportMetric(float64(pr[0][0]), "first-reads")
		b.ReportMetric(float64(pr[1][1]), "rerun-writes")
		b.ReportMetric(float64(pr[1][0]), "rerun-reads")
		b.ReportMetric(float64(pr[2][1]), "changed-writes")
		b.ReportMetric(float64(nv[0][0]+nv[0][1])/float64(pr[0][0]+pr[0][1]), "naive/first")
		b.ReportMetric(float64(nv[1][0]+nv[1][1])/float64(max(pr[1][0]+pr[1][1], 1)), "naive/rerun")

		if pr[0][1] > n+m {
			b.Errorf("first import: %d writes > N+M = %d", pr[0][1], n+m)
		}
		if pr[0][0] > 2*pages+10 {
			b.Errorf("first import: %d reads > list pages (%d, at the start and the end) + 10", pr[0][0], 2*pages)
		}
		if pr[1][1] != 0 || pr[1][0] > 10 {
			b.Errorf("same file: %d writes, %d reads", pr[1][1], pr[1][0])
		}
		if pr[2][1] != changed {
			b.Errorf("5%% changed: %d writes, want %d", pr[2][1], changed)
		}
	}
}

func minutes(requests int) string {
	return (time.Duration(requests) * time.Second).Round(time.Second).String()
}
