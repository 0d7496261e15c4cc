package main

import (
	"context"
	"fmt"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/progress"
)

// exportAddressesFlags are the export flags that make no sense for
// 'export addresses' (it reads everything each time, with no state).
var exportAddressesFlags = []string{"category", "details", "incremental", "from-changes", "full-refresh", "resume", "ids",
	"columns", "state", "refresh-overlap"}

// exportAddresses is 'minicrm-bulk export addresses [--contact-type Business|Person]':
// every address of every contact, one row each, with its contact's name
// and type.
func exportAddresses(ctx context.Context, e *env, o *exportOptions) error {
	for _, f := range exportAddressesFlags {
		if o.changed(f) {
			return usagef("--%s does not apply to 'export addresses' (it reads every address each run)", f)
		}
	}
	out := o.cfg.Output
	if out == "" {
		return usagef("-o is required: the file to write")
	}
	f, err := export.ParseFormat(o.choices.Format, out, o.cfg.CSV)
	if err != nil {
		return usagef("%v", err)
	}
	typ, err := export.ParseContactType(o.contactType)
	if err != nil {
		return usagef("%v", err)
	}
	if err := checkRunFlags(o.cfg.Workers, o.progress); err != nil {
		return err
	}
	c, stop, err := o.conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	cfg := export.AddressesConfig{Client: c, ContactType: typ, Output: out, Format: f, CSV: o.cfg.CSV, Workers: o.cfg.Workers,
		Progress: progress.ForAddresses(e.stderr, o.progress)}
	sum, err := export.ExportAddresses(ctx, cfg)
	if sum != nil && err == nil {
		fmt.Fprint(e.stdout, sum.Text())
	}
	return err
}
