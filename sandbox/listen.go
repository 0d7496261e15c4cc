package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listen opens a TCP listener for the sandbox. Unless allowRemote is set the
// address must be a loopback one: the sandbox is a rehearsal system with a
// known key, not something to expose on a network.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: address %q: %w", addr, err)
	}
	if !allowRemote && !isLoopbackHost(host) {
		return nil, fmt.Errorf("sandbox: %q is not a loopback address; use 127.0.0.1 or localhost, or allow remote access explicitly", addr)
	}
	return net.Listen("tcp", addr)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL is the base URL clients use for a listener.
func URL(ln net.Listener) string { return "http://" + ln.Addr().String() }

// Serve answers requests on ln until ctx ends, then shuts down gracefully
// and saves the state (when persisting).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	// Connections a client opened but has sent nothing on yet: Shutdown
	// would wait 5 s for each before calling it idle, so they are closed
	// right away (a client retries a request it could not send).
	var freshMu sync.Mutex
	fresh := map[net.Conn]bool{}
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		freshMu.Lock()
		defer freshMu.Unlock()
		if st == http.StateNew {
			fresh[c] = true
		} else {
			delete(fresh, c)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	saveCtx, stopSaving := context.WithCancel(context.Background())
	saved := make(chan error, 1)
	go func() { saved <- s.SaveEvery(saveCtx, 250*time.Millisecond) }()
	var err error
	select {
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		shut := make(chan error, 1)
		go func() { shut <- hs.Shutdown(shutCtx) }()
		time.Sleep(10 * time.Millisecond) // Shutdown has stopped accepting
		freshMu.Lock()
		for c := range fresh {
			c.Close()
		}
		freshMu.Unlock()
		err = <-shut
		cancel()
	case err = <-errc:
	}
	stopSaving()
	s.Close() // stop webhook deliveries
	if serr := <-saved; serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
