package job

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Step statuses.
const (
	StatusOK          = "ok"
	StatusRejected    = "rejected"    // finished, some rows rejected
	StatusFailed      = "failed"      // a fatal error
	StatusInterrupted = "interrupted" // Ctrl-C or SIGTERM
	StatusSkipped     = "skipped"     // an earlier step failed
)

// Report is what a run did: report.json, the text summary and report.html.
type Report struct {
	Job        string        `json:"job"`
	File       string        `json:"file"`
	Host       string        `json:"host"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	Seconds    float64       `json:"seconds"`
	Status     string        `json:"status"`
	ExitCode   int           `json:"exit_code"`
	Steps      []*StepReport `json:"steps"`
	// BucketSeconds is the width of the Timeline buckets of every step.
	BucketSeconds float64  `json:"bucket_seconds"`
	Outputs       []string `json:"outputs"`
}

// StepReport is one step's part.
type StepReport struct {
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Seconds    float64   `json:"seconds"`
	Status     string    `json:"status"`
	ExitCode   int       `json:"exit_code"`
	Error      string    `json:"error,omitempty"`
	// Rows are the import's row counts (from its run's summary).
	Rows map[string]int `json:"rows,omitempty"`
	// Requests counts the step's HTTP requests by outcome: ok (2xx), 4xx,
	// 429, 5xx and failed (no answer).
	Requests map[string]int `json:"requests"`
	// Timeline is requests per bucket (Report.BucketSeconds) from the run's
	// start.
	Timeline []int  `json:"timeline"`
	OutDir   string `json:"out_dir"`
	// Summary is the step's own text summary.
	Summary string `json:"summary,omitempty"`

	mu    sync.Mutex
	times []time.Time
}

// Finish computes the totals and timelines (at most 60 buckets).
func (r *Report) Finish(end time.Time, code int) {
	r.FinishedAt = end
	r.Seconds = round(end.Sub(r.StartedAt).Seconds())
	r.ExitCode = code
	r.Status = map[int]string{0: StatusOK, 1: StatusRejected, 130: StatusInterrupted}[code]
	if r.Status == "" {
		r.Status = StatusFailed
	}
	// 60 buckets at most, each a round number of seconds (tenths of a second
	// for a run shorter than a minute).
	width := math.Ceil(end.Sub(r.StartedAt).Seconds()/60*10) / 10
	if width > 1 {
		width = math.Ceil(width)
	}
	width = math.Max(width, 0.1)
	r.BucketSeconds = width
	n := int(math.Ceil(end.Sub(r.StartedAt).Seconds()/width)) + 1
	for _, s := range r.Steps {
		s.mu.Lock()
		s.Timeline = make([]int, n)
		for _, t := range s.times {
			i := int(t.Sub(r.StartedAt).Seconds() / width)
			if i >= 0 && i < n {
				s.Timeline[i]++
			}
		}
		if s.Requests == nil {
			s.Requests = map[string]int{}
		}
		s.mu.Unlock()
	}
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

// Total is the step's request count.
func (s *StepReport) Total() int {
	n := 0
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// Write saves report.json, summary.txt and report.html in dir and
// returns their paths.
func (r *Report) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := []string{filepath.Join(dir, "report.json"), filepath.Join(dir, "summary.txt"), filepath.Join(dir, "report.html")}
	r.Outputs = paths
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(paths[0], append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(paths[1], []byte(r.Text()), 0o644); err != nil {
		return nil, err
	}
	f, err := os.Create(paths[2])
	if err != nil {
		return nil, err
	}
	if err := r.HTML(f); err != nil {
		f.Close()
		return nil, err
	}
	return paths, f.Close()
}

// Text is the one-screen summary.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Job %s: %s (exit %d) in %s, started %s\n\n", r.Job, strings.ToUpper(r.Status), r.ExitCode,
		(time.Duration(r.Seconds*1000) * time.Millisecond).Round(time.Millisecond), r.StartedAt.Local().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(&b, "  %-20s %-7s %-12s %9s %8s  %s\n", "step", "kind", "status", "requests", "seconds", "rows / note")
	for _, s := range r.Steps {
		note := ""
		if s.Rows != nil {
			note = fmt.Sprintf("%d rows: %d ok, %d rejected, %d skipped", s.Rows["total"], s.Rows["ok"], s.Rows["rejected"], s.Rows["skipped"])
			if n := s.Rows["warnings"]; n > 0 {
				note += fmt.Sprintf("; %d warning(s), see the step's summary", n)
			}
		}
		if s.Error != "" {
			note = strings.TrimSpace(strings.SplitN(s.Error, "\n", 2)[0])
		}
		if len(note) > 90 {
			note = note[:87] + "..."
		}
		fmt.Fprintf(&b, "  %-20s %-7s %-12s %9d %8.1f  %s\n", s.Name, s.Kind, s.Status, s.Total(), s.Seconds, note)
	}
	var retried []string
	for _, s := range r.Steps {
		if n := s.Requests["429"] + s.Requests["5xx"] + s.Requests["failed"]; n > 0 {
			retried = append(retried, fmt.Sprintf("%s %d (429: %d, 5xx: %d, no answer: %d)", s.Name, n, s.Requests["429"], s.Requests["5xx"], s.Requests["failed"]))
		}
	}
	if len(retried) > 0 {
		fmt.Fprintf(&b, "\nRetried requests: %s\n", strings.Join(retried, "; "))
	}
	if len(r.Outputs) > 0 {
		fmt.Fprintf(&b, "\nReports: %s\n", strings.Join(r.Outputs, ", "))
	}
	for _, s := range r.Steps {
		if s.OutDir != "" && s.Status != StatusSkipped {
			fmt.Fprintf(&b, "  %s: %s\n", s.Name, s.OutDir)
		}
	}
	return b.String()
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

var outcomeColors = map[string]string{"ok": "#2ca02c", "4xx": "#bcbd22", "429": "#ff7f0e", "5xx": "#d62728", "failed": "#7f7f7f"}

// HTML writes the report as one self-contained page: a chart of requests
// over time by step and the outcome counts by step, inline SVG, no script.
func (r *Report) HTML(w io.Writer) error {
	type line struct {
		Name, Color, Points string
	}
	type bar struct {
		X, W         float64
		Color, Title string
	}
	type row struct {
		Name, Status string
		Y            float64
		Bars         []bar
		Total        int
		Step         *StepReport
	}
	const cw, ch, left, bottom = 720.0, 220.0, 50.0, 30.0
	maxY := 1
	n := 1
	for _, s := range r.Steps {
		n = max(n, len(s.Timeline))
		for _, v := range s.Timeline {
			maxY = max(maxY, v)
		}
	}
	var lines []line
	for i, s := range r.Steps {
		var pts []string
		for j, v := range s.Timeline {
			x := left + float64(j)*(cw-left)/float64(max(1, n-1))
			y := ch - bottom - float64(v)*(ch-bottom-10)/float64(maxY)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		lines = append(lines, line{Name: s.Name, Color: palette[i%len(palette)], Points: strings.Join(pts, " ")})
	}
	maxTotal := 1
	for _, s := range r.Steps {
		maxTotal = max(maxTotal, s.Total())
	}
	var rows []row
	outcomes := []string{"ok", "4xx", "429", "5xx", "failed"}
	for i, s := range r.Steps {
		rw := row{Name: s.Name, Status: s.Status, Y: float64(i) * 26, Total: s.Total(), Step: s}
		x := 160.0
		for _, o := range outcomes {
			v := s.Requests[o]
			if v == 0 {
				continue
			}
			wd := float64(v) * (cw - 220) / float64(maxTotal)
			rw.Bars = append(rw.Bars, bar{X: x, W: math.Max(wd, 1), Color: outcomeColors[o], Title: fmt.Sprintf("%s: %d", o, v)})
			x += wd
		}
		rows = append(rows, rw)
	}
	keys := make([]string, 0)
	for _, s := range r.Steps {
		for k := range s.Rows {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	data := map[string]any{
		"R": r, "Lines": lines, "Rows": rows, "MaxY": maxY, "W": cw, "H": ch, "Left": left, "Base": ch - bottom,
		"Span": strconv.FormatFloat(r.BucketSeconds*float64(n), 'g', 3, 64) + " s", "BucketSeconds": r.BucketSeconds,
		"BarsH": float64(len(rows))*26 + 10, "Outcomes": outcomes, "OutcomeColors": outcomeColors,
	}
	return htmlTmpl.Execute(w, data)
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>minicrm-bulk: {{.R.Job}} {{.R.Status}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#2ca02c}.rejected{color:#ff7f0e}.failed,.interrupted{color:#d62728}.skipped{color:#7f7f7f}pre{background:#f6f6f6;padding:.6em;overflow:auto}</style></head>
<body>
<h1>Job {{.R.Job}}: <span class="{{.R.Status}}">{{.R.Status}}</span> (exit {{.R.ExitCode}})</h1>
<p>{{.R.File}} on {{.R.Host}}, started {{.R.StartedAt.Format "2006-01-02 15:04:05 MST"}}, {{printf "%.1f" .R.Seconds}} s.</p>
<h2>Requests over time</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" role="img" aria-label="requests per {{.BucketSeconds}} s by step">
<line x1="{{.Left}}" y1="{{.Base}}" x2="{{.W}}" y2="{{.Base}}" stroke="#999"/><line x1="{{.Left}}" y1="10" x2="{{.Left}}" y2="{{.Base}}" stroke="#999"/>
<text x="4" y="16" font-size="11">{{.MaxY}}</text><text x="4" y="{{.Base}}" font-size="11">0</text>
<text x="{{.Left}}" y="{{.H}}" font-size="11">0 s</text><text x="{{.W}}" y="{{.H}}" font-size="11" text-anchor="end">{{.Span}} (requests per {{.BucketSeconds}} s)</text>
{{range .Lines}}<polyline fill="none" stroke="{{.Color}}" stroke-width="2" points="{{.Points}}"><title>{{.Name}}</title></polyline>
{{end}}</svg>
<p>{{range .Lines}}<span style="color:{{.Color}}">&#9632;</span> {{.Name}} &nbsp; {{end}}</p>
<h2>Outcomes by step</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.BarsH}}" role="img" aria-label="request outcomes by step">
{{range .Rows}}{{$y := .Y}}<text x="0" y="{{$y}}" dy="16" font-size="12">{{.Name}} ({{.Total}})</text>
{{range .Bars}}<rect x="{{.X}}" y="{{$y}}" width="{{.W}}" height="20" fill="{{.Color}}"><title>{{.Title}}</title></rect>{{end}}
{{end}}</svg>
<p>{{range .Outcomes}}<span style="color:{{index $.OutcomeColors .}}">&#9632;</span> {{.}} &nbsp; {{end}}</p>
<table><tr><th>step</th><th>kind</th><th>status</th><th>exit</th><th>seconds</th><th>requests</th><th>rows</th><th>outputs</th></tr>
{{range .R.Steps}}<tr><td>{{.Name}}</td><td>{{.Kind}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.ExitCode}}</td><td>{{printf "%.1f" .Seconds}}</td>
<td>{{range $k, $v := .Requests}}{{$k}}: {{$v}} {{end}}</td><td>{{range $k, $v := .Rows}}{{$k}}: {{$v}} {{end}}</td><td>{{.OutDir}}</td></tr>
{{end}}</table>
{{range .R.Steps}}{{if or .Summary .Error}}<h3>{{.Name}}</h3>{{if .Error}}<pre class="failed">{{.Error}}</pre>{{end}}{{if .Summary}}<pre>{{.Summary}}</pre>{{end}}{{end}}{{end}}
</body></html>
`))
