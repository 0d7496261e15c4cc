package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Text is the summary for the screen: the counts on one line, then with
// skips a line per reason rows were skipped for, then a line per field at
// fault in rejected rows, most frequent first, with an example.
func (s *CheckSummary) Text(skips bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows: %d  ok: %d  skipped: %d  rejected: %d\n", s.Rows, s.OK, s.Skipped, s.Rejected)
	if skips {
		for _, reason := range slices.Sorted(maps.Keys(s.SkipReasons)) {
			fmt.Fprintf(&b, "  skipped %5d  %s\n", s.SkipReasons[reason], reason)
		}
	}
	for _, f := range s.Reasons() {
		fmt.Fprintf(&b, "  rejected %4d  %s, e.g. %s\n", s.ByField[f], f, s.Example[f])
	}
	return b.String()
}
