package sandbox

// XML sync ("SyncFeed"): the two ways MiniCRM takes a feed, and what it does
// with one, as far as the public material on the feed knows it (docs/feed-reference.md).
//
//   - GET /Api/SyncFeed/<SystemId>?Source=<url>: MiniCRM downloads the file
//     (giving up after about 120 s) and answers only once it has it; then
//     it applies the feed asynchronously [C-doc: XMLHELP, WOO]. The sandbox
//     downloads from loopback addresses only (127.0.0.0/8, ::1, localhost):
//     it must never be a way to make requests elsewhere.
//   - POST /Api/SyncFeed/<FeedId>/Upload: the file in the body [C-code: PEN].
//     The FeedId is assigned by MiniCRM's support; the sandbox takes any.
//     Bodies are read up to 8 MiB, like every sandbox request; larger feeds
//     go through Source or are split (feed build --split).
//   - Both answer 200 with a JSON body whose keys MiniCRM does not document;
//     the sandbox answers {"Id": <n>, "Status": "Queued", "Bytes": <size>},
//     n being the feed's number under /_sandbox/feeds.
//   - 180 calls per sliding hour (MAN25), apart from the REST limit
//     (Config.SyncFeedPerHour); 429 above it, and the call is not processed.
//
// Applying a feed (one at a time, in the order received, each card under the
// server mutex, never the download):
//   - A file that is not well-formed XML with a <Projects> root is refused
//     whole, nothing applied [I: MiniCRM's PHP parser reads whole documents].
//   - Project@Id is the card's ReferenceId: a card of the same module
//     (CategoryId) with that ReferenceId is updated, else one is created
//     [C-doc: WEBSHOP]. Without CategoryId the card is found in any module,
//     and cannot be created. Creating needs Name and StatusId; the owner
//     defaults to the API user (MAN25: MiniCRM picks someone) [I].
//   - <Business> with a VatNumber is matched by it, else created; one
//     without a VatNumber is matched by name, else created. How MiniCRM
//     itself matches <Business> is undocumented [?]; falling back to the
//     name when a VAT number matches nobody would put a company's cards on
//     another company of the same name, so the sandbox never does;
//     <Contact> by Contact@Id (kept as the person's ReferenceId), then by
//     email, else created, and put in the business when it has none. The
//     card's contact is the first Contact, else the Business [I].
//   - Values are checked as an R3 PUT checks them (dropdowns by id or label,
//     numbers, dates, lengths): a card with a bad value fails as a whole and
//     changes nothing; the feed goes on. An empty element clears the field
//     (undocumented [?]).
//   - <Orders>/<Offers> become documents of the Order/Offer modules for the
//     card's contact, with their items and card fields; Order@Id (Offer@Id)
//     finds the same document when it comes again. <Addresses> under
//     <Business> or <Contact> are stored as the contact's addresses
//     (feedaddress.go).
//   - A card written with the values it already has is unchanged: UpdatedAt
//     does not move and Stats.FeedCards does not count it.
//
// The outcome of each feed (cards created, updated, unchanged, failed with
// reasons) is under GET /_sandbox/feeds and /_sandbox/feeds/<n>; Server.Feeds
// and Server.WaitFeeds give the same to tests in the process.
//
// This file receives feeds and keeps their outcomes; syncfeed_parse.go
// reads a feed, syncfeed_card.go applies one card with the help of
// syncfeed_contacts.go and syncfeed_documents.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

// maxFeedDownload bounds a downloaded feed (the sandbox holds it in memory).
const maxFeedDownload = 512 << 20

// maxFeedFailures bounds the failures kept per feed; the counts go on.
const maxFeedFailures = 1000

// feedState is the server's XML sync state, guarded by Server.mu.
type feedState struct {
	window []time.Time    // accepted SyncFeed calls of the last hour
	log    []*FeedOutcome // every feed received, in order
	last   chan struct{}  // closed when the last feed queued is done
	docs   map[string]int // "<kind>\x00<external id>" → document id, for st
	docsOf *store
}

// FeedOutcome is what became of one feed.
type FeedOutcome struct {
	// Id numbers the feeds from 1, in the order received.
	Id int `json:"id"`
	// Via is "source" (downloaded from Source) or "upload".
	Via string `json:"via"`
	// Source is the Source URL, without any password in it.
	Source     string `json:"source,omitempty"`
	FeedId     int    `json:"feed_id,omitempty"`
	Bytes      int    `json:"bytes"`
	ReceivedAt string `json:"received_at"`
	// Status is queued, applying, applied, failed (the file was refused:
	// Error says why; nothing was applied) or aborted (the system was reset
	// or reloaded while the feed was applied).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Cards counts the <Project> elements; each one is created, updated,
	// unchanged or failed.
	Cards     int `json:"cards"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	// Contacts and businesses created or changed by the feed.
	PersonsCreated    int `json:"persons_created"`
	PersonsUpdated    int `json:"persons_updated"`
	BusinessesCreated int `json:"businesses_created"`
	BusinessesUpdated int `json:"businesses_updated"`
	// Orders and offers created or changed; DocumentIds says which
	// document each Order@Id or Offer@Id is (at most 1000).
	Documents   int            `json:"documents"`
	DocumentIds []FeedDocument `json:"document_ids,omitempty"`
	// Failures say which card (or document) failed and why; at most 1000.
	Failures []FeedFailure `json:"failures,omitempty"`
	// Notes are what the sandbox left out on purpose (addresses…).
	Notes []string `json:"notes,omitempty"`

	done chan struct{}
}

// FeedDocument is the document an <Order> or <Offer> became.
type FeedDocument struct {
	Kind      string `json:"kind"` // Order or Offer
	Id        string `json:"external_id"`
	Document  int    `json:"id"`
	ProjectId int    `json:"project_id"` // the document's own card
}

// FeedFailure is one card (or an order or offer of a card) that could not
// be applied.
type FeedFailure struct {
	ProjectId string `json:"project_id"`
	Line      int    `json:"line"`
	Reason    string `json:"reason"`
}

func (o *FeedOutcome) fail(ref string, line int, reason string) {
	if len(o.Failures) < maxFeedFailures {
		o.Failures = append(o.Failures, FeedFailure{ProjectId: ref, Line: line, Reason: reason})
	}
}

func (o *FeedOutcome) note(n string) {
	if !slices.Contains(o.Notes, n) && len(o.Notes) < 20 {
		o.Notes = append(o.Notes, n)
	}
}

// Feeds returns copies of the outcomes of every feed received.
func (s *Server) Feeds() []FeedOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FeedOutcome, len(s.feeds.log))
	for i, o := range s.feeds.log {
		out[i] = o.copy()
	}
	return out
}

func (o *FeedOutcome) copy() FeedOutcome {
	c := *o
	c.Failures = slices.Clone(o.Failures)
	c.Notes = slices.Clone(o.Notes)
	c.DocumentIds = slices.Clone(o.DocumentIds)
	c.done = nil
	return c
}

// WaitFeeds waits until every feed received so far is applied (or failed).
func (s *Server) WaitFeeds(ctx context.Context) error {
	s.mu.Lock()
	last := s.feeds.last
	s.mu.Unlock()
	if last == nil {
		return nil
	}
	select {
	case <-last:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// syncFeedLimitedLocked applies the hourly limit of SyncFeed calls.
func (s *Server) syncFeedLimitedLocked() bool {
	n := s.cfg.SyncFeedPerHour
	if n == 0 {
		return false
	}
	now := s.now()
	f := &s.feeds
	cut := 0
	for cut < len(f.window) && now.Sub(f.window[cut]) >= time.Hour {
		cut++
	}
	f.window = f.window[cut:]
	if len(f.window) >= n {
		s.stats.RateLimited++
		return true
	}
	f.window = append(f.window, now)
	return false
}

// GET /Api/SyncFeed/<SystemId>?Source=<url>. Runs with s.mu held, like
// every handler, but lets go of it for the download: a slow feed host must
// not stop the whole system.
func pullFeed(s *Server, r *request) (any, error) {
	lang := s.st.lang
	if err := checkParams(r, lang, func(k string) bool { return k == "Source" }); err != nil {
		return nil, err
	}
	if r.ids[0] != s.cfg.SystemID {
		return nil, errf(http.StatusNotFound, msgf(lang, "not_found", r.URL.Path))
	}
	src := strings.TrimSpace(r.query.Get("Source"))
	if src == "" {
		return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Source"))
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errf(http.StatusBadRequest, msgf(lang, "bad_param_value", "Source", truncateText(src)))
	}
	if !loopbackHost(u.Hostname()) {
		return nil, errf(http.StatusBadRequest, fmt.Sprintf("the sandbox downloads feeds from loopback addresses only "+
			"(127.0.0.1, ::1, localhost), not from %s; serve the file locally", u.Host))
	}
	if s.syncFeedLimitedLocked() {
		return nil, errf(http.StatusTooManyRequests, "Too Many Requests")
	}
	timeout := s.cfg.SyncFeedTimeout
	data, derr := func() ([]byte, error) {
		s.mu.Unlock()
		defer s.mu.Lock() // handle's deferred Unlock needs it held, even after a panic
		return download(r.Context(), u, timeout)
	}()
	if derr != nil {
		return nil, errf(http.StatusBadRequest, fmt.Sprintf("the feed could not be downloaded from %s: %v", redact.URL(u), derr))
	}
	return s.queueFeedLocked(&FeedOutcome{Via: "source", Source: redact.URL(u)}, data), nil
}

// POST /Api/SyncFeed/<FeedId>/Upload with the feed as the body.
func uploadFeed(s *Server, r *request) (any, error) {
	lang := s.st.lang
	if err := checkParams(r, lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (XML)"))
	}
	if len(data) > maxBody {
		return nil, errf(http.StatusRequestEntityTooLarge, fmt.Sprintf("the sandbox takes uploads of at most %d MiB; "+
			"split the feed or let the sandbox download it (GET /Api/SyncFeed/<SystemId>?Source=<url>)", maxBody>>20))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (XML)"))
	}
	if s.syncFeedLimitedLocked() {
		return nil, errf(http.StatusTooManyRequests, "Too Many Requests")
	}
	return s.queueFeedLocked(&FeedOutcome{Via: "upload", FeedId: r.ids[0]}, data), nil
}

// queueFeedLocked records a received feed and starts applying it once the
// feeds before it are done.
func (s *Server) queueFeedLocked(o *FeedOutcome, data []byte) map[string]any {
	f := &s.feeds
	o.Id = len(f.log) + 1
	o.Bytes = len(data)
	o.ReceivedAt = formatTime(s.clock())
	o.Status = "queued"
	o.done = make(chan struct{})
	f.log = append(f.log, o)
	prev := f.last
	f.last = o.done
	go s.applyFeed(o, data, prev)
	return map[string]any{"Id": o.Id, "Status": "Queued", "Bytes": len(data)}
}

func truncateText(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// download fetches a feed from a loopback address. The dialer checks the
// address actually connected to, and redirects are followed only to
// loopback hosts, so neither DNS nor a redirect can point it elsewhere.
func download(ctx context.Context, u *url.URL, timeout time.Duration) ([]byte, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", address)
		}
		return nil
	}}
	tr := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if !loopbackHost(req.URL.Hostname()) {
			return fmt.Errorf("redirected to %s, which is not a loopback address", req.URL.Host)
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, password included
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFeedDownload+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFeedDownload {
		return nil, fmt.Errorf("the file is larger than %d MiB", maxFeedDownload>>20)
	}
	return data, nil
}

// serveFeedsHook answers GET /_sandbox/feeds (every feed's outcome) and
// GET /_sandbox/feeds/<n>; ?wait=<duration> waits up to that long for the
// feeds to be applied first.
func (s *Server) serveFeedsHook(w http.ResponseWriter, r *http.Request, segs []string) {
	if r.Method != http.MethodGet {
		s.answer(w, r, http.StatusMethodNotAllowed, "Sandbox ("+r.Method+"): method not allowed")
		return
	}
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (GET): wait: want a duration up to 10m, such as 30s")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		err = s.WaitFeeds(ctx)
		cancel()
		if err != nil && r.Context().Err() != nil {
			return
		}
	}
	feeds := s.Feeds()
	if len(segs) == 0 {
		if feeds == nil {
			feeds = []FeedOutcome{}
		}
		s.answerJSON(w, r, feeds)
		return
	}
	n, err := strconv.Atoi(segs[0])
	if len(segs) != 1 || err != nil || n < 1 || n > len(feeds) {
		s.answer(w, r, http.StatusNotFound, "Sandbox (GET): no such feed: "+strings.Join(segs, "/"))
		return
	}
	s.answerJSON(w, r, feeds[n-1])
}
