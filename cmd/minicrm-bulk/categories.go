package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// categoriesOptions are the categories command's.
type categoriesOptions struct {
	detailed, json bool
	conn           *connection
}

func init() { register(newCmdCategories(categoriesRun)) }

// newCmdCategories binds the categories flags to fresh options; runF runs
// them.
func newCmdCategories(runF func(context.Context, *env, *categoriesOptions) error) *command {
	return &command{name: "categories", short: "List the modules (categories) of a MiniCRM system",
		usage: "[flags]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &categoriesOptions{}
			fs.BoolVar(&o.detailed, "detailed", false, "also show each module's type, sender name and sender email")
			fs.BoolVar(&o.json, "json", false, "print a JSON array instead of a table")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				return runF(ctx, e, o)
			}
		}}
}

// categoriesRun lists the modules as a table or JSON.
func categoriesRun(ctx context.Context, e *env, o *categoriesOptions) error {
	c, stop, err := o.conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	var rows any
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if o.detailed {
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
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return tw.Flush()
}
