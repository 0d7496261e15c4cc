package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:  "categories",
		short: "List the modules (categories) of a MiniCRM system",
		usage: "[flags]",
		long: `Lists the modules (MiniCRM calls them categories: Sales, Helpdesk, Orders…) with their
CategoryId, the number cards, schemas and searches take.

` + connectionHelp,
		example: `  # try it without a MiniCRM system
  minicrm-bulk categories --sandbox

  # a real system; the key comes from the environment
  export MINICRM_SYSTEM_ID=12345 MINICRM_API_KEY=...
  minicrm-bulk categories --detailed

  # as JSON, for scripts
  minicrm-bulk categories --api-key-file ~/.minicrm-key --system-id 12345 --json`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			detailed := fs.Bool("detailed", false, "also show each module's type, sender name and sender email")
			asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				c, stop, err := conn.connect(e)
				if err != nil {
					return err
				}
				defer stop()
				var rows any
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				if *detailed {
					cats, err := c.Categories.ListDetailed(ctx)
					if err != nil {
						return err
					}
					rows = cats
					fmt.Fprintln(tw, "ID\tNAME\tTYPE\tSENDER NAME\tSENDER EMAIL")
					for _, cat := range cats {
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", cat.Id, cat.Name, cat.Type, cat.SenderName, cat.SenderEmail)
					}
				} else {
					cats, err := c.Categories.List(ctx)
					if err != nil {
						return err
					}
					rows = cats
					fmt.Fprintln(tw, "ID\tNAME")
					for _, cat := range cats {
						fmt.Fprintf(tw, "%d\t%s\n", cat.Id, cat.Name)
					}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rows)
				}
				return tw.Flush()
			}
		},
	})
}
