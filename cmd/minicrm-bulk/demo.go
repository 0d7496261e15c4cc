package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/demo"
)

func init() {
	register(newCmdDemo(func(ctx context.Context, e *env, o *demo.Options) error {
		o.Stdout = e.stdout
		return demo.Run(ctx, *o)
	}))
}

// newCmdDemo binds the demo flags to fresh demo.Options; runF runs them.
func newCmdDemo(runF func(context.Context, *env, *demo.Options) error) *command {
	return &command{name: "demo", short: "Show the tool working end to end on an embedded sandbox (what `make demo` runs)",
		usage: "[flags]",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &demo.Options{}
			fs.StringVar(&o.OutDir, "out", "demo-out", "directory for the demo's outputs")
			fs.StringVar(&o.ExamplesDir, "examples", "examples", "directory holding the example sources and mappings")
			fs.IntVar(&o.RPM, "rpm", 600, "the sandbox's rate limit for the demo (the real default is 60; the demo is in a hurry)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				if o.RPM <= 0 {
					return usagef("--rpm must be positive")
				}
				return runF(ctx, e, o)
			}
		}}
}
