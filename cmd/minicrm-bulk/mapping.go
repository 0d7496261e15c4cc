package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
)

func init() {
	register(&command{
		name:  "mapping",
		short: "Write a starter mapping, or check a mapping against MiniCRM without writing",
		usage: "init|check|schemas [flags]",
		long: `init writes a starter mapping for a source file: columns whose names match MiniCRM fields
(ignoring case and accents, with Hungarian and English synonyms) are mapped, the others are
left as comments. Check it, then run 'mapping check'.

check validates a mapping against MiniCRM's Schema and the source header, reporting every
problem at once with the mapping file's line, then maps every row without writing anything:
it prints how many rows are ok, skipped (by a filter) or rejected, by reason, and with
--rejects writes the rejected rows (file, row, column, field, reason and the original values)
to a CSV that can be fixed and imported again. Exit code 0: every row maps; 1: some rows are
rejected; 2: the mapping itself is wrong (or MiniCRM cannot be reached).

schemas saves the schemas a mapping needs (modules, Person, Business, the mapped module's
cards) to one file, so that 'mapping check --schema FILE' works offline.

` + connectionHelp,
		example: `  # a starter mapping for a Hungarian Excel export, checked against the example system
  minicrm-bulk mapping init --source examples/ugyfelek.csv --entity person --sandbox > my-mapping.yaml

  # check the example mapping and every row of its source
  minicrm-bulk mapping check --mapping examples/ugyfelek.yaml --sandbox --rejects rejected.csv

  # offline: save the schemas once, then check without a connection
  minicrm-bulk mapping schemas --mapping my-mapping.yaml -o schema.json
  minicrm-bulk mapping check --mapping my-mapping.yaml --schema schema.json`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			mappingFile := fs.String("mapping", "", "check, schemas: the mapping file")
			sourceFile := fs.String("source", "", "the source file (init: required; check: instead of the one the mapping names)")
			entity := fs.String("entity", "person", "init: what the rows are: person, business or project")
			category := fs.String("category", "", "init with --entity project: the module, by id or name")
			rejects := fs.String("rejects", "", "check: write rejected rows to this CSV")
			schemaFile := fs.String("schema", "", "check, init: read the schemas from this file (see 'mapping schemas') instead of MiniCRM")
			out := fs.StringP("output", "o", "", "schemas: the file to write; init: write the mapping here instead of stdout")
			conn := addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usagef("say init, check or schemas")
				}
				schemas := func(m *mapping.Mapping) (*mapping.Schemas, func(), error) {
					if *schemaFile != "" {
						s, err := mapping.LoadSchemas(*schemaFile)
						return s, func() {}, err
					}
					c, stop, err := conn.connect(e)
					if err != nil {
						return nil, stop, err
					}
					s, err := mapping.FetchSchemas(ctx, c, m)
					return s, stop, err
				}
				switch args[0] {
				case "init":
					return mappingInit(ctx, e, *sourceFile, *entity, *category, *out, schemas)
				case "check":
					if *mappingFile == "" {
						return usagef("--mapping is required")
					}
					return mappingCheck(ctx, e, *mappingFile, *sourceFile, *rejects, schemas)
				case "schemas":
					if *mappingFile == "" || *out == "" {
						return usagef("--mapping and -o are required")
					}
					m, err := mapping.Load(*mappingFile)
					if err != nil {
						return err
					}
					s, stop, err := schemas(m)
					defer stop()
					if err != nil {
						return err
					}
					if err := s.Save(*out); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "saved %d modules and the schemas of Person, Business and %d module(s) to %s\n", len(s.Categories), len(s.Projects), *out)
					return nil
				}
				return usagef("unknown subcommand %q: say init, check or schemas", args[0])
			}
		},
	})
}

func mappingInit(ctx context.Context, e *env, src, entity, category, out string,
	schemas func(*mapping.Mapping) (*mapping.Schemas, func(), error)) error {
	if src == "" {
		return usagef("--source is required")
	}
	kind := map[string]mapping.EntityKind{"person": mapping.KindPerson, "business": mapping.KindBusiness, "project": mapping.KindProject}[strings.ToLower(entity)]
	if kind == "" {
		return usagef("--entity %q: want person, business or project", entity)
	}
	if kind == mapping.KindProject && category == "" {
		return usagef("--entity project needs --category (see 'minicrm-bulk categories')")
	}
	m := &mapping.Mapping{Source: mapping.Source{File: src}}
	if kind == mapping.KindProject {
		m.Project = &mapping.Entity{Category: category}
	}
	r, err := m.OpenSource(src)
	if err != nil {
		return err
	}
	header := r.Header()
	r.Close()
	s, stop, err := schemas(m)
	defer stop()
	if err != nil {
		return err
	}
	sch := s.Person
	switch kind {
	case mapping.KindBusiness:
		sch = s.Business
	case mapping.KindProject:
		id, ok := s.CategoryID(category)
		if !ok {
			return fmt.Errorf("module %q does not exist (see 'minicrm-bulk categories')", category)
		}
		sch = s.Projects[id]
	}
	text := mapping.Suggest(src, header, kind, category, sch)
	if out == "" {
		_, err := fmt.Fprint(e.stdout, text)
		return err
	}
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", out)
	return nil
}

func mappingCheck(ctx context.Context, e *env, mappingFile, src, rejectsFile string,
	schemas func(*mapping.Mapping) (*mapping.Schemas, func(), error)) error {
	m, err := mapping.Load(mappingFile)
	if err != nil {
		return err
	}
	r, err := m.OpenSource(src)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(e.stdout, "source %s: %s\n", sourceName(m, src), r.Detected())
	s, stop, err := schemas(m)
	defer stop()
	if err != nil {
		return err
	}
	plan, err := mapping.Compile(m, s, r.Header())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "mapping %s: ok (%s)\n", mappingFile, entityList(m))
	var rw *report.RejectWriter
	if rejectsFile != "" {
		if rw, err = report.CreateRejects(rejectsFile, r.Header()); err != nil {
			return err
		}
	}
	sum, err := mapping.CheckRows(ctx, plan, r, func(rej *mapping.Rejected) error {
		if rw == nil {
			return nil
		}
		return rw.Write(report.Reject{File: rej.Loc.File, Row: rej.Loc.Line, Column: rej.Columns(), Field: rej.Fields(),
			Reason: rej.Reasons(), Values: rej.Values})
	})
	if rw != nil {
		if cerr := rw.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rows: %d  ok: %d  skipped: %d  rejected: %d\n", sum.Rows, sum.OK, sum.Skipped, sum.Rejected)
	for reason, n := range sum.SkipReasons {
		fmt.Fprintf(e.stdout, "  skipped %5d  %s\n", n, reason)
	}
	for _, f := range sum.Reasons() {
		fmt.Fprintf(e.stdout, "  rejected %4d  %s, e.g. %s\n", sum.ByField[f], f, sum.Example[f])
	}
	if sum.Rejected > 0 {
		where := "run again with --rejects FILE to get them as a CSV"
		if rejectsFile != "" {
			where = "they are in " + rejectsFile
		}
		return &rejectedError{msg: fmt.Sprintf("%d of %d rows rejected; %s", sum.Rejected, sum.Rows, where)}
	}
	return nil
}

func sourceName(m *mapping.Mapping, override string) string {
	if override != "" {
		return override
	}
	return m.SourcePath()
}

func entityList(m *mapping.Mapping) string {
	var names []string
	for _, k := range m.Entities() {
		names = append(names, strings.ToLower(string(k)))
	}
	return strings.Join(names, ", ")
}
