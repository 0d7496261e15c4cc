package export

import (
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// The snapshot keeps every value as text in MiniCRM's one canonical form
// (crm.Value), whatever it was read from (a list item, a detail record, a
// webhook notification): dropdowns as option ids (detail records give
// labels, lists and webhooks ids), multi-select fields as the sum of their
// options' ids (as webhooks give them), numbers as MiniCRM wrote them, dates
// "2006-01-02" and times "2006-01-02 15:04:05" (the zero date "0000-00-00"
// as empty). Labels are put back when the rows are written, unless
// Config.IDs. The import compares in the same form (crm.Comparer); package
// crm's doc says where and why the two differ.

// canonical brings a value of field f into the snapshot's form.
func canonical(f restapi.SchemaField, v string) string { return crm.Value(f, v) }

// label turns a canonical dropdown value into its label (a multi-select's
// into its labels joined by ", "); a value the schema cannot explain is
// returned as it is.
func label(f restapi.SchemaField, v string) string { return crm.Label(f, v) }

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
