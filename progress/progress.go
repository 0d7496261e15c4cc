package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Modes of a Display.
const (
	ModeAuto = "auto" // a bar on a terminal, else log lines
	ModeBar  = "bar"
	ModeLog  = "log"
	ModeNone = "none"
)

// CheckMode says whether mode is one a Display knows.
func CheckMode(mode string) bool {
	switch mode {
	case ModeAuto, ModeBar, ModeLog, ModeNone:
		return true
	}
	return false
}

// Update is one snapshot of a run's phase.
type Update struct {
	// Phase names what is going on ("import", "listing"…); a new Phase
	// starts a new bar.
	Phase string
	// Done and Total count the phase's items (Total 0: not known yet); Unit
	// names them ("rows", "records").
	Done, Total int
	Unit        string
	// Requests is the run's requests so far; Elapsed the phase's time.
	Requests int
	Elapsed  time.Duration
	// RPM is the rate limit (0: not known); DoneRequests the requests the
	// Done items took: with them the time left is what the requests still
	// to send take at the pace reached.
	RPM, DoneRequests int
	// Final is the phase's last update (a log line is printed whatever the
	// interval).
	Final bool
}

// Display shows Updates on w.
type Display struct {
	w       io.Writer
	mode    string
	every   time.Duration
	phase   string
	bar     *progressbar.ProgressBar
	lastLog time.Time
	samples []sample
	now     func() time.Time // time.Now; tests set it
}

// minRateWindow is how long a phase is watched before its rates are shown:
// over the first seconds a rate is mostly the start's burst (the pacer's
// bucket, answers from a cache, requests made before the phase) and would
// read as, say, "2980 of 60 requests/min".
const minRateWindow = 10 * time.Second

type sample struct {
	at             time.Time
	done, requests int
}

// New is a display on w in mode (ModeAuto: a bar when w is a terminal), a
// log line every so often.
func New(w io.Writer, mode string, every time.Duration) *Display {
	if mode == ModeAuto {
		mode = ModeLog
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = ModeBar
		}
	}
	return &Display{w: w, mode: mode, every: every}
}

// rates are items a second and requests a minute over the last minute of
// the phase, counted from the phase's first update (so requests made
// before the phase do not count). They are measured only once the phase
// has been watched for minRateWindow (a final update: for a second).
func (d *Display) rates(u Update) (perSec, reqPerMin float64, measured bool) {
	now := time.Now()
	if d.now != nil {
		now = d.now()
	}
	d.samples = append(d.samples, sample{at: now, done: u.Done, requests: u.Requests})
	for len(d.samples) > 2 && now.Sub(d.samples[0].at) > time.Minute {
		d.samples = d.samples[1:]
	}
	first := d.samples[0]
	dt := now.Sub(first.at)
	if dt < minRateWindow && (!u.Final || dt < time.Second) {
		return 0, 0, false
	}
	s := dt.Seconds()
	return float64(u.Done-first.done) / s, float64(u.Requests-first.requests) / s * 60, true
}

// eta is the time left: the items left at the rate reached or, at the rate
// limit, the requests still to send (the items left times what an item
// has cost so far) at the pace reached (the limit, or less when answers are
// slow).
func eta(u Update, perSec, reqPerMin float64) string {
	left := "?"
	if u.Total > 0 && perSec > 0 {
		left = (time.Duration(float64(u.Total-u.Done)/perSec) * time.Second).Round(time.Second).String()
	}
	if u.Total > 0 && u.Done > 0 && u.DoneRequests > 0 && u.RPM > 0 {
		pace := float64(u.RPM)
		if reqPerMin > 0 && reqPerMin < pace {
			pace = reqPerMin
		}
		reqs := float64(u.Total-u.Done) * float64(u.DoneRequests) / float64(u.Done)
		left = (time.Duration(reqs/pace*60) * time.Second).Round(time.Second).String()
	}
	return left
}

// Update shows u: the bar moves, or a line is printed when the interval has
// passed.
func (d *Display) Update(u Update) {
	if d.mode == ModeNone {
		return
	}
	if u.Phase != d.phase {
		d.Finish()
		d.phase, d.samples = u.Phase, nil
	}
	perSec, reqPerMin, measured := d.rates(u)
	left := eta(u, perSec, reqPerMin)
	reqRate, itemRate := "…", "…"
	if measured {
		reqRate, itemRate = fmt.Sprintf("%.0f", reqPerMin), fmt.Sprintf("%.2f", perSec)
	}
	if u.RPM > 0 {
		reqRate += fmt.Sprintf(" of %d", u.RPM)
	}
	switch d.mode {
	case ModeBar:
		if d.bar == nil {
			total := u.Total
			if total == 0 {
				total = -1 // a spinner: the length is not known yet
			}
			d.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(d.w), progressbar.OptionShowCount(),
				progressbar.OptionSetItsString(u.Unit), progressbar.OptionShowIts(), progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionFullWidth(),
				progressbar.OptionShowDescriptionAtLineEnd(), progressbar.OptionSetDescription(u.Phase))
		}
		d.bar.Describe(fmt.Sprintf("%s, %s requests/min, ETA %s", u.Phase, reqRate, left))
		_ = d.bar.Set(u.Done)
	case ModeLog:
		now := time.Now()
		if !u.Final && now.Sub(d.lastLog) < d.every {
			return
		}
		d.lastLog = now
		of := ""
		if u.Total > 0 {
			of = fmt.Sprintf("/%d (%.0f%%)", u.Total, 100*float64(u.Done)/float64(u.Total))
		}
		fmt.Fprintf(d.w, "%s: %d%s %s, %s %s/s, %s requests/min, ETA %s\n",
			u.Phase, u.Done, of, u.Unit, itemRate, u.Unit, reqRate, left)
	}
}

// Finish ends the bar on the screen (a new line after it).
func (d *Display) Finish() {
	if d.bar != nil {
		_ = d.bar.Finish()
		fmt.Fprintln(d.w)
		d.bar = nil
	}
}
