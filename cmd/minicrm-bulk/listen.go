package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

// Environment variables of the listen command (and of the sandbox's
// --webhook): the password is never a flag value.
const (
	envWebhookUser     = webhook.EnvUser
	envWebhookPassword = webhook.EnvPassword
)

// listenOptions are the listen command's: the receiver's webhook.Config
// bound to the flags, and where it listens.
type listenOptions struct {
	cfg                           webhook.Config
	addr, passFile, rulesPath, tz string
	tlsCert, tlsKey               string
	allowRemote                   bool
}

func init() { register(newCmdListen(listenRun)) }

// newCmdListen binds the listen flags to fresh options; runF runs them.
func newCmdListen(runF func(context.Context, *env, *listenOptions) error) *command {
	return &command{name: "listen", short: "Receive MiniCRM webhooks into a change log",
		usage: "--out DIR [flags]",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &listenOptions{}
			c := &o.cfg
			fs.StringVar(&o.addr, "addr", "127.0.0.1:8090", "address to listen on (loopback only unless --allow-remote)")
			fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback --addr")
			fs.StringVar(&c.Dir, "out", "", "change log directory (created, mode 0700)")
			fs.StringVar(&c.User, "user", "", "the user in the endpoint's address (env "+envWebhookUser+")")
			fs.StringVar(&o.passFile, "password-file", "", "file holding the password, readable only by you (else env "+envWebhookPassword+")")
			fs.BoolVar(&c.CSV, "csv", false, "also write a CSV per kind of record, dropdown ids as labels")
			fs.StringVar(&o.rulesPath, "rules", "", "YAML file of write-back rules")
			fs.Int64Var(&c.MaxBodyBytes, "max-body", webhook.DefaultMaxBody, "largest notification accepted, in bytes")
			fs.StringVar(&o.tz, "timezone", "Europe/Budapest", "time zone of the log's days and of the rules' {today} and {now}")
			fs.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
			fs.StringVar(&o.tlsKey, "tls-key", "", "the certificate's private key (PEM)")
			return func(ctx context.Context, e *env, args []string) error {
				if err := o.complete(e, args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the flags and reads the credentials, the time zone and
// the rules.
func (o *listenOptions) complete(e *env, args []string) (err error) {
	c := &o.cfg
	switch {
	case len(args) > 0:
		return usagef("unexpected arguments: %v", args)
	case c.Dir == "":
		return usagef("--out is required: the change log directory")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return usagef("--tls-cert and --tls-key go together")
	case c.MaxBodyBytes <= 0:
		return usagef("--max-body must be positive")
	}
	if c.User == "" {
		c.User = strings.TrimSpace(e.getenv(envWebhookUser))
	}
	if c.User == "" {
		return usagef("no user: pass --user or set %s (the user in the address MiniCRM calls)", envWebhookUser)
	}
	c.Password, err = webhook.Password(o.passFile, e.getenv)
	if errors.Is(err, webhook.ErrNoPassword) {
		return usagef("no password: set %s or pass --password-file (the password in the address MiniCRM calls)", envWebhookPassword)
	} else if err != nil {
		return err
	}
	if c.Location, err = time.LoadLocation(o.tz); err != nil {
		return usagef("--timezone %q: %v", o.tz, err)
	}
	if o.rulesPath != "" {
		if c.Rules, err = webhook.LoadRules(o.rulesPath); err != nil {
			return err
		}
	}
	return nil
}

// listenRun receives notifications until ctx ends.
func listenRun(ctx context.Context, e *env, o *listenOptions) error {
	cfg := o.cfg
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	rc, err := webhook.NewReceiver(cfg)
	if err != nil {
		return err
	}
	defer rc.Close()
	ln, err := webhook.Listen(o.addr, o.allowRemote)
	if errors.Is(err, webhook.ErrNotLoopback) {
		return usagef("--addr %v", err)
	} else if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	webhook.WriteBanner(e.stdout, cfg, ln, o.tlsCert != "", o.rulesPath)
	if o.allowRemote && o.tlsCert == "" {
		fmt.Fprintf(e.stderr, "warning: listening beyond loopback without TLS: the password travels in clear unless a reverse proxy adds HTTPS\n")
	}
	fmt.Fprintf(e.stdout, "Ctrl-C stops it.\n")
	err = webhook.Serve(ctx, ln, rc, o.tlsCert, o.tlsKey)
	fmt.Fprint(e.stdout, rc.Stats().StoppedLine())
	return errors.Join(err, rc.Close())
}
