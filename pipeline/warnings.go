package pipeline

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Warning kinds: each is something the run decided that a person should
// know about, because a heuristic was involved or MiniCRM and the file
// disagree. Error rows among them are also in errors.csv; the warnings
// section gathers them by cause.
const (
	// WarnKeyConflict: a record found by a weaker key (a name, a phone)
	// has another value of a stronger key the row carries (VAT number,
	// external id, e-mail); it was not taken as the match.
	WarnKeyConflict = "key_conflict"
	// WarnNameAccents: a name equals an existing record's only when
	// accents or punctuation are ignored, and nothing stronger confirms it
	// (error rows).
	WarnNameAccents = "name_accents_only"
	// WarnAmbiguous: a key matches more than one record (error rows).
	WarnAmbiguous = "ambiguous"
	// WarnConflictingRows: a record would get different values of a key
	// field from different rows of the file; the first row's stands, the
	// later rows are error rows.
	WarnConflictingRows = "conflicting_rows"
	// WarnFieldConflict: rows give one record different values of a field;
	// the first row's stands and the later row's is not written (no
	// flip-flop from run to run).
	WarnFieldConflict = "field_conflict"
	// WarnUnmatchedOption: a value is none of a dropdown's options (error
	// rows; the mapping's enum: table may want it).
	WarnUnmatchedOption = "unmatched_option"
	// WarnRelinked: a person (or card) was moved to the row's company (or
	// contact).
	WarnRelinked = "relinked"
	// WarnLinkKept: a person (or card) is linked elsewhere in MiniCRM than
	// the row says, and the mapping keeps the old link (relink: keep).
	WarnLinkKept = "link_kept"
	// WarnRelinkRefused: the row links a person (or card) elsewhere than
	// MiniCRM has it and the move was refused (error rows).
	WarnRelinkRefused = "relink_refused"
)

// warningTitles are the warnings section's headings.
var warningTitles = map[string]string{
	WarnKeyConflict:     "found by a weaker key but a stronger key differs: not matched, a new record was made",
	WarnNameAccents:     "name matches only when accents are ignored, nothing stronger confirms it (error rows)",
	WarnAmbiguous:       "a key matches several records (error rows)",
	WarnConflictingRows: "rows give one record different values of a key field; the first row's stands (error rows)",
	WarnRelinked:        "moved to the row's company or contact",
	WarnUnmatchedOption: "values that are none of a dropdown's options (error rows): add them to the enum: table",
	WarnFieldConflict:   "rows give one record different values of a field; the first row's stands, the later one is not written",
	WarnLinkKept:        "linked elsewhere in MiniCRM; kept (relink: keep)",
	WarnRelinkRefused:   "linked elsewhere in MiniCRM; the move was refused (error rows)",
}

// maxWarningExamples is how many rows of each kind the summary lists.
const maxWarningExamples = 5

// Warning is one kind of warning with its count and its first rows.
type Warning struct {
	Kind     string           `json:"kind"`
	Title    string           `json:"title"`
	Count    int              `json:"count"`
	Examples []WarningExample `json:"examples"`
}

// WarningExample is one row a warning is about.
type WarningExample struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// warnings gathers a run's warnings; the planner and the writers add to
// it concurrently.
type warnings struct {
	mu     sync.Mutex
	byKind map[string]*Warning
}

func (w *warnings) add(kind string, line int, format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byKind == nil {
		w.byKind = map[string]*Warning{}
	}
	g := w.byKind[kind]
	if g == nil {
		g = &Warning{Kind: kind, Title: warningTitles[kind]}
		w.byKind[kind] = g
	}
	g.Count++
	if len(g.Examples) < maxWarningExamples {
		g.Examples = append(g.Examples, WarningExample{Line: line, Message: fmt.Sprintf(format, args...)})
	}
}

// list gives the warnings by kind, in a fixed order; examples by line.
func (w *warnings) list() []Warning {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Warning, 0, len(w.byKind))
	for _, g := range w.byKind {
		c := *g
		c.Examples = append([]WarningExample(nil), g.Examples...)
		sort.SliceStable(c.Examples, func(i, j int) bool { return c.Examples[i].Line < c.Examples[j].Line })
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// warningsText is the summary's warnings section ("" when there are none).
func warningsText(ws []Warning) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nWarnings:\n")
	for _, w := range ws {
		fmt.Fprintf(&b, "  %d × %s\n", w.Count, w.Title)
		for _, e := range w.Examples {
			fmt.Fprintf(&b, "      row %d: %s\n", e.Line, e.Message)
		}
		if w.Count > len(w.Examples) {
			fmt.Fprintf(&b, "      … and %d more (summary.json counts them; error rows are in errors.csv)\n", w.Count-len(w.Examples))
		}
	}
	return b.String()
}
