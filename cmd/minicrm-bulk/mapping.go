package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

func init() {
	register(&command{
		name:  "mapping",
		short: "Write a starter mapping, or check a mapping against MiniCRM without writing",
		usage: "init|check|schemas [flags]",
		long: `init writes a mapping for a source file. Without --entity it maps the whole sheet: a
business section for the company columns (name, VAT number…), a person section linked to it,
and with --category MODULE a card section linked to the person (or the company), with an enum
table for the status and each dropdown built from the file's values. An id column (Azonosító,
Ügyfélkód…) becomes external_id and the first match key of the record it identifies; companies
match by VAT number, never by name when the sheet has one. With --entity person, business or
project it maps one record a row, as before. Columns are matched to fields by their names
(ignoring case and accents, with Hungarian and English synonyms); every guess is marked in a
comment and every column left out is listed. init then checks the mapping on every row and says
how many would be rejected. Read it, then run 'mapping check'.

The header is found by itself: title, note and blank rows above it are skipped. --sheet and
--header-row pick them by hand (they override the mapping's source: sheet and header_row).

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
  minicrm-bulk mapping init --source examples/ugyfelek.csv --sandbox -o my-mapping.yaml

  # the same with a card in the Értékesítés module for each row, from sheet 2 of a workbook
  minicrm-bulk mapping init --source partners.xlsx --sheet 2 --category Értékesítés --sandbox -o my-mapping.yaml

  # check the example mapping and every row of its source
  minicrm-bulk mapping check --mapping examples/ugyfelek.yaml --sandbox --rejects rejected.csv

  # offline: save the schemas once, then check without a connection
  minicrm-bulk mapping schemas --mapping my-mapping.yaml -o schema.json
  minicrm-bulk mapping check --mapping my-mapping.yaml --schema schema.json`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			mappingFile := fs.String("mapping", "", "check, schemas: the mapping file")
			sourceFile := fs.String("source", "", "the source file (init: required; check: instead of the one the mapping names)")
			entity := fs.String("entity", "", "init: map one record a row: person, business or project (default: every entity the sheet holds)")
			category := fs.String("category", "", "init: the module of the cards, by id or name (a card section; needed with --entity project)")
			src := addSourceFlags(fs)
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
				if err := src.check(); err != nil {
					return err
				}
				switch args[0] {
				case "init":
					return mappingInit(ctx, e, initOptions{src: *sourceFile, entity: *entity, category: *category, out: *out, flags: src}, schemas)
				case "check":
					if *mappingFile == "" {
						return usagef("--mapping is required")
					}
					return mappingCheck(ctx, e, *mappingFile, *sourceFile, *rejects, src, schemas)
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

type initOptions struct {
	src, entity, category, out string
	flags                      *sourceFlags
}

func mappingInit(ctx context.Context, e *env, o initOptions,
	schemas func(*mapping.Mapping) (*mapping.Schemas, func(), error)) error {
	if o.src == "" {
		return usagef("--source is required")
	}
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
	m := &mapping.Mapping{Source: mapping.Source{File: o.src}}
	if err := o.flags.apply(m); err != nil {
		return err
	}
	if o.category != "" {
		m.Project = &mapping.Entity{Category: o.category}
	}
	r, err := m.OpenSource(o.src)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(e.stderr, "source %s: %s\n", o.src, r.Detected())
	s, stop, err := schemas(m)
	defer stop()
	if err != nil {
		return err
	}
	// The mapping names its source relative to its own folder.
	srcRef := mappingSourceRef(o.src, o.out)
	smp, err := mapping.ReadSample(ctx, r, mapping.SampleRows)
	if err != nil {
		return err
	}
	text, err := mapping.SuggestSheet(smp, mapping.SheetOptions{SourceFile: srcRef, Sheet: *o.flags.sheet,
		HeaderRow: *o.flags.headerRow, Category: o.category, Only: kind}, s)
	if err != nil {
		return err
	}
	if o.out == "" {
		if _, err := fmt.Fprint(e.stdout, text); err != nil {
			return err
		}
	} else {
		if err := os.WriteFile(o.out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", o.out)
	}
	initSelfCheck(ctx, e, o, text, s)
	return nil
}

// mappingSourceRef is how a mapping written to out names src: relative to
// out's folder (a mapping's relative source is read from there), or as
// given when the mapping goes to stdout.
func mappingSourceRef(src, out string) string {
	if out == "" || filepath.IsAbs(src) {
		return src
	}
	absSrc, err1 := filepath.Abs(src)
	absDir, err2 := filepath.Abs(filepath.Dir(out))
	if err1 != nil || err2 != nil {
		return src
	}
	if rel, err := filepath.Rel(absDir, absSrc); err == nil {
		return filepath.ToSlash(rel)
	}
	return absSrc
}

// initSelfCheck maps every row with the mapping just written, without
// writing anything, and says what 'mapping check' will say: a mapping that
// rejects rows is shown as such at once.
func initSelfCheck(ctx context.Context, e *env, o initOptions, text string, s *mapping.Schemas) {
	path := o.out
	if path == "" {
		path = "the mapping"
	}
	m, err := mapping.Parse(path, []byte(text))
	if err != nil {
		fmt.Fprintf(e.stderr, "the mapping written does not parse (please report this): %v\n", err)
		return
	}
	if err := o.flags.apply(m); err != nil {
		return
	}
	r, err := m.OpenSource(o.src)
	if err != nil {
		fmt.Fprintf(e.stderr, "check: %v\n", err)
		return
	}
	defer r.Close()
	plan, err := mapping.Compile(m, s, r.Header())
	if err != nil {
		fmt.Fprintf(e.stderr, "check: %v\n", err)
		return
	}
	sum, err := mapping.CheckRows(ctx, plan, r, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "check: %v\n", err)
		return
	}
	fmt.Fprintf(e.stderr, "check (%s): rows: %d  ok: %d  skipped: %d  rejected: %d\n", entityList(m), sum.Rows, sum.OK, sum.Skipped, sum.Rejected)
	for _, f := range sum.Reasons() {
		fmt.Fprintf(e.stderr, "  rejected %4d  %s, e.g. %s\n", sum.ByField[f], f, sum.Example[f])
	}
}

func mappingCheck(ctx context.Context, e *env, mappingFile, src, rejectsFile string, flags *sourceFlags,
	schemas func(*mapping.Mapping) (*mapping.Schemas, func(), error)) error {
	m, err := mapping.Load(mappingFile)
	if err != nil {
		return err
	}
	if err := flags.apply(m); err != nil {
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
	check := mapping.CheckRows
	if plan.HasOrders() {
		check = xmlfeed.CheckOrders // order lines are checked as feed build groups them
	}
	sum, err := check(ctx, plan, r, func(rej *mapping.Rejected) error {
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
