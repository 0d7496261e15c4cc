package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// getKinds are the record kinds get knows.
var getKinds = []string{"contact", "project", "todo", "order", "invoice", "offer"}

func init() {
	register(&command{
		name:  "get",
		short: "Print one record (contact, card, to-do, order, invoice, offer) as JSON",
		usage: "contact|project|todo|order|invoice|offer <Id> [flags]",
		long: `Prints the detail record MiniCRM holds for one Id, as MiniCRM sends it (JSON, indented), custom
fields included. In detail records dropdown fields hold labels ("StatusId": "Tárgyalás");
lists and searches give ids. An order's, invoice's or offer's Id is not its card's Id.

` + connectionHelp,
		example: `  # a person of the example data
  minicrm-bulk get contact 7506 --sandbox

  # a card on a real system, one field with jq
  minicrm-bulk get project 2056 | jq -r .StatusId

  # an order
  minicrm-bulk get order 44 --test-env`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 2 {
					return usagef("want a kind (%s) and an Id", strings.Join(getKinds, ", "))
				}
				kind := strings.ToLower(args[0])
				kind = strings.TrimSuffix(kind, "s")
				if kind == "card" {
					kind = "project"
				}
				if !slices.Contains(getKinds, kind) {
					return usagef("unknown kind %q: want one of %s", args[0], strings.Join(getKinds, ", "))
				}
				id, err := strconv.Atoi(args[1])
				if err != nil || id <= 0 {
					return usagef("the Id must be a positive number, got %q", args[1])
				}
				c, stop, err := conn.connect(e)
				if err != nil {
					return err
				}
				defer stop()
				var raw json.RawMessage
				switch kind {
				case "contact":
					r, err := c.Contacts.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				case "project":
					r, err := c.Projects.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				case "todo":
					r, err := c.ToDos.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				case "order":
					r, err := c.Orders.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				case "invoice":
					r, err := c.Invoices.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				case "offer":
					r, err := c.Offers.Get(ctx, id)
					if err != nil {
						return err
					}
					raw = r.Raw
				}
				var out bytes.Buffer
				if err := json.Indent(&out, raw, "", "  "); err != nil {
					return err
				}
				out.WriteByte('\n')
				_, err = e.stdout.Write(out.Bytes())
				return err
			}
		},
	})
}
