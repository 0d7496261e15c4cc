package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/demo"
)

func init() {
	register(&command{
		name:  "demo",
		short: "Show the tool working end to end on an embedded sandbox (what `make demo` runs)",
		usage: "[flags]",
		long: `Starts an embedded MiniCRM sandbox on a loopback port (nothing else is needed), then walks
through what minicrm-bulk does: reads the modules and a schema, searches and writes contacts
and cards through the paced, retrying client, checks the example mappings in examples/
against the sandbox's schema row by row, imports both examples (a CSV and an XLSX) and runs
the first import again to show that unchanged data costs no write, builds and pushes an XML
sync feed, and exports everything to XLSX and CSV. Outputs go to --out.`,
		example: `  make demo
  minicrm-bulk demo --out /tmp/demo --examples ./examples`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("out", "demo-out", "directory for the demo's outputs")
			examples := fs.String("examples", "examples", "directory holding the example sources and mappings")
			rpm := fs.Int("rpm", 600, "the sandbox's rate limit for the demo (the real default is 60; the demo is in a hurry)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				return runDemo(ctx, e, *out, *examples, *rpm)
			}
		},
	})
}

func runDemo(ctx context.Context, e *env, outDir, examplesDir string, rpm int) error {
	if rpm <= 0 {
		return usagef("--rpm must be positive")
	}
	return demo.Run(ctx, demo.Options{Stdout: e.stdout, OutDir: outDir, ExamplesDir: examplesDir, RPM: rpm})
}
