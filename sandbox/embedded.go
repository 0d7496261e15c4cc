package sandbox

import (
	"context"
	"strconv"
	"sync"
)

// EmbeddedSystemID is the SystemId of an embedded sandbox whose Config
// names none.
const EmbeddedSystemID = 12345

// Embedded is a sandbox served on a loopback port of its own, inside the
// process: what `minicrm-bulk demo`, the commands' --sandbox flag, a job
// file's `connection: {sandbox: true}` and tests run against. Close stops
// it; nothing of it is kept unless Config.StatePath says so.
type Embedded struct {
	*Server
	// URL is the address to give a client (http://127.0.0.1:PORT);
	// SystemID and APIKey its credentials.
	URL      string
	SystemID int
	APIKey   string

	once   sync.Once
	cancel context.CancelFunc
	done   chan error
	err    error
}

// StartEmbedded starts a sandbox on a free loopback port. A zero
// cfg.SystemID is EmbeddedSystemID, an empty cfg.APIKey a generated one, a
// nil cfg.Dataset the built-in example system (DefaultDataset).
func StartEmbedded(cfg Config) (*Embedded, error) {
	if cfg.SystemID == 0 {
		cfg.SystemID = EmbeddedSystemID
	}
	if cfg.APIKey == "" {
		cfg.APIKey = GenerateAPIKey()
	}
	if cfg.Dataset == nil {
		cfg.Dataset = DefaultDataset()
	}
	srv, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		srv.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Embedded{Server: srv, URL: URL(ln), SystemID: cfg.SystemID, APIKey: cfg.APIKey, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- srv.Serve(ctx, ln) }()
	return e, nil
}

// Env is the environment that points the CLI at the sandbox
// (MINICRM_URL, MINICRM_SYSTEM_ID, MINICRM_API_KEY).
func (e *Embedded) Env() map[string]string {
	return map[string]string{"MINICRM_URL": e.URL, "MINICRM_SYSTEM_ID": strconv.Itoa(e.SystemID), "MINICRM_API_KEY": e.APIKey}
}

// Close shuts the sandbox down gracefully and waits until it has; it may
// be called more than once.
func (e *Embedded) Close() error {
	e.once.Do(func() {
		e.cancel()
		e.err = <-e.done
	})
	return e.err
}
