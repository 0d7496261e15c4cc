package source

// Dates in a workbook: which cell styles are date formats (built-in ids and
// custom format codes), and how a date cell's value is written.

import (
	"strconv"
	"strings"
	"time"
)

func (x *xlsxReader) isDateStyle(style string) bool {
	if style == "" {
		return false
	}
	i, err := strconv.Atoi(style)
	return err == nil && i >= 0 && i < len(x.dateStyles) && x.dateStyles[i]
}

func formatTime(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

func parseISODate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "15:04:05.999999999", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateStyles tells, for each cell style, whether its number format shows a
// date or time.
func dateStyles(st xStyles) []bool {
	custom := map[int]string{}
	for _, nf := range st.NumFmts {
		if id, err := strconv.Atoi(strings.TrimSpace(nf.ID)); err == nil {
			custom[id] = nf.Code
		}
	}
	out := make([]bool, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		id, err := strconv.Atoi(strings.TrimSpace(xf.NumFmtID))
		if err != nil {
			continue
		}
		if code, ok := custom[id]; ok {
			out[i] = isDateFormat(code)
		} else {
			out[i] = isBuiltinDate(id)
		}
	}
	return out
}

// isBuiltinDate: Excel's built-in formats 14–22 (dates and times), 45–47
// (times), 27–36 and 50–58 (East Asian dates).
func isBuiltinDate(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat tells whether a custom number format shows a date or time:
// its first section has d, m, y, h or s outside quoted text, escapes and
// [brackets] (colours, locales, and elapsed times such as [h]:mm, which are
// durations, not dates).
func isDateFormat(code string) bool {
	inQuote := false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal, or padding
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return false // elapsed time: a duration
			}
			i += j
		case c == ';':
			return false
		default:
			switch c | 0x20 {
			case 'd', 'm', 'y', 'h', 's':
				return true
			}
		}
	}
	return false
}
