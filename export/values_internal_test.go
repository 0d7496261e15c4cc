package export

import (
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// TestCanonicalValues pins the snapshot's one form of a value, whichever
// way MiniCRM gave it (a detail record's label, a list's or a webhook's id,
// a multi-select's labels or bitmask), and the label written back.
func TestCanonicalValues(t *testing.T) {
	t.Parallel()
	food := restapi.SchemaField{Name: "KedvencEtele", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "2001", Id: 2001, Label: "Alma"}, {Key: "2002", Id: 2002, Label: "Narancs"}, {Key: "2004", Id: 2004, Label: "Kolbász"}}}
	days := restapi.SchemaField{Name: "Jelenlet", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "8", Id: 8, Label: "Csütörtök"}, {Key: "1", Id: 1, Label: "Hétfő"}, {Key: "4", Id: 4, Label: "Szerda"},
		{Key: "2", Id: 2, Label: "Kedd"}}} // labels come back in id order, whatever the schema's order
	date := restapi.SchemaField{Name: "SzuletesiDatum", Kind: restapi.KindDate}
	when := restapi.SchemaField{Name: "Hivas", Kind: restapi.KindDateTime}
	num := restapi.SchemaField{Name: "HitelKeret", Kind: restapi.KindFloat}
	text := restapi.SchemaField{Name: "Description", Kind: restapi.KindText}
	for _, tc := range []struct {
		name  string
		f     restapi.SchemaField
		in    string
		canon string
		label string // the label written back ("" when it is canon)
	}{
		{"dropdown label", food, "Kolbász", "2004", "Kolbász"},
		{"dropdown id", food, "2004", "2004", "Kolbász"},
		{"dropdown id with spaces", food, " 2001 ", "2001", "Alma"},
		{"dropdown empty", food, "", "", ""},
		{"dropdown zero", food, "0", "", ""},
		{"dropdown unknown label kept", food, "Körte", "Körte", "Körte"},
		{"multi-select labels", days, "Hétfő, Szerda, Csütörtök", "13", "Hétfő, Szerda, Csütörtök"},
		{"multi-select labels in another order", days, "Csütörtök,Hétfő", "9", "Hétfő, Csütörtök"},
		{"multi-select bitmask", days, "6", "6", "Kedd, Szerda"},
		{"multi-select one option", days, "Kedd", "2", "Kedd"},
		{"multi-select unknown label", days, "Hétfő, Vasárnap", "Hétfő, Vasárnap", "Hétfő, Vasárnap"},
		{"multi-select bitmask with an unknown bit", days, "17", "17", "17"},
		{"date", date, "1980-05-17", "1980-05-17", ""},
		{"zero date", date, "0000-00-00", "", ""},
		{"zero time", when, "0000-00-00 00:00:00", "", ""},
		{"number with spaces", num, " 1250000.5 ", "1250000.5", ""},
		{"text kept with its spaces and case", text, " Tóth ", " Tóth ", ""},
	} {
		got := canonical(tc.f, tc.in)
		if got != tc.canon {
			t.Errorf("%s: canonical(%q) = %q, want %q", tc.name, tc.in, got, tc.canon)
		}
		if tc.f.Kind != restapi.KindEnum {
			continue
		}
		if l := label(tc.f, got); l != tc.label {
			t.Errorf("%s: label(%q) = %q, want %q", tc.name, got, l, tc.label)
		}
	}
	// A dropdown whose ids are not powers of two is no multi-select: its
	// labels joined by commas stay as they are.
	plain := restapi.SchemaField{Name: "X", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "3", Id: 3, Label: "A"}, {Key: "5", Id: 5, Label: "B"}}}
	if got := canonical(plain, "A, B"); got != "A, B" {
		t.Errorf("canonical of a non-set dropdown: %q", got)
	}
	if got := label(plain, "8"); got != "8" {
		t.Errorf("label of an unknown id: %q", got)
	}
}
