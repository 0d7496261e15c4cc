package restapi

import (
	"fmt"
	"time"
)

// Limits are what one MiniCRM system allows: REST requests per sliding
// window and SyncFeed calls per window, counted apart [MAN25], and the share
// of the REST limit the client leaves unused.
//
// The Hungarian edition of the documentation allows 60 REST requests a
// minute per system, the English one 180: the default is the lower figure,
// and Requests is where a system with the higher one says so.
type Limits struct {
	Requests int           // REST requests per Window (DefaultRPM)
	Window   time.Duration // the server's sliding window (a minute)
	// Headroom is the share of Requests left unused (DefaultHeadroom): the
	// client paces at Requests·(1-Headroom), with bursts of up to
	// Requests·Headroom/2 to catch up after a stall.
	Headroom     float64
	FeedRequests int           // SyncFeed calls per FeedWindow (DefaultSyncFeedPerHour)
	FeedWindow   time.Duration // an hour
}

// DefaultLimits are MiniCRM's documented limits with the default headroom.
func DefaultLimits() Limits {
	return Limits{Requests: DefaultRPM, Window: time.Minute, Headroom: DefaultHeadroom,
		FeedRequests: DefaultSyncFeedPerHour, FeedWindow: time.Hour}
}

func (l Limits) check() error {
	switch {
	case l.Requests <= 0:
		return fmt.Errorf("the rate limit must be a positive number of requests, got %d", l.Requests)
	case l.Window <= 0:
		return fmt.Errorf("rate limit window must be positive, got %s", l.Window)
	case !(l.Headroom >= 0 && l.Headroom <= 0.5):
		return fmt.Errorf("headroom must be between 0 and 0.5, got %v", l.Headroom)
	case l.FeedRequests <= 0 || l.FeedWindow <= 0:
		return fmt.Errorf("the SyncFeed rate must be a positive number of calls per positive window, got %d per %s",
			l.FeedRequests, l.FeedWindow)
	}
	return nil
}

// Budget is the request allowance of one MiniCRM system, shared by every
// Client given it (WithBudget): the REST limiter, the SyncFeed limiter and
// the pause after a 429, which holds back all of them at once. A program
// that talks to a system through several Clients (the steps of a nightly
// job, an import's writers and its refresh) makes one Budget for that
// system and passes it to each; a Client made without one gets a Budget of
// its own. Nothing is shared behind the caller's back: two Budgets never
// know of each other, so tests and programs that talk to several systems
// stay apart by construction.
type Budget struct {
	limits Limits
	rest   *pacer
	feed   *pacer
}

// NewBudget returns the Budget of one system with limits l.
func NewBudget(l Limits) (*Budget, error) {
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("restapi: %w", err)
	}
	return &Budget{
		limits: l,
		rest:   newPacer(l.Requests, l.Window, l.Headroom, false),
		// The SyncFeed bucket holds a tenth of the limit (18 at 180 an
		// hour) so that the few files of a nightly push go out at once,
		// and refills slower to make up for it.
		feed: newPacer(l.FeedRequests, l.FeedWindow, l.Headroom, true),
	}, nil
}

// Limits returns the limits the Budget paces at.
func (b *Budget) Limits() Limits { return b.limits }

// RPM is the REST limit in requests per minute.
func (b *Budget) RPM() int {
	return int(float64(b.limits.Requests) * float64(time.Minute) / float64(b.limits.Window))
}

// WithBudget makes the Client draw on b, shared with every other Client
// given b. The limits are b's: WithRPM, WithRateLimit, WithHeadroom and
// WithSyncFeedRate do not go with it.
func WithBudget(b *Budget) Option {
	return func(o *options) error {
		if b == nil {
			return fmt.Errorf("budget is nil")
		}
		o.budget = b
		return nil
	}
}
