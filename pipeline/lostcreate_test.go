package pipeline_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// voidCreates is a transport that sends every create to a path MiniCRM
// does not serve, so it is never carried out, and then loses the answer:
// to the importer each create left and its outcome is unknown.
type voidCreates struct {
	next  http.RoundTripper
	sends atomic.Int64
}

func (v *voidCreates) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPut || !strings.HasSuffix(req.URL.Path, "/Api/R3/Contact") {
		return v.next.RoundTrip(req)
	}
	v.sends.Add(1)
	void := req.Clone(req.Context())
	void.URL.Path = strings.TrimSuffix(req.URL.Path, "/Api/R3/Contact") + "/Api/R3/Nowhere"
	resp, err := v.next.RoundTrip(void)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return nil, errors.New("connection reset by peer (test: the answer is lost)")
}

// TestLostCreatesFollowTheRetryPolicy: a create whose answer is lost and
// which a search proves was not carried out is sent again, as often as the
// client's retry policy allows (MaxAttempts) and no more; then the row is
// an error row naming why, and nothing was written.
func TestLostCreatesFollowTheRetryPolicy(t *testing.T) {
	t.Parallel()
	path := writeCSV(t, t.TempDir(), "void.csv", genRows(1, 1, nil))
	e := newEnv(t, nil)
	cfg := e.config(clientsMapping, path)
	tr := &voidCreates{next: http.DefaultTransport}
	pol := fastRetry
	pol.MaxAttempts = 3
	cfg.Client = e.client(restapi.WithRetryPolicy(pol), restapi.WithHTTPClient(&http.Client{Transport: tr}))
	sum, err := pipeline.Import(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.sends.Load(); got != 3 {
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
