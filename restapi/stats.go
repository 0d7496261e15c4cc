package restapi

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stats is what a Client has done so far, for reports and benchmarks.
// An attempt is one HTTP request; a call (one method of a service) makes one
// attempt or more.
type Stats struct {
	// Requests counts attempts by endpoint pattern, e.g.
	// "GET /Api/R3/Contact/{id}".
	Requests map[string]int `json:"requests"`
	// Status counts answers by HTTP status code.
	Status map[int]int `json:"status"`
	// Calls is the number of service calls made.
	Calls int `json:"calls"`
	// Attempts is the number of HTTP requests sent (or tried).
	Attempts int `json:"attempts"`
	// Retries is the number of attempts beyond each call's first.
	Retries int `json:"retries"`
	// RateLimited is the number of 429 answers.
	RateLimited int `json:"rate_limited"`
	// ServerErrors is the number of 5xx answers.
	ServerErrors int `json:"server_errors"`
	// NetworkErrors is the number of attempts that got no answer.
	NetworkErrors int `json:"network_errors"`
	// UnknownOutcomes is the number of calls that ended in an
	// *UnknownOutcomeError.
	UnknownOutcomes int `json:"unknown_outcomes"`
	// BytesSent and BytesReceived are request and answer body bytes.
	BytesSent     int64 `json:"bytes_sent"`
	BytesReceived int64 `json:"bytes_received"`
	// Latency summarises the time from sending an attempt to reading its
	// whole answer.
	Latency Latency `json:"latency"`
	// PacingWait is the total time calls waited for the rate limiter and for
	// 429 pauses (summed over goroutines).
	PacingWait time.Duration `json:"pacing_wait"`
}

// Latency is a latency summary. The percentiles come from a uniform sample
// of at most 8192 attempts (reservoir sampling), so they stay cheap on long
// runs.
type Latency struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50"`
	P90   time.Duration `json:"p90"`
	P99   time.Duration `json:"p99"`
	Max   time.Duration `json:"max"`
}

// String is a one-line summary.
func (s Stats) String() string {
	keys := slices.Sorted(maps.Keys(s.Requests))
	var b strings.Builder
	fmt.Fprintf(&b, "%d calls, %d attempts (%d retries, %d answered 429, %d 5xx, %d without answer, %d unknown outcomes), "+
		"%d B sent, %d B received, latency p50 %s p90 %s p99 %s max %s, waited %s for pacing",
		s.Calls, s.Attempts, s.Retries, s.RateLimited, s.ServerErrors, s.NetworkErrors, s.UnknownOutcomes,
		s.BytesSent, s.BytesReceived, s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.Max, s.PacingWait.Round(time.Millisecond))
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %d", k, s.Requests[k])
	}
	return b.String()
}

const reservoirSize = 8192

// collector accumulates Stats; safe for concurrent use.
type collector struct {
	mu     sync.Mutex
	s      Stats
	sample []time.Duration
	seen   int
}

func newCollector() *collector {
	return &collector{s: Stats{Requests: map[string]int{}, Status: map[int]int{}}}
}

func (c *collector) call() {
	c.mu.Lock()
	c.s.Calls++
	c.mu.Unlock()
}

func (c *collector) unknownOutcome() {
	c.mu.Lock()
	c.s.UnknownOutcomes++
	c.mu.Unlock()
}

func (c *collector) waited(d time.Duration) {
	c.mu.Lock()
	c.s.PacingWait += d
	c.mu.Unlock()
}

// attempt records one HTTP request; status 0 means no answer.
func (c *collector) attempt(endpoint string, retry bool, status int, sent, received int64, latency time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Attempts++
	c.s.Requests[endpoint]++
	if retry {
		c.s.Retries++
	}
	switch {
	case status == 0:
		c.s.NetworkErrors++
	case status == 429:
		c.s.RateLimited++
	case status >= 500:
		c.s.ServerErrors++
	}
	if status != 0 {
		c.s.Status[status]++
	}
	c.s.BytesSent += sent
	c.s.BytesReceived += received
	if latency > c.s.Latency.Max {
		c.s.Latency.Max = latency
	}
	c.seen++
	if len(c.sample) < reservoirSize {
		c.sample = append(c.sample, latency)
	} else if i := rand.N(c.seen); i < reservoirSize {
		c.sample[i] = latency
	}
}

func (c *collector) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Requests = maps.Clone(c.s.Requests)
	s.Status = maps.Clone(c.s.Status)
	s.Latency.Count = c.seen
	if n := len(c.sample); n > 0 {
		sorted := slices.Clone(c.sample)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		pct := func(p float64) time.Duration { return sorted[min(n-1, int(p*float64(n)))] }
		s.Latency.P50, s.Latency.P90, s.Latency.P99 = pct(0.50), pct(0.90), pct(0.99)
	}
	return s
}
