//go:build live

package restapi_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// TestContractLive runs the contract (contract_test.go) against a real
// MiniCRM system, by default the TEST environment (r3-test.minicrm.hu):
//
//	MINICRM_SYSTEM_ID=12345 MINICRM_API_KEY=… go test -tags live -run Contract -v ./restapi/
//
// MINICRM_URL points it elsewhere; MINICRM_RPM is the system's limit (60 by
// default). It writes only records it creates (see contract_test.go) and
// says which stay behind. Without the two variables it runs nothing and
// says so.
func TestContractLive(t *testing.T) {
	creds, err := restapi.LoadCredentials(restapi.CredentialSources{TestEnv: os.Getenv(restapi.EnvURL) == "", Getenv: os.Getenv})
	if err != nil {
		t.Skipf("live contract NOT run: %v. Set MINICRM_SYSTEM_ID and MINICRM_API_KEY (a TEST system's) to run it; "+
			"every step (categories, schemas, person create/read/update/search, card create/read/search, typed errors, "+
			"person delete, card trash) was skipped", err)
	}
	opts := []restapi.Option{restapi.WithCredentials(creds)}
	if v := os.Getenv("MINICRM_RPM"); v != "" {
		rpm, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("MINICRM_RPM=%q is not a number", v)
		}
		opts = append(opts, restapi.WithRPM(rpm))
	}
	c, err := restapi.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("contract against %s (SystemId %s)", c.BaseURL(), c.SystemID())
	contract(t, c)
	t.Logf("%d requests", c.Stats().Attempts)
}
