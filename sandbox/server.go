package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config sets up a Server.
type Config struct {
	// SystemID is the system's numeric id (at most 5 digits on MiniCRM).
	SystemID int
	// APIKey is the system's key; GenerateAPIKey makes one.
	APIKey string
	// RPM is the rate limit in requests per sliding minute for /Api/...
	// calls. The Hungarian documentation says 60, the English one 180; 0
	// disables the limit. The default (when negative) is 60, the stricter.
	RPM int
	// Dataset is the system's configuration and starting records;
	// DefaultDataset() when nil.
	Dataset *Dataset
	// StatePath, when set, persists the system to this file (atomically)
	// and restores it from there at start.
	StatePath string
	// Faults injects failures for reliability tests.
	Faults Faults
	// Now is the clock; time.Now when nil. Tests set it to drive the rate
	// limit and UpdatedAt deterministically.
	Now func() time.Time
	// Logger receives one line per request (never the credentials); nil
	// discards.
	Logger *slog.Logger
	// Webhooks are notified of Contact and Project changes (webhooks.go),
	// as well as the data set's webhooks.
	Webhooks []WebhookConfig
	// WebhookSchedule is the wait before each retry of a notification not
	// answered 200, from the previous try; DefaultWebhookSchedule when nil.
	// WebhookScale multiplies it (0 means 1): tests shrink it.
	WebhookSchedule []time.Duration
	WebhookScale    float64
	// SyncFeedPerHour limits XML sync calls (/Api/SyncFeed) per sliding
	// hour, apart from RPM: MAN25 says 180. 0 disables the limit; negative
	// means 180.
	SyncFeedPerHour int
	// SyncFeedTimeout bounds the download of a feed's Source URL (MiniCRM
	// gives up after about 120 s, the default when 0).
	SyncFeedTimeout time.Duration
	// BodyTimeout bounds the reading of a request's body (408 past it),
	// whatever server runs the sandbox; DefaultBodyTimeout when 0.
	BodyTimeout time.Duration
}

// Server is the MiniCRM emulator, an http.Handler.
type Server struct {
	cfg Config
	now func() time.Time
	log *slog.Logger
	wh  *webhooks // webhook deliveries; its own lock, taken after mu

	mu      sync.Mutex // guards everything below
	st      *store
	rng     *mathrand.Rand
	faults  Faults
	window  []time.Time // accepted /Api/ requests of the last minute, oldest first
	counted int         // requests that passed auth, for burst scheduling
	storm   int         // 429s left in the current storm
	stats   Stats
	dirty   bool
	feeds   feedState // XML sync feeds (syncfeed.go)
}

// Stats counts what the server saw; GET /_sandbox/stats returns it.
type Stats struct {
	// Requests by "METHOD pattern", e.g. "GET /Api/R3/Contact/{id}".
	Requests map[string]int `json:"requests"`
	// Status counts answers by HTTP status code.
	Status map[string]int `json:"status"`
	// Total is every /Api request that passed authentication.
	Total int `json:"total"`
	// RateLimited is how many were answered 429 by the rate limit;
	// Storm429 by an injected storm.
	RateLimited int `json:"rate_limited"`
	Storm429    int `json:"storm_429"`
	// Injected500, DroppedBefore and DroppedAfter count injected faults.
	Injected500   int `json:"injected_500"`
	DroppedBefore int `json:"dropped_before"`
	DroppedAfter  int `json:"dropped_after"`
	// Unauthorized counts 401 answers.
	Unauthorized int `json:"unauthorized"`
	// Writes counts requests that changed data (creates and updates).
	Writes int `json:"writes"`
	// FeedCards counts cards that XML sync feeds created or changed (a
	// card a feed sends unchanged is not counted).
	FeedCards int `json:"feed_cards"`
}

// GenerateAPIKey returns a random 32-character key, the length MiniCRM's
// official client insists on.
func GenerateAPIKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// New builds a server. With StatePath set and the file present, the system
// is restored from it; otherwise it starts from the data set.
func New(cfg Config) (*Server, error) {
	if cfg.SystemID <= 0 {
		return nil, errors.New("sandbox: SystemID must be a positive number")
	}
	if cfg.APIKey == "" {
		return nil, errors.New("sandbox: APIKey is empty")
	}
	if cfg.RPM < 0 {
		cfg.RPM = 60
	}
	if cfg.SyncFeedPerHour < 0 {
		cfg.SyncFeedPerHour = 180
	}
	if cfg.SyncFeedTimeout <= 0 {
		cfg.SyncFeedTimeout = 120 * time.Second
	}
	if cfg.Dataset == nil {
		cfg.Dataset = DefaultDataset()
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, now: cfg.Now, log: cfg.Logger, faults: cfg.Faults}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.rng = mathrand.New(mathrand.NewPCG(cfg.Faults.Seed, cfg.Faults.Seed^0x9e3779b97f4a7c15))
	s.resetStats()
	var err error
	if s.wh, err = newWebhooks(cfg); err != nil {
		return nil, err
	}
	if cfg.StatePath != "" {
		s.st, err = loadSnapshot(cfg.StatePath)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if s.st == nil {
		var ds *Dataset
		if ds, err = cloneDataset(cfg.Dataset); err != nil {
			return nil, err
		}
		s.st, err = newStore(ds, s.clock())
		if err != nil {
			return nil, err
		}
		s.dirty = cfg.StatePath != ""
	}
	return s, nil
}

// clock is the current time in Hungarian local time, truncated to the
// second as MiniCRM's timestamps are.
func (s *Server) clock() time.Time { return s.now().In(budapest).Truncate(time.Second) }

// SystemID returns the emulated system's id.
func (s *Server) SystemID() int { return s.cfg.SystemID }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyStats()
}

func (s *Server) copyStats() Stats {
	c := s.stats
	c.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		c.Requests[k] = v
	}
	c.Status = make(map[string]int, len(s.stats.Status))
	for k, v := range s.stats.Status {
		c.Status[k] = v
	}
	return c
}

func (s *Server) resetStats() {
	s.stats = Stats{Requests: map[string]int{}, Status: map[string]int{}}
}

// apiError is an answer other than 200: MiniCRM sends these as plain text,
// "<Entity> (<METHOD>): <message>".
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errf(status int, msg string) error { return &apiError{status: status, msg: msg} }

// request is what a handler sees.
type request struct {
	*http.Request
	ids     []int      // the {id} segments of the route, in order
	query   url.Values // the query string
	base    string     // scheme://host of this server, for Url fields
	entity  string
	pattern string
}

// body decodes the JSON body into an object. An empty or malformed body is
// the live system's 400 `Nem megfelelő paraméter: "Data (JSON)"`.
func (r *request) body(lang string) (map[string]any, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (JSON)"))
	}
	if len(raw) > maxBody {
		return nil, errf(http.StatusRequestEntityTooLarge, msgf(lang, "unknown_param", "Data (JSON)"))
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	// On R3 an empty object is no data either: live, PUT /Api/R3/ToDo/ with
	// {} answers `ToDo (PUT): Nem megfelelő paraméter: "Data (JSON)"`.
	err = dec.Decode(&m)
	emptyR3 := len(m) == 0 && strings.HasPrefix(r.pattern, "/Api/R3/")
	if err != nil || m == nil || dec.More() || emptyR3 {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (JSON)"))
	}
	return m, nil
}

const maxBody = 8 << 20

// DefaultBodyTimeout bounds the reading of a request's body: a client
// that sends it a byte a minute must not hold a connection for good.
const DefaultBodyTimeout = 30 * time.Second

// readBody reads up to limit bytes of the body within the body timeout.
// The deadline is set on the connection (a server without ReadTimeout,
// such as httptest's, has none) and taken off once the body is read: a
// deadline left behind would end net/http's background read, which
// cancels the request's context, while the handler still works. After a
// body that did not come, the connection is closed.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	d := s.cfg.BodyTimeout
	if d <= 0 {
		d = DefaultBodyTimeout
	}
	rc := http.NewResponseController(w)
	set := rc.SetReadDeadline(time.Now().Add(d)) == nil
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit))
	switch {
	case err != nil:
		// The connection is done with: net/http would otherwise wait
		// for the rest of the body before answering.
		w.Header().Set("Connection", "close")
	case set:
		_ = rc.SetReadDeadline(time.Time{})
	}
	return raw, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

type handlerFunc func(s *Server, r *request) (any, error)

// route is one endpoint: its path segments ("{id}" for a number), the entity
// named in its error messages, and a handler per method.
type route struct {
	segs    []string
	entity  string
	methods map[string]handlerFunc
	// mutates lists the methods that write, for the Writes counter and
	// persistence.
	mutates map[string]bool
	// unthrottled routes are outside the rate limit (MAN25: no limit on
	// /Api/Invoice).
	unthrottled bool
}

func (rt route) pattern() string { return "/" + strings.Join(rt.segs, "/") }

// match reports whether path segments fit the route and returns the ids.
func (rt route) match(segs []string) ([]int, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var ids []int
	for i, p := range rt.segs {
		if p == "{id}" {
			id, err := strconv.Atoi(segs[i])
			if err != nil || id <= 0 {
				return nil, false
			}
			ids = append(ids, id)
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return ids, true
}

// ServeHTTP routes a request: test hooks, authentication, the rate limit,
// injected faults, then the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.Path)
	// The ProjectHistory example of the seeds puts the SystemId in front:
	// /<SystemId>/Api/R3/ProjectHistory/<Id>.
	if len(segs) > 1 && segs[0] == strconv.Itoa(s.cfg.SystemID) && strings.EqualFold(segs[1], "Api") {
		segs = segs[1:]
	}
	if len(segs) > 0 && segs[0] == "_sandbox" {
		s.serveHook(w, r, segs[1:])
		return
	}
	rt, ids, methodOK := s.lookup(segs, r.Method)
	entity := entityFromPath(segs)
	if rt != nil {
		entity = rt.entity
	}
	if !s.authorized(w, r, entity) {
		return
	}
	s.mu.Lock()
	lang := s.st.lang
	s.stats.Total++
	pattern := "(unknown)"
	if rt != nil {
		pattern = rt.pattern()
	}
	s.stats.Requests[r.Method+" "+pattern]++
	if (rt == nil || !rt.unthrottled) && s.rateLimitedLocked() {
		s.stats.RateLimited++
		s.mu.Unlock()
		s.answer(w, r, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	fault := s.drawFaultLocked()
	latency := s.faults.Latency
	if j := s.faults.LatencyJitter; j > 0 {
		latency += time.Duration(s.rng.Int64N(int64(j)))
	}
	s.mu.Unlock()

	// Read the body before the handler takes the lock (a client that sends
	// it slowly, or never, must not hold up every other request) and before
	// the injected latency (until the body is read the server cannot see a
	// client that gave up). The limit leaves request.body room to see an
	// oversized body.
	if r.Body != nil && r.Body != http.NoBody {
		raw, err := s.readBody(w, r, maxBody+1)
		if isTimeout(err) {
			s.answer(w, r, http.StatusRequestTimeout, entity+" ("+r.Method+"): the request body was not sent in time")
			return
		}
		if err != nil {
			s.answer(w, r, http.StatusBadRequest, entity+" ("+r.Method+"): "+msgf(lang, "unknown_param", "Data (JSON)"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case faultStorm:
		s.answer(w, r, http.StatusTooManyRequests, "Too Many Requests")
		return
	case fault500:
		s.answer(w, r, http.StatusInternalServerError, entity+" ("+r.Method+"): "+msgf(lang, "internal"))
		return
	case faultDropBefore:
		dropConnection(w)
		return
	}

	// For an unknown path or method the error answer is the processing: a
	// drop after it must still drop, as Stats.DroppedAfter counts it.
	if fault == faultDropAfter && (rt == nil || !methodOK) {
		dropConnection(w)
		return
	}
	if rt == nil {
		s.answer(w, r, http.StatusNotFound, entity+" ("+r.Method+"): "+msgf(lang, "not_found", r.URL.Path))
		return
	}
	if !methodOK {
		s.answer(w, r, http.StatusMethodNotAllowed, entity+" ("+r.Method+"): "+msgf(lang, "method"))
		return
	}
	req := &request{Request: r, ids: ids, query: r.URL.Query(), base: baseURL(r), entity: rt.entity, pattern: rt.pattern()}
	out, err := s.handle(rt, req)

	if fault == faultDropAfter {
		dropConnection(w)
		return
	}
	var je *jsonError
	if errors.As(err, &je) {
		s.answerJSONStatus(w, r, je.status, je.body)
		return
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: http.StatusInternalServerError, msg: msgf(lang, "internal")}
		}
		s.answer(w, r, ae.status, rt.entity+" ("+r.Method+"): "+ae.msg)
		return
	}
	s.answerJSON(w, r, out)
}

// handle runs the endpoint under the lock. The unlock is deferred so that a
// handler that panics (net/http recovers it and drops the connection) does
// not leave the mutex held and every later request hanging.
func (s *Server) handle(rt *route, req *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := rt.methods[req.Method](s, req)
	if err == nil && rt.mutates[req.Method] {
		s.stats.Writes++
		s.dirty = true
	}
	return out, err
}

func (s *Server) lookup(segs []string, method string) (*route, []int, bool) {
	var found *route
	var foundIDs []int
	for i := range routes {
		ids, ok := routes[i].match(segs)
		if !ok {
			continue
		}
		if _, ok := routes[i].methods[method]; ok {
			return &routes[i], ids, true
		}
		if found == nil {
			found, foundIDs = &routes[i], ids
		}
	}
	return found, foundIDs, false
}

// splitPath turns "/Api/R3/Contact/" into [Api R3 Contact]: MiniCRM accepts
// the endpoints with and without the trailing slash.
func splitPath(p string) []string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// entityFromPath names the entity for errors on paths no route knows.
func entityFromPath(segs []string) string {
	for i, s := range segs {
		if strings.EqualFold(s, "R3") || (i == 0 && strings.EqualFold(s, "Api")) {
			continue
		}
		if strings.EqualFold(s, "Api") {
			continue
		}
		return s
	}
	return "Api"
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authorized checks HTTP basic SystemId:ApiKey. The body says which part
// was wrong: MiniCRM itself does not, but a sandbox user is better served.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, entity string) bool {
	user, pass, ok := r.BasicAuth()
	s.mu.Lock()
	lang := s.st.lang
	s.mu.Unlock()
	var key string
	switch {
	case !ok:
		key = "no_auth"
	case user != strconv.Itoa(s.cfg.SystemID):
		key = "bad_system"
	case subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.APIKey)) != 1:
		key = "bad_key"
	default:
		return true
	}
	s.mu.Lock()
	s.stats.Unauthorized++
	s.mu.Unlock()
	w.Header().Set("WWW-Authenticate", `Basic realm="MiniCRM API"`)
	s.answer(w, r, http.StatusUnauthorized, entity+" ("+r.Method+"): "+msgf(lang, key))
	return false
}

// rateLimitedLocked applies the per-system limit over a sliding minute.
// A rejected request is not processed and does not use up the allowance.
func (s *Server) rateLimitedLocked() bool {
	if s.cfg.RPM == 0 {
		return false
	}
	now := s.now()
	cut := 0
	for cut < len(s.window) && now.Sub(s.window[cut]) >= time.Minute {
		cut++
	}
	s.window = s.window[cut:]
	if len(s.window) >= s.cfg.RPM {
		return true
	}
	s.window = append(s.window, now)
	return false
}

// answer writes a plain-text answer, as MiniCRM does for every error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, text string) {
	s.count(r, status)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, text)
}

func (s *Server) answerJSON(w http.ResponseWriter, r *http.Request, v any) {
	s.answerJSONStatus(w, r, http.StatusOK, v)
}

func (s *Server) answerJSONStatus(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.answer(w, r, http.StatusInternalServerError, "internal error: "+err.Error())
		return
	}
	s.count(r, status)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) count(r *http.Request, status int) {
	s.mu.Lock()
	s.stats.Status[strconv.Itoa(status)]++
	s.mu.Unlock()
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", status)
}
