package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func init() {
	register(&command{
		name:  "demo",
		short: "Show the tool working end to end on an embedded sandbox (what `make demo` runs)",
		usage: "[flags]",
		long: `Starts an embedded MiniCRM sandbox on a loopback port (nothing else is needed), then walks
through what minicrm-bulk does: reads the modules and a schema, searches and writes contacts
and cards through the paced, retrying client, checks the example mappings in examples/
against the sandbox's schema row by row, imports both examples (a CSV and an XLSX) and runs
the first import again to show that unchanged data costs no write, builds and pushes an XML
sync feed, and exports everything to XLSX and CSV. Outputs go to --out.`,
		example: `  make demo
  minicrm-bulk demo --out /tmp/demo --examples ./examples`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("out", "demo-out", "directory for the demo's outputs")
			examples := fs.String("examples", "examples", "directory holding the example sources and mappings")
			rpm := fs.Int("rpm", 600, "the sandbox's rate limit for the demo (the real default is 60; the demo is in a hurry)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				return runDemo(ctx, e, *out, *examples, *rpm)
			}
		},
	})
}

func runDemo(ctx context.Context, e *env, outDir, examplesDir string, rpm int) error {
	if rpm <= 0 {
		return usagef("--rpm must be positive")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	step := func(format string, a ...any) { fmt.Fprintf(e.stdout, "\n== "+format+"\n", a...) }

	// 1. The sandbox, embedded, on a loopback port of its own.
	key := sandbox.GenerateAPIKey()
	srv, err := sandbox.New(sandbox.Config{SystemID: sandboxSystemID, APIKey: key, RPM: rpm, Dataset: sandbox.DefaultDataset()})
	if err != nil {
		return err
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		return err
	}
	srvCtx, stopSrv := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(srvCtx, ln) }()
	defer func() { stopSrv(); <-served }()
	step("MiniCRM sandbox at %s (SystemId %d, %d requests/minute, the documentation's example system)", sandbox.URL(ln), sandboxSystemID, rpm)

	// The server clock learns MiniCRM's time from its answers, so the
	// import's incremental refresh does not depend on this machine's clock.
	clock := pipeline.NewServerClock()
	rate := restapi.WithRPM(rpm)
	if e.budgets != nil {
		b, err := e.budgets.forSystem(sandbox.URL(ln), fmt.Sprint(sandboxSystemID), rpm)
		if err != nil {
			return err
		}
		rate = restapi.WithBudget(b)
	}
	c, err := restapi.NewClient(restapi.WithBaseURL(sandbox.URL(ln)), restapi.WithSystemID(fmt.Sprint(sandboxSystemID)),
		restapi.WithAPIKey(key), rate, restapi.WithHTTPClient(clock.Client()))
	if err != nil {
		return err
	}

	// 2. A walk through the API, as the documentation's curl examples do.
	step("Modules (GET /Api/R3/Category)")
	cats, err := c.Categories.List(ctx)
	if err != nil {
		return err
	}
	for _, cat := range cats {
		fmt.Fprintf(e.stdout, "  %4d  %s\n", cat.Id, cat.Name)
	}
	step("Card fields of Értékesítés (GET /Api/R3/Schema/Project/10)")
	sch, err := c.Schemas.Project(ctx, 10)
	if err != nil {
		return err
	}
	for _, f := range sch.Fields {
		if len(f.Options) > 0 && len(f.Options) <= 6 {
			var labels []string
			for _, o := range f.Options {
				labels = append(labels, o.Label)
			}
			fmt.Fprintf(e.stdout, "  %-28s %s: %s\n", f.Name, f.Type, strings.Join(labels, ", "))
		}
	}
	step("Search by phone in any format (GET /Api/R3/Contact?Query=+36 20 236 7532)")
	for item, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{Query: "+36 20 236 7532"}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %d %s <%s> %s\n", item.Id, item.Name, item.Email, item.Phone)
	}
	step("Create a company, a person and a card (PUT /Api/R3/Contact, /Api/R3/Project)")
	bizID, err := c.Contacts.Create(ctx, restapi.Fields{"Type": "Business", "Name": "Demo Kft.", "VatNumber": "10203040-2-41"})
	if err != nil {
		return err
	}
	personID, err := c.Contacts.Create(ctx, restapi.Fields{"Type": "Person", "FirstName": "Dóra", "LastName": "Demó",
		"Email": "demo.dora@demo.hu", "Phone": "06 30 123 9876", "BusinessId": bizID})
	if err != nil {
		return err
	}
	cardID, err := c.Projects.Create(ctx, restapi.Fields{"Name": "Demo Kft. – első ajánlat", "CategoryId": 10,
		"ContactId": personID, "StatusId": "Érdeklődő", "UserId": "Kovács Anna", "AutoSalesV3_Qualification": "Célcsoport"})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "  business %d, person %d, card %d\n", bizID, personID, cardID)
	step("Move the card on and read its status history (PUT /Api/R3/Project/%d, GET …/ProjectHistory)", cardID)
	if _, err := c.Projects.Update(ctx, cardID, restapi.Fields{"StatusId": "Ajánlat kiküldve"}); err != nil {
		return err
	}
	history, err := c.Projects.History(ctx, cardID)
	if err != nil {
		return err
	}
	for _, h := range history {
		fmt.Fprintf(e.stdout, "  %s  %q → %q\n", h.ClosedAt, h.OldStatusName, h.NewStatusName)
	}
	step("A write MiniCRM refuses comes back as a typed error with its plain-text message")
	_, err = c.Projects.Update(ctx, cardID, restapi.Fields{"AutoSalesV3_Qualification": "Ilyen érték nincs is CRM-ben"})
	fmt.Fprintf(e.stdout, "  %v\n", err)

	// 3. The example mappings, checked against the sandbox's schema row by row.
	for _, name := range []string{"ugyfelek.yaml", "lehetosegek.yaml"} {
		path := filepath.Join(examplesDir, name)
		step("Check the mapping %s against the schema, row by row, without writing", path)
		if err := demoCheck(ctx, e, c, path, filepath.Join(outDir, strings.TrimSuffix(name, ".yaml")+"-rejected.csv")); err != nil {
			return err
		}
	}

	// 4. The main job: import both examples, then run the first again.
	stateDir := filepath.Join(outDir, "state")
	imports := []struct{ mapping, out, title string }{
		{"ugyfelek.yaml", "import-ugyfelek", "Import %s: companies and people from a Hungarian Excel CSV"},
		{"lehetosegek.yaml", "import-lehetosegek", "Import %s: cards in Értékesítés from an XLSX report"},
		{"ugyfelek.yaml", "import-ugyfelek-again", "Import %s again: nothing changed, so nothing is written.\n" +
			"   (MiniCRM's lists carry no UpdatedAt, so records written in the last seconds before a run's final\n" +
			"   listing are read once more on the next run: in this quick demo that is nearly all of them;\n" +
			"   a nightly re-run of unchanged data costs a handful of list pages, see the README.)"},
	}
	for _, im := range imports {
		path := filepath.Join(examplesDir, im.mapping)
		step(im.title, path)
		sum, err := pipeline.Import(ctx, pipeline.Config{Client: c, MappingPath: path, StateDir: stateDir,
			OutDir: filepath.Join(outDir, im.out), Now: clock.Now})
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, indent(sum.Text()))
	}

	// 5. An XML sync feed of the cards, built, pushed and applied.
	feedMapping := filepath.Join(examplesDir, "lehetosegek.yaml")
	feedFile := filepath.Join(outDir, "feed", "lehetosegek.xml")
	if err := os.MkdirAll(filepath.Dir(feedFile), 0o755); err != nil {
		return err
	}
	demoEnv := &env{stdout: &indented{w: e.stdout}, stderr: e.stderr, budgets: e.budgets, getenv: func(k string) string {
		return map[string]string{"MINICRM_URL": sandbox.URL(ln), "MINICRM_SYSTEM_ID": fmt.Sprint(sandboxSystemID), "MINICRM_API_KEY": key}[k]
	}}
	conn := &connection{fs: pflag.NewFlagSet("demo", pflag.ContinueOnError), rpm: rpm}
	step("Build an XML sync feed from %s (rows MiniCRM would refuse stay out, in errors.csv)", feedMapping)
	var rejected *rejectedError
	if err := feedBuild(ctx, demoEnv, conn, feedBuildOptions{mapping: feedMapping, out: feedFile, stateDir: stateDir}); err != nil && !errors.As(err, &rejected) {
		return err
	}
	step("Push it (POST /Api/SyncFeed/1/Upload) and wait until MiniCRM has applied it")
	if err := feedPush(ctx, demoEnv, conn, 1, "", stateDir, []string{feedFile}); err != nil {
		return err
	}
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	err = srv.WaitFeeds(waitCtx)
	cancelWait()
	if err != nil {
		return fmt.Errorf("the sandbox did not apply the feed: %w", err)
	}
	for _, o := range srv.Feeds() {
		fmt.Fprintf(e.stdout, "  applied: %d card(s): %d created, %d updated, %d unchanged, %d failed\n", o.Cards, o.Created, o.Updated, o.Unchanged, o.Failed)
	}

	// 6. Everything out again: a workbook and CSV files.
	all := slices.Clone(export.WithToDos) // export all --todos
	xlsxPath := filepath.Join(outDir, "export", "minicrm.xlsx")
	csvPath := filepath.Join(outDir, "export", "persons.csv")
	if err := os.MkdirAll(filepath.Dir(xlsxPath), 0o755); err != nil {
		return err
	}
	persons, err := export.ParseEntity("persons")
	if err != nil {
		return err
	}
	for _, x := range []struct {
		title string
		cfg   export.Config
	}{
		{"Export every contact, card and to-do with every field (a request per record) to " + xlsxPath,
			export.Config{Entities: all, Output: xlsxPath, Format: export.XLSX, Details: true}},
		{"Export the people's list columns to " + csvPath + " for Hungarian Excel (BOM, ';', decimal comma)",
			export.Config{Entities: persons, Output: csvPath, Format: export.CSV, CSV: export.CSVOptions{Excel: true}}},
	} {
		step("%s", x.title)
		cfg := x.cfg
		cfg.Client, cfg.StateDir, cfg.Now = c, stateDir, clock.Now
		sum, err := export.Export(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, indent(sum.Text()))
	}

	st := c.Stats()
	step("Done in %s: %d requests, %d answered 429, %d retried", time.Since(start).Round(time.Millisecond), st.Attempts, st.RateLimited, st.Retries)
	fmt.Fprintf(e.stdout, "Outputs (in %s/):\n", outDir)
	for _, o := range []struct{ what, path string }{
		{"rows the mapping checks rejected", filepath.Join(outDir, "*-rejected.csv")},
		{"import reports (success.csv, errors.csv, summary.json)", filepath.Join(outDir, "import-*")},
		{"the XML sync feed and its errors.csv", filepath.Dir(feedFile)},
		{"the export as a workbook", xlsxPath},
		{"the people as CSV", csvPath},
		{"the state (journal, mirror, snapshots)", stateDir},
	} {
		fmt.Fprintf(e.stdout, "  %-56s %s\n", o.what, o.path)
	}
	return nil
}

// indented indents what is written to it by two spaces a line.
type indented struct {
	w   io.Writer
	mid bool
}

func (d *indented) Write(p []byte) (int, error) {
	var b []byte
	for _, c := range p {
		if !d.mid {
			b = append(b, ' ', ' ')
		}
		b = append(b, c)
		d.mid = c != '\n'
	}
	_, err := d.w.Write(b)
	return len(p), err
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

func demoCheck(ctx context.Context, e *env, c *restapi.Client, mappingPath, rejectsPath string) error {
	m, err := mapping.Load(mappingPath)
	if err != nil {
		return err
	}
	r, err := m.OpenSource("")
	if err != nil {
		return err
	}
	defer r.Close()
	schemas, err := crm.FetchSchemas(ctx, c, m.SchemaNeeds())
	if err != nil {
		return err
	}
	plan, err := mapping.Compile(m, schemas, r.Header())
	if err != nil {
		return err
	}
	rw, err := report.CreateRejects(rejectsPath, r.Header())
	if err != nil {
		return err
	}
	sum, err := mapping.CheckRows(ctx, plan, r, func(rej *mapping.Rejected) error {
		return rw.Add(rej)
	})
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "  %s: %d rows, %d ok, %d skipped, %d rejected → %s\n", r.Detected(), sum.Rows, sum.OK, sum.Skipped, sum.Rejected, rejectsPath)
	for _, f := range sum.Reasons() {
		fmt.Fprintf(e.stdout, "    %s\n", sum.Example[f])
	}
	return nil
}
