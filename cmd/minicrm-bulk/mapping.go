package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// mappingOptions are the mapping command's, for init, check and schemas.
type mappingOptions struct {
	sub, mapping, source, entity, category string
	rejects, schema, out                   string
	src                                    *sourceFlags
	conn                                   *connection
}

func init() { register(newCmdMapping(mappingRun)) }

// newCmdMapping binds the mapping flags to fresh options; runF runs them.
func newCmdMapping(runF func(context.Context, *env, *mappingOptions) error) *command {
	return &command{name: "mapping", short: "Write a starter mapping, or check a mapping against MiniCRM without writing",
		usage: "init|check|schemas [flags]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &mappingOptions{}
			fs.StringVar(&o.mapping, "mapping", "", "check, schemas: the mapping file")
			fs.StringVar(&o.source, "source", "", "the source file (init: required; check: instead of the one the mapping names)")
			fs.StringVar(&o.entity, "entity", "", "init: map one record a row: person, business or project (default: every entity the sheet holds)")
			fs.StringVar(&o.category, "category", "", "init: the module of the cards, by id or name (a card section; needed with --entity project)")
			o.src = addSourceFlags(fs)
			fs.StringVar(&o.rejects, "rejects", "", "check: write rejected rows to this CSV")
			fs.StringVar(&o.schema, "schema", "", "check, init: read the schemas from this file (see 'mapping schemas') instead of MiniCRM")
			fs.StringVarP(&o.out, "output", "o", "", "schemas: the file to write; init: write the mapping here instead of stdout")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if err := o.complete(args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the subcommand and its flags.
func (o *mappingOptions) complete(args []string) error {
	if len(args) != 1 {
		return usagef("say init, check or schemas")
	}
	if err := o.src.check(); err != nil {
		return err
	}
	o.sub = args[0]
	switch {
	case o.sub == "init" && o.source == "":
		return usagef("--source is required")
	case o.sub == "check" && o.mapping == "":
		return usagef("--mapping is required")
	case o.sub == "schemas" && (o.mapping == "" || o.out == ""):
		return usagef("--mapping and -o are required")
	case o.sub != "init" && o.sub != "check" && o.sub != "schemas":
		return usagef("unknown subcommand %q: say init, check or schemas", o.sub)
	}
	return nil
}

// mappingRun runs the subcommand.
func mappingRun(ctx context.Context, e *env, o *mappingOptions) error {
	switch o.sub {
	case "init":
		return mappingInit(ctx, e, o)
	case "check":
		return mappingCheck(ctx, e, o)
	}
	m, err := mapping.Load(o.mapping)
	if err != nil {
		return err
	}
	schemas := &schemaSource{file: o.schema, conn: o.conn, e: e}
	defer schemas.close()
	s, err := schemas.load(ctx, m)
	if err != nil {
		return err
	}
	if err := s.Save(o.out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "saved %d modules and the schemas of Person, Business and %d module(s) to %s\n", len(s.Categories), len(s.Projects), o.out)
	return nil
}

// mappingInit writes a starter mapping for the source, then says what
// 'mapping check' will say of it.
func mappingInit(ctx context.Context, e *env, o *mappingOptions) error {
	var kind mapping.EntityKind
	if o.entity != "" {
		kind = map[string]mapping.EntityKind{"person": mapping.KindPerson, "business": mapping.KindBusiness, "project": mapping.KindProject}[strings.ToLower(o.entity)]
		if kind == "" {
			return usagef("--entity %q: want person, business or project (or leave it out to map the whole sheet)", o.entity)
		}
		if kind == mapping.KindProject && o.category == "" {
			return usagef("--entity project needs --category (see 'minicrm-bulk categories')")
		}
	}
	schemas := &schemaSource{file: o.schema, conn: o.conn, e: e}
	defer schemas.close()
	res, err := mapping.Init(ctx, mapping.InitOptions{SourcePath: o.source, OutPath: o.out, Sheet: *o.src.sheet,
		HeaderRow: *o.src.headerRow, Category: o.category, Only: kind,
		Opened:  func(detected string) { fmt.Fprintf(e.stderr, "source %s: %s\n", o.source, detected) },
		Schemas: schemas.load})
	if err != nil {
		return err
	}
	if o.out == "" {
		if _, err := fmt.Fprint(e.stdout, res.Text); err != nil {
			return err
		}
	} else {
		if err := os.WriteFile(o.out, []byte(res.Text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", o.out)
	}
	if res.CheckErr != nil {
		fmt.Fprintf(e.stderr, "%v\n", res.CheckErr)
		return nil
	}
	sum := res.Check
	fmt.Fprintf(e.stderr, "check (%s): %s", res.Entities, sum.Text(false))
	return nil
}

func mappingCheck(ctx context.Context, e *env, o *mappingOptions) error {
	mappingFile, rejectsFile := o.mapping, o.rejects
	m, err := mapping.Load(mappingFile)
	if err != nil {
		return err
	}
	if err := o.src.apply(m); err != nil {
		return err
	}
	schemas := &schemaSource{file: o.schema, conn: o.conn, e: e}
	defer schemas.close()
	res, err := mapping.CheckFile(ctx, mapping.CheckFileOptions{Mapping: m, SourcePath: o.source, RejectsPath: rejectsFile,
		Opened:    func(source string) { fmt.Fprintf(e.stdout, "source %s\n", source) },
		OrderRows: xmlfeed.CheckOrders, // order lines are checked as feed build groups them
		Schemas:   schemas.load})
	if res != nil && res.Compiled {
		fmt.Fprintf(e.stdout, "mapping %s: ok (%s)\n", mappingFile, m.EntityList())
	}
	if err != nil {
		return err
	}
	sum := res.Summary
	fmt.Fprint(e.stdout, sum.Text(true))
	if sum.Rejected > 0 {
		where := "run again with --rejects FILE to get them as a CSV"
		if rejectsFile != "" {
			where = "they are in " + rejectsFile
		}
		return &rejectedError{msg: fmt.Sprintf("%d of %d rows rejected; %s", sum.Rejected, sum.Rows, where)}
	}
	return nil
}
