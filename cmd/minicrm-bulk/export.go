package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/progress"
)

// exportOptions are the export command's: the run's export.Config, bound to
// the flags where it can be, and the flags that need reading first.
type exportOptions struct {
	cfg                            export.Config
	choices                        export.Choices
	contactType, progress          string
	excel, rawFormulas, stateGiven bool
	logEvery                       time.Duration
	conn                           *connection
	changed                        func(flag string) bool
}

func init() { register(newCmdExport(exportRun)) }

// newCmdExport binds the export flags to fresh options; runF runs them.
func newCmdExport(runF func(context.Context, *env, *exportOptions) error) *command {
	return &command{name: "export", short: "Export contacts, cards, to-dos, addresses, invoices, orders and offers to CSV or XLSX, incrementally",
		usage:    "contacts|businesses|persons|projects|todos|invoices|orders|offers|all|addresses -o PATH [--format csv|xlsx] [--details] [--incremental] [flags]",
		connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &exportOptions{changed: fs.Changed}
			c := &o.cfg
			fs.StringVarP(&c.Output, "output", "o", "", "the file to write (a directory for several tables in CSV) (required)")
			fs.StringVar(&o.choices.Format, "format", "", "csv or xlsx (default: from the extension of -o; csv otherwise)")
			fs.IntVar(&c.Category, "category", 0, "cards (and to-dos) of this module only (see 'minicrm-bulk categories'); default all")
			fs.BoolVar(&c.Details, "details", false, "read each record's detail: every schema field, custom ones included (a request per record)")
			fs.BoolVar(&c.Incremental, "incremental", false, "list only what changed since the last run and merge it into the previous export")
			fs.StringVar(&c.FromChanges, "from-changes", "", "apply this webhook change log directory (see 'listen') instead of listing what changed")
			fs.BoolVar(&c.FullRefresh, "full-refresh", false, "list everything again even with --incremental or --from-changes")
			fs.BoolVar(&c.Resume, "resume", false, "continue the interrupted run of this export (harmless otherwise)")
			fs.BoolVar(&c.IDs, "ids", false, "write dropdown values as option ids instead of labels")
			fs.StringVar(&o.choices.Columns, "columns", "", "comma-separated columns to write, in this order, each optionally renamed (Id,Name=Név,Email)")
			fs.StringVar(&o.choices.Headers, "headers", "api", "column and sheet names: api (API names, what an import reads back) or hu (Hungarian)")
			fs.BoolVar(&c.Items, "items", false, "invoices, orders, offers: also write their lines (a second sheet, or NAME-items.csv)")
			fs.StringVar(&o.choices.Since, "since", "", "invoices, orders, offers: issued on or after this day (YYYY-MM-DD)")
			fs.StringVar(&o.choices.Until, "until", "", "invoices, orders, offers: issued on or before this day (YYYY-MM-DD)")
			fs.StringVar(&c.Status, "status", "", "invoices, orders, offers: a status group (Lead, Open, Success, Failed) or a status name")
			fs.BoolVar(&o.excel, "excel", false, "CSV for Hungarian Excel: UTF-8 BOM, ';', CRLF, decimal comma")
			fs.BoolVar(&o.rawFormulas, "raw-formulas", false, "CSV: do not neutralize cells that start with = + - @")
			fs.StringVar(&c.StateDir, "state", ".minicrm-bulk", "state directory: the exported rows and the watermarks (a temporary one with --sandbox)")
			fs.IntVar(&c.Workers, "workers", 4, "detail records read at the same time")
			fs.DurationVar(&c.Overlap, "refresh-overlap", 5*time.Second, "the next run lists what changed since this run's listing minus this")
			fs.StringVar(&o.progress, "progress", "auto", "auto (a bar on a terminal, else log lines), bar, log or none")
			fs.DurationVar(&o.logEvery, "log-every", 10*time.Second, "how often --progress log prints a line")
			o.conn = addConnectionFlags(fs)
			fs.StringVar(&o.contactType, "contact-type", "", "export addresses: only the addresses of Business or Person contacts")
			fs.BoolVar(&o.choices.ToDos, "todos", false, "export all: the to-dos too (a request per card listed: ToDoList has no UpdatedSince)")
			fs.BoolVar(&o.choices.Addresses, "addresses", true, "with --details: the default address as columns of contacts (AddressList and the address read per contact; default on, off for all)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("say what to export: contacts, businesses, persons, projects, todos, all or addresses")
				}
				o.choices.What, o.stateGiven = args[0], fs.Changed("state")
				o.cfg.CSV = export.CSVOptions{Excel: o.excel, RawFormulas: o.rawFormulas}
				if strings.EqualFold(o.choices.What, "addresses") { // export_addresses.go
					return exportAddresses(ctx, e, o)
				}
				if err := o.complete(); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the flags and turns them into the Config.
func (o *exportOptions) complete() error {
	if o.changed("contact-type") {
		return usagef("--contact-type is for 'export addresses'")
	}
	o.choices.AddressesGiven = o.changed("addresses")
	if err := o.choices.Apply(&o.cfg); err != nil {
		return usagef("%v", err)
	}
	return checkRunFlags(o.cfg.Workers, o.progress)
}

// exportRun runs the export; the summary goes to stdout.
func exportRun(ctx context.Context, e *env, o *exportOptions) error {
	cfg := o.cfg
	c, clock, stop, err := o.conn.connectWithState(e, &cfg.StateDir, o.stateGiven)
	if err != nil {
		return err
	}
	defer stop()
	show := progress.New(e.stderr, o.progress, o.logEvery)
	cfg.Client, cfg.Now, cfg.Progress = c, clock.Now, progress.ForExport(show)
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sum, err := export.Export(ctx, cfg)
	show.Finish()
	if sum != nil {
		fmt.Fprint(e.stdout, sum.Text())
	}
	if err != nil && errors.Is(err, export.ErrInterrupted) {
		fmt.Fprintf(e.stderr, "What was read is kept in %s: run the same command with --resume to continue.\n", cfg.StateDir)
	}
	return err
}
