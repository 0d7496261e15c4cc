package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an output stream read while the command runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestListenUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose")
	os.WriteFile(loose, []byte("secret\n"), 0o644)
	env := map[string]string{envWebhookPassword: "secret"}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"listen", "--user", "u"}, env, "--out is required"},
		{[]string{"listen", "--out", dir}, env, "no user"},
		{[]string{"listen", "--out", dir, "--user", "u"}, nil, "no password"},
		{[]string{"listen", "--out", dir, "--user", "u", "--password", "secret"}, env, "unknown flag: --password"},
		{[]string{"listen", "--out", dir, "--user", "u", "--password-file", loose}, nil, "can be read by others"},
		{[]string{"listen", "--out", dir, "--user", "u", "--addr", "0.0.0.0:0"}, env, "not a loopback address"},
		{[]string{"listen", "--out", dir, "--user", "u", "--tls-cert", "c.pem"}, env, "go together"},
		{[]string{"listen", "--out", dir, "--user", "u", "--rules", filepath.Join(dir, "none.yaml")}, env, "none.yaml"},
	} {
		r := runCLI(t, tt.env, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args[1:], r.code, r.stderr, tt.want)
		}
	}
}

func TestListenReceivesAndStops(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "changes")
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("s3cret pass\n"), 0o600)
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(rules, []byte("rules:\n  - {type: Project, when: {changed: StatusId}, set: {Megjegyzes: kész}}\n"), 0o600)
	var out, errb lockedBuffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"listen", "--addr", "127.0.0.1:0", "--out", dir, "--user", "minicrm",
			"--password-file", pwFile, "--csv", "--rules", rules}, e)
	}()
	re := regexp.MustCompile(`URL: +(http://\S+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no URL printed:\n%s\n%s", out.String(), errb.String())
	}
	post := func(user, pass string) (int, string) {
		body := `{"Id":"2056","Type":"Project","Data":{"CategoryId":"10","StatusId":"2623","UpdatedAt":"2026-11-22 10:00:00"},"Changed":["StatusId","UpdatedAt"]}`
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.SetBasicAuth(user, pass)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		return res.StatusCode, b.String()
	}
	if code, _ := post("minicrm", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	if code, body := post("minicrm", "s3cret pass"); code != 200 || body != `{"Megjegyzes":"kész"}` {
		t.Errorf("notification: %d %s", code, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d\n%s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listen did not stop")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "changes-*.ndjson"))
	if len(files) != 1 {
		t.Errorf("change log files: %v", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "Project-10.csv")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(out.String(), "1 changes recorded") || !strings.Contains(out.String(), "1 unauthorized") {
		t.Errorf("summary:\n%s", out.String())
	}
	if strings.Contains(out.String()+errb.String(), "s3cret") {
		t.Errorf("the password was printed:\n%s\n%s", out.String(), errb.String())
	}
}

func TestSandboxWebhookFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sandbox", "--webhook", "Order=http://127.0.0.1:1/"}, "--webhook: webhook"},
		{[]string{"sandbox", "--webhook", "Project:10"}, "want TYPE[:CategoryId][:Field,...]=URL"},
		{[]string{"sandbox", "--webhook", "Project=http://u:topsecret@127.0.0.1:1/", "--webhook-scale", "0"}, "--webhook-scale must be positive"},
		{[]string{"sandbox", "--webhook", "Project:99=http://127.0.0.1:1/", "--addr", "127.0.0.1:0"}, "category 99"},
	} {
		r := runCLI(t, nil, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "topsecret") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args[1:], r.code, r.stderr, tt.want)
		}
	}
}
