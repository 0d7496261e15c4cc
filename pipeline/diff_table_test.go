package pipeline_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// The diff table pins the decision at the heart of an import: given a row
// and what MiniCRM holds, is the record unchanged, and if not, which fields
// change? It runs through every piece that takes part (the mapping's value
// parsers, the detail record as the sandbox serves it, the canonical form of
// MiniCRM's values, the comparison, the update and the mirror), against the
// sandbox on loopback. Each case is imported as a dry run (plan.csv lists
// the same changes, nothing is written), then three times:
//
//  1. into a system holding diffSeed: the entities listed in want change
//     exactly the fields listed, and nothing else is written;
//  2. again with the same state directory (the mirror remembers what run 1
//     wrote): nothing is written;
//  3. again with a fresh state directory (everything is read back from
//     MiniCRM, dropdowns as labels): nothing is written.
//
// Runs 2 and 3 are the "nothing changed" re-import a user makes the next
// night; a value whose canonical form differs between the row, the mirror
// and MiniCRM's detail record shows up there as a write.

var diffMapping = filepath.Join(testdata, "diff.yaml")

// diffColumns are the columns diff.yaml maps, in file order.
var diffColumns = []string{"Cég", "Adószám", "Hitelkeret", "Iparág", "Szerződés",
	"Vezetéknév", "Keresztnév", "E-mail", "Telefon", "Beosztás", "Leírás", "Kedvenc", "Született", "Bevétel", "Mobil",
	"Lehetőség", "Státusz", "Felelős", "Kód", "Összeg", "Valószínűség", "Minősítés", "Hívás"}

// diffBase is a row that says exactly what diffSeed holds.
var diffBase = map[string]string{
	"Cég": "Példa Kft.", "Adószám": "12345678-2-41", "Hitelkeret": "1250000.5", "Iparág": "Informatika", "Szerződés": "2020-03-01",
	"Vezetéknév": "Tóth", "Keresztnév": "Anna", "E-mail": "toth.anna@pelda.hu", "Telefon": "+36 20 123 4567",
	"Beosztás": "Könyvelő", "Leírás": "Régi ügyfél", "Kedvenc": "Alma", "Született": "1980-05-17", "Bevétel": "250000000",
	"Mobil": "+36 30 999 8888", "Lehetőség": "Példa – Tóth Anna",
	"Státusz": "Érdeklődő", "Felelős": "Leskó Norbert", "Kód": "OPP-1", "Összeg": "1000000", "Valószínűség": "35.5",
	"Minősítés": "VIP", "Hívás": "2026-01-15 10:30:00",
}

// The seeded records' ids.
const (
	diffBusiness = 9100
	diffPerson   = 9101
	diffCard     = 9200
)

// diffSeed is a system holding the company, the person and the card of
// diffBase, with dropdowns given by label (the sandbox stores the option id
// and serves the label in detail records, as MiniCRM does) and phones in
// the national form a user typed into MiniCRM (the row has them in the
// international form the mapping writes), the email address with capitals.
func diffSeed() *sandbox.Dataset {
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{
		{Id: diffBusiness, Type: "Business", Fields: map[string]any{"Name": "Példa Kft.", "VatNumber": "12345678241", "HitelKeret": 1250000.5,
			"Iparag": "Informatika", "SzerzodesKelte": "2020-03-01"}},
		{Id: diffPerson, Type: "Person", BusinessId: diffBusiness, Emails: []string{"Toth.Anna@Pelda.HU"},
			Phones: []string{"06 20 123 4567"}, Fields: map[string]any{"FirstName": "Anna", "LastName": "Tóth",
				"Position": "Könyvelő", "Description": "Régi ügyfél", "KedvencEtele": "Alma", "SzuletesiDatum": "1980-05-17",
				"YearlyRevenue": 250000000, "MobilTelefon": "(06 30) 999 8888"}},
	}
	ds.Projects = []sandbox.SeedProject{
		{Id: diffCard, CategoryId: 10, ContactId: diffPerson, StatusId: 2620, UserId: 22404, Name: "Példa – Tóth Anna",
			Fields: map[string]any{"KulsoAzonosito": "OPP-1", "VarhatoArbevetel": 1000000, "Valoszinuseg": 35.5,
				"AutoSalesV3_Qualification": "VIP", "KovetkezoHivasIdpontja": "2026-01-15 10:30:00"}},
	}
	return ds
}

// diffCase is one row of the table.
type diffCase struct {
	name string
	// row: the cells that differ from diffBase.
	row map[string]string
	// seed changes the person's fields in diffSeed (nil: none).
	seed map[string]any
	// want: entity → the fields its update changes ("" or absent:
	// unchanged).
	want map[string]string
	// after: "Person.LastName" → the value MiniCRM's detail record shows
	// after the import (dropdowns as labels, numbers as sent).
	after map[string]string
}

var diffCases = []diffCase{
	{name: "nothing changed", after: map[string]string{"Person.KedvencEtele": "Alma", "Business.Iparag": "Informatika",
		"Project.AutoSalesV3_Qualification": "VIP", "Person.Position": "Könyvelő"}},

	// Text: case and accents are real changes of a name.
	{name: "capitalisation only", row: map[string]string{"Vezetéknév": "TÓTH"},
		want: map[string]string{"Person": "LastName"}, after: map[string]string{"Person.LastName": "TÓTH"}},
	{name: "first letter lower-cased", row: map[string]string{"Keresztnév": "anna"},
		want: map[string]string{"Person": "FirstName"}, after: map[string]string{"Person.FirstName": "anna"}},
	{name: "accent dropped", row: map[string]string{"Vezetéknév": "Toth"},
		want: map[string]string{"Person": "LastName"}, after: map[string]string{"Person.LastName": "Toth"}},
	{name: "accent changed", row: map[string]string{"Vezetéknév": "Tôth"},
		want: map[string]string{"Person": "LastName"}, after: map[string]string{"Person.LastName": "Tôth"}},
	{name: "company name case", row: map[string]string{"Cég": "PÉLDA KFT."},
		// The company matches by name (case and accents ignored) and takes
		// the row's spelling.
		want: map[string]string{"Business": "Name"}, after: map[string]string{"Business.Name": "PÉLDA KFT."}},

	// Empty cells: if_empty: clear clears, the default leaves the field.
	{name: "if_empty clear", row: map[string]string{"Beosztás": ""},
		want: map[string]string{"Person": "Position"}, after: map[string]string{"Person.Position": ""}},
	{name: "if_empty clear, blank cell", row: map[string]string{"Beosztás": "   "},
		want: map[string]string{"Person": "Position"}, after: map[string]string{"Person.Position": ""}},
	{name: "if_empty clear, a number", row: map[string]string{"Bevétel": ""},
		want: map[string]string{"Person": "YearlyRevenue"}, after: map[string]string{"Person.YearlyRevenue": "0"}}, // MiniCRM's empty number
	{name: "if_empty clear, a dropdown", row: map[string]string{"Kedvenc": ""},
		want: map[string]string{"Person": "KedvencEtele"}, after: map[string]string{"Person.KedvencEtele": ""}},
	{name: "if_empty clear, a date", row: map[string]string{"Született": ""},
		want: map[string]string{"Person": "SzuletesiDatum"}, after: map[string]string{"Person.SzuletesiDatum": ""}},
	{name: "if_empty clear, already empty", row: map[string]string{"Beosztás": "", "Bevétel": "", "Kedvenc": "", "Született": ""},
		seed: map[string]any{"Position": "", "YearlyRevenue": 0, "KedvencEtele": "", "SzuletesiDatum": ""}},
	{name: "empty cell skipped", row: map[string]string{"Leírás": ""}, after: map[string]string{"Person.Description": "Régi ügyfél"}},

	// Numbers: any change is a change, however small; the same number
	// written another way is not.
	{name: "int +0.04%", row: map[string]string{"Bevétel": "250100000"},
		want: map[string]string{"Person": "YearlyRevenue"}, after: map[string]string{"Person.YearlyRevenue": "250100000"}},
	{name: "int +1", row: map[string]string{"Összeg": "1000001"},
		want: map[string]string{"Project": "VarhatoArbevetel"}, after: map[string]string{"Project.VarhatoArbevetel": "1000001"}},
	{name: "float +0.5 in 1.25 million", row: map[string]string{"Hitelkeret": "1250001"},
		want: map[string]string{"Business": "HitelKeret"}, after: map[string]string{"Business.HitelKeret": "1250001"}},
	{name: "float +0.01", row: map[string]string{"Valószínűség": "35.51"},
		want: map[string]string{"Project": "Valoszinuseg"}, after: map[string]string{"Project.Valoszinuseg": "35.51"}},
	{name: "numbers written another way", row: map[string]string{"Bevétel": "250 000 000", "Hitelkeret": "1 250 000,5",
		"Összeg": "1000000.0", "Valószínűség": "35,50"}},

	// Dropdowns: the row's label matches ignoring case and accents; MiniCRM's
	// detail record shows the label, which must be read as the option id.
	{name: "dropdown label lower-case", row: map[string]string{"Kedvenc": "alma", "Minősítés": "vip", "Iparág": "INFORMATIKA"}},
	{name: "dropdown label without accents", row: map[string]string{"Státusz": "erdeklodo"}},
	{name: "dropdown option id", row: map[string]string{"Kedvenc": "2001", "Minősítés": "4001"}},
	{name: "dropdown changed, label folded", row: map[string]string{"Kedvenc": "KOLBASZ"},
		want: map[string]string{"Person": "KedvencEtele"}, after: map[string]string{"Person.KedvencEtele": "Kolbász"}},
	{name: "dropdown changed", row: map[string]string{"Minősítés": "Célcsoport", "Iparág": "Gyártás"},
		want:  map[string]string{"Business": "Iparag", "Project": "AutoSalesV3_Qualification"},
		after: map[string]string{"Business.Iparag": "Gyártás", "Project.AutoSalesV3_Qualification": "Célcsoport"}},
	{name: "user by name, case folded", row: map[string]string{"Felelős": "LESKÓ norbert"}},
	{name: "user changed", row: map[string]string{"Felelős": "Kovács Anna"},
		want: map[string]string{"Project": "UserId"}, after: map[string]string{"Project.UserId": "Kovács Anna"}},
	{name: "status changed", row: map[string]string{"Státusz": "Tárgyalás"},
		want: map[string]string{"Project": "StatusId"}, after: map[string]string{"Project.StatusId": "Tárgyalás"}},

	// Dates and times: the same day in another layout is no change.
	{name: "date in Hungarian layout", row: map[string]string{"Született": "1980.05.17.", "Szerződés": "2020. 03. 01.",
		"Hívás": "2026.01.15. 10:30"}},
	{name: "date changed", row: map[string]string{"Született": "1980-05-18"},
		want: map[string]string{"Person": "SzuletesiDatum"}, after: map[string]string{"Person.SzuletesiDatum": "1980-05-18"}},
	{name: "time changed by a minute", row: map[string]string{"Hívás": "2026-01-15 10:31"},
		want: map[string]string{"Project": "KovetkezoHivasIdpontja"}, after: map[string]string{"Project.KovetkezoHivasIdpontja": "2026-01-15 10:31:00"}},

	// Phones and emails: the same number or address written another way
	// is no change.
	{name: "phone written nationally", row: map[string]string{"Telefon": "06 20 123 4567", "Mobil": "06-30-999-8888"}},
	{name: "phone without spaces", row: map[string]string{"Telefon": "+36201234567", "Mobil": "(30) 999 8888"}},
	{name: "phone changed", row: map[string]string{"Telefon": "06 20 123 4568"},
		want: map[string]string{"Person": "Phone"}, after: map[string]string{"Person.Phone": "+36 20 123 4568"}},
	{name: "custom phone field changed", row: map[string]string{"Mobil": "06 30 999 8889"},
		want: map[string]string{"Person": "MobilTelefon"}, after: map[string]string{"Person.MobilTelefon": "+36 30 999 8889"}},
	{name: "email case", row: map[string]string{"E-mail": "Toth.Anna@PELDA.hu"}},
	{name: "VAT number written another way", row: map[string]string{"Adószám": "12345678 2 41"}},
	// A VAT number that differs from the company found by name is not a
	// change of that company: the name is the weaker key, so the row is
	// another company (TestNameMatchGuards in guard_test.go).
}

// TestDiffTable runs diffCases.
func TestDiffTable(t *testing.T) {
	t.Parallel()
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			row := maps.Clone(diffBase)
			maps.Copy(row, tc.row)
			ds := diffSeed()
			maps.Copy(ds.Contacts[1].Fields, tc.seed)
			e := newEnv(t, ds)
			path := writeDiffCSV(t, row)

			want := map[string]string{}
			for k, v := range tc.want {
				if v != "" {
					want[k] = v
				}
			}

			// 0. A dry run: nothing written, plan.csv lists the changes.
			cfg := e.config(diffMapping, path)
			cfg.DryRun, cfg.StateDir = true, t.TempDir()
			e.run(cfg)
			if w := e.writes(); w != 0 {
				t.Errorf("the dry run wrote %d times", w)
			}
			planned := map[string]string{}
			for _, r := range readCSV(t, filepath.Join(cfg.OutDir, pipeline.PlanFile)) {
				switch r["action"] {
				case "updated":
					planned[r["entity"]] = strings.TrimPrefix(planned[r["entity"]]+";"+r["field"], ";")
					if r["old"] == r["new"] {
						t.Errorf("plan.csv: %s.%s changes from %q to the same %q", r["entity"], r["field"], r["old"], r["new"])
					}
				case "unchanged":
				default:
					t.Errorf("plan.csv: %v", r)
				}
			}
			if !maps.Equal(planned, want) {
				t.Errorf("the dry run plans changes %v, want %v", planned, want)
			}

			// 1. The row against the seeded system.
			before := e.writes()
			cfg = e.config(diffMapping, path)
			sum := e.run(cfg)
			if sum.Rows.OK != 1 {
				t.Fatalf("rows %+v; errors: %v", sum.Rows, readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile)))
			}
			got := map[string]string{}
			ids := map[string]string{}
			for _, r := range readCSV(t, filepath.Join(cfg.OutDir, pipeline.SuccessFile)) {
				ids[r["entity"]] = r["minicrm_id"]
				switch r["action"] {
				case "updated":
					got[r["entity"]] = r["changed_fields"]
				case "unchanged":
				default:
					t.Errorf("%s: action %q (changed %q)", r["entity"], r["action"], r["changed_fields"])
				}
			}
			if want := map[string]string{"Business": itoa(diffBusiness), "Person": itoa(diffPerson), "Project": itoa(diffCard)}; !maps.Equal(ids, want) {
				t.Errorf("matched %v, want %v", ids, want)
			}
			if !maps.Equal(got, want) {
				t.Errorf("changed fields %v, want %v", got, want)
			}
			if w := e.writes() - before; w != len(want) {
				t.Errorf("%d writes, want %d (one update per changed record)", w, len(want))
			}
			for k, v := range tc.after {
				if have := diffRemote(t, e, k); have != v {
					t.Errorf("after the import MiniCRM has %s = %q, want %q", k, have, v)
				}
			}

			// 2. The same row again, with the mirror of run 1.
			before = e.writes()
			sum = e.run(e.config(diffMapping, path))
			if w := e.writes() - before; w != 0 {
				t.Errorf("re-import with the mirror: %d writes, want 0 (%v)", w, sum.Entities)
			}

			// 3. And with nothing remembered: everything read back from
			// MiniCRM.
			before = e.writes()
			cfg = e.config(diffMapping, path)
			cfg.StateDir = t.TempDir()
			sum = e.run(cfg)
			if w := e.writes() - before; w != 0 {
				t.Errorf("re-import read back from MiniCRM: %d writes, want 0 (%v; %v)", w, sum.Entities,
					readCSV(t, filepath.Join(cfg.OutDir, pipeline.SuccessFile)))
			}
		})
	}
}

// TestDiffTableRejects: values the comparison must never see, because the
// row is wrong, go to errors.csv with nothing written: a dropdown label that
// is no option, two options of a dropdown (MiniCRM's multi-select fields
// cannot be imported yet), a number that is not one.
func TestDiffTableRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		row    map[string]string
		column string
	}{
		{"unknown label", map[string]string{"Kedvenc": "Körte"}, "Kedvenc"},
		{"two options", map[string]string{"Kedvenc": "Alma, Sajt"}, "Kedvenc"},
		{"not a number", map[string]string{"Bevétel": "sok"}, "Bevétel"},
		{"not a date", map[string]string{"Született": "1980-13-45"}, "Született"},
		{"not a phone", map[string]string{"Telefon": "hívj fel"}, "Telefon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			row := maps.Clone(diffBase)
			maps.Copy(row, tc.row)
			e := newEnv(t, diffSeed())
			cfg := e.config(diffMapping, writeDiffCSV(t, row))
			sum := e.run(cfg)
			errs := readCSV(t, filepath.Join(cfg.OutDir, pipeline.ErrorsFile))
			if sum.Rows.Rejected != 1 || len(errs) != 1 || errs[0]["row"] != "2" || errs[0]["column"] != tc.column {
				t.Errorf("rows %+v; errors.csv %v; want row 2 rejected for column %s", sum.Rows, errs, tc.column)
			}
			if w := e.writes(); w != 0 {
				t.Errorf("%d writes for a rejected row", w)
			}
		})
	}
}

// writeDiffCSV writes one row under diffColumns.
func writeDiffCSV(t *testing.T, row map[string]string) string {
	t.Helper()
	cells := make([]string, len(diffColumns))
	for i, c := range diffColumns {
		v, ok := row[c]
		if !ok {
			t.Fatalf("no value for column %s", c)
		}
		if strings.ContainsAny(v, ";\"\n") {
			t.Fatalf("column %s: %q needs quoting", c, v)
		}
		cells[i] = v
	}
	if extra := slices.DeleteFunc(slices.Collect(maps.Keys(row)), func(c string) bool { return slices.Contains(diffColumns, c) }); len(extra) > 0 {
		t.Fatalf("columns %v are not in diff.yaml", extra)
	}
	path := filepath.Join(t.TempDir(), "diff.csv")
	data := strings.Join(diffColumns, ";") + "\n" + strings.Join(cells, ";") + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// diffRemote reads "Entity.Field" of the seeded record from MiniCRM's detail
// record.
func diffRemote(t *testing.T, e *env, key string) string {
	t.Helper()
	kind, field, _ := strings.Cut(key, ".")
	ctx := context.Background()
	c := e.client()
	var fields map[string]any
	switch kind {
	case "Project":
		d, err := c.Projects.Get(ctx, diffCard)
		if err != nil {
			t.Fatal(err)
		}
		fields = d.Fields
	case "Person", "Business":
		id := diffPerson
		if kind == "Business" {
			id = diffBusiness
		}
		d, err := c.Contacts.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fields = d.Fields
	default:
		t.Fatalf("bad key %s", key)
	}
	v, ok := fields[field]
	if !ok {
		t.Fatalf("the %s detail record has no %s: %v", kind, field, fields)
	}
	return restapiText(v)
}

// restapiText renders a detail value as text (numbers as sent, nothing for
// null).
func restapiText(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(restapi.FieldText(v))
}
