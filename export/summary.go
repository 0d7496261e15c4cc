package export

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Summary is what an export did.
type Summary struct {
	// Status is finished, interrupted or failed.
	Status string `json:"status"`
	Output string `json:"output"`
	Format Format `json:"format"`
	// Files are the files written (none when the run did not finish).
	Files []string `json:"files,omitempty"`
	// Run is the target's run number; Resumed says it continued an
	// interrupted one.
	Run     int  `json:"run"`
	Resumed bool `json:"resumed,omitempty"`
	// Mode says how each scope (contacts, cards/<CategoryId>, todos) was
	// brought up to date: full, incremental (UpdatedSince) or changes (the
	// webhook log).
	Mode   map[string]string `json:"mode"`
	Tables []*TableSummary   `json:"tables"`
	// Listed counts list items read, Changes the webhook log's records
	// applied (Reread of them read again through the API), Details the
	// detail records read, Removed the records dropped as deleted.
	Listed  int `json:"listed"`
	Changes int `json:"changes,omitempty"`
	Reread  int `json:"reread,omitempty"`
	Details int `json:"details"`
	Removed int `json:"removed"`
	// Reused counts the details taken from the system cache (unchanged
	// since another export of the system read them), Checked the list
	// items read to find the cached details that changed, SchemasCached
	// the schemas (and module lists) taken from the cache.
	Reused        int `json:"details_reused,omitempty"`
	Checked       int `json:"checked,omitempty"`
	SchemasCached int `json:"schemas_cached,omitempty"`
	// Requests counts HTTP requests by endpoint.
	Requests      map[string]int `json:"requests"`
	RequestsTotal int            `json:"requests_total"`
	RateLimited   int            `json:"rate_limited,omitempty"`
	Retries       int            `json:"retries,omitempty"`
	Duration      time.Duration  `json:"duration"`
}

// TableSummary is one table written.
type TableSummary struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
}

func (s *Summary) table(name string) *TableSummary {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	t := &TableSummary{Name: name}
	s.Tables = append(s.Tables, t)
	return t
}

func (s *Summary) mode(scope, mode string) {
	if s.Mode == nil {
		s.Mode = map[string]string{}
	}
	s.Mode[scope] = mode
}

// Rows is the number of rows written, all tables together.
func (s *Summary) Rows() int {
	n := 0
	for _, t := range s.Tables {
		n += t.Rows
	}
	return n
}

func diffRequests(now, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range now {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// Text is the summary for a person, a few lines.
func (s *Summary) Text() string {
	var b strings.Builder
	files := strings.Join(s.Files, ", ")
	if files == "" {
		files = "nothing written"
	}
	fmt.Fprintf(&b, "export %s: %d rows in %s → %s\n", s.Status, s.Rows(), s.Duration.Round(time.Millisecond), files)
	width := 12
	for _, t := range s.Tables {
		width = max(width, utf8.RuneCountInString(t.Name))
	}
	for _, t := range s.Tables {
		// Padded by characters, not bytes: Hungarian module names
		// (Ügyfélszolgálat) line up too.
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(t.Name))
		fmt.Fprintf(&b, "  %s%s %8d rows\n", t.Name, pad, t.Rows)
	}
	var modes []string
	for _, k := range slices.Sorted(maps.Keys(s.Mode)) {
		modes = append(modes, k+" "+s.Mode[k])
	}
	fmt.Fprintf(&b, "  refresh: %s; %d listed", strings.Join(modes, ", "), s.Listed)
	if s.Changes > 0 {
		fmt.Fprintf(&b, ", %d changes applied (%d read again)", s.Changes, s.Reread)
	}
	fmt.Fprintf(&b, ", %d details read, %d removed as deleted", s.Details, s.Removed)
	if s.Reused > 0 || s.Checked > 0 {
		fmt.Fprintf(&b, ", %d details unchanged since read (%d list items checked)", s.Reused, s.Checked)
	}
	if s.SchemasCached > 0 {
		fmt.Fprintf(&b, ", %d schemas from the cache", s.SchemasCached)
	}
	if s.Resumed {
		b.WriteString(" (resumed run)")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  requests: %d", s.RequestsTotal)
	if s.RateLimited > 0 || s.Retries > 0 {
		fmt.Fprintf(&b, " (%d answered 429, %d retries)", s.RateLimited, s.Retries)
	}
	b.WriteString("\n")
	for _, k := range slices.Sorted(maps.Keys(s.Requests)) {
		fmt.Fprintf(&b, "    %-36s %d\n", k, s.Requests[k])
	}
	return b.String()
}
