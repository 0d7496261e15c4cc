package main

import (
	"context"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/internal/oracle"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// checkOracle compares the system environ points at with what the source
// rows of csvPath say it must hold (internal/oracle computes it from the
// CSV, not by running the importer), so a bug the reference run shares with
// the killed and resumed one still fails the test.
func checkOracle(t *testing.T, environ map[string]string, csvPath string) {
	t.Helper()
	want, err := oracle.Expect(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := restapi.NewClient(restapi.WithBaseURL(environ["MINICRM_URL"]), restapi.WithSystemID(environ["MINICRM_SYSTEM_ID"]),
		restapi.WithAPIKey(environ["MINICRM_API_KEY"]), restapi.WithRPM(600000))
	if err != nil {
		t.Fatal(err)
	}
	got, err := oracle.Snapshot(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if d := oracle.Diff(want, got); d != "" {
		t.Errorf("the system is not what the source rows say: %s", d)
	}
}
