package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/lookup"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// searchOptions are the search command's: the criteria of each kind bound
// to the flags, and those both kinds take.
type searchOptions struct {
	what, name, since string
	mainContact       int
	fields            []string
	limit             int
	contacts          restapi.ContactSearchOptions
	projects          restapi.ProjectSearchOptions
	conn              *connection
	changed           func(string) bool
}

func init() { register(newCmdSearch(searchRun)) }

// newCmdSearch binds the search flags to fresh options; runF runs them.
func newCmdSearch(runF func(context.Context, *env, *searchOptions) error) *command {
	return &command{name: "search", short: "Search contacts or cards; one JSON object a line",
		usage: "contacts|projects [flags]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &searchOptions{changed: fs.Changed}
			ct, pr := &o.contacts, &o.projects
			fs.StringVar(&ct.Email, "email", "", "contacts: email address (exact)")
			fs.StringVar(&ct.Phone, "phone", "", "contacts: phone number, matched from the end in any format")
			fs.StringVar(&ct.Query, "query", "", "contacts: whole words of any field, or a phone number")
			fs.StringVar(&o.name, "name", "", "part of the name")
			fs.StringVar(&ct.Type, "type", "", "contacts: Person or Business")
			fs.IntVar(&o.mainContact, "main-contact", 0, "a business's Id: it and its persons (contacts), or its cards (projects)")
			fs.IntVar(&pr.CategoryId, "category", 0, "projects: CategoryId of the module")
			fs.StringVar(&pr.StatusId, "status", "", "projects: status id or label")
			fs.StringVar(&pr.StatusGroup, "status-group", "", "projects: Lead, Open, Success or Failed")
			fs.StringVar(&pr.UserId, "user", "", "projects: owner's id or name")
			fs.BoolVar(&pr.Deleted, "deleted", false, "projects: the trashed cards (with --category)")
			fs.StringVar(&o.since, "updated-since", "", `changed at or after this time: "2006-01-02", "2006-01-02 15:04:05" (Hungarian time) or RFC 3339`)
			fs.StringArrayVar(&o.fields, "field", nil, "Name=Value: a field by its API name (repeatable)")
			fs.IntVar(&o.limit, "limit", 0, "stop after this many results (0: all)")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if err := o.complete(args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the flags against the kind searched and fills in the
// criteria both kinds take.
func (o *searchOptions) complete(args []string) error {
	if len(args) != 1 {
		return usagef("search what? contacts or projects")
	}
	switch strings.ToLower(args[0]) {
	case "contact", "contacts":
		o.what = "contacts"
	case "project", "projects", "card", "cards":
		o.what = "projects"
	default:
		return usagef("cannot search %q: want contacts or projects", args[0])
	}
	only := map[string]string{"email": "contacts", "phone": "contacts", "query": "contacts", "type": "contacts",
		"category": "projects", "status": "projects", "status-group": "projects", "user": "projects", "deleted": "projects"}
	for flag, for_ := range only {
		if o.changed(flag) && for_ != o.what {
			return usagef("--%s is for searching %s", flag, for_)
		}
	}
	if o.limit < 0 {
		return usagef("--limit must not be negative")
	}
	crit := map[string]string{}
	for _, f := range o.fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--field %q: want Name=Value", f)
		}
		crit[strings.TrimSpace(k)] = v
	}
	var updated time.Time
	if o.since != "" {
		t, err := lookup.ParseSince(o.since)
		if err != nil {
			return usagef("--updated-since %q: want 2006-01-02, \"2006-01-02 15:04:05\" or RFC 3339", o.since)
		}
		updated = t
	}
	ct, pr := &o.contacts, &o.projects
	ct.Name, ct.MainContactId, ct.UpdatedSince, ct.Fields = o.name, o.mainContact, updated, crit
	pr.Name, pr.MainContactId, pr.UpdatedSince, pr.Fields = o.name, o.mainContact, updated, crit
	return nil
}

// searchRun prints every match as a JSON line and the count on stderr.
func searchRun(ctx context.Context, e *env, o *searchOptions) error {
	c, stop, err := o.conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	var n int
	if o.what == "contacts" {
		n, err = lookup.JSONLines(e.stdout, c.Contacts.Search(ctx, o.contacts), o.limit)
	} else {
		n, err = lookup.JSONLines(e.stdout, c.Projects.Search(ctx, o.projects), o.limit)
	}
	if err != nil {
		return err
	}
	noun := strings.TrimSuffix(o.what, "s")
	if n != 1 {
		noun = o.what
	}
	fmt.Fprintf(e.stderr, "%d %s\n", n, noun)
	return nil
}
