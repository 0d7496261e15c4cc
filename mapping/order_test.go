package mapping

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// orderBase is a mapping of the example's customers onto sales cards (the
// module the test schemas have); tests add an order block to it.
const orderBase = `source:
  file: ../../examples/webshop-orders.csv
  delimiter: ";"
person:
  match: [email]
  fields:
    LastName: {column: Vezetéknév}
    FirstName: {column: Keresztnév}
    Email: {column: E-mail}
project:
  category: Értékesítés
  match: [external_id]
  external_id: KulsoAzonosito
  fields:
    KulsoAzonosito: {column: Vevőazonosító}
    Name: {column: Vezetéknév}
    StatusId: {const: Érdeklődő}
    UserId: {const: Kovács Anna}
`

func compileOrder_(t *testing.T, block string) (*Plan, error) {
	t.Helper()
	m, err := Parse(filepath.Join("..", "testdata", "mapping", "orders.yaml"), []byte(orderBase+block))
	if err != nil {
		return nil, err
	}
	_, header := readHeader(t, m)
	return Compile(m, sandboxSchemas(t), header)
}

// TestOrderProblems: every mistake of an order block is reported at once,
// at its line, with a suggestion where a name is close to a known one.
func TestOrderProblems(t *testing.T) {
	// Line 19 is "order:".
	_, err := compileOrder_(t, `order:
  Number: {column: Rendelésszám}
  Perfomance: {column: Dátum}
  Status: {const: Done}
  PaymentMethod: {column: Fizetési mód, enum: {Bankkártya: Kártya}}
  CurrencyCode: {const: HUF, if_empty: clear}
  customer:
    Name: {colum: Számlázási név}
    Zip: {column: Irányítószám}
    City: {column: Varos}
  product:
    Name: {column: Termék}
    Price: {column: Nettó egységár}
    Quantity: {column: Mennyiség, number: true}
    VAT: {const: "127%"}
  card:
    "Szállítás mód": {column: Szállítási mód}
`)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	for _, want := range []string{
		`orders.yaml:19: order: an order needs its id: id: {column: <the order number's column>}`,
		`orders.yaml:19: order: Performance is required (MiniCRM needs it for an order)`,
		`orders.yaml:21: order.Perfomance: an order has no field "Perfomance"; its fields are Number, CurrencyCode, Language, Performance, Status, PaymentMethod, Subject, and the sections id, customer, product, card; did you mean "Performance"?`,
		`orders.yaml:22: order.Status.const: "Done" is not an order status; write one of Draft, Issued, Completed, Paid, Failed`,
		`orders.yaml:23: order.PaymentMethod.enum.Bankkártya: "Kártya" is not a payment method; write one of WiredTransfer, Card, Check, CashOnDelivery, Cash, Other`,
		`orders.yaml:24: order.CurrencyCode.if_empty: an order is written whole each time, so there is nothing to clear`,
		`orders.yaml:25: order.customer: customer.Country is required`,
		`orders.yaml:26: order.customer.Name.colum: "colum" is not a known key of a field; did you mean "column"?`,
		`orders.yaml:27: order.customer.Zip: the customer has no field "Zip"`,
		`orders.yaml:28: order.customer.City.column: column "Varos" is not in the source header; did you mean "Város"?`,
		`orders.yaml:29: order.product: a product needs its id: id: {column: <the product's id or SKU column>}`,
		`orders.yaml:29: order.product: product.Unit is required`,
		`orders.yaml:31: order.product.Price: a product has no field "Price"; its fields are id, Name, SKU, EAN, Description, PriceNet, Quantity, Unit, VAT, FolderName; did you mean "PriceNet"?`,
		`orders.yaml:32: order.product.Quantity: order values are read by what they are`,
		`orders.yaml:33: order.product.VAT.const: "127%" is not a VAT rate`,
		`orders.yaml:35: order.card.Szállítás mód: "Szállítás mód" cannot be an element name`,
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

	// An order block needs the customer's card.
	m, err := Parse("orders.yaml", []byte("source: {file: x.csv}\nperson:\n  match: [email]\n  fields: {FirstName: {column: a}, Email: {column: b}}\norder:\n  id: {column: a}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(m, sandboxSchemas(t), nil); err == nil || !strings.Contains(err.Error(), "orders.yaml:5: order: orders belong to their customer's card: map a project") {
		t.Errorf("an order block without a project: %v", err)
	}
}

// TestMapOrderLine maps the example's rows: values as the feed takes them,
// and a row's own problems with their columns.
func TestMapOrderLine(t *testing.T) {
	p, err := compileOrder_(t, `order:
  id: {column: Rendelésszám}
  Performance: {column: Dátum}
  Status: {column: Állapot, enum: {Teljesítve: Completed, Függőben: Issued}}
  CurrencyCode: {const: huf}
  Language: {const: hu}
  customer:
    Name: {column: Számlázási név}
    CountryId: {column: Ország}
    PostalCode: {column: Irányítószám}
    City: {column: Város}
    Address: {column: Cím}
  product:
    id: {column: Cikkszám}
    Name: {column: Termék}
    PriceNet: {column: Nettó egységár}
    Quantity: {column: Mennyiség}
    Unit: {column: Egység}
    VAT: {column: ÁFA}
    FolderName: {const: Webshop}
`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasOrders() {
		t.Fatal("HasOrders is false")
	}
	r, err := p.Mapping().OpenSource("")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		l, err := p.MapOrderLine(row)
		if err != nil {
			t.Fatalf("row %d: %v", row.Loc.Line, err)
		}
		got = append(got, fmt.Sprintf("%s %v %v %s %v", l.ID, l.Order, l.Customer, l.ProductID, l.Product))
	}
	want0 := `WS-1001 [{CurrencyCode HUF } {Language _HU } {Performance 2026-03-02 10:15:00 Dátum} {Status Completed Állapot}] ` +
		`[{Name Kiss János Számlázási név} {CountryId Magyarország Ország} {PostalCode 1111 Irányítószám} {City Budapest Város} {Address Bartók Béla út 12. Cím}] ` +
		`TEA-01 [{Name Zöld tea 100 g Termék} {PriceNet 1180 Nettó egységár} {Quantity 2 Mennyiség} {Unit db Egység} {VAT 27% ÁFA} {FolderName Webshop }]`
	if len(got) != 7 || got[0] != want0 {
		t.Fatalf("lines:\n%s\nwant first:\n%s", strings.Join(got, "\n"), want0)
	}
	// The continuation row of WS-1002 leaves the order's values empty.
	if want := `WS-1002 [{CurrencyCode HUF } {Language _HU }] [] KUPON-10 [{Name Kupon (-10%) Termék} {PriceNet -430 Nettó egységár} {Quantity 1 Mennyiség} {Unit db Egység} {VAT 5% ÁFA} {FolderName Webshop }]`; got[5] != want {
		t.Errorf("row 7:\n got %s\nwant %s", got[5], want)
	}
}

func TestSumQuantities(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{{"2", "1", "3"}, {"0.1", "0.2", "0.3"}, {"1.5", "-0.5", "1"}, {"2.25", "0.125", "2.375"}} {
		if got, err := SumQuantities(c.a, c.b); err != nil || got != c.want {
			t.Errorf("%s + %s = %s (%v), want %s", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := SumQuantities("x", "1"); err == nil {
		t.Error("a quantity that is no decimal was added")
	}
}

// FuzzOrderValue: any text either fails or gives a value the feed can take,
// which reads back as itself.
func FuzzOrderValue(f *testing.F) {
	for _, s := range []string{"2026.03.02. 10:15", "1 180", "2 362,2", "-430", "27%", "5", "AAM", "huf", "Ft", "_hu", "Teljesítve", "Completed", "cash on delivery", "1e5", "0,5", "100 %"} {
		f.Add(s)
	}
	dp, err := NewDateParser(nil)
	if err != nil {
		f.Fatal(err)
	}
	op := &orderPlan{perf: dp}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct{ level, name string }{{"", "Performance"}, {"", "CurrencyCode"}, {"", "Language"}, {"", "Status"},
			{"", "PaymentMethod"}, {"product", "PriceNet"}, {"product", "Quantity"}, {"product", "VAT"}, {"", "Number"}} {
			v, err := orderValue(op, c.level, c.name, s)
			if err != nil {
				continue
			}
			out := v.(string)
			again, err := orderValue(op, c.level, c.name, out)
			if err != nil || again.(string) != out {
				t.Errorf("%s %q → %q, which reads back as %v (%v)", c.name, s, out, again, err)
			}
			switch c.name {
			case "PriceNet", "Quantity":
				if _, err := SumQuantities(out, "0"); err != nil {
					t.Errorf("%s %q → %q, not a plain decimal", c.name, s, out)
				}
			case "VAT":
				if !strings.HasSuffix(out, "%") && !slices.Contains(orderVATCodes, out) {
					t.Errorf("VAT %q → %q", s, out)
				}
			}
		}
	})
}
