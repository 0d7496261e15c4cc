package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// Exit codes, for cron and systemd: 0 everything done, 1 finished but some
// rows were rejected (see the errors output), 2 fatal (bad usage, bad
// mapping, authentication, MiniCRM unreachable…), 130 interrupted (Ctrl-C or
// SIGTERM; checkpoints are saved).
const (
	exitOK          = 0
	exitRejected    = 1
	exitFatal       = 2
	exitUsage       = 2
	exitInterrupted = 130
)

// rejectedError ends a command that finished its work but rejected some
// rows: exit code 1, and the message says where the rejected rows are.
type rejectedError struct{ msg string }

func (e *rejectedError) Error() string { return e.msg }

// command is one subcommand, built by its newCmdX(runF) constructor (gh's
// shape): setup binds the flags to a fresh options struct on a FlagSet of
// its own and returns what checks them and calls runF with the options.
type command struct {
	name  string
	short string
	usage string // arguments after the name
	// connHelp appends help/connection.txt to the description.
	connHelp bool
	setup    func(fs *pflag.FlagSet) func(ctx context.Context, e *env, args []string) error
}

// env is what a command may touch besides its flags: the streams and the
// environment, so tests can run commands in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// log, when set, is the log of the command and of its MiniCRM client
	// (the run command sets it to count each step's requests).
	log *slog.Logger
}

// usageError means bad usage: it is printed with the command's help hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and maps its error to an exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && commands[args[1]] != nil {
			return run(ctx, []string{args[1], "--help"}, e)
		}
		printOverview(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "minicrm-bulk: unknown command %q\nRun 'minicrm-bulk --help' for the list of commands.\n", args[0])
		return exitUsage
	}
	return execute(ctx, c, args[1:], e)
}

// execute parses a command's flags, runs it and maps its error to an exit
// code.
func execute(ctx context.Context, c *command, args []string, e *env) int {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	runFn := c.setup(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(e.stdout, c, fs)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: %v\nRun 'minicrm-bulk %s --help' for usage.\n", c.name, err, c.name)
		return exitUsage
	}
	err := runFn(ctx, e, fs.Args())
	var ue *usageError
	var re *rejectedError
	var ce *exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: %v\nRun 'minicrm-bulk %s --help' for usage.\n", c.name, err, c.name)
		return exitUsage
	case errors.As(err, &re):
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: %v\n", c.name, err)
		return exitRejected
	case errors.As(err, &ce):
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: %v\n", c.name, err)
		return ce.code
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: interrupted\n", c.name)
		return exitInterrupted
	default:
		fmt.Fprintf(e.stderr, "minicrm-bulk %s: %v\n", c.name, err)
		return exitFatal
	}
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `minicrm-bulk moves data in and out of MiniCRM in bulk.

Usage:
  minicrm-bulk <command> [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].short)
	}
	fmt.Fprint(w, `
Run 'minicrm-bulk <command> --help' for a command's flags and examples.
`)
}

// helpFiles hold each command's description and examples, help/NAME.txt
// (the examples after a line "Examples:"), and the connection paragraph.
//
//go:embed help/*.txt
var helpFiles embed.FS

func printCommandHelp(w io.Writer, c *command, fs *pflag.FlagSet) {
	text, _ := helpFiles.ReadFile("help/" + c.name + ".txt")
	long, example, _ := strings.Cut(string(text), "\nExamples:\n")
	if conn, _ := helpFiles.ReadFile("help/connection.txt"); c.connHelp {
		long = strings.TrimSpace(long) + "\n\n" + string(conn)
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n  minicrm-bulk %s %s\n", c.short, c.name, c.usage)
	if long = strings.TrimSpace(long); long != "" {
		fmt.Fprintf(w, "\n%s\n", long)
	}
	fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	if example != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(example, "\n"))
	}
}
