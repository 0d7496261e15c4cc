package job

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	j, err := Parse("/srv/jobs/nightly.yaml", []byte(`connection:
  system_id_env: SYS
  api_key_file: key
steps:
  - import: {mapping: m.yaml}
  - name: out
    export: {what: all, output: /tmp/x.xlsx}
`))
	if err != nil {
		t.Fatal(err)
	}
	if j.Name != "nightly" || j.State != "/srv/jobs/.minicrm-bulk" || j.Steps[0].Name != "1-import" ||
		j.Steps[0].Import.Mapping != "/srv/jobs/m.yaml" || j.Connection.APIKeyFile != "/srv/jobs/key" || j.Steps[1].Kind() != "export" {
		t.Errorf("%+v", j)
	}
	_, err = Parse("j.yaml", []byte("connection:\n  api_key_env: abcdef0123456789abcdef0123456789\nsteps:\n  - feed: {mapping: m}\n"))
	for _, want := range []string{"j.yaml:2: connection.api_key_env", "j.yaml:4: steps[0].feed: say where to push"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	_, err = Parse("j.yaml", []byte("connection:\n  system_id_env: S\n  api_key: abc\nsteps: []\n"))
	for _, want := range []string{"j.yaml:3: connection.api_key: a job file never holds a secret"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "j")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir, "j"); err == nil || !strings.Contains(err.Error(), "pid ") {
		t.Errorf("second lock: %v", err)
	}
	if _, err := Acquire(dir, "other"); err != nil {
		t.Errorf("another job: %v", err)
	}
	l.Release()
	l2, err := Acquire(dir, "j")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

// FuzzParse: any job file gives a job or problems naming the file, never a
// panic.
func FuzzParse(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "examples", "nightly.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("steps:\n  - import: {mapping: m.yaml}\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("connection: {api_key: x}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		j, err := Parse("fuzz.yaml", b)
		if err == nil && (j == nil || len(j.Steps) == 0) {
			t.Fatal("a job without steps")
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz.yaml") {
			t.Fatalf("a problem without the file: %v", err)
		}
	})
}
