package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/progress"
)

func init() {
	register(&command{
		name:  "export",
		short: "Export contacts, cards, to-dos, addresses, invoices, orders and offers to CSV or XLSX, incrementally",
		usage: "contacts|businesses|persons|projects|todos|invoices|orders|offers|all|addresses -o PATH [--format csv|xlsx] [--details] [--incremental] [flags]",
		long: `Pages every record of the entity out of MiniCRM (100 a page, through the rate limit) and
writes it to PATH: a CSV file, or an XLSX workbook with typed cells (numbers, real dates), a
bold frozen header, an autofilter and a sheet per table. 'all' is businesses, persons and
the cards of each module (a sheet each, named after the module, with that module's fields);
--todos adds the to-dos (a request per card every run). In CSV it needs a directory (a file
per table), in XLSX it makes one sheet each.
Rows are in Id order; dropdowns show their labels (--ids: the option ids); person rows carry
their company's name and email (with --details its VAT and registration numbers too), card
rows their contact's and company's, to-do rows their card's name.

invoices, orders and offers: a row per issued document (number, dates as dates, currency,
net, VAT and gross as numbers, status, customer, the company of its card); every document's
detail is read (a request each, checkpointed and resumable). --items adds its lines as a
second sheet (in CSV a second file, NAME-items.csv). --since/--until keep the documents
issued on or between those days, --status a status group (Lead, Open, Success, Failed) or a
status name. XLSX adds a totals row per currency.

--headers hu names MiniCRM's own columns and the sheets in Hungarian (Név, Adószám, Cégek…);
the default, api, keeps the API names, which an import reads back. --columns picks, orders and
renames columns: --columns Name,VatNumber=Adószám,Email.

Without --details the columns are those MiniCRM's lists show (Id, name, email, phone, status,
owner, links); --details reads each record's detail for every field of the Schema, custom ones
included: a request per record, checkpointed, so an interrupted export continues with
--resume without reading a record twice.

Every run keeps what it exported in the state directory. --incremental lists only what changed
since the last run (UpdatedSince) and merges it into that, dropping trashed cards; the file is
then written again from the merged rows. --from-changes DIR applies a webhook change log kept
by 'minicrm-bulk listen' instead of listing. To-dos have no UpdatedSince: each run reads every
exported card's to-do list. A contact deleted in MiniCRM is not in its lists: an incremental
export drops it only when its detail says so (--details) or with --full-refresh.

CSV: UTF-8 by default; --excel writes what Hungarian Excel opens with a double click (BOM, ';',
CRLF, decimal comma). Text cells starting with = + - @ get a leading ' so that a spreadsheet
does not run them as formulas (phone numbers and negative numbers are left alone);
--raw-formulas turns that off. Files are written to a temporary file and renamed into place
when complete: an interrupted export leaves the previous file as it was.

'addresses' writes every address of every contact (--contact-type Business or Person: of those
only), one row each with its contact's name and type: MiniCRM has no address search, so it
costs a request per contact and one per address. It keeps no state and reads everything each run.

Exit code 0: exported; 2: fatal (usage, authentication, MiniCRM unreachable, state directory
in use); 130: interrupted (--resume continues).

` + connectionHelp,
		example: `  # every person, list columns, for a quick look in Excel
  minicrm-bulk export persons --excel -o persons.csv --sandbox

  # the Sales module's cards with every field, as a workbook
  minicrm-bulk export projects --category 10 --details -o sales.xlsx --sandbox

  # nightly: everything, reading only what changed since last night
  minicrm-bulk export all --details --incremental --resume -o /srv/exports/minicrm.xlsx --state /var/lib/minicrm-bulk

  # nightly with webhooks: apply the change log 'listen --out changes' keeps
  minicrm-bulk export all --details --from-changes changes -o /srv/exports/minicrm.xlsx`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.StringP("output", "o", "", "the file to write (a directory for several tables in CSV) (required)")
			format := fs.String("format", "", "csv or xlsx (default: from the extension of -o; csv otherwise)")
			category := fs.Int("category", 0, "cards (and to-dos) of this module only (see 'minicrm-bulk categories'); default all")
			details := fs.Bool("details", false, "read each record's detail: every schema field, custom ones included (a request per record)")
			incremental := fs.Bool("incremental", false, "list only what changed since the last run and merge it into the previous export")
			fromChanges := fs.String("from-changes", "", "apply this webhook change log directory (see 'listen') instead of listing what changed")
			fullRefresh := fs.Bool("full-refresh", false, "list everything again even with --incremental or --from-changes")
			resume := fs.Bool("resume", false, "continue the interrupted run of this export (harmless otherwise)")
			ids := fs.Bool("ids", false, "write dropdown values as option ids instead of labels")
			columns := fs.String("columns", "", "comma-separated columns to write, in this order, each optionally renamed (Id,Name=Név,Email)")
			headers := fs.String("headers", "api", "column and sheet names: api (API names, what an import reads back) or hu (Hungarian)")
			items := fs.Bool("items", false, "invoices, orders, offers: also write their lines (a second sheet, or NAME-items.csv)")
			since := fs.String("since", "", "invoices, orders, offers: issued on or after this day (YYYY-MM-DD)")
			until := fs.String("until", "", "invoices, orders, offers: issued on or before this day (YYYY-MM-DD)")
			status := fs.String("status", "", "invoices, orders, offers: a status group (Lead, Open, Success, Failed) or a status name")
			excel := fs.Bool("excel", false, "CSV for Hungarian Excel: UTF-8 BOM, ';', CRLF, decimal comma")
			rawFormulas := fs.Bool("raw-formulas", false, "CSV: do not neutralize cells that start with = + - @")
			stateDir := fs.String("state", ".minicrm-bulk", "state directory: the exported rows and the watermarks (a temporary one with --sandbox)")
			workers := fs.Int("workers", 4, "detail records read at the same time")
			overlap := fs.Duration("refresh-overlap", 5*time.Second, "the next run lists what changed since this run's listing minus this")
			progressMode := fs.String("progress", "auto", "auto (a bar on a terminal, else log lines), bar, log or none")
			logEvery := fs.Duration("log-every", 10*time.Second, "how often --progress log prints a line")
			conn := addConnectionFlags(fs)
			contactType := fs.String("contact-type", "", "export addresses: only the addresses of Business or Person contacts")
			todos := fs.Bool("todos", false, "export all: the to-dos too (a request per card on every run: ToDoList has no UpdatedSince)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("say what to export: contacts, businesses, persons, projects, todos, all or addresses")
				}
				if strings.EqualFold(args[0], "addresses") { // export_addresses.go
					return exportAddresses(ctx, e, fs, conn, *out, *format, *contactType,
						export.CSVOptions{Excel: *excel, RawFormulas: *rawFormulas}, *workers, *progressMode)
				}
				if fs.Changed("contact-type") {
					return usagef("--contact-type is for 'export addresses'")
				}
				entities, err := export.ParseEntity(args[0])
				if err != nil {
					return usagef("%v", err)
				}
				isAll := strings.EqualFold(strings.TrimSpace(args[0]), "all")
				switch {
				case *todos && !isAll:
					return usagef("--todos is for 'export all' (to-dos alone: export todos)")
				case *todos:
					entities = slices.Clone(export.WithToDos)
				}
				if *out == "" {
					return usagef("-o is required: the file to write")
				}
				f := export.Format(strings.ToLower(*format))
				switch f {
				case "":
					f = export.FormatOf(*out)
				case export.CSV, export.XLSX:
				default:
					return usagef("--format: want csv or xlsx")
				}
				if f == export.XLSX && (*excel || *rawFormulas) {
					return usagef("--excel and --raw-formulas are for CSV")
				}
				if err := checkRunFlags(*workers, *progressMode); err != nil {
					return err
				}
				if *fromChanges != "" {
					if fi, err := os.Stat(*fromChanges); err != nil || !fi.IsDir() {
						return usagef("--from-changes %s: not a directory", *fromChanges)
					}
				}
				cols, err := export.ParseColumns(*columns)
				if err != nil {
					return usagef("%v", err)
				}
				hdr, err := export.ParseHeaders(*headers)
				if err != nil {
					return usagef("%v", err)
				}
				docs := entities[0] == export.Invoices || entities[0] == export.Orders || entities[0] == export.Offers
				if !docs && (*items || *since != "" || *until != "" || *status != "") {
					return usagef("--items, --since, --until and --status are for invoices, orders and offers")
				}
				var from, to time.Time
				for _, d := range []struct {
					flag, v string
					t       *time.Time
				}{{"--since", *since, &from}, {"--until", *until, &to}} {
					if d.v == "" {
						continue
					}
					if *d.t, err = time.Parse("2006-01-02", d.v); err != nil {
						return usagef("%s %q: want a day as YYYY-MM-DD", d.flag, d.v)
					}
				}
				if !from.IsZero() && !to.IsZero() && to.Before(from) {
					return usagef("--until %s is before --since %s", *until, *since)
				}
				c, clock, stop, err := conn.connectWithState(e, stateDir, fs.Changed("state"))
				if err != nil {
					return err
				}
				defer stop()

				show := progress.New(e.stderr, *progressMode, *logEvery)
				log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
				sum, err := export.Export(ctx, export.Config{
					Client: c, Entities: entities, Category: *category, Output: *out, Format: f,
					CSV: export.CSVOptions{Excel: *excel, RawFormulas: *rawFormulas}, IDs: *ids, Columns: cols,
					Headers: hdr, PerModule: strings.EqualFold(strings.TrimSpace(args[0]), "all"), Items: *items, Since: from, Until: to, Status: *status,
					Details: *details, Incremental: *incremental, FromChanges: *fromChanges, FullRefresh: *fullRefresh,
					Resume: *resume, StateDir: *stateDir, Overlap: *overlap, Workers: *workers,
					Now: clock.Now, Progress: progress.ForExport(show), Logger: log,
				})
				show.Finish()
				if sum != nil {
					fmt.Fprint(e.stdout, sum.Text())
				}
				if err != nil && errors.Is(err, export.ErrInterrupted) {
					fmt.Fprintf(e.stderr, "What was read is kept in %s: run the same command with --resume to continue.\n", *stateDir)
				}
				return err
			}
		},
	})
}
