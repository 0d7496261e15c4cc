package crm_test

import (
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Fields as the sandbox's schemas define them.
var (
	food = restapi.SchemaField{Name: "KedvencEtele", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "2001", Id: 2001, Label: "Alma"}, {Key: "2002", Id: 2002, Label: "Narancs"}, {Key: "2004", Id: 2004, Label: "Kolbász"}}}
	days = restapi.SchemaField{Name: "Jelenlet", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "8", Id: 8, Label: "Csütörtök"}, {Key: "1", Id: 1, Label: "Hétfő"}, {Key: "4", Id: 4, Label: "Szerda"},
		{Key: "2", Id: 2, Label: "Kedd"}}} // labels come back in id order, whatever the schema's order
	kind = restapi.SchemaField{Name: "Type", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "Business", Label: "Cég"}, {Key: "Person", Label: "Személy"}}}
	date   = restapi.SchemaField{Name: "SzuletesiDatum", Kind: restapi.KindDate}
	when   = restapi.SchemaField{Name: "Hivas", Kind: restapi.KindDateTime}
	float  = restapi.SchemaField{Name: "HitelKeret", Kind: restapi.KindFloat}
	count  = restapi.SchemaField{Name: "Employees", Kind: restapi.KindInt}
	text   = restapi.SchemaField{Name: "Description", Kind: restapi.KindText}
	yes    = restapi.SchemaField{Name: "Hirlevel", Kind: restapi.KindBool}
	email  = restapi.SchemaField{Name: "Email", Kind: restapi.KindText} // named Email, typed Text
	email2 = restapi.SchemaField{Name: "MasikEmail", Kind: restapi.KindEmail}
	phone  = restapi.SchemaField{Name: "Phone", Kind: restapi.KindText}
	mobile = restapi.SchemaField{Name: "MobilTelefon", Kind: restapi.KindPhone}
	vat    = restapi.SchemaField{Name: "VatNumber", Kind: restapi.KindText}
)

// comparer is the import's: the mapping's normalizers.
var comparer = crm.Comparer{Email: mapping.NormalizeEmail, Phone: mapping.PhoneNormalizer{Region: "HU"}.Normalize}

// TestValue pins the one canonical form of a value, whichever way MiniCRM
// gave it (a detail record's label, a list's or webhook's id, a
// multi-select's labels or bitmask), in both its uses: value is the
// export's and the webhook rules' form (crm.Value), compare the import's
// (crm.Comparer.Value). These were two functions until issue 14
// (export/values.go canonical and pipeline/canon.go remote); the cases
// marked "was:" are where the import's old function gave another answer,
// each one decided in favour of the column shown.
func TestValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		f       restapi.SchemaField
		in      string
		value   string
		compare string
		label   string // Label(value) for dropdowns ("" when empty)
	}{
		{"dropdown label (detail record)", food, "Kolbász", "2004", "2004", "Kolbász"},
		{"dropdown id (list, webhook)", food, "2004", "2004", "2004", "Kolbász"},
		{"dropdown id with spaces", food, " 2001 ", "2001", "2001", "Alma"},
		{"dropdown id with a leading zero", food, "02001", "2001", "2001", "Alma"}, // was: "02001" in both
		{"dropdown empty", food, "", "", "", ""},
		{"dropdown zero is empty", food, "0", "", "", ""}, // was: "0" in the import (Equal takes 0 for empty)
		{"dropdown label in other case is not the label", food, "kolbász", "kolbász", "kolbász", "kolbász"},
		{"dropdown unknown label kept", food, "Körte", "Körte", "Körte", "Körte"},
		{"dropdown with non-numeric keys", kind, "Személy", "Person", "Person", "Személy"},                // was: "0" in the import
		{"multi-select labels", days, "Hétfő, Szerda, Csütörtök", "13", "13", "Hétfő, Szerda, Csütörtök"}, // was: kept as labels in the import
		{"multi-select labels in another order", days, "Csütörtök,Hétfő", "9", "9", "Hétfő, Csütörtök"},
		{"multi-select bitmask", days, "6", "6", "6", "Kedd, Szerda"},
		{"multi-select one option", days, "Kedd", "2", "2", "Kedd"},
		{"multi-select unknown label", days, "Hétfő, Vasárnap", "Hétfő, Vasárnap", "Hétfő, Vasárnap", "Hétfő, Vasárnap"},
		{"multi-select bitmask with an unknown bit", days, "17", "17", "17", "17"},
		{"date", date, "1980-05-17", "1980-05-17", "1980-05-17", ""},
		{"date with a time", date, "1980-05-17 00:00:00", "1980-05-17 00:00:00", "1980-05-17", ""},
		{"zero date", date, "0000-00-00", "", "", ""},
		{"time", when, "2026-01-15 10:30:00", "2026-01-15 10:30:00", "2026-01-15 10:30:00", ""},
		{"time without seconds", when, "2026-01-15 10:30", "2026-01-15 10:30", "2026-01-15 10:30:00", ""},
		{"zero time", when, "0000-00-00 00:00:00", "", "", ""},
		{"number with spaces", float, " 1250000.5 ", "1250000.5", "1250000.5", ""},
		{"number with a needless fraction", float, "1250000.50", "1250000.50", "1250000.5", ""},
		{"whole number as float", count, "12.0", "12.0", "12", ""},
		{"number not a number", count, "sok", "sok", "sok", ""},
		{"empty number", count, " ", "", "", ""},
		{"text kept with its spaces and case", text, " Tóth ", " Tóth ", " Tóth ", ""},
		{"text in capitals", text, "TÓTH", "TÓTH", "TÓTH", ""},
		{"bool", yes, "1", "1", "1", ""},
		{"email field by name", email, " Toth.Anna@Pelda.HU ", " Toth.Anna@Pelda.HU ", "toth.anna@pelda.hu", ""},
		{"email field by type", email2, "Toth.Anna@Pelda.HU", "Toth.Anna@Pelda.HU", "toth.anna@pelda.hu", ""},
		{"not an email address", email, "Nincs Email", "Nincs Email", "nincs email", ""},
		{"phone field by name, national form", phone, "06 20 123 4567", "06 20 123 4567", "+36 20 123 4567", ""},
		{"phone field by type, in brackets", mobile, "(06 30) 999 8888", "(06 30) 999 8888", "+36 30 999 8888", ""},
		{"not a phone number", mobile, " hívd ", " hívd ", "hívd", ""},
		{"VAT number as typed", vat, "12345678-2-41", "12345678-2-41", "12345678-2-41", ""},
	} {
		if got := crm.Value(tc.f, tc.in); got != tc.value {
			t.Errorf("%s: Value(%q) = %q, want %q", tc.name, tc.in, got, tc.value)
		}
		if got := comparer.Value(tc.f, tc.in); got != tc.compare {
			t.Errorf("%s: Comparer.Value(%q) = %q, want %q", tc.name, tc.in, got, tc.compare)
		}
		if tc.f.Kind == restapi.KindEnum {
			if l := crm.Label(tc.f, tc.value); l != tc.label {
				t.Errorf("%s: Label(%q) = %q, want %q", tc.name, tc.value, l, tc.label)
			}
		}
	}
	// A dropdown whose ids are not powers of two is no multi-select: its
	// labels joined by commas stay as they are.
	plain := restapi.SchemaField{Name: "X", Kind: restapi.KindEnum, Options: []restapi.EnumOption{
		{Key: "3", Id: 3, Label: "A"}, {Key: "5", Id: 5, Label: "B"}}}
	if got := crm.Value(plain, "A, B"); got != "A, B" {
		t.Errorf("Value of a non-set dropdown: %q", got)
	}
	if got := crm.Label(plain, "8"); got != "8" {
		t.Errorf("Label of an unknown id: %q", got)
	}
}

// TestEqual pins the import's decision "unchanged or changed" for one
// field: want is what the mapping made of the row (as text; "" clears),
// have what MiniCRM holds (in Comparer.Value's form, as the mirror keeps
// it). Each line is one of the mistakes issue 14 found the suite blind to.
func TestEqual(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		f          restapi.SchemaField
		want, have string
		equal      bool
	}{
		{"same text", text, "Tóth", "Tóth", true},
		{"a change of case is a change", text, "TÓTH", "Tóth", false},
		{"a change of accent is a change", text, "Toth", "Tóth", false},
		{"a space is a change", text, "Tóth ", "Tóth", false},
		{"clear a text", text, "", "Régi ügyfél", false},
		{"clear an empty text", text, "", "", true},
		{"clear a number", float, "", "1250000.5", false},
		{"clear a dropdown", food, "", "2001", false},
		{"empty number is 0", count, "", "0", true},
		{"empty dropdown is 0", food, "0", "", true},
		{"empty bool is 0", yes, "", "0", true},
		{"same number, other spelling", float, "1250000.5", "1250000.50", true},
		{"rounding of a decimal form", float, "0.30000000000000004", "0.3", true},
		{"a change under 0.1% is a change", float, "1250001", "1250000", false},
		{"a change of one in a hundred million", count, "100000001", "100000000", false},
		{"a change of a hundredth", float, "35.51", "35.5", false},
		{"a change of one in a billion", count, "1000000001", "1000000000", false},
		{"a change of one in a billion, a float field", float, "1000000001", "1000000000", false},
		{"a fillér in ten billion", float, "10000000000.01", "10000000000", false},
		{"the same float from two decimal forms", float, "1e3", "1000.0", true},
		{"not numbers", count, "sok", "kevés", false},
		{"dropdown id against its label read back", food, "2004", comparer.Value(food, "Kolbász"), true},
		{"another option", food, "2002", comparer.Value(food, "Kolbász"), false},
		{"multi-select against its labels read back", days, "13", comparer.Value(days, "Csütörtök, Hétfő, Szerda"), true},
		{"multi-select, one option less", days, "5", comparer.Value(days, "Csütörtök, Hétfő, Szerda"), false},
		{"date against a time of that day", date, "1980-05-17", comparer.Value(date, "1980-05-17 00:00:00"), true},
		{"another day", date, "1980-05-18", comparer.Value(date, "1980-05-17"), false},
		{"time without seconds", when, "2026-01-15 10:30:00", comparer.Value(when, "2026-01-15 10:30"), true},
		{"a minute later", when, "2026-01-15 10:31:00", comparer.Value(when, "2026-01-15 10:30"), false},
		{"email in capitals in MiniCRM", email, "toth.anna@pelda.hu", comparer.Value(email, "Toth.Anna@Pelda.HU"), true},
		{"email with capitals in the row", email, "Toth.Anna@pelda.hu", comparer.Value(email, "toth.anna@pelda.hu"), true},
		{"another email", email, "anna.toth@pelda.hu", comparer.Value(email, "toth.anna@pelda.hu"), false},
		{"phone in national form in MiniCRM", phone, "+36 20 123 4567", comparer.Value(phone, "06-20/123-4567"), true},
		{"another phone", mobile, "+36 20 123 4568", comparer.Value(mobile, "06 20 123 4567"), false},
		{"VAT number with and without dashes", vat, "12345678-2-41", "12345678241", true},
		{"another VAT number", vat, "12345678-2-42", "12345678241", false},
	} {
		if got := comparer.Equal(tc.f, tc.want, tc.have); got != tc.equal {
			t.Errorf("%s: Equal(%q, %q) = %v, want %v", tc.name, tc.want, tc.have, got, tc.equal)
		}
	}
}

// TestRoles pins the catalogue's roles that the mapping, the feed check,
// the webhook rules and the import's mirror act on.
func TestRoles(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]crm.Role{
		"Id": crm.Computed, "CreatedAt": crm.Computed, "UpdatedBy": crm.Computed, "StatusUpdatedAt": crm.Computed,
		"ProjectHash": crm.Computed, "ProjectEmail": crm.Computed, "ParentId": crm.Computed,
		"InternalUrl": crm.Computed, "MainContactId": crm.Computed,
		"Type": crm.Fixed, "CategoryId": crm.Fixed, "BusinessId": crm.Link, "ContactId": crm.Link,
		"Deleted": crm.Trash, "Tags": crm.Tags,
		"Name": crm.Data, "StatusId": crm.Data, "UserId": crm.Data, "Email": crm.Data, "KedvencEtele": crm.Data,
	} {
		if got := crm.RoleOf(name); got != want {
			t.Errorf("RoleOf(%s) = %d, want %d", name, got, want)
		}
	}
	cat := crm.NewCatalogue(map[crm.Entity]*restapi.Schema{crm.Person: {Entity: "Person", Fields: []restapi.SchemaField{food}}})
	if f := cat.Field(crm.Person, "KedvencEtele"); f.Kind != restapi.KindEnum || len(f.Options) != 3 || f.Role != crm.Data {
		t.Errorf("Field(Person, KedvencEtele) = %+v", f)
	}
	if f := cat.Field(crm.Business, "KedvencEtele"); f.Kind != "" || f.Name != "KedvencEtele" {
		t.Errorf("Field of an entity without a schema = %+v", f)
	}
	if f := cat.Field(crm.Person, "UpdatedAt"); f.Role != crm.Computed {
		t.Errorf("Field(Person, UpdatedAt).Role = %d", f.Role)
	}
}
