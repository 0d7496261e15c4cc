package sandbox

// Tests of the Order, Invoice and Offer endpoints over HTTP. They replay
// every Order/Invoice/Offer curl example of the two seed documents
// (the Hungarian and English editions of MiniCRM's API manual) as written,
// saying where an example cannot work as printed and why.

import (
	"bytes"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const docTestKey = "0123456789abcdef0123456789abcdef"

// docToday is the date the test clock gives: 2025-03-14 in Budapest.
var docNow = time.Date(2025, 3, 14, 10, 0, 0, 0, budapest)

const docToday = "2025-03-14"

type docEnv struct {
	t   *testing.T
	url string
	srv *Server
}

func newDocEnv(t *testing.T, cfg Config) *docEnv {
	t.Helper()
	cfg.SystemID, cfg.APIKey = 12345, docTestKey
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return docNow }
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &docEnv{t: t, url: ts.URL, srv: srv}
}

// do sends a request with the system's credentials and returns the status
// and the body.
func (e *docEnv) do(method, path, body string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth("12345", docTestKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// json sends a request that must answer 200 with a JSON object.
func (e *docEnv) json(method, path, body string) map[string]any {
	e.t.Helper()
	code, out := e.do(method, path, body)
	if code != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", method, path, code, out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		e.t.Fatalf("%s %s: not a JSON object: %v\n%s", method, path, err, out)
	}
	return m
}

// fails sends a request that must fail with status and a plain-text body
// containing want.
func (e *docEnv) fails(method, path, body string, status int, want string) {
	e.t.Helper()
	code, out := e.do(method, path, body)
	if code != status || !strings.Contains(out, want) {
		e.t.Fatalf("%s %s: got %d %q, want %d containing %q", method, path, code, out, status, want)
	}
}

// jstr digs a string out of decoded JSON: jstr(t, m, "Items", 0, "Name").
func jstr(t *testing.T, v any, path ...any) string {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: no %q in %v", path, k, m)
			}
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no element %d in %v", path, k, v)
			}
			v = l[k]
		}
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v: %#v is not a string", path, v)
	}
	return s
}

func jitems(t *testing.T, m map[string]any) []any {
	t.Helper()
	l, ok := m["Items"].([]any)
	if !ok {
		t.Fatalf("Items is not an array: %#v", m["Items"])
	}
	return l
}

func wantAmounts(t *testing.T, m map[string]any, net, vat, total string) {
	t.Helper()
	if got := [3]string{jstr(t, m, "AmountNet"), jstr(t, m, "AmountVat"), jstr(t, m, "Amount")}; got != [3]string{net, vat, total} {
		t.Fatalf("AmountNet/AmountVat/Amount = %v, want %v", got, [3]string{net, vat, total})
	}
}

// topKeys is the keys of a JSON object in the order they were written.
func topKeys(t *testing.T, raw string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// matchExample compares an answer with a documentation example: every key
// of the example in the same order and with the same value, except the
// keys in skip; keys the sandbox adds may only come after the example's.
func matchExample(t *testing.T, gotRaw, exampleRaw string, skip ...string) map[string]any {
	t.Helper()
	var got, want map[string]any
	if err := json.Unmarshal([]byte(gotRaw), &got); err != nil {
		t.Fatalf("answer: %v", err)
	}
	if err := json.Unmarshal([]byte(exampleRaw), &want); err != nil {
		t.Fatalf("example: %v", err)
	}
	gk, wk := topKeys(t, gotRaw), topKeys(t, exampleRaw)
	if len(gk) < len(wk) || !reflect.DeepEqual(gk[:len(wk)], wk) {
		t.Errorf("keys %v, want the example's %v first", gk, wk)
	}
	for _, k := range wk {
		if hasString(skip, k) {
			continue
		}
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s = %#v, example has %#v", k, got[k], want[k])
		}
	}
	return got
}

func hasString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// cardStatus is the status label of a card as R3 shows it.
func (e *docEnv) cardStatus(projectID string) string {
	e.t.Helper()
	return jstr(e.t, e.json("GET", "/Api/R3/Project/"+projectID, ""), "StatusId")
}

// TestOrderStateMachine tries every action in every state: the moves the
// documentation lists answer 200 and move the card, every other one is 405
// and changes nothing. GET and POST alternate (both are accepted).
func TestOrderStateMachine(t *testing.T) {
	e := newDocEnv(t, Config{})
	states := []string{"Draft", "InProgress", "Completed", "Paid", "Failed"}
	reach := map[string][]string{
		"Draft": nil, "InProgress": {"Finalize"}, "Completed": {"Finalize", "Complete"},
		"Paid": {"Finalize", "Complete", "Paid"}, "Failed": {"Finalize", "Complete", "Storno"},
	}
	label := map[string]string{"Draft": "Piszkozat", "InProgress": "Folyamatban", "Completed": "Teljesítve",
		"Paid": "Fizetve", "Failed": "Sikertelen"}
	// The HU table; Storno from Completed or Paid ("Teljesítve, vagy
	// Sikeres"), Paid from Completed or Failed.
	allowed := map[[2]string]string{
		{"Draft", "Finalize"}: "InProgress", {"InProgress", "Edit"}: "Draft", {"InProgress", "Complete"}: "Completed",
		{"Completed", "Paid"}: "Paid", {"Failed", "Paid"}: "Paid", {"Completed", "Storno"}: "Failed",
		{"Paid", "Storno"}: "Failed",
	}
	n := 0
	for _, from := range states {
		for _, action := range []string{"Finalize", "Edit", "Complete", "Paid", "Storno"} {
			t.Run(from+"/"+action, func(t *testing.T) {
				e.t = t
				o := e.json("POST", "/Api/Order", `{"CustomerId": 351, "CurrencyCode": "HUF",
					"Items": [{"Name": "Tétel", "PriceNet": 100, "Quantity": 1}]}`)
				id, pid := jstr(t, o, "Id"), jstr(t, o, "ProjectId")
				for _, a := range reach[from] {
					e.json("POST", "/Api/Order/"+id+"/"+a, "")
				}
				if s := e.cardStatus(pid); s != label[from] {
					t.Fatalf("set-up reached %q, want %q", s, label[from])
				}
				method := []string{"GET", "POST"}[n%2]
				n++
				code, body := e.do(method, "/Api/Order/"+id+"/"+action, "")
				to, ok := allowed[[2]string{from, action}]
				switch {
				case ok && code != 200:
					t.Fatalf("%s %s from %s: %d %s, want 200", method, action, from, code, body)
				case ok:
					if s := e.cardStatus(pid); s != label[to] {
						t.Fatalf("%s from %s: card is %q, want %q", action, from, s, label[to])
					}
					var m map[string]any
					if json.Unmarshal([]byte(body), &m) != nil || m["Id"] != id {
						t.Fatalf("%s answered %s, want the order", action, body)
					}
				default:
					want := "Order (" + method + "): A(z) " + action + " művelet nem engedélyezett „" + label[from] + "”"
					if code != 405 || !strings.HasPrefix(body, want) {
						t.Fatalf("%s %s from %s: %d %q, want 405 %q…", method, action, from, code, body, want)
					}
					if s := e.cardStatus(pid); s != label[from] {
						t.Fatalf("a refused %s moved the card to %q", action, s)
					}
				}
			})
		}
	}
	e.t = t
	if len(allowed) != 7 || n != 25 {
		t.Fatalf("ran %d cases over %d allowed moves", n, len(allowed))
	}
}

// TestOrderErrors: refusals of create, edit, item and action requests, with
// their status and plain-text message.
func TestOrderErrors(t *testing.T) {
	e := newDocEnv(t, Config{Dataset: docExampleDataset()})
	item := `"Items": [{"Name": "A", "PriceNet": "10", "Quantity": "1"}]`
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"no customer", "POST", "/Api/Order", `{"CurrencyCode": "HUF", ` + item + `}`, 400,
			"Order (POST): CustomerId vagy ReferenceId megadása kötelező!"},
		{"empty customer", "POST", "/Api/Order", `{"CustomerId": "", "CurrencyCode": "HUF"}`, 400,
			"Order (POST): CustomerId vagy ReferenceId megadása kötelező!"},
		{"unknown customer", "POST", "/Api/Order", `{"CustomerId": 424242, "CurrencyCode": "HUF"}`, 400,
			"Order (POST): A megadott CustomerId (424242) nem létező kapcsolattartó."},
		{"unknown reference", "POST", "/Api/Order", `{"ReferenceId": "WEB-9999", "CurrencyCode": "HUF"}`, 400,
			"Order (POST): Nincs adatlap ezzel a külső azonosítóval (ReferenceId): WEB-9999"},
		{"clashing customer", "POST", "/Api/Order", `{"CustomerId": 225, "ReferenceId": "WEB-1001", "CurrencyCode": "HUF"}`, 400,
			"Order (POST): A CustomerId és a ReferenceId különböző ügyfelet jelöl."},
		{"no currency", "POST", "/Api/Order", `{"CustomerId": 225, ` + item + `}`, 400,
			"Order (POST): Kötelező mező hiányzik: CurrencyCode"},
		{"bad currency", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "Forint"}`, 400,
			"Order (POST): Érvénytelen érték 'Forint' a CurrencyCode mezőhöz."},
		{"unknown field", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Megjegyzes": "x"}`, 400,
			`Order (POST): Ismeretlen mező: "Megjegyzes"`},
		{"unknown item field", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1, "Color": "red"}]}`, 400,
			`Order (POST): Ismeretlen mező: "Items.Color"`},
		{"bad price", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": "12 34", "Quantity": 1}]}`, 400,
			"Order (POST): Érvénytelen érték '12 34' a PriceNet mezőhöz."},
		{"bad quantity", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": 1, "Quantity": "sok"}]}`, 400,
			"Order (POST): Érvénytelen érték 'sok' a Quantity mezőhöz."},
		{"bad VAT", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1, "VAT": "huszonhét"}]}`, 400,
			"Order (POST): Érvénytelen érték 'huszonhét' a VAT mezőhöz."},
		{"VAT over 100", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1, "VAT": "127%"}]}`, 400,
			"a VAT mezőhöz"},
		{"item without name", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"PriceNet": 1, "Quantity": 1}]}`, 400,
			"Order (POST): Kötelező mező hiányzik: Items.Name"},
		{"item without price", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "Quantity": 1}]}`, 400,
			"Order (POST): Kötelező mező hiányzik: Items.PriceNet"},
		{"items not a list", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": {"Name": "A"}}`, 400,
			"Order (POST): Érvénytelen érték '[object]' a Items mezőhöz."},
		{"bad country", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Customer": {"Country": "Atlantisz"}}`, 400,
			"Order (POST): Érvénytelen érték 'Atlantisz' a Customer.Country mezőhöz."},
		{"unknown customer field", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Customer": {"Phone": "1"}}`, 400,
			`Order (POST): Ismeretlen mező: "Customer.Phone"`},
		{"bad date", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Performance": "tegnap"}`, 400,
			"Order (POST): Érvénytelen érték 'tegnap' a Performance mezőhöz."},
		{"status in Project", "POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Project": {"StatusId": 3013}}`, 400,
			"Order (POST): A(z) StatusId mező nem módosítható."},
		{"malformed JSON", "POST", "/Api/Order", `{"CustomerId": 225,`, 400, `Order (POST): Nem megfelelő paraméter: "Data (JSON)"`},
		{"PUT is not a method of Order", "PUT", "/Api/Order", `{}`, 405, "Order (PUT): A metódus nem engedélyezett!"},
		{"GET of the create path", "GET", "/Api/Order", ``, 405, "Order (GET): A metódus nem engedélyezett!"},
		{"unknown order", "GET", "/Api/Order/999999", ``, 404, "Order (GET): Nincs ilyen azonosítójú rekord: 999999"},
		{"an invoice is no order", "GET", "/Api/Order/12", ``, 404, "Order (GET): Nincs ilyen azonosítójú rekord: 12"},
		{"an order is no offer", "GET", "/Api/Offer/44", ``, 404, "Offer (GET): Nincs ilyen azonosítójú rekord: 44"},
		{"unknown query parameter", "GET", "/Api/Order/44?Page=1", ``, 400, `Order (GET): Nem megfelelő paraméter: "Page"`},
		{"edit without customer", "POST", "/Api/Order/44", `{"Subject": "x"}`, 400,
			"Order (POST): CustomerId vagy ReferenceId megadása kötelező!"},
		{"edit with another customer", "POST", "/Api/Order/44", `{"CustomerId": 7505, "Subject": "x"}`, 400,
			"Order (POST): A(z) CustomerId mező nem módosítható."},
		{"edit of the currency", "POST", "/Api/Order/44", `{"CustomerId": 225, "CurrencyCode": "EUR"}`, 400,
			"Order (POST): A(z) CurrencyCode mező nem módosítható."},
		{"edit of an unknown item", "POST", "/Api/Order/44", `{"CustomerId": 225, "Items": [{"Id": 1306, "Quantity": 2}]}`, 400,
			"Order (POST): Nincs 1306 azonosítójú tétel a bizonylaton."},
		{"edit of an unknown order", "POST", "/Api/Order/999999", `{"CustomerId": 225}`, 404, "Order (POST): Nincs ilyen azonosítójú rekord: 999999"},
		{"delete of an unknown item", "GET", "/Api/Order/44/DeleteItem/55", ``, 404, "Order (GET): Nincs ilyen azonosítójú rekord: 55"},
		{"PUT of an action", "PUT", "/Api/Order/44/Finalize", ``, 405, "Order (PUT): A metódus nem engedélyezett!"},
		{"action on an unknown order", "GET", "/Api/Order/999999/Finalize", ``, 404, "Order (GET): Nincs ilyen azonosítójú rekord: 999999"},
		{"unknown card field", "POST", "/Api/Order/44/Project", `{"Szin": "kék"}`, 400, `Order (POST): Ismeretlen mező: "Szin"`},
		{"too long card field", "POST", "/Api/Order/44/Project", `{"SzallitasExtraInfo": "` + strings.Repeat("x", 1025) + `"}`, 400,
			"Order (POST): Túl hosszú érték a Szállítási megjegyzés mezőhöz (legfeljebb 1024 karakter)."},
		{"owner of the card", "POST", "/Api/Order/44/Project", `{"UserId": 53986}`, 400, "Order (POST): A(z) UserId mező nem módosítható."},
		{"status of an order card", "POST", "/Api/Order/44/Project", `{"StatusId": "Fizetve"}`, 400, "Order (POST): A(z) StatusId mező nem módosítható."},
		{"GET of /Project", "GET", "/Api/Order/44/Project", ``, 405, "Order (GET): A metódus nem engedélyezett!"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			e.fails(c.method, c.path, c.body, c.status, c.want)
		})
	}
	e.t = t
	// None of the refusals changed order 44 or made an order.
	code, raw := e.do("GET", "/Api/Order/44", "")
	if code != 200 {
		t.Fatal(code, raw)
	}
	matchExample(t, raw, exOrder44, "Project")
	if n := len(e.srv.st.docs); n != 3 {
		t.Fatalf("%d documents after the refusals, want the 3 seeded", n)
	}
}

// TestOrderReferenceIdAndCustomer: ReferenceId names the customer through a
// SyncFeed card's external id; the Customer object's VAT number and bank
// account overwrite the contact's; its address becomes the default for the
// next document.
func TestOrderReferenceIdAndCustomer(t *testing.T) {
	e := newDocEnv(t, Config{Dataset: docExampleDataset()})
	o := e.json("POST", "/Api/Order", `{"ReferenceId": "WEB-1001", "CurrencyCode": "eur",
		"Customer": {"Country": "Ausztria", "PostalCode": "1010", "City": "Wien", "Address": "Ring 1", "VatNumber": "ATU123", "AccountNumber": ""},
		"Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1}]}`)
	if jstr(t, o, "CustomerId") != "7507" || jstr(t, o, "CurrencyCode") != "EUR" || jstr(t, o, "Customer", "CountryId") != "43" ||
		jstr(t, o, "Customer", "Name") != "Egerszegi Krisztián" {
		t.Fatalf("order by ReferenceId: %v", o)
	}
	c := e.json("GET", "/Api/R3/Contact/7507", "")
	if c["VatNumber"] != "ATU123" || c["BankAccount"] != "" {
		t.Fatalf("contact 7507 VatNumber %v BankAccount %v: want the Customer's VatNumber, an empty AccountNumber ignored", c["VatNumber"], c["BankAccount"])
	}
	// The next document without a Customer object reuses the address.
	o = e.json("POST", "/Api/Order", `{"CustomerId": 7507, "CurrencyCode": "HUF"}`)
	if jstr(t, o, "Customer", "City") != "Wien" || jstr(t, o, "Customer", "VatNumber") != "ATU123" || len(jitems(t, o)) != 0 {
		t.Fatalf("second order: %v", o)
	}
	wantAmounts(t, o, "0", "0", "0")
	// ReferenceId is accepted on edits too, and must be the order's customer.
	e.json("POST", "/Api/Order/"+jstr(t, o, "Id"), `{"ReferenceId": "WEB-1001", "Items": [{"Name": "B", "PriceNet": "2,5", "Quantity": 2}]}`)
	e.fails("POST", "/Api/Order/44", `{"ReferenceId": "WEB-1001"}`, 400, "A(z) CustomerId mező nem módosítható.")
}

// TestDocumentNumberFormats: prices, quantities and VAT as JSON numbers or
// strings, in the API's and in Hungarian formats.
func TestDocumentNumberFormats(t *testing.T) {
	e := newDocEnv(t, Config{})
	for _, c := range []struct {
		price, qty, vat                  string // JSON values as written
		wantPrice, wantQty, wantVAT      string
		wantNetTotal, wantTotal, wantNet string
	}{
		{`"500.00"`, `"15.00"`, `"27"`, "500.00", "15.00", "27%", "7500.00", "9525.00", "7500"},
		{`"1 000,00"`, `"2"`, `"27%"`, "1000.00", "2.00", "27%", "2000.00", "2540.00", "2000"},
		{`"12,5"`, `"2"`, `"27"`, "12.50", "2.00", "27%", "25.00", "31.75", "25"},
		{`"1.250.000"`, `"1"`, `27`, "1250000.00", "1.00", "27%", "1250000.00", "1587500.00", "1250000"},
		{`"1 250 000,5"`, `"1,5"`, `"5%"`, "1250000.50", "1.50", "5%", "1875000.75", "1968750.79", "1875000.75"},
		{`"1,250.50"`, `1`, `"5"`, "1250.50", "1.00", "5%", "1250.50", "1313.03", "1250.5"},
		{`"1.250,50"`, `"1"`, `18`, "1250.50", "1.00", "18%", "1250.50", "1475.59", "1250.5"},
		{`1500`, `2`, `"18 %"`, "1500.00", "2.00", "18%", "3000.00", "3540.00", "3000"},
		{`99.99`, `3`, `"0%"`, "99.99", "3.00", "0%", "299.97", "299.97", "299.97"},
		{`"100"`, `"3"`, `"AAM"`, "100.00", "3.00", "AAM", "300.00", "300.00", "300"},
		{`"100"`, `"1"`, `"tam"`, "100.00", "1.00", "TAM", "100.00", "100.00", "100"},
		{`"-100"`, `"1"`, `"27"`, "-100.00", "1.00", "27%", "-100.00", "-127.00", "-100"},
		{`"0,335"`, `"1"`, `""`, "0.34", "1.00", "27%", "0.34", "0.43", "0.34"},
	} {
		t.Run(c.price+"×"+c.qty+"@"+c.vat, func(t *testing.T) {
			e.t = t
			o := e.json("POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "T",
				"PriceNet": `+c.price+`, "Quantity": `+c.qty+`, "VAT": `+c.vat+`}]}`)
			it := jitems(t, o)[0]
			got := [5]string{jstr(t, it, "PriceNet"), jstr(t, it, "Quantity"), jstr(t, it, "VAT"), jstr(t, it, "PriceNetTotal"), jstr(t, it, "PriceTotal")}
			if want := [5]string{c.wantPrice, c.wantQty, c.wantVAT, c.wantNetTotal, c.wantTotal}; got != want {
				t.Errorf("PriceNet, Quantity, VAT, PriceNetTotal, PriceTotal = %v, want %v", got, want)
			}
			if jstr(t, o, "AmountNet") != c.wantNet {
				t.Errorf("AmountNet = %q, want %q", jstr(t, o, "AmountNet"), c.wantNet)
			}
		})
	}
	e.t = t
	for _, bad := range []string{"", "abc", "1.2.3", "1,2,3", "1 00", "12,", ".5", "1e5", "1.250,000.5", "--1", "1 000 0"} {
		if r, ok := parseHUNumber(bad); ok {
			t.Errorf("parseHUNumber(%q) = %v, want a refusal", bad, r)
		}
	}
	for in, want := range map[string]string{"1 000,00": "1000", "12,5": "12.5", "1.250.000": "1250000",
		"1,250": "1.25", "1.250": "1.25", "-3,5": "-3.5", "+7": "7", "1\u00a0000": "1000", "1 000.000,25": "1000000.25"} {
		r, ok := parseHUNumber(in)
		if w, _ := new(big.Rat).SetString(want); !ok || r.Cmp(w) != 0 {
			t.Errorf("parseHUNumber(%q) = %v, %v; want %s", in, r, ok, want)
		}
	}
}

// TestInvoiceProformaAndPerson: a pro forma (díjbekérő) paid generates a
// paid invoice, which is the answer; cancelled, it is the answer itself.
// An invoice to a company's person is made out to the company unless
// ForcesInvoiceOnPerson is "1".
func TestInvoiceProformaAndPerson(t *testing.T) {
	e := newDocEnv(t, Config{})
	line := `"Items": [{"Name": "Előleg", "PriceNet": "10 000", "Quantity": 1, "VAT": "27%"}]`

	company := e.json("POST", "/Api/Invoice", `{"CustomerId": 351, `+line+`}`)
	person := e.json("POST", "/Api/Invoice", `{"CustomerId": 351, "ForcesInvoiceOnPerson": "1", `+line+`}`)
	if jstr(t, company, "Customer", "Name") != "Gigabit Távközlési Kft." || jstr(t, company, "Customer", "VatNumber") != "17823443-1-26" {
		t.Errorf("invoice to a company's person: Customer %v, want the company", company["Customer"])
	}
	if jstr(t, person, "Customer", "Name") != "Szabó Éva" || jstr(t, person, "Customer", "VatNumber") != "" {
		t.Errorf("ForcesInvoiceOnPerson: Customer %v, want the person", person["Customer"])
	}
	if jstr(t, company, "Number") != "2025-E/00001" || jstr(t, person, "Number") != "2025-E/00002" || jstr(t, company, "Issued") != docToday {
		t.Errorf("numbers %q, %q", jstr(t, company, "Number"), jstr(t, person, "Number"))
	}

	pf := e.json("POST", "/Api/Invoice", `{"CustomerId": 225, "Type": "Proforma", "CurrencyCode": "EUR", `+line+`}`)
	if jstr(t, pf, "Type") != "Proforma" || jstr(t, pf, "Number") != "D2025-E/00001" {
		t.Fatalf("pro forma: %v", pf)
	}
	inv := e.json("POST", "/Api/Invoice/"+jstr(t, pf, "Id")+"/Paid", `{"Customer": {"Name": "Gigabit Zrt.", "VatNumber": "17823443-2-26"}}`)
	if jstr(t, inv, "Id") == jstr(t, pf, "Id") || jstr(t, inv, "Type") != "Invoice" || jstr(t, inv, "Paid") != docToday ||
		jstr(t, inv, "Number") != "2025-E-EUR/00001" || jstr(t, inv, "Customer", "Name") != "Gigabit Zrt." ||
		jstr(t, inv, "CurrencyCode") != "EUR" || jstr(t, inv, "Project", "StatusId") != "3031" || jstr(t, inv, "ProjectId") == jstr(t, pf, "ProjectId") {
		t.Fatalf("paying a pro forma answered %v, want a new paid invoice", inv)
	}
	wantAmounts(t, inv, "10000.00", "2700.00", "12700.00")
	pf = e.json("GET", "/Api/Invoice/"+jstr(t, pf, "Id"), "")
	if jstr(t, pf, "Paid") != docToday || jstr(t, pf, "Customer", "Name") != "Gigabit Távközlési Kft." {
		t.Errorf("the paid pro forma: %v", pf)
	}
	if c := e.json("GET", "/Api/R3/Contact/225", ""); c["VatNumber"] != "17823443-2-26" {
		t.Errorf("contact 225 VatNumber %v, want the Paid Customer object's", c["VatNumber"])
	}

	pf2 := e.json("POST", "/Api/Invoice", `{"CustomerId": 225, "Type": "Proforma", `+line+`}`)
	before := len(e.srv.st.docs)
	got := e.json("POST", "/Api/Invoice/"+jstr(t, pf2, "Id")+"/Storno", "")
	if jstr(t, got, "Id") != jstr(t, pf2, "Id") || jstr(t, got, "Project", "StatusId") != "3032" || len(e.srv.st.docs) != before {
		t.Errorf("cancelling a pro forma answered %v (documents %d → %d), want the pro forma itself", got, before, len(e.srv.st.docs))
	}

	for _, c := range []struct{ body, want string }{
		{`{"CustomerId": 225}`, "Invoice (POST): Kötelező mező hiányzik: Items"},
		{`{"CustomerId": 225, "Type": "Szamla", ` + line + `}`, "Invoice (POST): Érvénytelen érték 'Szamla' a Type mezőhöz."},
		{`{"CustomerId": 225, "Media": "Fax", ` + line + `}`, "Invoice (POST): Érvénytelen érték 'Fax' a Media mezőhöz."},
		{`{"CustomerId": 225, "VATMode": "Zero", ` + line + `}`, "Invoice (POST): Érvénytelen érték 'Zero' a VATMode mezőhöz."},
		{`{"CustomerId": 225, "ForcesInvoiceOnPerson": "talán", ` + line + `}`, "a ForcesInvoiceOnPerson mezőhöz"},
		{`{"CustomerId": 225, "Issued": "2025-02-30", ` + line + `}`, "Invoice (POST): Érvénytelen érték '2025-02-30' a Issued mezőhöz."},
		{`{"CustomerId": 225, "Customer": {"VatNumber": "` + strings.Repeat("1", 65) + `"}, ` + line + `}`, "Túl hosszú érték"},
	} {
		e.fails("POST", "/Api/Invoice", c.body, 400, c.want)
	}
	e.fails("POST", "/Api/Invoice/"+jstr(t, inv, "Id")+"/Paid", `{"PaymentDate": "2025-03-01"}`, 400, `Invoice (POST): Ismeretlen mező: "PaymentDate"`)

	// Reverse charge and exempt invoices carry no VAT.
	rc := e.json("POST", "/Api/Invoice", `{"CustomerId": 225, "VATMode": "ReverseCharge", `+line+`}`)
	wantAmounts(t, rc, "10000.00", "0.00", "10000.00")
	if jstr(t, rc, "IsReverseCharge") != "1" {
		t.Errorf("IsReverseCharge = %q", jstr(t, rc, "IsReverseCharge"))
	}
}

// TestInvoiceUnthrottled: /Api/Invoice is outside the rate limit (MAN25),
// the other document endpoints are not.
func TestInvoiceUnthrottled(t *testing.T) {
	e := newDocEnv(t, Config{RPM: 2})
	for i := 0; i < 5; i++ {
		if code, body := e.do("GET", "/Api/Invoice/12", ""); code != 200 {
			t.Fatalf("invoice request %d: %d %s", i+1, code, body)
		}
	}
	e.json("POST", "/Api/Invoice/12/Project", `{"SzamlaMegjegyzes": "nincs korlát"}`)
	for i, want := range []int{200, 200, 429} {
		if code, _ := e.do("GET", "/Api/Order/44", ""); code != want {
			t.Fatalf("order request %d: %d, want %d", i+1, code, want)
		}
	}
	if code, _ := e.do("GET", "/Api/Offer/932", ""); code != 429 {
		t.Fatalf("offer request: %d, want 429", code)
	}
	if st := e.srv.Stats(); st.RateLimited != 2 {
		t.Fatalf("RateLimited = %d, want 2", st.RateLimited)
	}
}

// TestDocumentEnglishSystem: an English system answers in English.
func TestDocumentEnglishSystem(t *testing.T) {
	ds := DefaultDataset()
	ds.Language = "en"
	e := newDocEnv(t, Config{Dataset: ds})
	e.fails("POST", "/Api/Order", `{"CurrencyCode": "HUF"}`, 400, "Order (POST): CustomerId or ReferenceId is required!")
	e.json("GET", "/Api/Order/44/Finalize", "")
	e.fails("GET", "/Api/Order/44/Finalize", "", 405, "Order (GET): The Finalize action is not allowed on an order in the “Folyamatban” status.")
	sto := e.json("POST", "/Api/Invoice/12/Storno", "")
	if jstr(t, sto, "Subject") != "Invoice no. 2025-E/00001 Storno invoice of the invoice no. 2013-E/00014" ||
		!strings.HasPrefix(jstr(t, sto, "DocumentFileName"), "storno_invoice-") {
		t.Errorf("storno: Subject %q file %q", jstr(t, sto, "Subject"), jstr(t, sto, "DocumentFileName"))
	}
}

// TestDocumentPersistence: documents, their items and cards survive a state
// file round trip, and ids continue after it.
func TestDocumentPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{StatePath: path}
	e := newDocEnv(t, cfg)
	o := e.json("POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Subject": "Mentés",
		"Items": [{"Name": "A", "PriceNet": "1 234,5", "Quantity": "0,5", "VAT": "AAM", "SKU": "A-1"}]}`)
	e.json("POST", "/Api/Order/"+jstr(t, o, "Id"), `{"CustomerId": 225, "Items": [{"Name": "B", "PriceNet": 10, "Quantity": 3}]}`)
	e.json("POST", "/Api/Order/"+jstr(t, o, "Id")+"/Project", `{"SzallitasExtraInfo": "kapu"}`)
	e.json("POST", "/Api/Order/"+jstr(t, o, "Id")+"/Finalize", "")
	inv := e.json("POST", "/Api/Invoice", `{"CustomerId": 225, "Type": "Proforma", "Items": [{"Name": "A", "PriceNet": 5, "Quantity": 1}]}`)
	paid := e.json("POST", "/Api/Invoice/"+jstr(t, inv, "Id")+"/Paid", "")
	of := e.json("POST", "/Api/Offer", `{"CustomerId": 225, "VATMode": "VATExempt", "Items": [{"Name": "A", "PriceNet": "99,9999", "Quantity": 1}]}`)
	paths := []string{"/Api/Order/44", "/Api/Order/" + jstr(t, o, "Id"), "/Api/Invoice/12", "/Api/Invoice/" + jstr(t, inv, "Id"),
		"/Api/Invoice/" + jstr(t, paid, "Id"), "/Api/Offer/932", "/Api/Offer/" + jstr(t, of, "Id"),
		"/Api/R3/Project/" + jstr(t, o, "ProjectId"), "/Api/R3/ProjectHistory/" + jstr(t, o, "ProjectId")}
	before := map[string]string{}
	for _, p := range paths {
		_, before[p] = e.do("GET", p, "")
	}
	if err := e.srv.Save(); err != nil {
		t.Fatal(err)
	}

	r := newDocEnv(t, cfg)
	for _, p := range paths {
		code, after := r.do("GET", p, "")
		// The hosts of the two test servers differ in DocumentUrl.
		after = strings.ReplaceAll(after, r.url, e.url)
		if code != 200 || after != before[p] {
			t.Errorf("GET %s after a restart: %d\n%s\nbefore:\n%s", p, code, after, before[p])
		}
	}
	// The restored order is still in progress and editable by actions.
	r.json("GET", "/Api/Order/"+jstr(t, o, "Id")+"/Edit", "")
	next := r.json("POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF"}`)
	nextID, _ := strconv.Atoi(jstr(t, next, "Id"))
	for _, m := range []map[string]any{o, inv, paid, of} {
		if id, _ := strconv.Atoi(jstr(t, m, "ProjectId")); id >= nextID {
			t.Errorf("new document %d after a restart does not continue the id sequence (card %d)", nextID, id)
		}
	}
	if jstr(t, of, "Items", 0, "PriceNet") != "99.9999" || jstr(t, of, "Items", 0, "PriceTotal") != "100" {
		t.Errorf("offer item %v", of["Items"])
	}
}

// TestDocumentSeeds: documents in a data file (YAML here), with item ids,
// a start status and a linked card, and the mistakes a data file can make.
func TestDocumentSeeds(t *testing.T) {
	base := `language: hu
users: [{id: 1, name: Admin}]
categories:
  - {id: 7, name: Megrendelés, type: Order, statuses: [{id: 70, name: Előkészítés, group: Lead}, {id: 71, name: Folyamatban, group: Open}, {id: 72, name: Teljesítve, group: Open}, {id: 73, name: Sikeres, group: Success}, {id: 74, name: Sikertelen, group: Failed}]}
  - {id: 9, name: Számlák, type: Invoice, statuses: [{id: 90, name: Kiállítva, group: Open}, {id: 91, name: Fizetve, group: Success}, {id: 92, name: Sztornó, group: Failed}]}
contacts: [{id: 100, type: Business, fields: {Name: Minta Kft., VatNumber: 11111111-2-42}}]
projects: [{id: 200, category_id: 7, contact_id: 100, status_id: 70, user_id: 1, name: Minta rendelés}]
`
	ds, err := ParseDataset([]byte(base+`documents:
  - {Kind: Order, Id: 500, CustomerId: 100, CurrencyCode: HUF, Status: Completed, Items: [{Id: 501, Name: Csavar, PriceNet: "1 000,50", Quantity: 2, VAT: 27}]}
  - {Kind: Order, Id: 510, ProjectId: 200, CustomerId: "100", CurrencyCode: HUF}
  - {Kind: Invoice, CustomerId: 100, Paid: 2024-05-01, Items: [{Name: Szolgáltatás, PriceNet: 10, Quantity: 1}]}
`), ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := newDocEnv(t, Config{Dataset: ds})
	o := e.json("GET", "/Api/Order/500", "")
	wantAmounts(t, o, "2001", "540.27", "2541.27")
	if jstr(t, o, "Items", 0, "Id") != "501" || jstr(t, o, "Customer", "VatNumber") != "11111111-2-42" {
		t.Errorf("seeded order 500: %v", o)
	}
	if s := e.cardStatus(jstr(t, o, "ProjectId")); s != "Teljesítve" {
		t.Errorf("order 500's card is %q, want Teljesítve", s)
	}
	if o := e.json("GET", "/Api/Order/510", ""); jstr(t, o, "ProjectId") != "200" {
		t.Errorf("order 510 is on card %s, want 200", jstr(t, o, "ProjectId"))
	}
	e.json("GET", "/Api/Order/500/Paid", "")
	e.fails("GET", "/Api/Order/510/Complete", "", 405, "Order (GET): A(z) Complete művelet nem engedélyezett „Előkészítés” státuszú")
	var invID string
	for id, d := range e.srv.st.docs {
		if d.Kind == docInvoice {
			invID = strconv.Itoa(id)
		}
	}
	if inv := e.json("GET", "/Api/Invoice/"+invID, ""); jstr(t, inv, "Paid") != "2024-05-01" || jstr(t, inv, "Number") != docToday[:4]+"-E/00001" {
		t.Errorf("seeded paid invoice: Paid %q Number %q", jstr(t, inv, "Paid"), jstr(t, inv, "Number"))
	}

	for _, c := range []struct{ doc, want string }{
		{`{Kind: Order, Id: 100, CustomerId: 100, CurrencyCode: HUF}`, "document 100: id 100 is already used by contact 100"},
		{`{Kind: Order, Id: 600, CustomerId: 100, CurrencyCode: HUF, Items: [{Id: 200, Name: A, PriceNet: 1, Quantity: 1}]}`, "id 200 is already used by project 200"},
		{`{Kind: Receipt, Id: 600, CustomerId: 100}`, `Kind "Receipt": want Order, Invoice or Offer`},
		{`{Kind: Order, Id: 600, CustomerId: 999, CurrencyCode: HUF}`, "document 600: A megadott CustomerId (999) nem létező kapcsolattartó."},
		{`{Kind: Invoice, Id: 600, ProjectId: 200, CustomerId: 100, Items: [{Name: A, PriceNet: 1, Quantity: 1}]}`, "ProjectId 200 is not a card of the Invoice module"},
		{`{Kind: Order, Id: 600, ProjectId: 200, CustomerId: 100, CurrencyCode: HUF, Status: Paid}`, "Status cannot be given with ProjectId"},
		{`{Kind: Order, Id: 600, CustomerId: 100, CurrencyCode: HUF, Status: Shipped}`, `Status "Shipped": not a state of an Order`},
		{`{Kind: Offer, Id: 600, CustomerId: 100, Items: [{Name: A, PriceNet: 1, Quantity: 1}]}`, "document 600: Nincs Offer típusú modul a rendszerben."},
	} {
		ds, err := ParseDataset([]byte(base+"documents:\n  - "+c.doc+"\n"), ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(Config{SystemID: 1, APIKey: docTestKey, Dataset: ds})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.doc, err, c.want)
		}
	}
}

// TestDefaultDatasetDocuments: the built-in system's documents are the
// examples', their cards are where the documentation puts them, and the
// data set round-trips through JSON (--data files, state files).
func TestDefaultDatasetDocuments(t *testing.T) {
	ds := DefaultDataset()
	if len(ds.Documents) != 3 {
		t.Fatalf("DefaultDataset has %d documents", len(ds.Documents))
	}
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseDataset(b, ".json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := newStore(parsed, docNow)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		kind string
		cat  int
	}{44: {docOrder, 7}, 12: {docInvoice, 9}, 932: {docOffer, 11}}
	for id, w := range want {
		d, ok := st.docs[id]
		if !ok || d.Kind != w.kind || st.projects[d.ProjectId].CategoryId != w.cat {
			t.Errorf("document %d: %+v", id, d)
		}
	}
	if st.docs[44].ProjectId != 206 || st.docs[44].Items[0].Id != 54 || st.docs[932].Items[0].Id != 1306 {
		t.Errorf("order 44 on card %d, item %d; offer item %d", st.docs[44].ProjectId, st.docs[44].Items[0].Id, st.docs[932].Items[0].Id)
	}
	// Seeding wrote nothing to the contacts.
	if v := st.contacts[351].Values["VatNumber"]; v != nil {
		t.Errorf("contact 351 VatNumber = %v after seeding", v)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(st.snapshot()); err != nil {
		t.Fatal(err)
	}
}
