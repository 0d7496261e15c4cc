package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/google/renameio/v2"
	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

func init() {
	register(&command{
		name:  "schema",
		short: "Show the fields of persons, businesses or one module's cards",
		usage: "Person|Business|Project/<CategoryId> [flags]",
		long: `Shows the fields MiniCRM knows for persons, businesses or the cards of one module (find
the CategoryId with 'minicrm-bulk categories'): the API name a mapping uses, the type, the
longest text allowed, and for dropdown fields every option as id=label. Names are
case-sensitive.

--json prints the schema as MiniCRM sends it. --save FILE keeps it (as received) so that a
mapping can be checked later without a connection.

` + connectionHelp,
		example: `  # the fields of the Sales module's cards on the example data
  minicrm-bulk schema Project/10 --sandbox

  # persons on a real system, kept for offline mapping checks
  minicrm-bulk schema Person --save schema-person.json

  # the raw answer, for jq
  minicrm-bulk schema Business --json | jq 'keys'`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			asJSON := fs.Bool("json", false, "print the schema as MiniCRM sends it (JSON)")
			save := fs.String("save", "", "also write the schema (as received) to this file")
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				entity, err := schemaEntity(args)
				if err != nil {
					return err
				}
				c, stop, err := conn.connect(e)
				if err != nil {
					return err
				}
				defer stop()
				sch, err := c.Schemas.Get(ctx, entity)
				if err != nil {
					return err
				}
				if *save != "" {
					if err := writeSchemaFile(*save, append(bytes.Clone(sch.Raw), '\n')); err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "saved the schema of %s (%d fields) to %s\n", sch.Entity, len(sch.Fields), *save)
				}
				if *asJSON {
					var out bytes.Buffer
					if err := json.Indent(&out, sch.Raw, "", "  "); err != nil {
						return err
					}
					out.WriteByte('\n')
					_, err := e.stdout.Write(out.Bytes())
					return err
				}
				return printSchema(e, sch)
			}
		},
	})
}

// schemaEntity reads "Person", "Business", "Project/10" or "Project 10".
func schemaEntity(args []string) (string, error) {
	switch {
	case len(args) == 0:
		return "", usagef("which schema? Person, Business or Project/<CategoryId>")
	case len(args) == 2 && strings.EqualFold(args[0], "Project"):
		args = []string{"Project/" + args[1]}
	case len(args) > 1:
		return "", usagef("one schema at a time, got %v", args)
	}
	entity, err := restapi.ParseSchemaEntity(args[0])
	if err != nil {
		return "", usagef("%q: want Person, Business or Project/<CategoryId> (see 'minicrm-bulk categories')", args[0])
	}
	return entity, nil
}

func printSchema(e *env, sch *restapi.Schema) error {
	fmt.Fprintf(e.stdout, "%s: %d fields\n\n", sch.Entity, len(sch.Fields))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
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

// writeSchemaFile writes a file through a temporary one in the same
// directory, fsync'd and renamed over the old one (renameio), so a crash
// never leaves half a file where a good one was.
func writeSchemaFile(path string, data []byte) error {
	return renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(filepath.Dir(path)))
}
