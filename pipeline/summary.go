package pipeline

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// Run statuses in the summary.
const (
	StatusFinished    = "finished"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
)

// Summary is what a run did: summary.json, and the one-screen summary at the
// end (Text).
type Summary struct {
	Mapping string `json:"mapping"`
	Source  string `json:"source"`
	System  string `json:"system"`
	DryRun  bool   `json:"dry_run"`
	Resumed bool   `json:"resumed"`
	// Status is finished, interrupted or failed (Error says why).
	Status          string        `json:"status"`
	Error           string        `json:"error,omitempty"`
	StartedAt       time.Time     `json:"started_at"`
	Duration        time.Duration `json:"-"`
	DurationSeconds float64       `json:"duration_seconds"`

	Rows RowCounts `json:"rows"`
	// Entities counts records by kind (Business, Person, Project) and
	// action (created, updated, unchanged, error).
	Entities map[string]map[string]int `json:"entities"`
	Requests RequestCounts             `json:"requests"`
	// RPM is the rate limit the run kept to; RequestMinutes what its
	// requests cost at that rate.
	RPM            int          `json:"rpm"`
	RequestMinutes float64      `json:"request_minutes"`
	Mirror         MirrorCounts `json:"mirror"`
	// PendingFound and PendingNotFound count the creates an interrupted run
	// left unanswered, found (or not) in MiniCRM at the start.
	PendingFound    int `json:"pending_found,omitempty"`
	PendingNotFound int `json:"pending_not_found,omitempty"`
	// Rematched counts creates whose answer was lost during this run and
	// that a search found carried out.
	Rematched int `json:"rematched,omitempty"`
	// Plan is a dry run's estimate.
	Plan *PlanTotals `json:"plan,omitempty"`
	// Via is the path of the creates: rest, or feed (Feed says how many
	// cards went in how many uploads; the requests then count every step).
	Via  string      `json:"via"`
	Feed *FeedTotals `json:"feed,omitempty"`
	// Warnings are what a person should look at: matches a stronger key
	// refused, guesses turned into error rows, moved links.
	Warnings []Warning `json:"warnings"`
	// Outputs are the files written.
	Outputs []string `json:"outputs"`
}

// RowCounts counts source rows: every row is exactly one of OK, Rejected and
// Skipped. FromJournal are rows a resumed run took from the journal.
type RowCounts struct {
	Total       int `json:"total"`
	OK          int `json:"ok"`
	Rejected    int `json:"rejected"`
	Skipped     int `json:"skipped"`
	FromJournal int `json:"from_journal,omitempty"`
}

// RequestCounts are this run's HTTP requests.
type RequestCounts struct {
	Total int `json:"total"`
	Reads int `json:"reads"`
	// Writes are PUT and POST requests (creates and updates), attempts
	// included.
	Writes          int            `json:"writes"`
	ByEndpoint      map[string]int `json:"by_endpoint"`
	RateLimited     int            `json:"rate_limited"`
	Retries         int            `json:"retries"`
	ServerErrors    int            `json:"server_errors"`
	NetworkErrors   int            `json:"network_errors"`
	UnknownOutcomes int            `json:"unknown_outcomes"`
}

// MirrorCounts say how the mirror was brought up to date.
type MirrorCounts struct {
	// Refresh is full (every record listed) or incremental (those changed
	// since the last run).
	Refresh string `json:"refresh"`
	// Contacts and Cards are the records the mirror holds at the end.
	Contacts int `json:"contacts"`
	Cards    int `json:"cards"`
	// Listed are the records listed at the start, ListedAfter at the end.
	Listed      int `json:"listed"`
	ListedAfter int `json:"listed_after"`
	// Details are detail records fetched, Searches key searches.
	Details  int `json:"details"`
	Searches int `json:"searches"`
	// Confirmed are records the last run wrote that the refresh listed
	// again only because its window overlaps that run's closing listing:
	// what the mirror knows of them was kept.
	Confirmed int `json:"confirmed,omitempty"`
}

// PlanTotals are a dry run's estimate of the writes.
type PlanTotals struct {
	Creates       int     `json:"creates"`
	Updates       int     `json:"updates"`
	WriteRequests int     `json:"write_requests"`
	RPM           int     `json:"rpm"`
	Minutes       float64 `json:"minutes"`
	// With a card mapped: the same cards, companies and people sent as XML
	// sync feeds instead (FeedCalls uploads of at most FeedCardsPerCall
	// cards, 180 an hour, then a list page per 100 new records to learn
	// their Ids, at RPM): FeedMinutes.
	FeedCalls   int     `json:"feed_calls,omitempty"`
	FeedMinutes float64 `json:"feed_minutes,omitempty"`
	// Advice says when the feed is the better path.
	Advice string `json:"advice,omitempty"`
}

// FeedCardsPerCall is the most cards the estimate puts in one feed upload:
// about 1 KB a card keeps a part near 5 MB, under the 8 MiB a request body
// may have (the sandbox's limit; MiniCRM documents none).
const FeedCardsPerCall = 5000

// feedCallsPerHour is MiniCRM's limit on XML sync calls (MAN25).
const feedCallsPerHour = 180

func newSummary(cfg Config, start time.Time) *Summary {
	s := &Summary{DryRun: cfg.DryRun, StartedAt: start, Entities: map[string]map[string]int{},
		System: cfg.Client.BaseURL() + " (SystemId " + cfg.Client.SystemID() + ")", RPM: cfg.Client.RPM(), Via: ViaREST}
	return s
}

// count adds a row's outcome.
func (s *Summary) count(o *outcome) {
	s.Rows.Total++
	if o.replayed {
		s.Rows.FromJournal++
	}
	switch o.row.Status {
	case RowOK:
		s.Rows.OK++
	case RowSkipped:
		s.Rows.Skipped++
	default:
		s.Rows.Rejected++
	}
	for _, e := range o.row.Entities {
		if s.Entities[e.Kind] == nil {
			s.Entities[e.Kind] = map[string]int{}
		}
		s.Entities[e.Kind][e.Action]++
	}
}

// setRequests computes the run's requests from the client's counters.
func (s *Summary) setRequests(before, after restapi.Stats) {
	rc := RequestCounts{ByEndpoint: map[string]int{}}
	for ep, n := range after.Requests {
		d := n - before.Requests[ep]
		if d == 0 {
			continue
		}
		rc.ByEndpoint[ep] = d
		rc.Total += d
		if strings.HasPrefix(ep, "GET ") {
			rc.Reads += d
		} else {
			rc.Writes += d
		}
	}
	rc.RateLimited = after.RateLimited - before.RateLimited
	rc.Retries = after.Retries - before.Retries
	rc.ServerErrors = after.ServerErrors - before.ServerErrors
	rc.NetworkErrors = after.NetworkErrors - before.NetworkErrors
	rc.UnknownOutcomes = after.UnknownOutcomes - before.UnknownOutcomes
	s.Requests = rc
	if s.RPM > 0 {
		s.RequestMinutes = float64(rc.Total) / (float64(s.RPM) * (1 - restapi.DefaultHeadroom))
	}
}

// finishPlan computes a dry run's estimate: one request per create and per
// update, at the client's rate.
func (s *Summary) finishPlan(rpm int, feedable bool) {
	p := &PlanTotals{RPM: rpm}
	for _, acts := range s.Entities {
		p.Creates += acts[ActionCreated]
		p.Updates += acts[ActionUpdated]
	}
	p.WriteRequests = p.Creates + p.Updates
	if rpm > 0 {
		p.Minutes = float64(p.WriteRequests) / (float64(rpm) * (1 - restapi.DefaultHeadroom))
	}
	if cards := s.Entities[string(mapping.KindProject)]; feedable && cards != nil {
		n := cards[ActionCreated] + cards[ActionUpdated]
		if n > 0 {
			p.FeedCalls = (n + FeedCardsPerCall - 1) / FeedCardsPerCall
			pages := (p.Creates + 99) / 100
			p.FeedMinutes = float64(p.FeedCalls-1) * 60 / feedCallsPerHour
			if rpm > 0 {
				p.FeedMinutes += float64(pages+p.FeedCalls) / (float64(rpm) * (1 - restapi.DefaultHeadroom))
			}
		}
		if p.Minutes > 60 && p.FeedMinutes < p.Minutes {
			p.Advice = fmt.Sprintf("these writes take %s over REST at %d requests a minute; as an XML sync feed (minicrm-bulk feed build, then feed push) the cards with their companies and people would take about %s",
				humanMinutes(p.Minutes), rpm, humanMinutes(p.FeedMinutes))
		}
	}
	s.Plan = p
}

func (r *run) writeSummary() error {
	s := r.sum
	name := SuccessFile
	if s.DryRun {
		name = PlanFile
	}
	s.Warnings = r.warns.list()
	s.Outputs = []string{filepath.Join(r.cfg.OutDir, name), filepath.Join(r.cfg.OutDir, ErrorsFile),
		filepath.Join(r.cfg.OutDir, SummaryFile)}
	return writeSummaryFile(r.cfg.OutDir, s)
}

// writeSummaryFile writes summary.json.
func writeSummaryFile(dir string, s *Summary) error { return report.WriteSummary(dir, s) }

// Text is the one-screen summary printed at the end of a run.
func (s *Summary) Text() string {
	var b strings.Builder
	title := "Import"
	if s.DryRun {
		title = "Dry run (nothing was written)"
	}
	fmt.Fprintf(&b, "%s %s in %s: %s\n", title, s.Status, s.Duration.Round(time.Millisecond), s.Source)
	if s.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", s.Error)
	}
	if f := s.Feed; f != nil {
		fmt.Fprintf(&b, "  via the XML feed: %d card(s) with their new companies and people in %d upload(s)", f.Cards, f.Calls)
		if f.Resumed {
			b.WriteString(" (pushed by an earlier run)")
		}
		fmt.Fprintf(&b, ", shown by MiniCRM after %.0fs; the rest over REST\n", f.WaitedSeconds)
		if f.Missing > 0 {
			fmt.Fprintf(&b, "  %d card(s) of the feed were not shown before the wait ended: their rows are errors this time\n", f.Missing)
		}
	}
	fmt.Fprintf(&b, "\nRows: %d  (ok %d, rejected %d, skipped %d", s.Rows.Total, s.Rows.OK, s.Rows.Rejected, s.Rows.Skipped)
	if s.Rows.FromJournal > 0 {
		fmt.Fprintf(&b, "; %d from the interrupted run's journal", s.Rows.FromJournal)
	}
	b.WriteString(")\n")
	verb := map[string]string{ActionCreated: "created", ActionUpdated: "updated"}
	if s.DryRun {
		verb = map[string]string{ActionCreated: "to create", ActionUpdated: "to update"}
	}
	fmt.Fprintf(&b, "\n  %-10s %10s %10s %10s %8s\n", "", verb[ActionCreated], verb[ActionUpdated], "unchanged", "error")
	for _, k := range []mapping.EntityKind{mapping.KindBusiness, mapping.KindPerson, mapping.KindProject} {
		a, ok := s.Entities[string(k)]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "  %-10s %10d %10d %10d %8d\n", k, a[ActionCreated], a[ActionUpdated], a[ActionUnchanged], a[ActionError])
		if a, ok := s.Entities[addressKind(k)]; ok { // the contact's addresses, on the line below it
			fmt.Fprintf(&b, "  %-10s %10d %10d %10d %8d\n", "  address", a[ActionCreated], a[ActionUpdated], a[ActionUnchanged], a[ActionError])
		}
	}
	rq := s.Requests
	fmt.Fprintf(&b, "\nRequests: %d (%d reads, %d writes); 429 answers %d, retries %d, 5xx %d, no answer %d, lost answers %d\n",
		rq.Total, rq.Reads, rq.Writes, rq.RateLimited, rq.Retries, rq.ServerErrors, rq.NetworkErrors, rq.UnknownOutcomes)
	if s.RPM > 0 && rq.Total > 0 {
		fmt.Fprintf(&b, "  at %d requests a minute these take about %s\n", s.RPM,
			humanMinutes(float64(rq.Total)/(float64(s.RPM)*(1-restapi.DefaultHeadroom))))
	}
	eps := make([]string, 0, len(rq.ByEndpoint))
	for ep := range rq.ByEndpoint {
		eps = append(eps, ep)
	}
	sort.Slice(eps, func(i, j int) bool {
		if rq.ByEndpoint[eps[i]] != rq.ByEndpoint[eps[j]] {
			return rq.ByEndpoint[eps[i]] > rq.ByEndpoint[eps[j]]
		}
		return eps[i] < eps[j]
	})
	for _, ep := range eps {
		fmt.Fprintf(&b, "  %6d  %s\n", rq.ByEndpoint[ep], ep)
	}
	m := s.Mirror
	fmt.Fprintf(&b, "\nMirror: %s refresh, %d contacts, %d cards; %d listed at the start, %d at the end; %d detail records, %d key searches\n",
		m.Refresh, m.Contacts, m.Cards, m.Listed, m.ListedAfter, m.Details, m.Searches)
	if m.Confirmed > 0 {
		fmt.Fprintf(&b, "  %d listed again only because the window overlaps the last run's closing listing: kept, not re-read\n", m.Confirmed)
	}
	if s.PendingFound+s.PendingNotFound > 0 {
		fmt.Fprintf(&b, "Unsettled creates of the interrupted run: %d found in MiniCRM, %d not carried out\n", s.PendingFound, s.PendingNotFound)
	}
	if s.Rematched > 0 {
		fmt.Fprintf(&b, "Creates whose answer was lost and a search found carried out: %d\n", s.Rematched)
	}
	b.WriteString(warningsText(s.Warnings))
	if p := s.Plan; p != nil {
		fmt.Fprintf(&b, "\nPlan: %d write requests (%d creates, %d updates): about %s at %d requests a minute\n",
			p.WriteRequests, p.Creates, p.Updates, humanMinutes(p.Minutes), p.RPM)
		if p.FeedCalls > 0 {
			fmt.Fprintf(&b, "  as XML sync feeds: %d upload(s) (180 an hour) and the list pages to learn the new Ids: about %s\n",
				p.FeedCalls, humanMinutes(p.FeedMinutes))
		}
		if p.Advice != "" {
			fmt.Fprintf(&b, "  advice: %s\n", p.Advice)
		}
	}
	if len(s.Outputs) > 0 {
		fmt.Fprintf(&b, "\nOutputs: %s\n", strings.Join(s.Outputs, ", "))
	}
	return b.String()
}

func humanMinutes(m float64) string {
	d := time.Duration(math.Ceil(m*60)) * time.Second
	if d < time.Minute {
		return d.String()
	}
	return d.Round(time.Minute).String()
}
