package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/lookup"
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
	return lookup.Categories(ctx, c, e.stdout, o.detailed, o.json)
}
