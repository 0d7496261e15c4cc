package job

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// sandboxRPM is the rate limit of a job's embedded sandbox and of its
// client when the job file names none: a trial run is not paced.
const sandboxRPM = 600000

// connection is where a run's steps send their requests: the credentials
// the job file names by environment variable, or an embedded sandbox.
type connection struct {
	creds   restapi.Credentials
	rpm     int
	sandbox *sandbox.Embedded
	// budget is the system's request budget, shared by every step's
	// client: the steps are one invocation against one system.
	budget *restapi.Budget
}

// connect resolves the job's connection; with connection.sandbox it starts
// the embedded sandbox (close it with close).
func (j *Job) connect(getenv func(string) string) (*connection, error) {
	c := j.Connection
	rpm := j.RPM
	if c.Sandbox {
		if rpm == 0 {
			rpm = sandboxRPM
		}
		sb, err := sandbox.StartEmbedded(sandbox.Config{RPM: rpm})
		if err != nil {
			return nil, err
		}
		return newConnection(restapi.Credentials{URL: sb.URL, SystemID: fmt.Sprint(sb.SystemID), APIKey: sb.APIKey}, rpm, sb)
	}
	if rpm == 0 {
		rpm = restapi.DefaultRPM
	}
	// The job names the variables; LoadCredentials reads the usual ones.
	names := map[string]string{restapi.EnvURL: c.URLEnv, restapi.EnvSystemID: c.SystemIDEnv, restapi.EnvAPIKey: c.APIKeyEnv}
	for k, v := range names {
		if v == "" {
			names[k] = k
		}
	}
	if c.APIKeyFile != "" {
		names[restapi.EnvAPIKey] = "" // the file, not the environment
	} else if getenv(names[restapi.EnvAPIKey]) == "" {
		return nil, fmt.Errorf("%s: the API key variable %s is not set (connection.api_key_env)", j.Path(), names[restapi.EnvAPIKey])
	}
	creds, err := restapi.LoadCredentials(restapi.CredentialSources{APIKeyFile: c.APIKeyFile, TestEnv: c.TestEnv,
		Getenv: func(k string) string {
			if n, ok := names[k]; ok {
				if n == "" {
					return ""
				}
				return getenv(n)
			}
			return getenv(k)
		}})
	if err != nil {
		return nil, err
	}
	return newConnection(creds, rpm, nil)
}

func newConnection(creds restapi.Credentials, rpm int, sb *sandbox.Embedded) (*connection, error) {
	lim := restapi.DefaultLimits()
	lim.Requests = rpm
	b, err := restapi.NewBudget(lim)
	if err != nil {
		if sb != nil {
			sb.Close()
		}
		return nil, err
	}
	return &connection{creds: creds, rpm: rpm, sandbox: sb, budget: b}, nil
}

func (c *connection) close() {
	if c.sandbox != nil {
		c.sandbox.Close()
	}
}

// client is a step's own client: its Stats are the step's requests, and
// every request's time goes to the step's timeline. The client learns
// MiniCRM's clock from its answers (for the watermarks of imports and
// exports).
func (c *connection) client(sr *StepReport, log *slog.Logger) (*restapi.Client, *pipeline.ServerClock, error) {
	clock := pipeline.NewServerClock()
	hc := clock.Client()
	hc.Transport = &timeline{next: hc.Transport, step: sr}
	cl, err := restapi.NewClient(restapi.WithCredentials(c.creds), restapi.WithBudget(c.budget), restapi.WithLogger(log),
		restapi.WithHTTPClient(hc))
	return cl, clock, err
}

// timeline notes when each request of a step was sent, for the report's
// requests-over-time chart (the counts come from the client's Stats).
type timeline struct {
	next http.RoundTripper
	step *StepReport
}

func (t *timeline) RoundTrip(r *http.Request) (*http.Response, error) {
	t.step.requested(time.Now())
	return t.next.RoundTrip(r)
}

// requested records the time of one of the step's requests.
func (s *StepReport) requested(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times = append(s.times, at)
}

// count sets the step's request counts by outcome from its client's Stats.
func (s *StepReport) count(st restapi.Stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Requests = map[string]int{}
	add := func(k string, n int) {
		if n > 0 {
			s.Requests[k] += n
		}
	}
	for status, n := range st.Status {
		switch {
		case status == 429:
			add("429", n)
		case status >= 500:
			add("5xx", n)
		case status >= 400:
			add("4xx", n)
		default:
			add("ok", n)
		}
	}
	add("failed", st.NetworkErrors)
}
