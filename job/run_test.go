package job

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestRunInProcess runs an import, a feed build with its push and an export
// against an embedded sandbox with job.Run directly. Each step's request
// counts come from its client's Stats: their sum must be what the sandbox
// itself counted, and each step's timeline must hold as many requests.
func TestRunInProcess(t *testing.T) {
	sb, err := sandbox.StartEmbedded(sandbox.Config{SystemID: 24951, Dataset: sandbox.EmptyDataset()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	abs := func(p string) string { a, _ := filepath.Abs(filepath.Join("..", "testdata", p)); return a }
	text := `connection: {url_env: U, system_id_env: S, api_key_env: K}
rpm: 600000
steps:
  - name: people
    import: {mapping: ` + abs("import/clients.yaml") + `}
  - name: cards
    feed: {mapping: ` + abs("xmlfeed/cards.yaml") + `, source: ` + abs("xmlfeed/cards.csv") + `, changed_only: true, feed_id: 119}
  - name: out
    export: {what: persons, output: persons.csv}
`
	path := filepath.Join(dir, "nightly.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"U": sb.URL, "S": "24951", "K": sb.APIKey}
	rep, err := Run(context.Background(), j, RunOptions{Getenv: func(k string) string { return vars[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode != ExitRejected || rep.Steps[0].Status != StatusRejected || rep.Steps[1].Status != StatusRejected ||
		rep.Steps[2].Status != StatusOK {
		t.Fatalf("exit %d: %+v", rep.ExitCode, rep.Text())
	}
	if r := rep.Steps[0].Rows; r["total"] != 8 || r["rejected"] != 1 || r["ok"] != 6 || r["skipped"] != 1 {
		t.Errorf("import rows %v", r)
	}
	if !strings.Contains(rep.Steps[0].Error, "1 of 8 rows rejected") || !strings.Contains(rep.Steps[1].Summary, "pushed ") {
		t.Errorf("step texts:\n%s\n%s", rep.Steps[0].Error, rep.Steps[1].Summary)
	}
	total := 0
	for _, s := range rep.Steps {
		n := 0
		for _, v := range s.Timeline {
			n += v
		}
		if s.Total() == 0 || n != s.Total() || s.Requests["ok"] != s.Total() {
			t.Errorf("step %s: %d requests %v, %d on the timeline", s.Name, s.Total(), s.Requests, n)
		}
		total += s.Total()
	}
	if st := sb.Stats(); st.Total != total {
		t.Errorf("the steps counted %d requests, the sandbox %d", total, st.Total)
	}
	if _, err := os.Stat(filepath.Join(dir, "persons.csv")); err != nil {
		t.Error(err)
	}
}
