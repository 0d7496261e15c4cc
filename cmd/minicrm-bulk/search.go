package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

func init() {
	register(&command{
		name:  "search",
		short: "Search contacts or cards; one JSON object a line",
		usage: "contacts|projects [flags]",
		long: `Searches contacts (businesses and persons) or cards (projects) and prints every match as one
JSON object a line, walking all the pages (100 a page); the count goes to stderr. Criteria
combine. Results carry ids where detail records carry labels; 'minicrm-bulk get' shows the
whole record.

Contacts: --email matches an address exactly; --phone and a numeric --query match a phone
number from its end, ignoring its format; --query matches whole words of any text field,
ignoring case and accents. Cards: --category (see 'minicrm-bulk categories'), --status and
--user take an id or a label. --field Name=Value matches any field by its API name (see
'minicrm-bulk schema'); dropdowns take the option's id or label.

` + connectionHelp,
		example: `  # a person by email, on the example data
  minicrm-bulk search contacts --email norbert@minicrm.hu --sandbox

  # by phone number, any format
  minicrm-bulk search contacts --phone "+36 20 236 7532"

  # a company and its people
  minicrm-bulk search contacts --main-contact 7505

  # the Sales module's cards in negotiation, changed since Monday
  minicrm-bulk search projects --category 10 --status Tárgyalás --updated-since 2024-06-03

  # by a custom field
  minicrm-bulk search contacts --field KedvencEtele=Alma | jq -r .Email`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			email := fs.String("email", "", "contacts: email address (exact)")
			phone := fs.String("phone", "", "contacts: phone number, matched from the end in any format")
			query := fs.String("query", "", "contacts: whole words of any field, or a phone number")
			name := fs.String("name", "", "part of the name")
			typ := fs.String("type", "", "contacts: Person or Business")
			mainContact := fs.Int("main-contact", 0, "a business's Id: it and its persons (contacts), or its cards (projects)")
			category := fs.Int("category", 0, "projects: CategoryId of the module")
			status := fs.String("status", "", "projects: status id or label")
			statusGroup := fs.String("status-group", "", "projects: Lead, Open, Success or Failed")
			user := fs.String("user", "", "projects: owner's id or name")
			deleted := fs.Bool("deleted", false, "projects: the trashed cards (with --category)")
			since := fs.String("updated-since", "", `changed at or after this time: "2006-01-02", "2006-01-02 15:04:05" (Hungarian time) or RFC 3339`)
			fields := fs.StringArray("field", nil, "Name=Value: a field by its API name (repeatable)")
			limit := fs.Int("limit", 0, "stop after this many results (0: all)")
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("search what? contacts or projects")
				}
				what := strings.ToLower(args[0])
				switch what {
				case "contact", "contacts":
					what = "contacts"
				case "project", "projects", "card", "cards":
					what = "projects"
				default:
					return usagef("cannot search %q: want contacts or projects", args[0])
				}
				only := map[string]string{"email": "contacts", "phone": "contacts", "query": "contacts", "type": "contacts",
					"category": "projects", "status": "projects", "status-group": "projects", "user": "projects", "deleted": "projects"}
				for flag, for_ := range only {
					if fs.Changed(flag) && for_ != what {
						return usagef("--%s is for searching %s", flag, for_)
					}
				}
				if *limit < 0 {
					return usagef("--limit must not be negative")
				}
				crit := map[string]string{}
				for _, f := range *fields {
					k, v, ok := strings.Cut(f, "=")
					if !ok || strings.TrimSpace(k) == "" {
						return usagef("--field %q: want Name=Value", f)
					}
					crit[strings.TrimSpace(k)] = v
				}
				var updated time.Time
				if *since != "" {
					t, err := parseSince(*since)
					if err != nil {
						return usagef("--updated-since %q: want 2006-01-02, \"2006-01-02 15:04:05\" or RFC 3339", *since)
					}
					updated = t
				}

				c, stop, err := conn.connect(e)
				if err != nil {
					return err
				}
				defer stop()
				out := bufio.NewWriter(e.stdout)
				var n int
				if what == "contacts" {
					n, err = printAll(out, c.Contacts.Search(ctx, restapi.ContactSearchOptions{Email: *email, Phone: *phone, Query: *query,
						Name: *name, Type: *typ, MainContactId: *mainContact, UpdatedSince: updated, Fields: crit}), *limit)
				} else {
					n, err = printAll(out, c.Projects.Search(ctx, restapi.ProjectSearchOptions{CategoryId: *category, MainContactId: *mainContact,
						StatusId: *status, StatusGroup: *statusGroup, UserId: *user, Name: *name, Deleted: *deleted, UpdatedSince: updated,
						Fields: crit}), *limit)
				}
				if ferr := out.Flush(); err == nil {
					err = ferr
				}
				if err != nil {
					return err
				}
				noun := strings.TrimSuffix(what, "s")
				if n != 1 {
					noun = what
				}
				fmt.Fprintf(e.stderr, "%d %s\n", n, noun)
				return nil
			}
		},
	})
}

// printAll writes each item as one JSON line, up to limit (0: all).
func printAll[T any](w *bufio.Writer, seq iter.Seq2[T, error], limit int) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	for item, err := range seq {
		if err != nil {
			return n, err
		}
		if err := enc.Encode(item); err != nil {
			return n, err
		}
		if n++; limit > 0 && n >= limit {
			break
		}
	}
	return n, nil
}

// parseSince reads a MiniCRM date or time (Hungarian local time) or RFC 3339.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := restapi.ParseTime(s)
	if err == nil && t.IsZero() {
		err = fmt.Errorf("empty time")
	}
	return t, err
}
