package restapi_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// BenchmarkPacing measures how much of the allowed rate the client uses and
// how often the server refuses it, against a sandbox that enforces a limit
// of 3000 requests a minute and adds 50 ms to every answer.
//
// A sliding minute only bites once it is full, so a run must outlast the
// window. To keep the run at 30 s the sandbox's clock runs 4× fast: its
// window lasts 15 s and holds 750 requests (3000 a minute), the client is
// told the same (WithRateLimit(750, 15s)), and the run fills the window twice
// over: a client that sent too fast would meet 429s. PACING_BENCH_SCALE=1
// PACING_BENCH_DURATION=75s runs against a real minute instead. Workers
// share two Clients of the same system, as the parts of one job would.
//
// It fails unless achieved/allowed ≥ 0.95 and at most 1% of requests were
// answered 429.
func BenchmarkPacing(b *testing.B) {
	const (
		realRPM  = 3000
		workers  = 16
		latency  = 50 * time.Millisecond
		minRatio = 0.95
		max429   = 0.01
	)
	duration, scale := 30*time.Second, 4
	if v := os.Getenv("PACING_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("PACING_BENCH_DURATION: %v", err)
		}
		duration = d
	}
	if v := os.Getenv("PACING_BENCH_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || realRPM%n != 0 {
			b.Fatalf("PACING_BENCH_SCALE: want a divisor of %d, got %q", realRPM, v)
		}
		scale = n
	}
	perWindow, window := realRPM/scale, time.Minute/time.Duration(scale)

	key := sandbox.GenerateAPIKey()
	srv, err := sandbox.New(sandbox.Config{SystemID: 33001, APIKey: key, RPM: perWindow, Now: scaledClock(float64(scale)),
		Dataset: sandbox.DefaultDataset(), Faults: sandbox.Faults{Latency: latency}})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := sandbox.Listen("127.0.0.1:0", false)
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() {
		stop()
		<-served
	}()

	var clients []*restapi.Client
	for range 2 {
		c, err := restapi.NewClient(restapi.WithBaseURL(sandbox.URL(ln)), restapi.WithSystemID("33001"), restapi.WithAPIKey(key),
			restapi.WithRateLimit(perWindow, window))
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, c)
	}

	b.ResetTimer()
	start := time.Now()
	deadline := start.Add(duration)
	var done atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		c := clients[w%len(clients)]
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				var err error
				switch i % 10 {
				case 9:
					_, err = c.Contacts.Update(ctx, 7506, restapi.Fields{"Position": "Cégvezető"})
				case 5:
					_, err = c.Projects.Get(ctx, 2056)
				default:
					_, err = c.Contacts.Get(ctx, 7506)
				}
				if err != nil {
					b.Error(err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	st := srv.Stats()
	allowed := float64(realRPM) / 60 * elapsed.Seconds()
	ratio := float64(done.Load()) / allowed
	share := float64(st.RateLimited) / float64(max(st.Total, 1))
	lat := clients[0].Stats().Latency
	b.ReportMetric(ratio, "achieved/allowed")
	b.ReportMetric(100*share, "%429")
	b.ReportMetric(float64(done.Load())/elapsed.Seconds()*60, "req/min")
	b.Logf("pacing (%d per %s window): %d calls in %s = %.0f/min of %d/min allowed: achieved/allowed %.3f; "+
		"%d of %d requests answered 429 (%.2f%%); latency p50 %s p99 %s", perWindow, window, done.Load(),
		elapsed.Round(time.Millisecond), float64(done.Load())/elapsed.Seconds()*60, realRPM, ratio, st.RateLimited, st.Total,
		100*share, lat.P50, lat.P99)
	if ratio < minRatio {
		b.Errorf("achieved/allowed %.3f < %.2f", ratio, minRatio)
	}
	if share > max429 {
		b.Errorf("%.2f%% of requests answered 429 > %.0f%%", 100*share, 100*max429)
	}
}
