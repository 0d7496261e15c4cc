package pipeline

import (
	"net/http"
	"sync/atomic"
	"time"
)

// ServerClock is an http.RoundTripper that learns MiniCRM's clock from the
// Date header of its answers; its Now is the server's time as well as this
// machine can tell (to about a second). The mirror's watermarks are
// compared with the server's UpdatedAt, so an import should take its time
// from here: then a machine whose clock is minutes off still lists exactly
// what changed. Install it with restapi.WithHTTPClient(ServerClock.Client())
// and pass Now as Config.Now.
type ServerClock struct {
	// Next sends the requests; a clone of http.DefaultTransport when nil.
	Next http.RoundTripper

	skew  atomic.Int64 // server minus local, in nanoseconds
	known atomic.Bool
}

// NewServerClock returns a ServerClock over a transport that keeps enough
// idle connections for the import's concurrent writers.
func NewServerClock() *ServerClock {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &ServerClock{Next: tr}
}

// Client is an *http.Client sending through the clock.
func (c *ServerClock) Client() *http.Client { return &http.Client{Transport: c} }

// RoundTrip sends the request and notes the answer's Date.
func (c *ServerClock) RoundTrip(req *http.Request) (*http.Response, error) {
	next := c.Next
	if next == nil {
		next = http.DefaultTransport
	}
	sent := time.Now()
	resp, err := next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		// The header has whole seconds: the server's clock read somewhere
		// in [d, d+1s), while the request was under way.
		// The estimate is kept unless it moves by more than two seconds (a
		// clock was set), so that Now does not jitter between requests.
		mid := sent.Add(time.Since(sent) / 2)
		skew := d.Add(500 * time.Millisecond).Sub(mid)
		if old := time.Duration(c.skew.Load()); !c.known.Load() || (skew-old).Abs() > 2*time.Second {
			c.skew.Store(int64(skew))
			c.known.Store(true)
		}
	}
	return resp, nil
}

// Now is the server's time, or this machine's until an answer came.
func (c *ServerClock) Now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

// Skew is how far the server's clock is ahead of this machine's; ok is false
// until an answer with a Date header came.
func (c *ServerClock) Skew() (time.Duration, bool) {
	return time.Duration(c.skew.Load()), c.known.Load()
}
