package lookup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Kinds are the record kinds Record fetches.
var Kinds = []string{"contact", "project", "todo", "order", "invoice", "offer"}

// ParseKind reads a kind as a user types it: any case, singular or
// plural, "card" for project.
func ParseKind(s string) (string, bool) {
	kind := strings.TrimSuffix(strings.ToLower(s), "s")
	if kind == "card" {
		kind = "project"
	}
	return kind, slices.Contains(Kinds, kind)
}

// Record fetches the detail record of one Id as MiniCRM sent it.
func Record(ctx context.Context, c *restapi.Client, kind string, id int) (json.RawMessage, error) {
	switch kind {
	case "contact":
		r, err := c.Contacts.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return r.Raw, nil
	case "project":
		r, err := c.Projects.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return r.Raw, nil
	case "todo":
		r, err := c.ToDos.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return r.Raw, nil
	}
	get := map[string]func(context.Context, int) (*restapi.Document, error){"order": c.Orders.Get, "invoice": c.Invoices.Get, "offer": c.Offers.Get}[kind]
	if get == nil {
		return nil, fmt.Errorf("unknown kind %q: want one of %s", kind, strings.Join(Kinds, ", "))
	}
	r, err := get(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.Raw, nil
}

// WriteJSON writes a JSON document indented, with a final newline.
func WriteJSON(w io.Writer, doc json.RawMessage) error {
	var out bytes.Buffer
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// Categories writes the modules as a table (with detailed, their type and
// sender too), or as a JSON array.
func Categories(ctx context.Context, c *restapi.Client, w io.Writer, detailed, asJSON bool) error {
	var rows any
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if detailed {
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
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	return tw.Flush()
}

// SchemaTable writes a schema's fields as a table: name, type, longest
// text, dropdown options as id=label.
func SchemaTable(w io.Writer, sch *restapi.Schema) error {
	fmt.Fprintf(w, "%s: %d fields\n\n", sch.Entity, len(sch.Fields))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tTYPE\tMAX\tOPTIONS")
	for _, f := range sch.Fields {
		max := ""
		if f.MaxLength > 0 {
			max = strconv.Itoa(f.MaxLength)
		}
		var opts []string
		for _, o := range f.Options {
			opts = append(opts, o.Key+"="+o.Label)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Type, max, strings.Join(opts, ", "))
	}
	return tw.Flush()
}

// JSONLines writes each item of seq as one JSON line, up to limit (0:
// all), and returns how many it wrote.
func JSONLines[T any](w io.Writer, seq iter.Seq2[T, error], limit int) (n int, err error) {
	out := bufio.NewWriter(w)
	defer func() {
		if ferr := out.Flush(); err == nil {
			err = ferr
		}
	}()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
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

// ParseSince reads a MiniCRM date or time (Hungarian local time) or RFC
// 3339, for an "updated since" criterion.
func ParseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := restapi.ParseTime(s)
	if err == nil && t.IsZero() {
		err = fmt.Errorf("empty time")
	}
	return t, err
}
