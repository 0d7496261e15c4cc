package pipeline_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// TestLostCreatesFollowTheRetryPolicy: a create whose answer is lost and
// which a search proves was not carried out is sent again, as often as the
// client's retry policy allows (MaxAttempts) and no more; then the row is
// an error row naming why, and nothing was written.
func TestLostCreatesFollowTheRetryPolicy(t *testing.T) {
	t.Parallel()
	path := writeCSV(t, t.TempDir(), "void.csv", genRows(1, 1, nil))
	e := newEnv(t, nil)
	cfg := e.config(clientsMapping, path)
	tr := &loseAnswers{next: http.DefaultTransport, every: 1, void: true, creates: []string{"/Api/R3/Contact"}}
	pol := fastRetry
	pol.MaxAttempts = 3
	cfg.Client = e.client(restapi.WithRetryPolicy(pol), restapi.WithHTTPClient(&http.Client{Transport: tr}))
	sum, err := pipeline.Import(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.n.Load(); got != 3 {
		t.Errorf("the create was sent %d times, want the policy's 3", got)
	}
	if e.writes() != 0 || sum.Rows.OK != 0 {
		t.Errorf("%d writes, %d rows ok; want none", e.writes(), sum.Rows.OK)
	}
	errs, err := os.ReadFile(filepath.Join(cfg.OutDir, "errors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(errs), "the answers to 3 creates were lost and none of them was carried out") {
		t.Errorf("errors.csv does not say why:\n%s", errs)
	}
}
