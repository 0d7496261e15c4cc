package restapi

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// RetryPolicy bounds the client's retries. Zero fields take the defaults.
//
// What is retried:
//   - 429 Too Many Requests, for every call, creates included (a 429 is
//     not processed): the whole system pauses RateLimitDelay, doubling up
//     to RateLimitMaxDelay while 429s go on, then the same request is sent
//     again; at most MaxRateLimited times per call.
//   - 500, 502, 503, 504 and lost connections, only for calls that are
//     safe to repeat (reads, updates by Id): up to MaxAttempts attempts,
//     waiting BaseDelay·2^n (at most MaxDelay) with jitter in between.
//     A call that is not safe to repeat fails with *UnknownOutcomeError
//     instead, unless the request provably never left (connection refused).
//   - Nothing else: 400, 401, 404, 405 and other 4xx fail at once.
//
// No new attempt starts once MaxElapsed has passed since the call began.
type RetryPolicy struct {
	MaxAttempts       int           // default 5
	BaseDelay         time.Duration // default 500ms
	MaxDelay          time.Duration // default 30s
	MaxElapsed        time.Duration // default 10m
	RateLimitDelay    time.Duration // default two request intervals (2s at 60 requests a minute)
	RateLimitMaxDelay time.Duration // default one full window of the server's limit (60s)
	MaxRateLimited    int           // default 50
	AttemptTimeout    time.Duration // default 2m; the official client waits up to 600s
}

func (p RetryPolicy) withDefaults(n int, window time.Duration) RetryPolicy {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	def(&p.BaseDelay, 500*time.Millisecond)
	def(&p.MaxDelay, 30*time.Second)
	def(&p.MaxElapsed, 10*time.Minute)
	def(&p.RateLimitDelay, 2*window/time.Duration(max(n, 1)))
	def(&p.RateLimitMaxDelay, window)
	if p.MaxRateLimited <= 0 {
		p.MaxRateLimited = 50
	}
	def(&p.AttemptTimeout, 2*time.Minute)
	return p
}

// WithRetryPolicy sets the retry bounds; zero fields keep their defaults.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(o *options) error {
		if p.MaxAttempts < 0 || p.MaxRateLimited < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxElapsed < 0 ||
			p.RateLimitDelay < 0 || p.RateLimitMaxDelay < 0 || p.AttemptTimeout < 0 {
			return errors.New("retry policy values must not be negative")
		}
		o.retry = p
		return nil
	}
}

// RetryPause is the retry policy for work above a single request that is
// worth doing again: a create whose answer was lost, and that a search then
// proved was not carried out, is sent again after RetryPause(ctx, n) for its
// n-th failed attempt. It waits the policy's backoff (BaseDelay doubling up
// to MaxDelay, jittered) and returns true, or returns false at once when n
// attempts already reach MaxAttempts; it returns ctx's error if ctx ends
// first. One policy thus bounds both the client's own retries and its
// callers'.
func (c *Client) RetryPause(ctx context.Context, n int) (bool, error) {
	if n >= c.retry.MaxAttempts {
		return false, nil
	}
	if err := sleep(ctx, jitter(backoffDelay(c.retry.BaseDelay, c.retry.MaxDelay, n))); err != nil {
		return false, err
	}
	return true, nil
}

// retryableStatus lists the answers worth another try for a call that is
// safe to repeat.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, // MiniCRM: an internal processing error, sometimes transient
		http.StatusBadGateway,         // a proxy lost the backend
		http.StatusServiceUnavailable, // maintenance, overload
		http.StatusGatewayTimeout:     // a proxy timed out
		return true
	}
	return false
}

// backoffDelay is base·2^(n-1), at most ceiling.
func backoffDelay(base, ceiling time.Duration, n int) time.Duration {
	d := base << min(max(n-1, 0), 30)
	if d <= 0 || d > ceiling {
		return ceiling
	}
	return d
}
