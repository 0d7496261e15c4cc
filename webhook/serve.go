package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"
)

// The environment variables holding the endpoint's credentials: the
// password is never a command-line value (a command line shows in ps and in
// shell history).
const (
	EnvUser     = "MINICRM_WEBHOOK_USER"
	EnvPassword = "MINICRM_WEBHOOK_PASSWORD"
)

// ErrNotLoopback is returned by Listen for an address beyond loopback that
// was not allowed.
var ErrNotLoopback = errors.New("not a loopback address")

// Listen opens addr, refusing a non-loopback address unless allowRemote.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if !allowRemote && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%q is %w; use 127.0.0.1, or allow remote access (with TLS or behind an HTTPS proxy)", addr, ErrNotLoopback)
	}
	return net.Listen("tcp", addr)
}

// Serve answers on ln with h (HTTPS when certFile is given) until ctx ends,
// then shuts down gracefully: a notification being written is finished and
// answered.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
			return
		}
		errc <- hs.Serve(ln)
	}()
	var err error
	select {
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(shutCtx)
		cancel()
	case err = <-errc:
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// ErrNoPassword: neither a password file nor EnvPassword.
var ErrNoPassword = errors.New("no password")

// Password reads the endpoint's password from the file when one is named
// (an explicit choice beats the environment), else from EnvPassword.
func Password(path string, getenv func(string) string) (string, error) {
	if path == "" {
		p := getenv(EnvPassword)
		if p == "" {
			return "", ErrNoPassword
		}
		return p, nil
	}
	return ReadSecretFile(path, "password file")
}

// ReadSecretFile reads a password from a file only its owner can read: the
// first line, as written (only the line end and a BOM go). what names the
// file in errors ("password file").
func ReadSecretFile(path, what string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s %s is not a regular file", what, path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s %s can be read by others (mode %04o); restrict it with: chmod 600 %s",
			what, path, fi.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what, path, err)
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(string(b), "\ufeff"), "\n")
	p = strings.TrimSuffix(p, "\r")
	if p == "" {
		return "", fmt.Errorf("%s %s is empty", what, path)
	}
	return p, nil
}
