package restapi

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// pacerTestRun gives each run of TestPacerIsSharedPerSystem its own
// SystemIds: the limiters are process-wide and keep the lowest rate asked
// for, so a second run (-count=2) must not meet the first one's.
var pacerTestRun atomic.Int32

func TestPacerIsSharedPerSystem(t *testing.T) {
	t.Parallel()
	base := 40000 + 10*int(pacerTestRun.Add(1))
	sys := func(n int) string { return strconv.Itoa(base + n) }
	mk := func(base, system string, rpm int) *Client {
		t.Helper()
		c, err := NewClient(WithBaseURL(base), WithSystemID(system), WithAPIKey("0123456789abcdef0123456789abcdef"), WithRPM(rpm))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := mk("https://r3.minicrm.hu", sys(1), 180)
	b := mk("https://R3.minicrm.hu/", sys(1), 180)
	if a.pacer != b.pacer {
		t.Error("two clients of the same system have different limiters")
	}
	if c := mk("https://r3.minicrm.hu", sys(2), 180); c.pacer == a.pacer {
		t.Error("another SystemId shares the limiter")
	}
	if c := mk("https://r3-test.minicrm.hu", sys(1), 180); c.pacer == a.pacer {
		t.Error("the TEST environment shares production's limiter")
	}
	want := rate.Limit(180 * (1 - DefaultHeadroom) / 60)
	if got := a.pacer.limiter.Limit(); got != want || a.pacer.limiter.Burst() != 1 {
		t.Errorf("limit %v burst %d, want %v burst 1", got, a.pacer.limiter.Burst(), want)
	}
	if c := mk("https://r3.minicrm.hu", sys(3), 3000); c.pacer.limiter.Burst() != 30 {
		t.Errorf("burst at 3000 a minute: %d, want 30", c.pacer.limiter.Burst())
	}
	// The lowest rate asked for wins, for every client of the system.
	mk("https://r3.minicrm.hu", sys(1), 60)
	mk("https://r3.minicrm.hu", sys(1), 600)
	if got, want := b.pacer.limiter.Limit(), rate.Limit(60*(1-DefaultHeadroom)/60); got != want {
		t.Errorf("shared limit %v, want %v", got, want)
	}
}

// TestPacerNeverExceedsTheWindow replays the limiter's schedule and counts,
// for every request, how many were sent in the minute before it, the way
// MiniCRM's sliding window does. Reservations give the send times without
// sleeping.
func TestPacerNeverExceedsTheWindow(t *testing.T) {
	t.Parallel()
	for _, rpm := range []int{60, 180, 3000, 60000} {
		p := &pacer{n: rpm, window: time.Minute, headroom: DefaultHeadroom}
		p.limiter = rate.NewLimiter(p.limit(), p.burst())
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
	for range 8 {
		p.backoff429(epoch, 20*time.Millisecond, time.Second, nil)
	}
	if p.streak != 1 || p.epoch != epoch+1 {
		t.Errorf("streak %d, epoch %d", p.streak, p.epoch)
	}
	if d := time.Until(p.pausedUntil); d <= 0 || d > 20*time.Millisecond {
		t.Errorf("pause %s", d)
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
