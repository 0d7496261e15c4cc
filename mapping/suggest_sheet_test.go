package mapping

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// sheetFiles are a trimmed copy of a real user's partner list (one row per
// person: id, company, VAT number, name, e-mail, phone, address, stage,
// value, last contact) in the forms it arrives in. It keeps two companies
// of one name with different VAT numbers, two whose names differ only in
// accents, and three people repeated with re-formatted e-mail and phone.
var sheetFiles = []string{"partnerek.csv", "partnerek-cp1250.csv", "partnerek-utf8-comma.csv", "partnerek.xlsx"}

func sheetPath(name string) string { return filepath.Join("..", "testdata", "mapping", "sheet", name) }

// TestSuggestSheet writes the whole-sheet mapping of each form of the sheet,
// with and without a card module, compares it with its golden file, and
// maps every row with it: none may be rejected.
func TestSuggestSheet(t *testing.T) {
	s := sandboxSchemas(t)
	for _, name := range sheetFiles {
		for _, category := range []string{"", "Értékesítés"} {
			t.Run(name+"/"+category, func(t *testing.T) {
				r, err := source.Open(sheetPath(name), source.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				smp, err := ReadSample(context.Background(), r, SampleRows)
				if err != nil {
					t.Fatal(err)
				}
				text, err := SuggestSheet(smp, SheetOptions{SourceFile: name, Category: category}, s)
				if err != nil {
					t.Fatal(err)
				}
				g := name + ".golden"
				if category != "" {
					g = name + ".card.golden"
				}
				golden(t, filepath.Join("sheet", g), text)

				m, err := Parse(sheetPath("suggested.yaml"), []byte(text))
				if err != nil {
					t.Fatalf("does not parse: %v\n%s", err, text)
				}
				assertSafeMatches(t, m)
				if m.Person == nil || m.Person.Link != "business" || m.Person.ExternalID == "" || m.Person.Match[0] != "external_id" {
					t.Errorf("person section: %+v", m.Person)
				}
				if category != "" {
					st := m.Project.Fields["StatusId"]
					if st == nil || len(st.Enum) != 5 || st.Enum["Megnyert"] != "Sikeres" || st.Enum["Új érdeklődő"] != "Érdeklődő" {
						t.Errorf("StatusId: %+v", st)
					}
					if f := m.Project.Fields["VarhatoArbevetel"]; f == nil || f.Column != "Érték (Ft)" {
						t.Errorf("VarhatoArbevetel: %+v", f)
					}
					if m.Project.Fields["UserId"] == nil || m.Project.Fields["Name"] == nil || m.Project.Link != "person" {
						t.Errorf("card section: %+v", m.Project)
					}
				}
				r2, err := m.OpenSource(sheetPath(name))
				if err != nil {
					t.Fatal(err)
				}
				defer r2.Close()
				plan, err := Compile(m, s, r2.Header())
				if err != nil {
					t.Fatalf("does not compile: %v\n%s", err, text)
				}
				sum, err := CheckRows(context.Background(), plan, r2, nil)
				if err != nil {
					t.Fatal(err)
				}
				if sum.Rows != 49 || sum.OK != 49 {
					t.Errorf("check: %+v", sum)
				}
			})
		}
	}
}

// assertSafeMatches: a company with a VAT number is never found by its
// name (a row whose VAT number matches nobody would land on a namesake).
func assertSafeMatches(t *testing.T, m *Mapping) {
	t.Helper()
	if m.Business == nil {
		return
	}
	if _, vat := m.Business.Fields["VatNumber"]; vat {
		if m.Business.Match[0] != "vat_number" || slices.Contains(m.Business.Match, "name") {
			t.Errorf("business match %v: want the VAT number first and never the name", m.Business.Match)
		}
	}
}

// TestSuggestSheetShapes covers sheets of other shapes: a company list with
// its own id, one without a VAT number, people without companies.
func TestSuggestSheetShapes(t *testing.T) {
	s := sandboxSchemas(t)
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		want   []string // lines the mapping must hold
		reject []string // lines it must not hold
	}{
		{
			name:   "companies with their own id and e-mail",
			header: []string{"Ügyfélkód", "Cégnév", "Adószám", "Email", "Telefon", "Város"},
			rows:   [][]string{{"C1", "Alfa Kft.", "11111111-1-11", "info@alfa.hu", "+36 1 111 1111", "Pécs"}, {"C2", "Béta Bt.", "22222222-2-22", "info@beta.hu", "", "Győr"}},
			want: []string{"  match: [vat_number, external_id]", "  external_id: KulsoAzonosito", "    Email: {column: Email}",
				"    Phone: {column: Telefon}", "    City: {column: Város}", "  address:"},
			reject: []string{"person:", "name]"},
		},
		{
			name:   "deals: the id changes for one person",
			header: []string{"Azonosító", "Cégnév", "Adószám", "Vezetéknév", "Keresztnév", "Email"},
			rows: [][]string{{"D-1", "Alfa Kft.", "11111111-1-11", "Kiss", "Anna", "anna@alfa.hu"},
				{"D-2", "Alfa Kft.", "11111111-1-11", "Kiss", "Anna", "ANNA@alfa.hu "}, {"D-3", "Béta Bt.", "22222222-2-22", "Nagy", "Béla", "bela@beta.hu"}},
			want:   []string{"  match: [email]", "changes for one e-mail address: it identifies rows", "#   Azonosító"},
			reject: []string{"external_id:"},
		},
		{
			name:   "people repeated with their id, e-mail in another case",
			header: []string{"Azonosító", "Cégnév", "Adószám", "Vezetéknév", "Keresztnév", "Email"},
			rows: [][]string{{"P-1", "Alfa Kft.", "11111111-1-11", "Kiss", "Anna", "anna@alfa.hu"},
				{"P-1", "Alfa Kft.", "11111111-1-11", "Kiss", "Anna", " ANNA@alfa.hu"}, {"P-2", "Alfa Kft.", "11111111-1-11", "Nagy", "Béla", "bela@alfa.hu"}},
			want: []string{"  match: [external_id, email]", "    KulsoAzonosito: {column: Azonosító}"},
		},
		{
			name:   "companies without a VAT number",
			header: []string{"ID", "Cég", "Weboldal"},
			rows:   [][]string{{"1", "Alfa Kft.", "alfa.hu"}, {"2", "Béta Bt.", "beta.hu"}},
			want:   []string{"  match: [external_id, name]", "    Url: {column: Weboldal}"},
		},
		{
			name:   "people only, one name column",
			header: []string{"Név", "E-mail", "Hírlevél", "Születési dátum"},
			rows:   [][]string{{"Kiss Anna", "anna@x.hu", "Igen", "1980.01.02."}, {"Nagy Béla", "bela@x.hu", "Nem", "1975.12.31."}},
			want: []string{"person:", "  match: [email]", "    FirstName: {column: Név}", "    Email: {column: E-mail}",
				"        Igen: Igen", "    SzuletesiDatum: {column: Születési dátum}"},
			reject: []string{"business:", "link:"},
		},
		{
			name:   "a stage no option is near",
			header: []string{"Cégnév", "Adószám", "Vezetéknév", "Keresztnév", "Státusz"},
			rows:   [][]string{{"Alfa Kft.", "11111111-1-11", "Kiss", "Anna", "Függőben"}, {"Béta Bt.", "22222222-2-22", "Nagy", "Béla", "Tárgyalás"}},
			want: []string{"        Tárgyalás: Tárgyalás", "#   \"Függőben\"", "      column: Státusz",
				"    Name: {template: \"{Cégnév} – {Vezetéknév} {Keresztnév}\"}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			category := ""
			if strings.Contains(tt.name, "stage") {
				category = "Értékesítés"
			}
			text, err := SuggestSheet(NewSample(tt.header, tt.rows), SheetOptions{SourceFile: "x.csv", Category: category}, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w+"\n") && !strings.Contains(text, w+" ") {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.reject {
				if strings.Contains(text, w) {
					t.Errorf("holds %q:\n%s", w, text)
				}
			}
			m, err := Parse("x.yaml", []byte(text))
			if err != nil {
				t.Fatalf("does not parse: %v\n%s", err, text)
			}
			assertSafeMatches(t, m)
			if _, err := Compile(m, s, tt.header); err != nil {
				t.Errorf("does not compile: %v\n%s", err, text)
			}
		})
	}
}

func TestNameScore(t *testing.T) {
	tests := []struct {
		column, field string
		card          bool
		match         bool
	}{
		{"Várható bevétel", "VarhatoArbevetel", true, true},
		{"Érték (Ft)", "VarhatoArbevetel", true, true},
		{"Érték (Ft)", "YearlyRevenue", false, false},
		{"Várható lezárás", "VarhatoLezarasDatuma", true, true},
		{"Születési dátum", "SzuletesiDatum", false, true},
		{"Utolsó kontakt", "KovetkezoHivasIdpontja", true, false},
		{"Utolsó kontakt", "VarhatoLezarasDatuma", true, false},
		{"Település", "Iparag", false, false},
		{"Megjegyzés", "Megjegyzes", true, true},
	}
	for _, tt := range tests {
		if got := nameScore(tt.column, tt.field, tt.card) >= fieldThreshold; got != tt.match {
			t.Errorf("nameScore(%q, %q) = %.2f; match %v, want %v", tt.column, tt.field, nameScore(tt.column, tt.field, tt.card), got, tt.match)
		}
	}
}

func TestMatchOption(t *testing.T) {
	opts := []restapi.EnumOption{{Id: 1, Label: "Érdeklődő"}, {Id: 2, Label: "Ajánlat kiküldve"}, {Id: 3, Label: "Tárgyalás"},
		{Id: 4, Label: "Sikeres"}, {Id: 5, Label: "Sikertelen"}, {Id: 6, Label: "Ügyfélminősítés"}}
	tests := []struct{ value, want string }{
		{"ajanlat KIKULDVE", "Ajánlat kiküldve"},
		{"Új érdeklődő", "Érdeklődő"},
		{"Megnyert", "Sikeres"},
		{"Elveszett", "Sikertelen"},
		{"Targyalas alatt", "Tárgyalás"},
		{"Függőben", ""},
	}
	for _, tt := range tests {
		if got := matchOption(tt.value, opts); got.label != tt.want {
			t.Errorf("matchOption(%q) = %q (%s), want %q", tt.value, got.label, got.how, tt.want)
		}
	}
}

func TestColumnKinds(t *testing.T) {
	ids := map[string]bool{"Azonosító": true, "ID": true, "Ügyfélkód": true, "Partner azonosító": true, "Külső azonosító": true,
		"Adószám": false, "Adóazonosító jel": false, "Irsz.": false, "Cégnév": false, "Zip code": false}
	for h, want := range ids {
		if got := isIDColumn(h); got != want {
			t.Errorf("isIDColumn(%q) = %v", h, got)
		}
	}
	parts := map[string]string{"Település": "City", "Város": "City", "Irsz.": "PostalCode", "Irányítószám": "PostalCode",
		"Utca, házszám": "Address", "Cím": "Address", "Ország": "Country", "Megye": "County", "City": "City", "Zip": "PostalCode",
		"Street": "Address", "Email cím": ""}
	for h, want := range parts {
		if got := addressPart(h); got != want {
			t.Errorf("addressPart(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestUnmatchedEnumValueIsRejected: a value init could not match to an
// option is listed in a comment, and `mapping check` rejects its row
// naming the value, until the user adds it to the table.
func TestUnmatchedEnumValueIsRejected(t *testing.T) {
	s := sandboxSchemas(t)
	path := filepath.Join(t.TempDir(), "stages.csv")
	data := "Cégnév;Adószám;Vezetéknév;Keresztnév;Státusz\nAlfa Kft.;11111111-1-11;Kiss;Anna;Függőben\nBéta Bt.;22222222-2-22;Nagy;Béla;Megnyert\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := source.Open(path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	smp, err := ReadSample(context.Background(), r, SampleRows)
	if err != nil {
		t.Fatal(err)
	}
	text, err := SuggestSheet(smp, SheetOptions{SourceFile: path, Category: "Értékesítés"}, s)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Join(filepath.Dir(path), "m.yaml"), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := m.OpenSource("")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	plan, err := Compile(m, s, r2.Header())
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	var reasons []string
	sum, err := CheckRows(context.Background(), plan, r2, func(rej *Rejected) error {
		reasons = append(reasons, rej.Reasons())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 1 || sum.Rejected != 1 || len(reasons) != 1 || !strings.Contains(reasons[0], "Függőben") {
		t.Errorf("check: %+v, reasons %q\n%s", sum, reasons, text)
	}
}
