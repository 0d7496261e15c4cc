package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// envSandboxKey is the sandbox's API key in the environment: a key on
// the command line shows in the process list.
const envSandboxKey = "MINICRM_SANDBOX_API_KEY"

// sandboxKey picks the sandbox's key: --api-key-file, --api-key, the
// environment, in that order (one of the flags at most); "" to generate
// one. from says where it came from.
func sandboxKey(flagKey, file string, getenv func(string) string) (key, from string, err error) {
	switch {
	case flagKey != "" && file != "":
		return "", "", usagef("--api-key and --api-key-file do not go together")
	case file != "":
		key, err = restapi.ReadAPIKeyFile(file)
		return key, "--api-key-file", err
	case flagKey != "":
		return flagKey, "--api-key", nil
	}
	return strings.TrimSpace(getenv(envSandboxKey)), envSandboxKey, nil
}

// webhookURLPassword fills in the password of a --webhook URL that names a
// user without one (http://minicrm@127.0.0.1:8090/) from the environment,
// the variable 'listen' reads too: a password in the flag shows in the
// process list.
func webhookURLPassword(raw string, getenv func(string) string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, nil
	}
	if _, set := u.User.Password(); set {
		return raw, nil
	}
	p := getenv(envWebhookPassword)
	if p == "" {
		return "", usagef("--webhook %s names the user %q without a password: set %s (or give it in the URL, where others can see it)",
			redact.URL(u), u.User.Username(), envWebhookPassword)
	}
	u.User = url.UserPassword(u.User.Username(), p)
	return u.String(), nil
}

// sandboxOptions are the sandbox command's: the sandbox.Config bound to
// the flags, and where its data, key and webhooks come from.
type sandboxOptions struct {
	cfg                      sandbox.Config
	addr, apiKey, apiKeyFile string
	data                     string
	allowRemote, empty, move bool
	webhooks                 []string
	keyFrom                  string // where the key came from; "" when generated
}

func init() { register(newCmdSandbox(sandboxRun)) }

// newCmdSandbox binds the sandbox flags to fresh options; runF runs them.
func newCmdSandbox(runF func(context.Context, *env, *sandboxOptions) error) *command {
	return &command{name: "sandbox", short: "Run a local emulator of the MiniCRM API (the sandbox)",
		usage: "[flags]",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			o := &sandboxOptions{}
			c, f := &o.cfg, &o.cfg.Faults
			fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (loopback only unless --allow-remote)")
			fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback --addr")
			fs.IntVar(&c.SystemID, "system-id", 12345, "the emulated system's SystemId")
			fs.StringVar(&o.apiKey, "api-key", "", "the system's API key, visible to other users in the process list: prefer --api-key-file or env "+envSandboxKey)
			fs.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the system's API key, readable only by you (else --api-key, env "+envSandboxKey+", or generated)")
			fs.IntVar(&c.RPM, "rpm", 60, "rate limit in requests per minute (HU doc: 60, EN doc: 180; 0 disables)")
			fs.IntVar(&c.SyncFeedPerHour, "syncfeed-per-hour", 180, "XML sync calls (/Api/SyncFeed) per hour, apart from --rpm (MAN25: 180; 0 disables)")
			fs.StringVar(&o.data, "data", "", "data file (YAML or JSON): modules, statuses, users, fields, records")
			fs.BoolVar(&o.empty, "empty", false, "start the built-in system without its example records")
			fs.BoolVar(&o.move, "allow-contact-move", false, "accept a change of a person's BusinessId (MiniCRM's manual says the API refuses it, so the sandbox does by default)")
			fs.StringVar(&c.StatePath, "state", "", "persist the system to this file and restore it at start")
			fs.Float64Var(&f.FailRate, "fail-rate", 0, "share of requests answered 500 without being processed (0..1)")
			fs.Float64Var(&f.DropRate, "drop-rate", 0, "share of requests whose connection is dropped, before or after processing (0..1)")
			fs.DurationVar(&f.Latency, "latency", 0, "latency added to every request")
			fs.DurationVar(&f.LatencyJitter, "latency-jitter", 0, "up to this much more latency, at random")
			fs.IntVar(&f.Burst429, "burst-429", 0, "length of a 429 storm started every --burst-every requests (0: none)")
			fs.IntVar(&f.BurstEvery, "burst-every", 100, "requests between 429 storms")
			fs.Uint64Var(&f.Seed, "seed", 1, "seed for the injected faults (same seed, same faults)")
			fs.StringArrayVar(&o.webhooks, "webhook", nil, "notify URL of changes: TYPE[:CategoryId][:Field,...]=URL (repeatable)")
			fs.Float64Var(&c.WebhookScale, "webhook-scale", 1, "multiply the webhook retry schedule (10s…1h) by this, e.g. 0.01")
			return func(ctx context.Context, e *env, args []string) error {
				if err := o.complete(e, args); err != nil {
					return err
				}
				return runF(ctx, e, o)
			}
		}}
}

// complete checks the flags and reads the data set, the webhooks and the
// key.
func (o *sandboxOptions) complete(e *env, args []string) (err error) {
	c := &o.cfg
	switch {
	case len(args) > 0:
		return usagef("unexpected arguments: %v", args)
	case c.SyncFeedPerHour < 0:
		return usagef("--syncfeed-per-hour must not be negative")
	case c.RPM < 0:
		return usagef("--rpm must not be negative")
	case o.data != "" && o.empty:
		return usagef("--data and --empty do not go together")
	}
	if c.Dataset, err = sandbox.ChooseDataset(o.data, o.empty); err != nil {
		return err
	}
	if o.move {
		c.Dataset.AllowContactMove = true
	}
	for _, spec := range o.webhooks {
		wc, err := sandbox.ParseWebhookFlag(spec)
		if err != nil {
			return usagef("--webhook: %v", err)
		}
		if wc.URL, err = webhookURLPassword(wc.URL, e.getenv); err != nil {
			return err
		}
		c.Webhooks = append(c.Webhooks, wc)
	}
	if c.WebhookScale <= 0 {
		return usagef("--webhook-scale must be positive")
	}
	if c.APIKey, o.keyFrom, err = sandboxKey(o.apiKey, o.apiKeyFile, e.getenv); err != nil {
		return err
	}
	if c.APIKey == "" {
		c.APIKey, o.keyFrom = sandbox.GenerateAPIKey(), ""
	}
	return nil
}

// sandboxRun serves the sandbox until ctx ends.
func sandboxRun(ctx context.Context, e *env, o *sandboxOptions) error {
	c := o.cfg
	srv, err := sandbox.New(c)
	if err != nil {
		return err
	}
	ln, err := sandbox.Listen(o.addr, o.allowRemote)
	if err != nil {
		return err
	}
	sandbox.WriteBanner(e.stdout, c, sandbox.URL(ln), o.keyFrom)
	start := time.Now()
	err = srv.Serve(ctx, ln)
	fmt.Fprint(e.stdout, srv.Stats().StoppedLine(time.Since(start)))
	return err
}
