package sandbox_test

// MiniCRM's own PHP client (v3.3, minicrm-api.phar) run unmodified against
// the sandbox, so the emulator's fidelity to a real client stays measured.
// The phar is third-party code and is not in the repository: set
// MINICRM_PHP_CLIENT to its path (docs/sandbox.md says where to get it).
// The test needs php with the curl extension on PATH and skips, saying
// why, when either is missing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// sbPHPCalls are the driver's checks, in order: the test fails if one is
// missing from its output (a PHP error stops the script early).
var sbPHPCalls = []string{
	"Contact::GetSchema Person", "Contact::GetSchema Business", "Contact create Business", "Contact create Person",
	"Contact load and update", "Contact::Search", "Contact::FieldSearch",
	"Project::GetCategories", "Project::GetSchema", "Project create", "Project load and update", "Project::Search",
	"Project::FieldSearch",
	"ToDo create", "ToDo load and update", "ToDo::ToDoList", "ToDo close",
	"Address create", "Address load and update", "Address::AddressList", "Address ContactId change refused (plain-text 400)",
	"Template::TemplateList", "Template load",
	"Email::EmailList",
}

func TestOfficialPHPClient(t *testing.T) {
	phar := os.Getenv("MINICRM_PHP_CLIENT")
	if phar == "" {
		t.Skip("MINICRM_PHP_CLIENT is not set: set it to the path of MiniCRM's minicrm-api.phar (see docs/sandbox.md) to run the official PHP client against the sandbox")
	}
	if _, err := os.Stat(phar); err != nil {
		t.Fatalf("MINICRM_PHP_CLIENT: %v", err)
	}
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php is not on PATH: install php-cli and php-curl to run the official PHP client against the sandbox")
	}
	if out, err := exec.Command(php, "-m").Output(); err != nil || !strings.Contains(string(out), "\ncurl\n") {
		t.Skip("php has no curl extension (php -m): install php-curl; the official client sends every PUT with curl")
	}

	srv, err := sandbox.New(sandbox.Config{SystemID: sbSystemID, APIKey: sbAPIKey, RPM: 0})
	if err != nil {
		t.Fatal(err)
	}
	// HTTPS, as the client's URL has it: only the host is swapped.
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, php, "../testdata/sandbox/php/driver.php")
	cmd.Env = append(os.Environ(), "MINICRM_PHP_CLIENT="+phar, "SANDBOX_HOST="+strings.TrimPrefix(ts.URL, "https://"),
		fmt.Sprintf("SANDBOX_SYSTEM_ID=%d", sbSystemID), "SANDBOX_API_KEY="+sbAPIKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()

	got := map[string]string{}
	done := false
	var ids map[string]int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "DONE":
			done = true
		case strings.HasPrefix(line, "PASS "):
			got[strings.TrimPrefix(line, "PASS ")] = ""
		case strings.HasPrefix(line, "FAIL "):
			name, why, _ := strings.Cut(strings.TrimPrefix(line, "FAIL "), ": ")
			got[name] = why
		case strings.HasPrefix(line, "IDS "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "IDS ")), &ids); err != nil {
				t.Errorf("IDS line: %v", err)
			}
		default:
			t.Logf("php: %s", line)
		}
	}
	passed := 0
	for _, name := range sbPHPCalls {
		t.Run(name, func(t *testing.T) {
			why, ok := got[name]
			switch {
			case !ok:
				t.Errorf("the driver did not report this call")
			case why != "":
				t.Errorf("%s", why)
			default:
				passed++
			}
		})
	}
	if runErr != nil || !done {
		t.Errorf("php driver: %v (finished: %v); stderr:\n%s", runErr, done, stderr.String())
	}
	if len(got) != len(sbPHPCalls) {
		t.Errorf("the driver reported %d calls, the test knows %d", len(got), len(sbPHPCalls))
	}
	t.Logf("official PHP client: %d of %d calls pass", passed, len(sbPHPCalls))

	// What the PHP client wrote is there for any other client to read.
	if ids["address"] > 0 {
		e := mountSB(t, srv)
		sbMatch(t, "address", e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", ids["address"])), sbParse(t, fmt.Sprintf(
			`{"ContactId":%d,"Name":"Központ","Type":"Székhely","PostalCode":"6722","City":"Szeged","Default":1}`, ids["business"])))
		sbMatch(t, "to-do", e.mustGet(fmt.Sprintf("/Api/R3/ToDo/%d", ids["todo"])), sbParse(t, fmt.Sprintf(
			`{"ProjectId":%d,"Status":"Closed","Comment":"Visszahívni délelőtt","UserId":"Keszei Csaba"}`, ids["project"])))
	}
	// The client's only failing request is the refused ContactId change,
	// tried 5 times; everything else was answered 200.
	st := srv.Stats()
	if st.Status["400"] != 5 || len(st.Status) != 2 {
		t.Errorf("answers by status: %v, want 200s and the five 400s of the refused ContactId change", st.Status)
	}
}
