package xmlfeed_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// TestBuildAddresses builds cards with a company's and a person's address
// from the mapping's address blocks: <Addresses> under <Business> and under
// <Contact>, with a Name of the Type when none is mapped and Default for
// default: true; the Reader gives back what was written.
func TestBuildAddresses(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	mp := addressMapping(t)
	plan, r := e.plan(t, mp, "")
	cb, err := xmlfeed.NewCardBuilder(plan)
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := plan.Map(row)
	if err != nil {
		t.Fatal(err)
	}
	card, err := cb.Card(b)
	if err != nil {
		t.Fatal(err)
	}
	wantBus := []xmlfeed.Address{{Fields: []xmlfeed.Field{{Name: "Type", Value: "Székhely"}, {Name: "Name", Value: "Székhely"},
		{Name: "CountryId", Value: "Magyarország"}, {Name: "PostalCode", Value: "8921"}, {Name: "City", Value: "Resznek"},
		{Name: "Address", Value: "Tamás liget 24"}}}}
	wantPerson := []xmlfeed.Address{{Fields: []xmlfeed.Field{{Name: "Type", Value: "Levelezési cím"}, {Name: "Name", Value: "Posta"},
		{Name: "City", Value: "Resznek"}, {Name: "Default", Value: "1"}}}}
	if !reflect.DeepEqual(card.Business.Addresses, wantBus) || !reflect.DeepEqual(card.Contacts[0].Addresses, wantPerson) {
		t.Fatalf("addresses:\n%+v\n%+v", card.Business.Addresses, card.Contacts[0].Addresses)
	}

	out := filepath.Join(t.TempDir(), "feed.xml")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := xmlfeed.NewWriter(f)
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteProject(card); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	in, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rd := xmlfeed.NewReader(in)
	back, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the card: %v", err)
	}
	if !reflect.DeepEqual(back.Business.Addresses, wantBus) || !reflect.DeepEqual(back.Contacts[0].Addresses, wantPerson) || len(back.Unknown) != 0 {
		t.Errorf("read back:\n%+v\n%+v\nunknown %v", back.Business.Addresses, back.Contacts[0].Addresses, back.Unknown)
	}
}

// addressMapping writes the address tests' mapping (a company's and a
// person's address blocks) and gives its path.
func addressMapping(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "testdata", "import", "partnerek.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mp := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(mp, []byte(`source: {file: `+src+`}
business:
  match: [vat_number]
  fields: {Name: {column: Cég neve}, VatNumber: {column: Adószám}}
  address: {Type: {const: Székhely}, Country: {const: Magyarország}, PostalCode: {column: Irsz.}, City: {column: Település}, Address: {column: "Utca, házszám"}}
person:
  match: [email]
  link: business
  fields: {LastName: {column: Vezetéknév}, FirstName: {column: Keresztnév}, Email: {column: Email cím}}
  address: {Type: {const: Levelezési cím}, Name: {const: Posta}, City: {column: Település}, default: true}
project:
  category: Értékesítés
  match: [external_id]
  external_id: KulsoAzonosito
  link: person
  fields: {Name: {column: Cég neve}, StatusId: {const: Érdeklődő}, UserId: {const: Kovács Anna}, KulsoAzonosito: {column: Azonosító}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	return mp
}

// TestCardNamesCheckedOnce: a card builder that found every element name
// its mapping can give valid (CardBuilder.NamesOK) lets the build encode
// its cards without checking their names again; so every card it makes,
// of every row, must pass the writer's full check.
func TestCardNamesCheckedOnce(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	for _, mp := range []string{filepath.Join(testdata, "cards.yaml"), filepath.Join(testdata, "partnerek.yaml"), addressMapping(t)} {
		plan, r := e.plan(t, mp, "")
		cb, err := xmlfeed.NewCardBuilder(plan)
		if err != nil {
			t.Fatal(err)
		}
		if !cb.NamesOK() {
			t.Fatalf("%s: the names were not found valid", mp)
		}
		cards := 0
		for {
			row, err := r.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				continue // a row the source could not read
			}
			b, err := plan.Map(row)
			if err != nil {
				continue
			}
			card, err := cb.Card(b)
			if err != nil {
				continue
			}
			if _, err := xmlfeed.Encode(card); err != nil {
				t.Errorf("%s: %s: %v", mp, row.Loc, err)
			}
			cards++
		}
		if cards == 0 {
			t.Errorf("%s: no card made", mp)
		}
	}
}
