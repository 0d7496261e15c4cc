package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSandboxSecrets: the sandbox's key and its webhooks' passwords can
// come from a file or the environment, never only from the command line,
// where every user of the machine sees them (ps).
func TestSandboxSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("k\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	withKey := env(map[string]string{envSandboxKey: " fromenv ", envWebhookPassword: "topsecret"})
	for _, c := range []struct {
		flag, file string
		getenv     func(string) string
		key, from  string
		err        string
	}{
		{file: keyFile, getenv: withKey, key: "0123456789abcdef0123456789abcdef", from: "--api-key-file"},
		{flag: "k1", getenv: withKey, key: "k1", from: "--api-key"},
		{getenv: withKey, key: "fromenv", from: envSandboxKey},
		{getenv: env(nil), key: ""},
		{flag: "k1", file: keyFile, getenv: withKey, err: "do not go together"},
		{file: open, getenv: withKey, err: "can be read by others"},
	} {
		key, from, err := sandboxKey(c.flag, c.file, c.getenv)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: error %v, want %q", c, err, c.err)
			}
			continue
		}
		if err != nil || key != c.key || key != "" && from != c.from {
			t.Errorf("%+v: %q from %q (%v), want %q from %q", c, key, from, err, c.key, c.from)
		}
	}

	for _, c := range []struct{ in, want, err string }{
		{"http://minicrm@127.0.0.1:8090/", "http://minicrm:topsecret@127.0.0.1:8090/", ""},
		{"http://minicrm:inurl@127.0.0.1:8090/", "http://minicrm:inurl@127.0.0.1:8090/", ""},
		{"http://127.0.0.1:8090/", "http://127.0.0.1:8090/", ""},
	} {
		if got, err := webhookURLPassword(c.in, withKey); err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := webhookURLPassword("http://minicrm@127.0.0.1:8090/?t=x", env(nil)); err == nil ||
		!strings.Contains(err.Error(), envWebhookPassword) || !strings.Contains(err.Error(), "?t=[redacted]") {
		t.Errorf("no password anywhere: %v", err)
	}

	// Through the command: a user without a password and no environment.
	r := runCLI(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--webhook", "Project=http://minicrm@127.0.0.1:1/")
	if r.code != exitUsage || !strings.Contains(r.stderr, "set "+envWebhookPassword) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, nil, "sandbox", "--addr", "127.0.0.1:0", "--api-key", "x", "--api-key-file", keyFile)
	if r.code != exitUsage || !strings.Contains(r.stderr, "do not go together") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
