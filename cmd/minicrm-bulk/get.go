package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// getKinds are the record kinds get knows.
var getKinds = []string{"contact", "project", "todo", "order", "invoice", "offer"}

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
					return usagef("want a kind (%s) and an Id", strings.Join(getKinds, ", "))
				}
				o.kind = strings.TrimSuffix(strings.ToLower(args[0]), "s")
				if o.kind == "card" {
					o.kind = "project"
				}
				if !slices.Contains(getKinds, o.kind) {
					return usagef("unknown kind %q: want one of %s", args[0], strings.Join(getKinds, ", "))
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
	var raw json.RawMessage
	switch o.kind {
	case "contact":
		var r *restapi.Contact
		if r, err = c.Contacts.Get(ctx, o.id); err == nil {
			raw = r.Raw
		}
	case "project":
		var r *restapi.Project
		if r, err = c.Projects.Get(ctx, o.id); err == nil {
			raw = r.Raw
		}
	case "todo":
		var r *restapi.ToDo
		if r, err = c.ToDos.Get(ctx, o.id); err == nil {
			raw = r.Raw
		}
	default: // order, invoice, offer
		get := map[string]func(context.Context, int) (*restapi.Document, error){"order": c.Orders.Get, "invoice": c.Invoices.Get, "offer": c.Offers.Get}
		var r *restapi.Document
		if r, err = get[o.kind](ctx, o.id); err == nil {
			raw = r.Raw
		}
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = e.stdout.Write(out.Bytes())
	return err
}
