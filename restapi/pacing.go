package restapi

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer paces one of a Budget's two kinds of calls (REST, SyncFeed). Every
// Client given the same Budget shares it, so goroutines, services and
// Clients together stay under the system's limit.
//
// MiniCRM counts requests over a sliding window (a minute) and answers 429
// above the limit (60 a minute in the Hungarian documentation, 180 in the
// English). A token bucket with rate r and burst b sends at most b + r·W
// requests in any window of length W. The rate is n·(1-h)/W, n the limit
// and h the headroom (2% by default), and the burst is h·n/2 (at least 1):
// so the busiest window holds at most n·(1-h/2) requests, and the other h/2
// of the limit absorbs the jitter between the moment a request leaves and
// the moment the server counts it. The burst lets the client catch up after
// a stall (a slow answer, a descheduled goroutine) instead of losing that
// time for good: at 3000 a minute it is 30 requests, at 60 or 180 just 1.
//
// On a 429 the whole system pauses (every goroutine waits), doubling the
// pause only when a request sent after the last pause was refused too.
type pacer struct {
	limiter *rate.Limiter

	mu          sync.Mutex
	n           int           // requests allowed per window
	window      time.Duration // the server's sliding window
	headroom    float64
	pausedUntil time.Time
	epoch       uint64 // bumped when a pause starts
	streak      int    // 429s in a row that each started a pause
	// wideBurst gives the bucket a tenth of the limit as its burst (the
	// SyncFeed pacer; see syncFeedPacerFor).
	wideBurst bool
}

// newPacer returns a pacer of n requests per window.
func newPacer(n int, window time.Duration, headroom float64, wideBurst bool) *pacer {
	p := &pacer{n: n, window: window, headroom: headroom, wideBurst: wideBurst}
	p.limiter = rate.NewLimiter(p.limit(), p.burst())
	return p
}

// limit is the steady rate in requests per second; p.mu held or p new.
func (p *pacer) limit() rate.Limit {
	if p.wideBurst && p.n >= 20 {
		return rate.Limit((float64(p.n)*(1-p.headroom/2) - float64(p.burst())) / p.window.Seconds())
	}
	return rate.Limit(float64(p.n) * (1 - p.headroom) / p.window.Seconds())
}

// burst is the bucket's size; p.mu held or p new.
func (p *pacer) burst() int {
	if p.wideBurst && p.n >= 20 {
		return p.n / 10
	}
	return max(1, int(float64(p.n)*p.headroom/2))
}

// wait blocks until the system may send one more request: any 429 pause
// is over and the limiter grants a token. It returns the pause epoch the
// request is sent in, for backoff429.
func (p *pacer) wait(ctx context.Context) (uint64, error) {
	for {
		p.mu.Lock()
		until, epoch := p.pausedUntil, p.epoch
		p.mu.Unlock()
		if d := time.Until(until); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return 0, err
			}
			continue
		}
		if err := p.limiter.Wait(ctx); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return 0, ctxErr
			}
			// Wait refuses when ctx's deadline comes before the token
			// would: sleep until the deadline so callers see ctx.Err().
			<-ctx.Done()
			return 0, ctx.Err()
		}
		p.mu.Lock()
		paused := time.Now().Before(p.pausedUntil)
		p.mu.Unlock()
		if !paused {
			return epoch, nil
		}
		// A pause began while this goroutine waited for its token: the
		// token is spent, wait out the pause and take another.
	}
}

// backoff429 records a 429 for a request sent in epoch; callers then wait
// through wait. The first 429 after a pause (or ever) starts a new pause,
// base·2^streak long (capped at ceiling, with jitter), or as long as the
// server's Retry-After when it sent one; 429s for requests sent before the
// current pause began do not extend it.
func (p *pacer) backoff429(epoch uint64, base, ceiling time.Duration, retryAfter *time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if epoch != p.epoch {
		return
	}
	var d time.Duration
	if retryAfter != nil {
		d = *retryAfter
	} else {
		d = base << min(p.streak, 20)
		if d <= 0 || d > ceiling {
			d = ceiling
		}
		d = jitter(d)
	}
	p.streak++
	p.epoch++
	now := time.Now()
	if until := now.Add(d); until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
	// Empty the bucket: the server's window is full, and a burst right
	// after the pause would only meet more 429s.
	if n := int(p.limiter.TokensAt(now)); n > 0 {
		p.limiter.AllowN(now, n)
	}
}

// success resets the 429 streak.
func (p *pacer) success() {
	p.mu.Lock()
	p.streak = 0
	p.mu.Unlock()
}

// jitter returns a duration in [d/2, d] ("equal jitter"): retries of many
// clients spread out instead of arriving together.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
