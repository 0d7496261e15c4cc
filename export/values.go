package export

import (
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// The snapshot keeps every value as text in one canonical form, whatever
// it was read from (a list item, a detail record, a webhook notification):
// dropdowns as option ids (detail records give labels, lists and webhooks
// ids), multi-select fields as the sum of their options' ids (as webhooks
// give them), numbers as MiniCRM wrote them, dates "2006-01-02" and times
// "2006-01-02 15:04:05" (the zero date "0000-00-00" as empty). Labels are
// put back when the rows are written, unless Config.IDs.

// canonical brings a value of field f into the snapshot's form.
func canonical(f restapi.SchemaField, v string) string {
	switch f.Kind {
	case restapi.KindEnum:
		s := strings.TrimSpace(v)
		if s == "" || s == "0" {
			return ""
		}
		for _, o := range f.Options {
			if o.Key == s {
				return s
			}
		}
		if k, ok := f.OptionKey(s); ok {
			return k
		}
		if sum, ok := labelsToBitmask(f, s); ok {
			return sum
		}
		return s // a value the schema does not know: kept as it is
	case restapi.KindDate, restapi.KindDateTime:
		s := strings.TrimSpace(v)
		if strings.HasPrefix(s, "0000-00-00") {
			return ""
		}
		return s
	case restapi.KindInt, restapi.KindFloat:
		return strings.TrimSpace(v)
	}
	return v
}

// labelsToBitmask reads a multi-select value as detail records write it
// ("A, C") into the sum of the options' ids, when every label is an option
// and every option id is a power of two.
func labelsToBitmask(f restapi.SchemaField, s string) (string, bool) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 {
		return "", false
	}
	sum := new(big.Int)
	for _, p := range parts {
		k, ok := f.OptionKey(strings.TrimSpace(p))
		if !ok {
			return "", false
		}
		n, ok := new(big.Int).SetString(k, 10)
		if !ok || n.Sign() <= 0 || new(big.Int).And(n, new(big.Int).Sub(n, big.NewInt(1))).Sign() != 0 {
			return "", false
		}
		sum.Or(sum, n)
	}
	return sum.String(), true
}

// label turns a canonical dropdown value into its label: an option id, or
// a multi-select bitmask into its labels joined by ", ". A value the schema
// cannot explain is returned as it is.
func label(f restapi.SchemaField, v string) string {
	if v == "" {
		return ""
	}
	for _, o := range f.Options {
		if o.Key == v {
			return o.Label
		}
	}
	n, ok := new(big.Int).SetString(v, 10)
	if !ok || n.Sign() <= 0 {
		return v
	}
	type bit struct {
		k     *big.Int
		label string
	}
	var bits []bit
	for _, o := range f.Options {
		b, ok := new(big.Int).SetString(o.Key, 10)
		if !ok || b.Sign() <= 0 || new(big.Int).And(b, new(big.Int).Sub(b, big.NewInt(1))).Sign() != 0 {
			return v
		}
		bits = append(bits, bit{b, o.Label})
	}
	sort.Slice(bits, func(i, j int) bool { return bits[i].k.Cmp(bits[j].k) < 0 })
	rest := new(big.Int).Set(n)
	var labels []string
	for _, b := range bits {
		if new(big.Int).And(rest, b.k).Sign() != 0 {
			labels = append(labels, b.label)
			rest.Xor(rest, b.k)
		}
	}
	if rest.Sign() != 0 {
		return v
	}
	return strings.Join(labels, ", ")
}

// CellKind is the type of a cell: XLSX writes numbers and dates as such,
// CSV as text.
type CellKind int

// Cell kinds.
const (
	CellEmpty CellKind = iota
	CellText
	CellInt
	CellFloat
	CellDate
	CellDateTime
)

// Cell is one value of a row. Text is always set (the CSV form: ISO dates,
// "." as the decimal mark); Int, Float and Time hold the typed value of the
// kinds that have one.
type Cell struct {
	Kind  CellKind
	Text  string
	Int   int64
	Float float64
	// Time is a wall-clock time in UTC (MiniCRM's Hungarian local time, as
	// written): spreadsheets have no time zones.
	Time time.Time
}

// ColumnKind is the type of a column's values.
type ColumnKind int

// Column kinds.
const (
	ColText ColumnKind = iota
	ColInt
	ColFloat
	ColDate
	ColDateTime
	ColEnum
)

// Column is one column of a table, as writers see it.
type Column struct {
	Name string
	Kind ColumnKind
	// IsID says the column holds ids (written without thousands grouping).
	IsID bool
	// Sum asks for totals under the column (XLSX): one row per value of
	// the Group column (the currency), or one row without a Group column.
	Sum, Group bool
	// NotSummed, on a column, leaves out of the totals the rows whose value
	// in it is this text: the status group Failed leaves out cancelled
	// (sztornózott) documents, which are not part of what was invoiced.
	NotSummed string
}

func columnKind(k restapi.FieldKind) ColumnKind {
	switch k {
	case restapi.KindInt:
		return ColInt
	case restapi.KindFloat:
		return ColFloat
	case restapi.KindDate:
		return ColDate
	case restapi.KindDateTime:
		return ColDateTime
	case restapi.KindEnum:
		return ColEnum
	}
	return ColText
}

func isIDName(name string) bool { return name == "Id" || strings.HasSuffix(name, "Id") }

// typed makes the cell of a canonical value in a column of kind k. A value
// that does not parse as its kind stays text.
func typed(k ColumnKind, v string) Cell {
	if v == "" {
		return Cell{Kind: CellEmpty}
	}
	switch k {
	case ColInt:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return Cell{Kind: CellInt, Text: v, Int: n}
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return Cell{Kind: CellFloat, Text: v, Float: f}
		}
	case ColFloat:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return Cell{Kind: CellFloat, Text: v, Float: f}
		}
	case ColDate:
		d := v
		if len(d) > 10 {
			d = d[:10]
		}
		if t, err := time.Parse("2006-01-02", d); err == nil {
			return Cell{Kind: CellDate, Text: d, Time: t}
		}
	case ColDateTime:
		for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.Parse(l, v); err == nil {
				return Cell{Kind: CellDateTime, Text: t.Format("2006-01-02 15:04:05"), Time: t}
			}
		}
	}
	return Cell{Kind: CellText, Text: v}
}
