package export_test

import (
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestNeutralizeTable: every character a spreadsheet reads as the start of
// a formula (=, +, -, @, and the tab and carriage return that spreadsheets
// skip before one) is defused; numbers, phone numbers and plain text are
// left as they are.
func TestNeutralizeTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+A1", "'+A1"},
		{"+1+1", "+1+1"}, // arithmetic at most: no function, no cell
		{"-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"\r", "'\r"},
		{"\r\n=1+1", "'\r\n=1+1"},
		{"+36 20 236 7532", "+36 20 236 7532"},
		{"-12,5", "-12,5"},
		{"(06 1) 999-0402", "(06 1) 999-0402"},
		{"Kiss=Nagy", "Kiss=Nagy"},
		{" =1+1", " =1+1"},
		{"", ""},
	} {
		if got := export.Neutralize(tc.in); got != tc.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestExportNeutralizesFormulas: the cells the CSV export writes from
// MiniCRM's values carry the apostrophe, a carriage return in front of a
// formula included; --raw-formulas writes them as they are.
func TestExportNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{
		{Id: 501, Type: "Business", Fields: map[string]any{"Name": "CR Kft.", "Description": "\r=HYPERLINK(\"http://evil.example\")"}},
		{Id: 502, Type: "Business", Fields: map[string]any{"Name": "Tab Kft.", "Description": "\t=1+1"}},
		{Id: 503, Type: "Business", Fields: map[string]any{"Name": "@Kukac Kft.", "Description": "-2+3"}},
	}
	e := newEnv(t, ds)
	for _, raw := range []bool{false, true} {
		cfg := e.config("f.csv", export.Businesses)
		cfg.Details = true
		cfg.CSV.RawFormulas = raw
		e.export(cfg)
		_, rows := readCSV(t, cfg.Output, ',')
		got := byID(rows)
		want := map[string][2]string{
			"501": {"CR Kft.", "'\r=HYPERLINK(\"http://evil.example\")"},
			"502": {"Tab Kft.", "'\t=1+1"},
			"503": {"'@Kukac Kft.", "-2+3"},
		}
		for id, w := range want {
			name, desc := w[0], w[1]
			if raw {
				name, desc = trimApostrophe(name), trimApostrophe(desc)
			}
			if r := got[id]; r["Name"] != name || r["Description"] != desc {
				t.Errorf("raw %v: business %s: Name %q, Description %q; want %q, %q", raw, id, r["Name"], r["Description"], name, desc)
			}
		}
	}
}

func trimApostrophe(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}
