package restapi

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestBudgetIsSharedOnlyWhenGiven(t *testing.T) {
	t.Parallel()
	mk := func(opts ...Option) *Client {
		t.Helper()
		c, err := NewClient(append([]Option{WithBaseURL("https://r3.minicrm.hu"), WithSystemID("1"),
			WithAPIKey("0123456789abcdef0123456789abcdef")}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := mk(WithRPM(180))
	b := mk(WithBudget(a.Budget()))
	if a.pacer != b.pacer || a.syncPacer != b.syncPacer || a.Budget() != b.Budget() {
		t.Error("two clients given one budget have different limiters")
	}
	if b.RPM() != 180 {
		t.Errorf("a client of a budget of 180 a minute says %d", b.RPM())
	}
	// The same system without the budget: nothing is shared behind the
	// caller's back.
	if c := mk(WithRPM(180)); c.pacer == a.pacer || c.syncPacer == a.syncPacer {
		t.Error("a client made without the budget shares its limiter")
	}
	want := rate.Limit(180 * (1 - DefaultHeadroom) / 60)
	if got := a.pacer.limiter.Limit(); got != want || a.pacer.limiter.Burst() != 1 {
		t.Errorf("limit %v burst %d, want %v burst 1", got, a.pacer.limiter.Burst(), want)
	}
	if c := mk(WithRPM(3000)); c.pacer.limiter.Burst() != 30 {
		t.Errorf("burst at 3000 a minute: %d, want 30", c.pacer.limiter.Burst())
	}
	if got := mk().Budget().Limits(); got != DefaultLimits() {
		t.Errorf("default limits %+v, want %+v", got, DefaultLimits())
	}
	// The limits belong to the budget: a rate option beside it is refused.
	for _, opt := range []Option{WithRPM(60), WithRateLimit(60, time.Minute), WithHeadroom(0.1), WithSyncFeedRate(10, time.Hour)} {
		if _, err := NewClient(WithSystemID("1"), WithAPIKey("k"), WithBudget(a.Budget()), opt); err == nil {
			t.Error("WithBudget and a rate option were accepted together")
		}
	}
	if _, err := NewBudget(Limits{Requests: 60, Window: time.Minute}); err == nil {
		t.Error("a budget without a SyncFeed limit was accepted")
	}
}

// TestRetryPauseFollowsThePolicy: callers' own retries (a lost create sent
// again) stop at the policy's MaxAttempts and wait its backoff.
func TestRetryPauseFollowsThePolicy(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithSystemID("1"), WithAPIKey("k"),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for n, want := range map[int]bool{1: true, 2: true, 3: false, 4: false} {
		if got, err := c.RetryPause(ctx, n); got != want || err != nil {
			t.Errorf("RetryPause after attempt %d: %v, %v; want %v", n, got, err, want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := c.RetryPause(cancelled, 1); got || err == nil {
		t.Errorf("RetryPause with an ended context: %v, %v", got, err)
	}
}

// TestPacerNeverExceedsTheWindow replays the limiter's schedule and counts,
// for every request, how many were sent in the minute before it, the way
// MiniCRM's sliding window does. Reservations give the send times without
// sleeping.
func TestPacerNeverExceedsTheWindow(t *testing.T) {
	t.Parallel()
	for _, rpm := range []int{60, 180, 3000, 60000} {
		p := newPacer(rpm, time.Minute, DefaultHeadroom, false)
		start := time.Now()
		var sent []time.Time
		for range rpm * 3 {
			r := p.limiter.ReserveN(start, 1)
			sent = append(sent, start.Add(r.DelayFrom(start)))
		}
		lo := 0
		worst := 0
		for i, at := range sent {
			for at.Sub(sent[lo]) >= time.Minute {
				lo++
			}
			worst = max(worst, i-lo+1)
		}
		// Half the headroom is left for arrival jitter.
		if limit := rpm - int(float64(rpm)*DefaultHeadroom/2); worst > max(limit, rpm-1) {
			t.Errorf("rpm %d: %d requests in one sliding minute, want at most %d", rpm, worst, limit)
		}
		// The headroom leaves room for arrival jitter, but not much more.
		if float64(worst) < 0.97*float64(rpm) {
			t.Errorf("rpm %d: only %d requests in the busiest minute", rpm, worst)
		}
	}
}

func TestPausesAreSharedAndNotStacked(t *testing.T) {
	t.Parallel()
	p := &pacer{n: 60000, window: time.Minute, headroom: 0}
	p.limiter = rate.NewLimiter(p.limit(), 1)
	ctx := context.Background()
	epoch, err := p.wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Eight requests of the same epoch answered 429: one pause, not eight.
	// The pause is 20 ms jittered to [10, 20] ms from the first 429,
	// measured against clock readings around the calls (not time.Until
	// afterwards: a loaded machine may pass the whole pause in between).
	before := time.Now()
	for range 8 {
		p.backoff429(epoch, 20*time.Millisecond, time.Second, nil)
	}
	after := time.Now()
	if p.streak != 1 || p.epoch != epoch+1 {
		t.Errorf("streak %d, epoch %d", p.streak, p.epoch)
	}
	if until := p.pausedUntilLocked(); until.Sub(before) < 10*time.Millisecond || until.Sub(after) > 20*time.Millisecond {
		t.Errorf("pause ends %s after the first 429, %s after the last", until.Sub(before), until.Sub(after))
	}
	// Every goroutine waits for it.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			e, err := p.wait(ctx)
			if err != nil || e != epoch+1 || time.Now().Before(p.pausedUntilLocked()) {
				t.Errorf("wait: epoch %d, %v", e, err)
			}
		})
	}
	wg.Wait()
	// A 429 for a request sent after the pause doubles the next one.
	p.backoff429(epoch+1, 20*time.Millisecond, time.Second, nil)
	if p.streak != 2 {
		t.Errorf("streak %d", p.streak)
	}
	p.success()
	if p.streak != 0 {
		t.Errorf("streak after a success %d", p.streak)
	}
	time.Sleep(time.Until(p.pausedUntilLocked()))
	zero := time.Duration(0)
	p.backoff429(p.epoch, time.Hour, time.Hour, &zero)
	if time.Until(p.pausedUntil) > 0 {
		t.Error("Retry-After: 0 did not override the computed pause")
	}
}

func (p *pacer) pausedUntilLocked() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pausedUntil
}
