package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestLoadDocumentLists loads a data set with invoices, orders and offers
// lists (no Kind) through /_sandbox/load and reads them back from the List
// endpoints; a Kind that disagrees with its list is refused with where it
// is.
func TestLoadDocumentLists(t *testing.T) {
	t.Parallel()
	e := newDocEnv(t, Config{Dataset: EmptyDataset()})
	// The load takes a whole data set: the empty one's configuration (JSON
	// is YAML) and the records below.
	data := "users: " + mustJSON(t, EmptyDataset().Users) + "\ncategories: " + mustJSON(t, EmptyDataset().Categories) + `
contacts:
  - {id: 501, type: Business, fields: {Name: Vevő Kft., VatNumber: 11111111-2-41}}
invoices:
  - {CustomerId: 501, Issued: "2025-01-10", CurrencyCode: EUR, Items: [{Name: A, PriceNet: "10", Quantity: "2", VAT: "27%"}]}
  - {CustomerId: 501, Issued: "2025-01-11", Paid: "2025-01-12", Items: [{Name: B, PriceNet: "1 000,50", Quantity: "1", VAT: "5%"}]}
orders:
  - {CustomerId: 501, CurrencyCode: HUF, Status: Completed, Items: [{Name: C, PriceNet: "500", Quantity: "3", VAT: "27"}]}
offers:
  - {CustomerId: 501, Items: [{Name: D, PriceNet: "7", Quantity: "1", VAT: "AAM"}]}
`
	if code, body := e.do(http.MethodPost, "/_sandbox/load", data); code != 200 {
		t.Fatalf("load: %d %s", code, body)
	}
	for path, want := range map[string]int{"/Api/Invoice/List": 2, "/Api/Order/List": 1, "/Api/Offer/List": 1} {
		code, body := e.do(http.MethodGet, path, "")
		var l struct{ Count int }
		if code != 200 || json.Unmarshal([]byte(body), &l) != nil || l.Count != want {
			t.Errorf("%s: %d %s, want Count %d", path, code, body, want)
		}
	}
	_, body := e.do(http.MethodGet, "/Api/Invoice/List?StatusGroup=Success", "")
	if !strings.Contains(body, `"Amount":"1050.5300"`) || !strings.Contains(body, `"Paid":"2025-01-12"`) {
		t.Errorf("the paid invoice: %s", body)
	}

	bad := "users: " + mustJSON(t, EmptyDataset().Users) + "\ncategories: " + mustJSON(t, EmptyDataset().Categories) +
		"\ninvoices:\n  - {Kind: Order, CustomerId: 1}\n"
	if code, body := e.do(http.MethodPost, "/_sandbox/load", bad); code != 400 || !strings.Contains(body, `invoices #1: Kind "Order"`) {
		t.Errorf("a Kind against its list: %d %s", code, body)
	}
}

// TestDemoDatasetDocuments checks that the CLI's built-in data has
// documents enough to export: a few dozen invoices, orders and offers,
// listed, in several states, currencies and VAT rates.
func TestDemoDatasetDocuments(t *testing.T) {
	t.Parallel()
	e := newDocEnv(t, Config{Dataset: DemoDataset()})
	groups, currencies, vats, statuses := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	total := 0
	for _, kind := range []string{"Invoice", "Order", "Offer"} {
		code, body := e.do(http.MethodGet, "/Api/"+kind+"/List", "")
		var l struct {
			Count   int
			Results map[string]struct{ Id, Status, StatusGroup, CurrencyCode string }
		}
		if code != 200 {
			t.Fatalf("%s list: %d %s", kind, code, body)
		}
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatalf("%s list: %v", kind, err)
		}
		total += l.Count
		for _, it := range l.Results {
			groups[kind+" "+it.StatusGroup], currencies[it.CurrencyCode], statuses[kind+" "+it.Status] = true, true, true
			_, d := e.do(http.MethodGet, "/Api/"+kind+"/"+it.Id, "")
			var doc struct{ Items []struct{ VAT string } }
			if err := json.Unmarshal([]byte(d), &doc); err != nil {
				t.Fatalf("%s %s: %v", kind, it.Id, err)
			}
			for _, line := range doc.Items {
				vats[line.VAT] = true
			}
		}
	}
	// 3 examples and 38 more; the two draft orders (the example's and
	// one of the 8) are not listed.
	if total != 39 {
		t.Errorf("%d documents listed, want 39", total)
	}
	for _, want := range []string{"Invoice Open", "Invoice Success", "Invoice Failed", "Order Open", "Order Success",
		"Order Failed", "Offer Lead", "Offer Open", "Offer Success", "Offer Failed"} {
		if !groups[want] {
			t.Errorf("no %s document; have %v", want, groups)
		}
	}
	for _, c := range []string{"HUF", "EUR", "USD"} {
		if !currencies[c] {
			t.Errorf("no %s document", c)
		}
	}
	for _, v := range []string{"27%", "18%", "5%", "0%", "AAM"} {
		if !vats[v] {
			t.Errorf("no line with VAT %s; have %v", v, vats)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
