package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/lookup"
)

// getOptions are the get command's: the kind and Id of the record.
type getOptions struct {
	kind string
	id   int
	conn *connection
}

func init() { register(newCmdGet(getRun)) }

// newCmdGet binds the get flags to fresh options; runF runs them.
func newCmdGet(runF func(context.Context, *env, *getOptions) error) *command {
	return &command{name: "get", short: "Print one record (contact, card, to-do, order, invoice, offer) as JSON",
		usage: "contact|project|todo|order|invoice|offer <Id> [flags]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &getOptions{conn: addConnectionFlags(fs)}
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 2 {
					return usagef("want a kind (%s) and an Id", strings.Join(lookup.Kinds, ", "))
				}
				var ok bool
				if o.kind, ok = lookup.ParseKind(args[0]); !ok {
					return usagef("unknown kind %q: want one of %s", args[0], strings.Join(lookup.Kinds, ", "))
				}
				var err error
				if o.id, err = strconv.Atoi(args[1]); err != nil || o.id <= 0 {
					return usagef("the Id must be a positive number, got %q", args[1])
				}
				return runF(ctx, e, o)
			}
		}}
}

// getRun prints the record as MiniCRM sent it, indented.
func getRun(ctx context.Context, e *env, o *getOptions) error {
	c, stop, err := o.conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	raw, err := lookup.Record(ctx, c, o.kind, o.id)
	if err != nil {
		return err
	}
	return lookup.WriteJSON(e.stdout, raw)
}
