package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/export"
)

// exportAddressesFlags are the export flags that make no sense for
// 'export addresses' (it reads everything each time, with no state).
var exportAddressesFlags = []string{"category", "details", "incremental", "from-changes", "full-refresh", "resume", "ids",
	"columns", "state", "refresh-overlap"}

// exportAddresses is 'minicrm-bulk export addresses [--type Business|Person]': every
// address of every contact, one row each, with its contact's name and type.
func exportAddresses(ctx context.Context, e *env, fs *pflag.FlagSet, conn *connection, out, format, typ string,
	csvOpts export.CSVOptions, workers int, progress string) error {
	for _, f := range exportAddressesFlags {
		if fs.Changed(f) {
			return usagef("--%s does not apply to 'export addresses' (it reads every address each run)", f)
		}
	}
	if out == "" {
		return usagef("-o is required: the file to write")
	}
	f := export.Format(strings.ToLower(format))
	switch f {
	case "":
		f = export.FormatOf(out)
	case export.CSV, export.XLSX:
	default:
		return usagef("--format: want csv or xlsx")
	}
	if f == export.XLSX && (csvOpts.Excel || csvOpts.RawFormulas) {
		return usagef("--excel and --raw-formulas are for CSV")
	}
	switch strings.ToLower(typ) {
	case "":
	case "business", "businesses":
		typ = "Business"
	case "person", "persons":
		typ = "Person"
	default:
		return usagef("--contact-type: want Business or Person")
	}
	if err := checkRunFlags(workers, progress); err != nil {
		return err
	}
	c, stop, err := conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	cfg := export.AddressesConfig{Client: c, ContactType: typ, Output: out, Format: f, CSV: csvOpts, Workers: workers}
	if progress == "log" || progress == "bar" || progress == "auto" {
		last := -1
		cfg.Progress = func(done, total int) {
			// A line every tenth of the contacts, and at the end.
			if step := max(total/10, 1); done == total || done/step != last {
				last = done / step
				fmt.Fprintf(e.stderr, "addresses: %d/%d contacts read\n", done, total)
			}
		}
	}
	sum, err := export.ExportAddresses(ctx, cfg)
	if sum != nil && err == nil {
		fmt.Fprint(e.stdout, sum.Text())
	}
	return err
}
