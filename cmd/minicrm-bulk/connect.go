package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/progress"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// connection holds the flags of every command that talks to MiniCRM. The
// API key is never a flag (a command line shows in ps and in shell
// history): it comes from MINICRM_API_KEY or --api-key-file.
type connection struct {
	fs       *pflag.FlagSet
	url      string
	testEnv  bool
	systemID string
	keyFile  string
	rpm      int
	sandbox  bool
}

// addConnectionFlags declares the connection flags on fs.
func addConnectionFlags(fs *pflag.FlagSet) *connection {
	c := &connection{fs: fs}
	fs.StringVar(&c.url, "url", "", "MiniCRM address (default "+restapi.DefaultBaseURL+"; env MINICRM_URL)")
	fs.BoolVar(&c.testEnv, "test-env", false, "use MiniCRM's TEST environment ("+restapi.TestBaseURL+")")
	fs.StringVar(&c.systemID, "system-id", "", "SystemId, the number after r3.minicrm.hu/ in your address (env MINICRM_SYSTEM_ID)")
	fs.StringVar(&c.keyFile, "api-key-file", "", "file holding the API key, readable only by you (else env MINICRM_API_KEY)")
	fs.IntVar(&c.rpm, "rpm", restapi.DefaultRPM, "requests per minute the system allows (HU documentation: 60, EN: 180)")
	fs.BoolVar(&c.sandbox, "sandbox", false, "run against an embedded sandbox with example data instead of MiniCRM")
	return c
}

// connect builds a client (extra options come last). With --sandbox it
// first starts the embedded sandbox on a loopback port; stop shuts it down
// (and is a no-op otherwise). Call stop when the command is done.
func (c *connection) connect(e *env, extra ...restapi.Option) (client *restapi.Client, stop func(), err error) {
	stop = func() {}
	if c.rpm <= 0 {
		return nil, stop, usagef("--rpm must be positive")
	}
	log := newLogger(e, e.stderr, "text", slog.LevelWarn)
	opts := []restapi.Option{restapi.WithRPM(c.rpm), restapi.WithLogger(log)}

	if c.sandbox {
		for _, f := range []string{"url", "test-env", "system-id", "api-key-file"} {
			if c.fs.Changed(f) {
				return nil, stop, usagef("--sandbox and --%s do not go together", f)
			}
		}
		sb, err := sandbox.StartEmbedded(sandbox.Config{RPM: c.rpm, Dataset: sandbox.DemoDataset()})
		if err != nil {
			return nil, stop, err
		}
		stop = func() { sb.Close() }
		fmt.Fprintf(e.stderr, "using an embedded sandbox at %s (SystemId %d, example data; nothing is kept)\n", sb.URL, sb.SystemID)
		client, err := restapi.NewClient(append(append(opts, restapi.WithBaseURL(sb.URL),
			restapi.WithSystemID(fmt.Sprint(sb.SystemID)), restapi.WithAPIKey(sb.APIKey)), extra...)...)
		if err != nil {
			stop()
			return nil, func() {}, err
		}
		return client, stop, nil
	}

	creds, err := restapi.LoadCredentials(restapi.CredentialSources{URL: c.url, SystemID: c.systemID, APIKeyFile: c.keyFile,
		TestEnv: c.testEnv, Getenv: e.getenv})
	if err != nil {
		return nil, stop, err
	}
	client, err = restapi.NewClient(append(append(opts, restapi.WithCredentials(creds)), extra...)...)
	if err != nil {
		return nil, stop, err
	}
	return client, stop, nil
}

// connectWithState connects for a command that keeps state between runs
// (import, export): the client learns MiniCRM's clock from its answers, for
// the watermarks. With --sandbox and no --state, the state goes to a
// temporary directory, since the embedded sandbox keeps nothing either.
// stop closes the connection and removes that directory.
func (c *connection) connectWithState(e *env, stateDir *string, stateGiven bool, opts ...restapi.Option) (*restapi.Client, *pipeline.ServerClock, func(), error) {
	cleanup := func() {}
	if c.sandbox && !stateGiven {
		dir, err := os.MkdirTemp("", "minicrm-bulk-state-")
		if err != nil {
			return nil, nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		*stateDir = dir
	}
	clock := pipeline.NewServerClock()
	client, stop, err := c.connect(e, append(opts, restapi.WithHTTPClient(clock.Client()))...)
	if err != nil {
		cleanup()
		return nil, nil, func() {}, err
	}
	return client, clock, func() { stop(); cleanup() }, nil
}

// checkRunFlags checks the flags import and export share: --workers and
// --progress.
func checkRunFlags(workers int, mode string) error {
	if workers < 1 || workers > 64 {
		return usagef("--workers must be between 1 and 64")
	}
	if !progress.CheckMode(mode) {
		return usagef("--progress: want auto, bar, log or none")
	}
	return nil
}

// schemaSource gives a mapping the schemas it needs: from the file
// --schema names, else from MiniCRM, connecting only then. close ends that
// connection.
type schemaSource struct {
	file string
	conn *connection
	e    *env
	stop func()
}

func (s *schemaSource) load(ctx context.Context, m *mapping.Mapping) (*mapping.Schemas, error) {
	if s.file != "" {
		return mapping.LoadSchemas(s.file)
	}
	c, stop, err := s.conn.connect(s.e)
	if s.stop = stop; err != nil {
		return nil, err
	}
	return crm.FetchSchemas(ctx, c, m.SchemaNeeds())
}

func (s *schemaSource) close() {
	if s.stop != nil {
		s.stop()
	}
}
