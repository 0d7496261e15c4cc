package sandbox

// Fault injection: the failures a real network and a busy MiniCRM cause
// (500s, dropped connections, 429 storms, latency), drawn reproducibly from
// a seed in request order.

import (
	"errors"
	"fmt"
	"math"
	mathrand "math/rand/v2"
	"net/http"
	"time"
)

// Faults injects failures the way a real network and a busy MiniCRM do.
// With the same Seed and the same sequence of requests, the same requests
// fail.
type Faults struct {
	// FailRate is the share of requests answered 500 without being processed.
	FailRate float64 `json:"fail_rate"`
	// DropRate is the share of requests whose connection is closed without
	// an answer: half of them before the request is processed, half after
	// (the write happened, the client cannot know).
	DropRate float64 `json:"drop_rate"`
	// Latency is added to every request; LatencyJitter adds up to that much
	// more, at random.
	Latency       time.Duration `json:"latency"`
	LatencyJitter time.Duration `json:"latency_jitter"`
	// Burst429 > 0 starts a "429 storm" every BurstEvery requests: that many
	// requests in a row are answered 429 whatever the rate.
	Burst429   int `json:"burst_429"`
	BurstEvery int `json:"burst_every"`
	// Seed makes the faults reproducible.
	Seed uint64 `json:"seed"`
}

func (f Faults) validate() error {
	for _, r := range []float64{f.FailRate, f.DropRate} {
		if r < 0 || r > 1 || math.IsNaN(r) {
			return fmt.Errorf("sandbox: fault rates must be between 0 and 1, got %v", r)
		}
	}
	if f.Latency < 0 || f.LatencyJitter < 0 || f.Burst429 < 0 || f.BurstEvery < 0 {
		return errors.New("sandbox: fault durations and counts must not be negative")
	}
	return nil
}

// SetFaults replaces the fault settings (and reseeds) while serving.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.rng = mathrand.New(mathrand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	s.storm, s.counted = 0, 0
	return nil
}

type faultKind int

const (
	faultNone faultKind = iota
	faultStorm
	fault500
	faultDropBefore
	faultDropAfter
)

// drawFaultLocked decides, in request order, which fault (if any) hits this
// request. The random numbers are drawn in a fixed order whatever the
// settings, so a seed reproduces the same pattern.
func (s *Server) drawFaultLocked() faultKind {
	f := s.faults
	s.counted++
	if f.Burst429 > 0 {
		every := f.BurstEvery
		if every <= 0 {
			every = 100
		}
		if s.counted%every == 0 {
			s.storm = f.Burst429
		}
		if s.storm > 0 {
			s.storm--
			s.stats.Storm429++
			return faultStorm
		}
	}
	if f.FailRate == 0 && f.DropRate == 0 {
		return faultNone
	}
	failDraw, dropDraw, halfDraw := s.rng.Float64(), s.rng.Float64(), s.rng.IntN(2)
	switch {
	case failDraw < f.FailRate:
		s.stats.Injected500++
		return fault500
	case dropDraw < f.DropRate && halfDraw == 0:
		s.stats.DroppedBefore++
		return faultDropBefore
	case dropDraw < f.DropRate:
		s.stats.DroppedAfter++
		return faultDropAfter
	}
	return faultNone
}

// dropConnection closes the TCP connection without an answer, the way a
// load balancer or a flaky network does.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // httptest.ResponseRecorder: abort the handler instead
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
