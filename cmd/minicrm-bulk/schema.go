package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/lookup"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// schemaOptions are the schema command's.
type schemaOptions struct {
	entity, save string
	json         bool
	conn         *connection
}

func init() { register(newCmdSchema(schemaRun)) }

// newCmdSchema binds the schema flags to fresh options; runF runs them.
func newCmdSchema(runF func(context.Context, *env, *schemaOptions) error) *command {
	return &command{name: "schema", short: "Show the fields of persons, businesses or one module's cards",
		usage: "Person|Business|Project/<CategoryId> [flags]", connHelp: true,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &schemaOptions{}
			fs.BoolVar(&o.json, "json", false, "print the schema as MiniCRM sends it (JSON)")
			fs.StringVar(&o.save, "save", "", "also write the schema (as received) to this file")
			o.conn = addConnectionFlags(fs)
			return func(ctx context.Context, e *env, args []string) (err error) {
				if o.entity, err = schemaEntity(args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// schemaRun shows (and saves) the schema.
func schemaRun(ctx context.Context, e *env, o *schemaOptions) error {
	c, stop, err := o.conn.connect(e)
	if err != nil {
		return err
	}
	defer stop()
	sch, err := c.Schemas.Get(ctx, o.entity)
	if err != nil {
		return err
	}
	if o.save != "" {
		if err := writeSchemaFile(o.save, append(bytes.Clone(sch.Raw), '\n')); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "saved the schema of %s (%d fields) to %s\n", sch.Entity, len(sch.Fields), o.save)
	}
	if !o.json {
		return lookup.SchemaTable(e.stdout, sch)
	}
	return lookup.WriteJSON(e.stdout, sch.Raw)
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

// writeSchemaFile writes a file through a temporary one in the same
// directory, fsync'd and renamed over the old one (renameio), so a crash
// never leaves half a file where a good one was.
func writeSchemaFile(path string, data []byte) error {
	return renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(filepath.Dir(path)))
}
