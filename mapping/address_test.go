package mapping

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// TestAddressProblems checks that every mistake of an address block is
// reported at its line, with the block's path.
func TestAddressProblems(t *testing.T) {
	_, err := Load(filepath.Join("..", "testdata", "mapping", "address-syntax.yaml"))
	if err == nil || !strings.Contains(err.Error(), `address-syntax.yaml:9: YAML: address.City: "colum" is not a known key`) {
		t.Errorf("a misspelt key of an address field: got %v", err)
	}

	m, err := Load(filepath.Join("..", "testdata", "mapping", "address-bad.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, header := readHeader(t, m)
	_, err = Compile(m, sandboxSchemas(t), header)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	for _, want := range []string{
		`address-bad.yaml:10: business.address.Type.const: "Központ" is not an option of Type; the options are "Székhely"`,
		`address-bad.yaml:11: business.address.Zip: an address has no field "Zip"`,
		`address-bad.yaml:12: business.address.City.column: column "Varos" is not in the source header`,
		`address-bad.yaml:13: business.address.Address: address fields are text`,
		`address-bad.yaml:14: business.address.County: the field needs a column, const or template`,
		`address-bad.yaml:25: project.address: only a business or a person has addresses`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing problem %q in:\n%v", want, err)
		}
	}
	for _, p := range ps {
		if p.Line == 0 {
			t.Errorf("problem without a line: %s", p)
		}
	}
}

// TestMapAddress maps the practice sheet's address columns: the company's
// address of each row, the Type as its schema label, constants alone not
// making an address.
func TestMapAddress(t *testing.T) {
	m, err := Parse(filepath.Join("..", "testdata", "mapping", "inline.yaml"), []byte(`
source:
  file: ../import/partnerek.csv
business:
  match: [vat_number]
  fields:
    Name: {column: Cég neve}
    VatNumber: {column: Adószám}
  address: {Type: {const: "1"}, Country: {const: Magyarország}, PostalCode: {column: Irsz.}, City: {column: Település}, Address: {column: "Utca, házszám"}, default: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, header := readHeader(t, m)
	p, err := Compile(m, sandboxSchemas(t), header)
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Map(row)
	if err != nil {
		t.Fatal(err)
	}
	a := b.Business.Address
	if a == nil {
		t.Fatal("no address mapped")
	}
	want := map[string]string{"Type": "Székhely", "CountryId": "Magyarország", "PostalCode": "8921", "City": "Resznek", "Address": "Tamás liget 24"}
	for f, v := range want {
		if a.Fields[f] != v {
			t.Errorf("%s = %q, want %q", f, a.Fields[f], v)
		}
	}
	if a.Key != "Type" || !a.Default || strings.Join(a.Order, ",") != "Type,CountryId,PostalCode,City,Address" {
		t.Errorf("key %q default %v order %v", a.Key, a.Default, a.Order)
	}
	if n := a.CreateBody()["Name"]; n != "Székhely" {
		t.Errorf("create Name = %q, want the type's label", n)
	}

	// A row whose address cells are empty has no address (the constants
	// alone do not make one).
	empty := source.Row{Loc: row.Loc, Cells: make([]source.Cell, len(row.Cells))}
	copy(empty.Cells, row.Cells)
	for i, h := range header {
		if h == "Település" || h == "Irsz." || h == "Utca, házszám" {
			empty.Cells[i] = source.Cell{}
		}
	}
	b, err = p.Map(empty)
	if err != nil {
		t.Fatal(err)
	}
	if b.Business.Address != nil {
		t.Errorf("an empty address was mapped: %+v", b.Business.Address)
	}
}

func TestCountryKey(t *testing.T) {
	for _, tt := range []struct{ a, b string }{{"Magyarország", "Hungary"}, {"magyarorszag", "HU"}, {" Csehország", "Czechia"}} {
		if CountryKey(tt.a) != CountryKey(tt.b) {
			t.Errorf("%q and %q differ", tt.a, tt.b)
		}
	}
	if SameAddressValue("CountryId", "Atlantisz", "Hungary") {
		t.Error("an unknown country equals Hungary")
	}
}
