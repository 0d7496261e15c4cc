package restapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

const (
	// DefaultBaseURL is MiniCRM's production environment.
	DefaultBaseURL = "https://r3.minicrm.hu"
	// TestBaseURL is MiniCRM's TEST environment, a separate copy of a
	// system made on request by MiniCRM's support.
	TestBaseURL = "https://r3-test.minicrm.hu"
	// DefaultRPM is the rate limit the Hungarian documentation gives: 60
	// requests a minute per system (the English one says 180).
	DefaultRPM = 60
	// DefaultHeadroom is the share of the rate limit left unused; see
	// WithHeadroom.
	DefaultHeadroom = 0.02
	// PageSize is the number of results of one list page, fixed by MiniCRM.
	PageSize = 100

	apiKeyLength  = 32
	maxAnswerSize = 64 << 20
	maxErrorSize  = 1 << 20
	userAgent     = "minicrm-bulk-restapi/1"
)

// Client talks to one MiniCRM system. It is safe for concurrent use; run
// calls from several goroutines to keep the allowed rate saturated when
// latency is high. Clients given the same Budget (WithBudget) share its rate
// limiters; a Client made without one paces alone.
type Client struct {
	baseURL  *url.URL
	systemID string
	// auth is a pointer so that printing a Client value with %v shows an
	// address, never the key.
	auth   *authHeader
	http   *http.Client
	budget *Budget
	pacer  *pacer
	// syncPacer paces SyncFeed calls, which MiniCRM limits apart from
	// REST (180 an hour in MAN25); syncN and syncWindow are its limit.
	syncPacer  *pacer
	syncN      int
	syncWindow time.Duration
	rpm        int // requests per minute, for String and RPM
	retry      RetryPolicy
	log        *slog.Logger
	agent      string
	stats      *collector

	common service

	Categories *CategoriesService
	Schemas    *SchemasService
	Contacts   *ContactsService
	Projects   *ProjectsService
	ToDos      *ToDosService
	Orders     *OrdersService
	Invoices   *InvoicesService
	Offers     *OffersService
	SyncFeed   *SyncFeedService
	Addresses  *AddressesService
	Templates  *TemplatesService
	Emails     *EmailsService
	Products   *ProductsService
}

type service struct{ client *Client }

type authHeader struct {
	value  string // "Basic base64(SystemId:ApiKey)"
	keyLen int
}

// Option configures a Client; see NewClient.
type Option func(*options) error

type options struct {
	baseURL    string
	testEnv    bool
	systemID   string
	apiKey     string
	httpClient *http.Client
	limits     Limits
	limitsSet  bool // a rate option was given
	budget     *Budget
	retry      RetryPolicy
	logger     *slog.Logger
	userAgent  string
	allowHTTP  bool
}

// WithBaseURL sets the server, e.g. https://r3.minicrm.hu (the default) or a
// sandbox's http://127.0.0.1:8080. It must not contain credentials.
func WithBaseURL(u string) Option {
	return func(o *options) error {
		if strings.TrimSpace(u) == "" {
			return errors.New("base URL is empty")
		}
		o.baseURL = strings.TrimSpace(u)
		return nil
	}
}

// WithTestEnvironment makes the default base URL MiniCRM's TEST environment
// (https://r3-test.minicrm.hu). WithBaseURL overrides it.
func WithTestEnvironment() Option {
	return func(o *options) error { o.testEnv = true; return nil }
}

// WithSystemID sets the SystemId: the number after r3.minicrm.hu/ in the
// address of the system (at most 5 digits so far).
func WithSystemID(id string) Option {
	return func(o *options) error {
		id = strings.TrimSpace(id)
		if id == "" {
			return errors.New("SystemId is empty")
		}
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 0 {
			return fmt.Errorf("SystemId %q is not a positive number: it is the number after r3.minicrm.hu/ in your MiniCRM address", truncate(id, 40))
		}
		o.systemID = strconv.FormatUint(n, 10)
		return nil
	}
}

// WithAPIKey sets the API key (Settings > System > Generate API key). It is
// only ever sent in the Authorization header and never appears in errors,
// logs or String output.
func WithAPIKey(key string) Option {
	return func(o *options) error {
		key = strings.TrimSpace(key)
		if key == "" {
			return errors.New("API key is empty")
		}
		for _, r := range key {
			if r < 0x21 || r > 0x7e {
				return errors.New("API key contains spaces or control or non-ASCII characters")
			}
		}
		o.apiKey = key
		return nil
	}
}

// WithCredentials sets the base URL (when not empty), SystemId and key.
func WithCredentials(c Credentials) Option {
	return func(o *options) error {
		if c.URL != "" {
			if err := WithBaseURL(c.URL)(o); err != nil {
				return err
			}
		}
		if err := WithSystemID(c.SystemID)(o); err != nil {
			return err
		}
		return WithAPIKey(c.APIKey)(o)
	}
}

// WithHTTPClient sets the HTTP client. The default has a transport that
// keeps enough idle connections for concurrent callers.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("HTTP client is nil")
		}
		o.httpClient = hc
		return nil
	}
}

// WithRPM sets the rate limit in requests per minute (default 60) of the
// Client's own Budget. Clients that should share one system's allowance are
// given one Budget instead (WithBudget).
func WithRPM(rpm int) Option { return WithRateLimit(rpm, time.Minute) }

// WithRateLimit sets the rate limit as n requests per sliding window (the
// server's window: a minute for the REST API, so WithRPM is the usual
// form). Tests that run a sandbox on a fast clock give its shorter window.
func WithRateLimit(n int, window time.Duration) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("the rate limit must be a positive number of requests, got %d", n)
		}
		if window <= 0 {
			return fmt.Errorf("rate limit window must be positive, got %s", window)
		}
		o.limits.Requests, o.limits.Window, o.limitsSet = n, window, true
		return nil
	}
}

// WithHeadroom sets the share of the rate limit left unused (default 0.02):
// the client paces at rpm·(1-headroom), with bursts of up to rpm·headroom/2
// to catch up after a stall, so that neither the bursts nor the jitter of
// arrival times push the server's sliding minute over the limit.
func WithHeadroom(f float64) Option {
	return func(o *options) error {
		if !(f >= 0 && f <= 0.5) {
			return fmt.Errorf("headroom must be between 0 and 0.5, got %v", f)
		}
		o.limits.Headroom, o.limitsSet = f, true
		return nil
	}
}

// WithLogger receives retries and pauses (Warn), construction warnings
// (Warn) and one line per attempt (Debug). Never the key. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		o.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("user agent is empty or has line breaks")
		}
		o.userAgent = ua
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a host other than
// loopback. Without it such a URL is refused: the key would travel in clear
// text.
func WithInsecureHTTP() Option {
	return func(o *options) error { o.allowHTTP = true; return nil }
}

// NewClient returns a Client. WithSystemID and WithAPIKey (or
// WithCredentials) are required; everything else has a default.
func NewClient(opts ...Option) (*Client, error) {
	o := options{limits: DefaultLimits()}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("restapi: %w", err)
		}
	}
	budget := o.budget
	switch {
	case budget != nil && o.limitsSet:
		return nil, errors.New("restapi: WithBudget and a rate option (WithRPM, WithRateLimit, WithHeadroom, WithSyncFeedRate) do not go together: the limits belong to the budget")
	case budget == nil:
		var err error
		if budget, err = NewBudget(o.limits); err != nil {
			return nil, err
		}
	}
	lim := budget.Limits()
	if o.systemID == "" {
		return nil, errors.New("restapi: SystemId is not set (the number after r3.minicrm.hu/ in your MiniCRM address)")
	}
	if o.apiKey == "" {
		return nil, errors.New("restapi: API key is not set")
	}
	if o.baseURL == "" {
		o.baseURL = DefaultBaseURL
		if o.testEnv {
			o.baseURL = TestBaseURL
		}
	}
	base, err := parseBaseURL(o.baseURL, o.allowHTTP)
	if err != nil {
		return nil, fmt.Errorf("restapi: %w", err)
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(o.systemID) > 5 {
		log.Warn("the SystemId has more than 5 digits; MiniCRM's are at most 5 so far: check it", "system_id", o.systemID)
	}
	if len(o.apiKey) != apiKeyLength {
		log.Warn("the API key is not 32 characters long as MiniCRM keys are; check it", "key_length", len(o.apiKey))
	}
	hc := o.httpClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		hc = &http.Client{Transport: tr}
	}
	c := &Client{
		baseURL:  base,
		systemID: o.systemID,
		auth: &authHeader{
			value:  "Basic " + base64.StdEncoding.EncodeToString([]byte(o.systemID+":"+o.apiKey)),
			keyLen: len(o.apiKey),
		},
		http:       hc,
		budget:     budget,
		pacer:      budget.rest,
		syncPacer:  budget.feed,
		syncN:      lim.FeedRequests,
		syncWindow: lim.FeedWindow,
		rpm:        budget.RPM(),
		retry:      o.retry.withDefaults(lim.Requests, lim.Window),
		log:        log,
		agent:      userAgent,
		stats:      newCollector(),
	}
	if o.userAgent != "" {
		c.agent = o.userAgent
	}
	c.common.client = c
	c.Categories = (*CategoriesService)(&c.common)
	c.Schemas = (*SchemasService)(&c.common)
	c.Contacts = (*ContactsService)(&c.common)
	c.Projects = (*ProjectsService)(&c.common)
	c.ToDos = (*ToDosService)(&c.common)
	c.Orders = &OrdersService{documents{client: c, kind: "Order"}}
	c.Invoices = &InvoicesService{documents{client: c, kind: "Invoice"}}
	c.Offers = &OffersService{documents{client: c, kind: "Offer"}}
	c.SyncFeed = (*SyncFeedService)(&c.common)
	c.Addresses = (*AddressesService)(&c.common)
	c.Templates = (*TemplatesService)(&c.common)
	c.Emails = (*EmailsService)(&c.common)
	c.Products = (*ProductsService)(&c.common)
	return c, nil
}

// parseBaseURL checks a base URL: http or https, a host, no credentials, no
// query, and no SystemId where the path goes.
func parseBaseURL(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the input, which may hold a key.
		return nil, errors.New("base URL is not a valid URL")
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL %s contains credentials: give the SystemId and the key separately, never in the URL", redact.URL(u))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("base URL %s must start with https:// (or http:// for a local sandbox)", redact.URL(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %s has no host", redact.URL(u))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %s must not have a query or fragment", redact.URL(u))
	}
	if u.Scheme == "http" && !allowHTTP && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("refusing to send the API key in clear text to %s: use https://", u.Host)
	}
	path := strings.Trim(u.Path, "/")
	if path != "" {
		if _, err := strconv.Atoi(path); err == nil {
			return nil, fmt.Errorf("base URL %s ends in %s, which looks like a SystemId: use %s://%s as the URL and give the SystemId separately",
				redact.URL(u), path, u.Scheme, u.Host)
		}
	}
	u.Path = "/" + path
	if path != "" {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the server's base URL.
func (c *Client) BaseURL() string { return strings.TrimRight(c.baseURL.String(), "/") }

// SystemID returns the SystemId.
func (c *Client) SystemID() string { return c.systemID }

// RPM returns the rate limit this client was configured with, in requests
// per minute.
func (c *Client) RPM() int { return c.rpm }

// Budget returns the Budget the client draws on, to give to another Client
// of the same system (WithBudget).
func (c *Client) Budget() *Budget { return c.budget }

// Stats returns a snapshot of what the client has done.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

// String describes the client without its key.
func (c *Client) String() string {
	if c == nil {
		return "restapi.Client(nil)"
	}
	return fmt.Sprintf("restapi.Client{URL: %s, SystemId: %s, APIKey: [redacted], RPM: %d}", c.BaseURL(), c.systemID, c.rpm)
}

// GoString is String, so that %#v does not print the key either.
func (c *Client) GoString() string { return c.String() }

// LogValue implements slog.LogValuer.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", c.BaseURL()), slog.String("system_id", c.systemID), slog.Int("rpm", c.rpm))
}

func (a *authHeader) String() string   { return "[redacted]" }
func (a *authHeader) GoString() string { return "[redacted]" }

// apiRequest is one call's request.
type apiRequest struct {
	method  string
	path    string // relative to the base URL, e.g. "Api/R3/Contact/7506"
	pattern string // the endpoint for Stats and logs, e.g. "/Api/R3/Contact/{id}"
	query   url.Values
	body    any // encoded as JSON when not nil
	// safe means the request may be sent again when an attempt's outcome
	// is unknown: reads and updates that set fields by Id.
	safe bool
	// sendPage0 makes a list request send Page=0 for the first page; other
	// lists send no Page there, as the documentation's examples do.
	sendPage0 bool
	// upload is a body sent as it is (a SyncFeed file) instead of body,
	// rewound before each attempt; contentType is its Content-Type.
	upload      io.ReadSeeker
	contentType string
	// syncFeed paces the request with the SyncFeed limiter, not REST's.
	syncFeed bool
	// timeout, when longer than the policy's AttemptTimeout, replaces it.
	timeout time.Duration
}

func (r *apiRequest) endpoint() string { return "/" + r.path }

// do sends r with pacing and retries and returns the answer body with any
// BOM removed.
func (c *Client) do(ctx context.Context, r *apiRequest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.stats.call()
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", r.method, r.endpoint(), err)
		}
	}
	pol := c.retry
	pc, limitDelay, limitMaxDelay := c.pacer, pol.RateLimitDelay, pol.RateLimitMaxDelay
	if r.syncFeed {
		// A 429 here means the hourly budget is spent: pause in steps of
		// that window's request interval, not REST's.
		pc = c.syncPacer
		limitDelay = 2 * c.syncWindow / time.Duration(max(c.syncN, 1))
		limitMaxDelay = c.syncWindow
	}
	start := time.Now()
	attempts, limited := 0, 0
	for {
		waitStart := time.Now()
		epoch, err := pc.wait(ctx)
		c.stats.waited(time.Since(waitStart))
		if err != nil {
			return nil, err
		}
		attempts++
		res := c.attempt(ctx, r, body, attempts > 1)
		if res.err == nil && res.status >= 200 && res.status < 300 {
			pc.success()
			return stripBOM(res.data), nil
		}

		// The context ended during the attempt: report that, but a write
		// that may have been carried out stays an unknown outcome.
		if ctxErr := ctx.Err(); ctxErr != nil && res.err != nil {
			if res.sent && !r.safe {
				c.stats.unknownOutcome()
				return nil, &UnknownOutcomeError{Method: r.method, Endpoint: r.endpoint(), Err: ctxErr}
			}
			return nil, ctxErr
		}

		var cause error
		var delay time.Duration
		switch {
		case res.status == http.StatusTooManyRequests:
			limited++
			apiErr := c.apiError(r, res)
			pc.backoff429(epoch, limitDelay, limitMaxDelay, apiErr.RetryAfter)
			if limited > pol.MaxRateLimited || time.Since(start) >= pol.MaxElapsed {
				return nil, &RetriesExhaustedError{Attempts: attempts, Elapsed: time.Since(start), Err: apiErr}
			}
			c.log.Warn("MiniCRM answered 429 Too Many Requests; pausing and sending the same request again",
				"method", r.method, "endpoint", r.pattern, "attempt", attempts)
			continue // pacer.wait sleeps through the pause
		case res.err != nil:
			cause = &NetworkError{Method: r.method, Endpoint: r.endpoint(), Err: res.err}
		case retryableStatus(res.status):
			cause = c.apiError(r, res)
		default:
			return nil, c.apiError(r, res)
		}

		if res.sent && !r.safe {
			c.stats.unknownOutcome()
			return nil, &UnknownOutcomeError{Method: r.method, Endpoint: r.endpoint(), Err: cause}
		}
		delay = jitter(backoffDelay(pol.BaseDelay, pol.MaxDelay, attempts-limited))
		if attempts-limited >= pol.MaxAttempts || time.Since(start)+delay >= pol.MaxElapsed {
			return nil, &RetriesExhaustedError{Attempts: attempts, Elapsed: time.Since(start), Err: cause}
		}
		c.log.Warn("retrying after an error", "method", r.method, "endpoint", r.pattern, "attempt", attempts,
			"delay", delay, "err", cause)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

type attemptResult struct {
	status int
	header http.Header
	data   []byte
	err    error
	// sent means the request may have reached the server: its headers
	// were written to a connection.
	sent bool
}

// attempt sends one HTTP request.
func (c *Client) attempt(ctx context.Context, r *apiRequest, body []byte, retry bool) attemptResult {
	actx, cancel := context.WithTimeout(ctx, max(c.retry.AttemptTimeout, r.timeout))
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})

	u := *c.baseURL
	u.Path += r.path
	u.RawQuery = ""
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var rd io.Reader
	size := int64(len(body))
	if body != nil {
		rd = bytes.NewReader(body)
	}
	if r.upload != nil {
		n, err := r.upload.Seek(0, io.SeekEnd)
		if err == nil {
			_, err = r.upload.Seek(0, io.SeekStart)
		}
		if err != nil {
			return attemptResult{err: fmt.Errorf("rewinding the request body: %w", err)}
		}
		// NopCloser: the transport closes a request body, and the caller's
		// file must stay open for the next attempt.
		rd, size = io.NopCloser(r.upload), n
	}
	req, err := http.NewRequestWithContext(actx, r.method, u.String(), rd)
	if err != nil {
		return attemptResult{err: err}
	}
	if r.upload != nil {
		req.ContentLength = size
	}
	req.Header.Set("Authorization", c.auth.value)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.stats.attempt(r.method+" "+r.pattern, retry, 0, size, 0, time.Since(start))
		c.log.Debug("request failed", "method", r.method, "endpoint", r.pattern, "err", err)
		return attemptResult{err: transportError(err), sent: wrote.Load()}
	}
	defer resp.Body.Close()
	limit := int64(maxAnswerSize)
	if resp.StatusCode >= 300 {
		limit = maxErrorSize
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	latency := time.Since(start)
	c.stats.attempt(r.method+" "+r.pattern, retry, resp.StatusCode, size, int64(len(data)), latency)
	c.log.Debug("request", "method", r.method, "endpoint", r.pattern, "status", resp.StatusCode, "latency", latency)
	res := attemptResult{status: resp.StatusCode, header: resp.Header, data: data, sent: true}
	switch {
	case err != nil:
		// The status came but the body broke off: as good as no answer.
		res.err = transportError(err)
	case int64(len(data)) > limit && resp.StatusCode < 300:
		res.err = fmt.Errorf("answer larger than %d MiB", maxAnswerSize>>20)
	}
	return res
}

// transportError drops *url.Error's "Get "http://…":" prefix (the method and
// endpoint are added by the caller) and keeps the cause.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// apiError turns a non-2xx answer into an *APIError.
func (c *Client) apiError(r *apiRequest, res attemptResult) *APIError {
	msg := strings.TrimSpace(string(stripBOM(res.data)))
	if strings.HasPrefix(msg, "{") {
		var m struct{ Message string }
		if json.Unmarshal([]byte(msg), &m) == nil && m.Message != "" {
			msg = m.Message
		}
	}
	e := &APIError{StatusCode: res.status, Method: r.method, Endpoint: r.endpoint(), Message: truncate(msg, 1000),
		systemID: c.systemID, keyLen: c.auth.keyLen}
	if res.header != nil {
		if v := res.header.Get("Retry-After"); v != "" {
			if s, err := strconv.Atoi(v); err == nil && s >= 0 {
				d := time.Duration(s) * time.Second
				e.RetryAfter = &d
			} else if t, err := http.ParseTime(v); err == nil {
				d := max(time.Until(t), 0)
				e.RetryAfter = &d
			}
		}
	}
	return e
}

// decode unmarshals a JSON answer, naming the endpoint on failure.
func decodeInto(r *apiRequest, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", r.method, r.endpoint(), err)
	}
	return nil
}

// getDetail reads the detail record GET /Api/R3/<entity>/<id> into a T;
// what names the Id in the error a bad one gets ("contact Id").
func getDetail[T any](ctx context.Context, c *Client, entity, what string, id int) (*T, error) {
	if err := checkID(what, id); err != nil {
		return nil, err
	}
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/" + entity + "/" + itoa(id), pattern: "/Api/R3/" + entity + "/{id}", safe: true}
	data, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var v T
	if err := decodeInto(r, data, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// idAnswer is the {"Id": N} that creates and updates answer.
type idAnswer struct {
	Id FlexInt `json:"Id"`
}

// write sends a create or update and returns the Id the server answered.
func (c *Client) write(ctx context.Context, r *apiRequest) (int, error) {
	data, err := c.do(ctx, r)
	if err != nil {
		return 0, err
	}
	var a idAnswer
	if err := decodeInto(r, data, &a); err != nil {
		if !r.safe {
			// The write was carried out, but its Id is lost.
			c.stats.unknownOutcome()
			return 0, &UnknownOutcomeError{Method: r.method, Endpoint: r.endpoint(), Err: err}
		}
		return 0, err
	}
	if a.Id <= 0 {
		err := fmt.Errorf("%s %s: the answer has no Id: %s", r.method, r.endpoint(), truncate(string(data), 200))
		if !r.safe {
			c.stats.unknownOutcome()
			return 0, &UnknownOutcomeError{Method: r.method, Endpoint: r.endpoint(), Err: err}
		}
		return 0, err
	}
	return a.Id.Int(), nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func checkID(what string, id int) error {
	if id <= 0 {
		return fmt.Errorf("restapi: %s must be a positive Id, got %d", what, id)
	}
	return nil
}
