package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

// DefaultSyncFeedPerHour is MiniCRM's limit on XML sync requests in the
// newest manual (MAN25): 180 an hour, counted apart from the REST limit.
// Whether Upload counts toward it too is not documented; the client paces
// both calls with it.
const DefaultSyncFeedPerHour = 180

// syncFeedAttemptTimeout is how long one SyncFeed attempt may take: MiniCRM
// answers a Pull only once it has downloaded the file (it gives up after
// about 120 s), and an Upload carries the whole file.
const syncFeedAttemptTimeout = 5 * time.Minute

// WithSyncFeedRate sets the limit of SyncFeed calls: n per window (default
// 180 an hour) of the Client's own Budget (see WithBudget).
func WithSyncFeedRate(n int, window time.Duration) Option {
	return func(o *options) error {
		if n <= 0 || window <= 0 {
			return fmt.Errorf("the SyncFeed rate must be a positive number of calls per positive window, got %d per %s", n, window)
		}
		o.limits.FeedRequests, o.limits.FeedWindow, o.limitsSet = n, window, true
		return nil
	}
}

// SyncFeedService hands XML sync feeds (see package xmlfeed) to MiniCRM.
// MiniCRM answers once it has the file and applies it afterwards: a nil
// error means "received", not "imported"; read the result back through
// REST (Projects.GetByReferenceId).
//
// Retries: both calls are resent after a 5xx or a lost connection. That is
// safe because a feed is idempotent: MiniCRM keys every card by Project@Id
// (its ReferenceId) and updates the same card when the Id comes again
// [C-doc: WEBSHOP], so a feed applied twice leaves what it left once. The
// calls are paced by their own limiter (WithSyncFeedRate), not REST's.
type SyncFeedService service

// SyncFeedAnswer is MiniCRM's answer to a SyncFeed call. Its JSON keys are
// not documented anywhere, so the answer is kept as it came: Fields when it
// is a JSON object, Raw always.
type SyncFeedAnswer struct {
	Fields map[string]any
	Raw    []byte
}

// String shows the answer for a log line.
func (a *SyncFeedAnswer) String() string {
	if a == nil {
		return "(no answer)"
	}
	return truncate(strings.TrimSpace(string(a.Raw)), 300)
}

func decodeSyncFeedAnswer(data []byte) *SyncFeedAnswer {
	a := &SyncFeedAnswer{Raw: bytes.Clone(data)}
	var m map[string]any
	if json.Unmarshal(data, &m) == nil {
		a.Fields = m
	}
	return a
}

// Pull makes MiniCRM download the feed from sourceURL, where the caller has
// published it (HTTPS or FTPS recommended; user:password@ in the URL is
// allowed and stays out of errors and logs). MiniCRM downloads from fixed
// addresses (minicrm-facts.md 1.2), which the feed's host may need to
// allow.
//
// GET /Api/SyncFeed/<SystemId>?Source=<url>
func (s *SyncFeedService) Pull(ctx context.Context, sourceURL string) (*SyncFeedAnswer, error) {
	u, err := url.Parse(strings.TrimSpace(sourceURL))
	if err != nil || u.Host == "" {
		return nil, errors.New("restapi: the feed's source URL must be an absolute URL such as https://example.com/feed.xml")
	}
	switch u.Scheme {
	case "http", "https", "ftp", "ftps":
	default:
		return nil, fmt.Errorf("restapi: the feed's source URL %s must be http(s) or ftp(s)", redact.URL(u))
	}
	c := s.client
	data, err := c.do(ctx, &apiRequest{method: http.MethodGet, path: "Api/SyncFeed/" + c.systemID, pattern: "/Api/SyncFeed/{id}",
		query: url.Values{"Source": {u.String()}}, safe: true, syncFeed: true, timeout: syncFeedAttemptTimeout})
	if err != nil {
		return nil, err
	}
	return decodeSyncFeedAnswer(data), nil
}

// Upload sends a feed file in the request body. feedID is the feed's id
// that MiniCRM's support sets up for the system (not the SystemId). body is
// read from its start at each attempt; it is not closed.
//
// POST /Api/SyncFeed/<FeedId>/Upload (Content-Type: application/xml)
func (s *SyncFeedService) Upload(ctx context.Context, feedID int, body io.ReadSeeker) (*SyncFeedAnswer, error) {
	if err := checkID("FeedId", feedID); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errors.New("restapi: Upload needs a body")
	}
	data, err := s.client.do(ctx, &apiRequest{method: http.MethodPost, path: "Api/SyncFeed/" + strconv.Itoa(feedID) + "/Upload",
		pattern: "/Api/SyncFeed/{id}/Upload", upload: body, contentType: "application/xml; charset=utf-8", safe: true,
		syncFeed: true, timeout: syncFeedAttemptTimeout})
	if err != nil {
		return nil, err
	}
	return decodeSyncFeedAnswer(data), nil
}
