package demo

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

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// Options are the demo's: where the story goes, where the outputs go, where
// the example sources and mappings are, and the sandbox's rate limit.
type Options struct {
	Stdout      io.Writer
	OutDir      string
	ExamplesDir string
	RPM         int
}

// demo is one run's working set.
type demo struct {
	Options
	srv      *sandbox.Embedded
	c        *restapi.Client
	clock    *pipeline.ServerClock
	stateDir string
	// budget is the sandbox's request budget, shared by every client of
	// the demo, as MiniCRM counts a system's requests.
	budget *restapi.Budget
}

// step prints a step's title.
func (d *demo) step(format string, a ...any) { fmt.Fprintf(d.Stdout, "\n== "+format+"\n", a...) }

// Run runs the demo against an embedded sandbox it starts and stops.
func Run(ctx context.Context, o Options) error {
	if o.RPM <= 0 {
		return errors.New("the rate limit must be positive")
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	d := &demo{Options: o, stateDir: filepath.Join(o.OutDir, "state")}

	// 1. The sandbox, embedded, on a loopback port of its own.
	srv, err := sandbox.StartEmbedded(sandbox.Config{RPM: o.RPM})
	if err != nil {
		return err
	}
	defer srv.Close()
	d.srv = srv
	lim := restapi.DefaultLimits()
	lim.Requests = o.RPM
	if d.budget, err = restapi.NewBudget(lim); err != nil {
		return err
	}
	d.step("MiniCRM sandbox at %s (SystemId %d, %d requests/minute, the documentation's example system)", srv.URL, srv.SystemID, o.RPM)
	// The server clock learns MiniCRM's time from its answers, so the
	// import's incremental refresh does not depend on this machine's clock.
	d.clock = pipeline.NewServerClock()
	if d.c, err = d.client(restapi.WithHTTPClient(d.clock.Client())); err != nil {
		return err
	}

	for _, part := range []func(context.Context) error{d.walk, d.checks, d.imports, d.feed, d.exports} {
		if err := part(ctx); err != nil {
			return err
		}
	}

	st := d.c.Stats()
	d.step("Done in %s: %d requests, %d answered 429, %d retried", time.Since(start).Round(time.Millisecond), st.Attempts, st.RateLimited, st.Retries)
	fmt.Fprintf(d.Stdout, "Outputs (in %s/):\n", o.OutDir)
	for _, out := range []struct{ what, path string }{
		{"rows the mapping checks rejected", filepath.Join(o.OutDir, "*-rejected.csv")},
		{"import reports (success.csv, errors.csv, summary.json)", filepath.Join(o.OutDir, "import-*")},
		{"the XML sync feed and its errors.csv", filepath.Join(o.OutDir, "feed")},
		{"the export as a workbook", filepath.Join(o.OutDir, "export", "minicrm.xlsx")},
		{"the people as CSV", filepath.Join(o.OutDir, "export", "persons.csv")},
		{"the state (journal, mirror, snapshots)", d.stateDir},
	} {
		fmt.Fprintf(d.Stdout, "  %-56s %s\n", out.what, out.path)
	}
	return nil
}

// client is a client of the sandbox.
func (d *demo) client(extra ...restapi.Option) (*restapi.Client, error) {
	return restapi.NewClient(append([]restapi.Option{restapi.WithBaseURL(d.srv.URL), restapi.WithSystemID(fmt.Sprint(d.srv.SystemID)),
		restapi.WithAPIKey(d.srv.APIKey), restapi.WithBudget(d.budget)}, extra...)...)
}

// walk goes through the API, as the documentation's curl examples do.
func (d *demo) walk(ctx context.Context) error {
	c, w := d.c, d.Stdout
	d.step("Modules (GET /Api/R3/Category)")
	cats, err := c.Categories.List(ctx)
	if err != nil {
		return err
	}
	for _, cat := range cats {
		fmt.Fprintf(w, "  %4d  %s\n", cat.Id, cat.Name)
	}
	d.step("Card fields of Értékesítés (GET /Api/R3/Schema/Project/10)")
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
			fmt.Fprintf(w, "  %-28s %s: %s\n", f.Name, f.Type, strings.Join(labels, ", "))
		}
	}
	d.step("Search by phone in any format (GET /Api/R3/Contact?Query=+36 20 236 7532)")
	for item, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{Query: "+36 20 236 7532"}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %d %s <%s> %s\n", item.Id, item.Name, item.Email, item.Phone)
	}
	return d.writes(ctx)
}

// writes creates a company, a person and a card, moves the card on, and
// shows a write MiniCRM refuses.
func (d *demo) writes(ctx context.Context) error {
	c, w := d.c, d.Stdout
	d.step("Create a company, a person and a card (PUT /Api/R3/Contact, /Api/R3/Project)")
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
	fmt.Fprintf(w, "  business %d, person %d, card %d\n", bizID, personID, cardID)
	d.step("Move the card on and read its status history (PUT /Api/R3/Project/%d, GET …/ProjectHistory)", cardID)
	if _, err := c.Projects.Update(ctx, cardID, restapi.Fields{"StatusId": "Ajánlat kiküldve"}); err != nil {
		return err
	}
	history, err := c.Projects.History(ctx, cardID)
	if err != nil {
		return err
	}
	for _, h := range history {
		fmt.Fprintf(w, "  %s  %q → %q\n", h.ClosedAt, h.OldStatusName, h.NewStatusName)
	}
	d.step("A write MiniCRM refuses comes back as a typed error with its plain-text message")
	_, err = c.Projects.Update(ctx, cardID, restapi.Fields{"AutoSalesV3_Qualification": "Ilyen érték nincs is CRM-ben"})
	fmt.Fprintf(w, "  %v\n", err)
	return nil
}

// checks checks the example mappings against the sandbox's schema, row by
// row, without writing.
func (d *demo) checks(ctx context.Context) error {
	for _, name := range []string{"ugyfelek.yaml", "lehetosegek.yaml"} {
		path := filepath.Join(d.ExamplesDir, name)
		d.step("Check the mapping %s against the schema, row by row, without writing", path)
		if err := d.check(ctx, path, filepath.Join(d.OutDir, strings.TrimSuffix(name, ".yaml")+"-rejected.csv")); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) check(ctx context.Context, mappingPath, rejectsPath string) error {
	m, err := mapping.Load(mappingPath)
	if err != nil {
		return err
	}
	res, err := mapping.CheckFile(ctx, mapping.CheckFileOptions{Mapping: m, RejectsPath: rejectsPath,
		Schemas: func(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
			return crm.FetchSchemas(ctx, d.c, m.SchemaNeeds())
		}})
	if err != nil {
		return err
	}
	sum := res.Summary
	fmt.Fprintf(d.Stdout, "  %s: %d rows, %d ok, %d skipped, %d rejected → %s\n", res.Detected, sum.Rows, sum.OK, sum.Skipped, sum.Rejected, rejectsPath)
	for _, f := range sum.Reasons() {
		fmt.Fprintf(d.Stdout, "    %s\n", sum.Example[f])
	}
	return nil
}

// imports imports both examples, then the first again.
func (d *demo) imports(ctx context.Context) error {
	for _, im := range []struct{ mapping, out, title string }{
		{"ugyfelek.yaml", "import-ugyfelek", "Import %s: companies and people from a Hungarian Excel CSV"},
		{"lehetosegek.yaml", "import-lehetosegek", "Import %s: cards in Értékesítés from an XLSX report"},
		{"ugyfelek.yaml", "import-ugyfelek-again", "Import %s again: nothing changed, so nothing is written.\n" +
			"   (MiniCRM's lists carry no UpdatedAt, so records written in the last seconds before a run's final\n" +
			"   listing are read once more on the next run: in this quick demo that is nearly all of them;\n" +
			"   a nightly re-run of unchanged data costs a handful of list pages, see the README.)"},
	} {
		path := filepath.Join(d.ExamplesDir, im.mapping)
		d.step(im.title, path)
		sum, err := pipeline.Import(ctx, pipeline.Config{Client: d.c, MappingPath: path, StateDir: d.stateDir,
			OutDir: filepath.Join(d.OutDir, im.out), Now: d.clock.Now})
		if err != nil {
			return err
		}
		fmt.Fprint(d.Stdout, indent(sum.Text()))
	}
	return nil
}

// feed builds an XML sync feed of the cards, pushes it and waits until the
// sandbox has applied it. It has a client of its own, as the feed commands
// do: its requests are not in the demo's count.
func (d *demo) feed(ctx context.Context) error {
	feedMapping := filepath.Join(d.ExamplesDir, "lehetosegek.yaml")
	feedFile := filepath.Join(d.OutDir, "feed", "lehetosegek.xml")
	if err := os.MkdirAll(filepath.Dir(feedFile), 0o755); err != nil {
		return err
	}
	c, err := d.client()
	if err != nil {
		return err
	}
	d.step("Build an XML sync feed from %s (rows MiniCRM would refuse stay out, in errors.csv)", feedMapping)
	m, err := mapping.Load(feedMapping)
	if err != nil {
		return err
	}
	restore := xmlfeed.TuneGC(os.Getenv)
	res, err := xmlfeed.BuildFile(ctx, xmlfeed.FileOptions{Mapping: m, MappingPath: feedMapping, Output: feedFile, StateDir: d.stateDir,
		Schemas: func(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
			return crm.FetchSchemas(ctx, c, m.SchemaNeeds())
		}})
	restore()
	if res != nil {
		fmt.Fprint(d.Stdout, indent(res.Text()))
	}
	if err != nil {
		return err
	}
	d.step("Push it (POST /Api/SyncFeed/1/Upload) and wait until MiniCRM has applied it")
	pushed, err := xmlfeed.Push(ctx, xmlfeed.PushOptions{Service: c.SyncFeed, FeedID: 1, Files: []string{feedFile}, StateDir: d.stateDir})
	if pushed != nil {
		fmt.Fprint(d.Stdout, indent(pushed.Text()))
	}
	if err != nil {
		return err
	}
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	err = d.srv.WaitFeeds(waitCtx)
	cancelWait()
	if err != nil {
		return fmt.Errorf("the sandbox did not apply the feed: %w", err)
	}
	for _, o := range d.srv.Feeds() {
		fmt.Fprintf(d.Stdout, "  applied: %d card(s): %d created, %d updated, %d unchanged, %d failed\n", o.Cards, o.Created, o.Updated, o.Unchanged, o.Failed)
	}
	return nil
}

// exports writes everything out again: a workbook and CSV files.
func (d *demo) exports(ctx context.Context) error {
	xlsxPath := filepath.Join(d.OutDir, "export", "minicrm.xlsx")
	csvPath := filepath.Join(d.OutDir, "export", "persons.csv")
	if err := os.MkdirAll(filepath.Dir(xlsxPath), 0o755); err != nil {
		return err
	}
	for _, x := range []struct {
		title string
		cfg   export.Config
	}{
		{"Export every contact, card and to-do with every field (a request per record) to " + xlsxPath,
			export.Config{Entities: slices.Clone(export.WithToDos), Output: xlsxPath, Format: export.XLSX, Details: true}},
		{"Export the people's list columns to " + csvPath + " for Hungarian Excel (BOM, ';', decimal comma)",
			export.Config{Entities: []export.Entity{export.Persons}, Output: csvPath, Format: export.CSV, CSV: export.CSVOptions{Excel: true}}},
	} {
		d.step("%s", x.title)
		cfg := x.cfg
		cfg.Client, cfg.StateDir, cfg.Now = d.c, d.stateDir, d.clock.Now
		sum, err := export.Export(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprint(d.Stdout, indent(sum.Text()))
	}
	return nil
}

// indent indents every line of s by two spaces.
func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}
