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

func init() {
	register(&command{
		name:  "listen",
		short: "Receive MiniCRM webhooks into a change log",
		usage: "--out DIR [flags]",
		long: `Receives MiniCRM's webhook notifications (a card, a person or a company changed) and appends
each one to a change log in --out, synced to disk before MiniCRM is answered 200: one NDJSON
file a day (changes-2026-11-22.ndjson), each line the notification as received plus when it
arrived and a key. MiniCRM retries a notification not answered 200 (10 s, 1 min, 5 min,
15 min, 30 min and 1 h later); a retry of a change already recorded is answered 200 and not
recorded again, across restarts too. --csv also keeps one CSV per kind of record
(Project-<CategoryId>.csv, Person.csv, Business.csv) with dropdown ids turned into labels.

MiniCRM sends the user and password written in the endpoint's address
(https://USER:PASSWORD@host/path): give the same ones here, the user with --user (or
MINICRM_WEBHOOK_USER), the password in MINICRM_WEBHOOK_PASSWORD or in --password-file, a
file only you can read. Anything else is answered 401, a malformed body 400 (and logged), a
body over --max-body 413.

--rules FILE answers notifications with fields to write back to the record, as MiniCRM's
documentation describes ("the answer is saved to the same record, without a new
notification"); rules that could loop are refused when the file is read:

  rules:
    - name: won
      type: Project                 # Project or Contact
      category_id: 10               # optional: one module
      when: {changed: StatusId, to: Sikeres}   # to: optional, ids or labels, one or a list
      set: {AutoSalesV3_SalesStatus: Sikeres értékesítés, LezarasNapja: "{today}"}

It listens on loopback unless --allow-remote: put it behind your HTTPS reverse proxy, or give
--tls-cert and --tls-key. Webhooks are set up by MiniCRM's helpdesk; try it locally with
'minicrm-bulk sandbox --webhook'.`,
		example: `  # receive into ./changes with CSV views (password from the environment)
  export MINICRM_WEBHOOK_PASSWORD='…'
  minicrm-bulk listen --out changes --user minicrm --csv

  # public, with TLS and write-back rules; the password in a chmod 600 file
  minicrm-bulk listen --addr 0.0.0.0:8443 --allow-remote --tls-cert cert.pem --tls-key key.pem \
      --out /var/lib/minicrm/changes --user minicrm --password-file /etc/minicrm/webhook-password \
      --rules rules.yaml

  # rehearse with the sandbox, which notifies card changes of module 10 and retries 100x faster
  minicrm-bulk sandbox --webhook 'Project:10=http://minicrm@127.0.0.1:8090/' --webhook-scale 0.01`,
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (loopback only unless --allow-remote)")
			allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr")
			out := fs.String("out", "", "change log directory (created, mode 0700)")
			user := fs.String("user", "", "the user in the endpoint's address (env "+envWebhookUser+")")
			passFile := fs.String("password-file", "", "file holding the password, readable only by you (else env "+envWebhookPassword+")")
			csvOut := fs.Bool("csv", false, "also write a CSV per kind of record, dropdown ids as labels")
			rulesPath := fs.String("rules", "", "YAML file of write-back rules")
			maxBody := fs.Int64("max-body", webhook.DefaultMaxBody, "largest notification accepted, in bytes")
			tz := fs.String("timezone", "Europe/Budapest", "time zone of the log's days and of the rules' {today} and {now}")
			tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
			tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %v", args)
				}
				if *out == "" {
					return usagef("--out is required: the change log directory")
				}
				if (*tlsCert == "") != (*tlsKey == "") {
					return usagef("--tls-cert and --tls-key go together")
				}
				if *maxBody <= 0 {
					return usagef("--max-body must be positive")
				}
				u := *user
				if u == "" {
					u = strings.TrimSpace(e.getenv(envWebhookUser))
				}
				if u == "" {
					return usagef("no user: pass --user or set %s (the user in the address MiniCRM calls)", envWebhookUser)
				}
				pass, err := webhook.Password(*passFile, e.getenv)
				if errors.Is(err, webhook.ErrNoPassword) {
					return usagef("no password: set %s or pass --password-file (the password in the address MiniCRM calls)", envWebhookPassword)
				} else if err != nil {
					return err
				}
				loc, err := time.LoadLocation(*tz)
				if err != nil {
					return usagef("--timezone %q: %v", *tz, err)
				}
				var rules *webhook.Rules
				if *rulesPath != "" {
					if rules, err = webhook.LoadRules(*rulesPath); err != nil {
						return err
					}
				}
				log := slog.New(slog.NewTextHandler(e.stderr, nil))
				rc, err := webhook.NewReceiver(webhook.Config{Dir: *out, User: u, Password: pass, MaxBodyBytes: *maxBody,
					CSV: *csvOut, Rules: rules, Location: loc, Logger: log})
				if err != nil {
					return err
				}
				defer rc.Close()
				ln, err := webhook.Listen(*addr, *allowRemote)
				if errors.Is(err, webhook.ErrNotLoopback) {
					return usagef("--addr %v", err)
				} else if err != nil {
					return fmt.Errorf("--addr: %w", err)
				}
				scheme := "http"
				if *tlsCert != "" {
					scheme = "https"
				}
				fmt.Fprintf(e.stdout, "MiniCRM webhook receiver listening\n  URL:        %s://%s/\n  Change log: %s\n",
					scheme, ln.Addr(), *out)
				if *csvOut {
					fmt.Fprintf(e.stdout, "  CSV:        one file per kind of record, in the same directory\n")
				}
				if rules != nil {
					fmt.Fprintf(e.stdout, "  Rules:      %s (%d)\n", *rulesPath, rules.Len())
				}
				fmt.Fprintf(e.stdout, "Give MiniCRM the endpoint %s://%s:<password>@<this host>/ (the password is not shown).\n", scheme, u)
				if *allowRemote && scheme == "http" {
					fmt.Fprintf(e.stderr, "warning: listening beyond loopback without TLS: the password travels in clear unless a reverse proxy adds HTTPS\n")
				}
				fmt.Fprintf(e.stdout, "Ctrl-C stops it.\n")
				err = webhook.Serve(ctx, ln, rc, *tlsCert, *tlsKey)
				st := rc.Stats()
				fmt.Fprintf(e.stdout, "receiver stopped: %d changes recorded, %d retries already recorded, %d answered with a write-back, refused: %d unauthorized, %d malformed, %d too large, %d not written\n",
					st.Recorded, st.Duplicates, st.Answered, st.Unauthorized, st.Malformed, st.TooLarge, st.Failed)
				return errors.Join(err, rc.Close())
			}
		},
	})
}
