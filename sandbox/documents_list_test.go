package sandbox

// Tests of the document lists (GET /Api/Order/List and its kin): filters,
// paging, the rate limit and persistence.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// docList fetches a document list that must answer 200 and returns Count,
// the item ids in the answer's order and the items by id. Results must be
// an id-keyed object, or [] when empty.
func (e *docEnv) docList(path string) (int, []string, map[string]map[string]any) {
	e.t.Helper()
	code, body := e.do("GET", path, "")
	if code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	var env struct {
		Count   int             `json:"Count"`
		Results json.RawMessage `json:"Results"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	items := map[string]map[string]any{}
	var ids []string
	raw := bytes.TrimSpace(env.Results)
	if string(raw) == "[]" {
		return env.Count, nil, items
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		e.t.Fatalf("GET %s: Results is not an object: %s", path, raw)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			e.t.Fatal(err)
		}
		var item map[string]any
		if err := dec.Decode(&item); err != nil {
			e.t.Fatal(err)
		}
		key := tok.(string)
		if item["Id"] != key {
			e.t.Fatalf("GET %s: item keyed %q has Id %v", path, key, item["Id"])
		}
		ids = append(ids, key)
		items[key] = item
	}
	return env.Count, ids, items
}

// docClock is a test clock the test moves forward between requests.
type docClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *docClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *docClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// TestDocumentLists: GET /Api/Order/List, /Api/Invoice/List, /Api/Offer/List
// (MAN25): the item shape, issued documents only, most recently modified
// first, UpdatedSince, StatusGroup, paging and the refusals.
func TestDocumentLists(t *testing.T) {
	clock := &docClock{now: docNow}
	e := newDocEnv(t, Config{Now: clock.Now})
	at := func(h int) { clock.set(docNow.Add(time.Duration(h) * time.Hour)) }
	a := orderListChecks(t, e, at)
	iid := invoiceListChecks(t, e, at)
	offerListChecks(t, e, at, a, iid)

	// Empty: [] (PHP's empty array).
	if code, body := e.do("GET", "/Api/Offer/List?UpdatedSince=2030-01-01", ""); code != 200 || body != `{"Count":0,"Results":[]}` {
		t.Errorf("empty list: %d %s", code, body)
	}

	// Refusals, in plain text.
	e.fails("GET", "/Api/Order/List?Foo=1", "", 400, `Order (GET): Nem megfelelő paraméter: "Foo"`)
	e.fails("GET", "/Api/Invoice/List?StatusGroup=Closed", "", 400, `Invoice (GET): Nem megfelelő paraméter érték: StatusGroup="Closed"`)
	e.fails("GET", "/Api/Offer/List?UpdatedSince=tegnap", "", 400, `UpdatedSince="tegnap"`)
	e.fails("GET", "/Api/Order/List?Page=-1", "", 400, `Page="-1"`)
	e.fails("GET", "/Api/Order/List?Page=x", "", 400, `Page="x"`)
	e.fails("POST", "/Api/Order/List", "{}", 405, "")
}

// orderListChecks: the order list's items, order, UpdatedSince and
// StatusGroup, through hours 1 to 5 of at. It gives the first order's id.
func orderListChecks(t *testing.T, e *docEnv, at func(int)) string {
	order := `{"CustomerId": 351, "CurrencyCode": "HUF", "Items": [{"Name": "Tétel", "PriceNet": 100, "Quantity": 10, "VAT": "27"}]}`

	at(1)
	a := jstr(t, e.json("POST", "/Api/Order", order), "Id")
	// A draft order is not issued: not listed.
	if _, ids, _ := e.docList("/Api/Order/List"); slices.Contains(ids, a) {
		t.Fatalf("draft order %s listed: %v", a, ids)
	}
	at(2)
	e.json("POST", "/Api/Order/"+a+"/Finalize", "")
	at(3)
	b := jstr(t, e.json("POST", "/Api/Order", order), "Id")
	e.json("POST", "/Api/Order/"+b+"/Finalize", "")
	n, ids, items := e.docList("/Api/Order/List")
	if n != len(ids) || len(ids) < 2 || ids[0] != b || ids[1] != a {
		t.Fatalf("order list: Count %d, ids %v; want %s then %s first", n, ids, b, a)
	}
	wantKeys := []string{"Id", "ProjectId", "StornedId", "Number", "Type", "Issued", "Performance", "Prompt", "Paid",
		"CurrencyCode", "AmountNet", "AmountVat", "Amount", "Status", "StatusGroup", "DocumentUrl"}
	_, body := e.do("GET", "/Api/Order/List?UpdatedSince=2025-03-14+13:00", "")
	var env struct{ Results map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	if got := topKeys(t, string(env.Results[b])); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("item keys %v, want %v", got, wantKeys)
	}
	it := items[a]
	wantAmounts(t, it, "1000.0000", "270.0000", "1270.0000")
	if it["Status"] != "Folyamatban" || it["StatusGroup"] != "Open" || it["CurrencyCode"] != "HUF" || it["StornedId"] != "" ||
		it["DocumentUrl"] != "" {
		t.Errorf("order item %v", it)
	}
	detail := e.json("GET", "/Api/Order/"+a, "")
	if it["ProjectId"] != detail["ProjectId"] || it["Number"] != detail["Number"] {
		t.Errorf("order item %v does not match the detail %v", it, detail)
	}

	// A change to the card is a change to the order: it moves to the top.
	at(4)
	e.json("POST", "/Api/Order/"+a+"/Project", `{"SzallitasExtraInfo": "kapu"}`)
	if _, ids, _ := e.docList("/Api/Order/List"); ids[0] != a || ids[1] != b {
		t.Fatalf("after editing %s's card: %v", a, ids)
	}

	// UpdatedSince: minutes, seconds or a date; at or after.
	for q, want := range map[string][]string{
		"2025-03-14+13:00":    {a, b},
		"2025-03-14 14:00":    {a},
		"2025-03-14+14:00:01": nil,
		"2025-03-15":          nil,
	} {
		n, ids, _ := e.docList("/Api/Order/List?UpdatedSince=" + strings.ReplaceAll(q, " ", "%20"))
		if n != len(want) || !reflect.DeepEqual(ids, want) {
			t.Errorf("UpdatedSince=%s: Count %d, %v, want %v", q, n, ids, want)
		}
	}
	if n, ids, _ := e.docList("/Api/Order/List?UpdatedSince=2025-03-14"); n < 2 || !slices.Contains(ids, a) {
		t.Errorf("UpdatedSince=2025-03-14: %d %v", n, ids)
	}

	// StatusGroup is the card status's group.
	at(5)
	e.json("POST", "/Api/Order/"+b+"/Complete", "")
	e.json("POST", "/Api/Order/"+b+"/Paid", "")
	since := "&UpdatedSince=2025-03-14+11:00"
	if _, ids, _ := e.docList("/Api/Order/List?StatusGroup=Open" + since); !reflect.DeepEqual(ids, []string{a}) {
		t.Errorf("StatusGroup=Open: %v", ids)
	}
	_, ids, items = e.docList("/Api/Order/List?StatusGroup=Success" + since)
	if !reflect.DeepEqual(ids, []string{b}) || items[b]["Status"] != "Fizetve" || items[b]["StatusGroup"] != "Success" {
		t.Errorf("StatusGroup=Success: %v %v", ids, items)
	}
	if n, ids, _ := e.docList("/Api/Order/List?StatusGroup=Lead"); n != 0 || ids != nil {
		t.Errorf("StatusGroup=Lead lists drafts: %d %v", n, ids)
	}
	return a
}

// invoiceListChecks: the invoice list through an invoice's life, hours 6
// to 8. It gives the invoice's id.
func invoiceListChecks(t *testing.T, e *docEnv, at func(int)) string {
	// Invoices: issued on creation; paid, then cancelled with a storno.
	at(6)
	inv := e.json("POST", "/Api/Invoice", `{"CustomerId": 351, "Items": [{"Name": "A", "PriceNet": 1000, "Quantity": 2, "VAT": "27"}]}`)
	iid := jstr(t, inv, "Id")
	_, ids, items := e.docList("/Api/Invoice/List?UpdatedSince=2025-03-14+16:00")
	if !reflect.DeepEqual(ids, []string{iid}) {
		t.Fatalf("invoice list: %v", ids)
	}
	it := items[iid]
	wantAmounts(t, it, "2000.0000", "540.0000", "2540.0000")
	for _, k := range []string{"Number", "Type", "Issued", "Performance", "Prompt", "CurrencyCode", "DocumentUrl"} {
		if it[k] != inv[k] {
			t.Errorf("invoice item %s = %v, detail has %v", k, it[k], inv[k])
		}
	}
	if it["Paid"] != "0000-00-00" || it["StatusGroup"] != "Open" {
		t.Errorf("unpaid invoice item %v", it)
	}
	at(7)
	e.json("POST", "/Api/Invoice/"+iid+"/Paid", "")
	at(8)
	sto := jstr(t, e.json("POST", "/Api/Invoice/"+iid+"/Storno", ""), "Id")
	_, ids, items = e.docList("/Api/Invoice/List?UpdatedSince=2025-03-14+16:00")
	if len(ids) != 2 || !slices.Contains(ids, sto) || !slices.Contains(ids, iid) || items[sto]["StornedId"] != iid ||
		items[iid]["StatusGroup"] != "Failed" || items[iid]["Paid"] != docToday {
		t.Errorf("after Paid and Storno: %v %v", ids, items)
	}
	if _, ids, _ := e.docList("/Api/Invoice/List?StatusGroup=Failed&UpdatedSince=2025-03-14+16:00"); !slices.Contains(ids, iid) {
		t.Errorf("StatusGroup=Failed: %v", ids)
	}
	return iid
}

// offerListChecks: the offer list at hour 9, and that order a and invoice
// iid are not in it.
func offerListChecks(t *testing.T, e *docEnv, at func(int), a, iid string) {
	// Offers.
	at(9)
	of := e.json("POST", "/Api/Offer", `{"CustomerId": 225, "Items": [{"Name": "A", "PriceNet": 23, "Quantity": 1, "VAT": "27"}]}`)
	oid := jstr(t, of, "Id")
	n, ids, items := e.docList("/Api/Offer/List")
	if ids[0] != oid || !slices.Contains(ids, "932") || n != len(ids) {
		t.Fatalf("offer list: %d %v", n, ids)
	}
	if it := items[oid]; it["Type"] != "Offer" || it["DocumentUrl"] != of["DocumentUrl"] || it["Amount"] != "29.2100" ||
		it["ProjectId"] != of["ProjectId"] {
		t.Errorf("offer item %v", it)
	}
	// The kinds do not mix.
	if _, ids, _ := e.docList("/Api/Offer/List"); slices.Contains(ids, a) || slices.Contains(ids, iid) {
		t.Errorf("offer list holds other kinds: %v", ids)
	}
}

// TestDocumentListPaging: 100 a page from Page 0, Count the total, and a
// page past the end empty.
func TestDocumentListPaging(t *testing.T) {
	clock := &docClock{now: docNow}
	e := newDocEnv(t, Config{Now: clock.Now})
	var made []string
	for i := 0; i < 105; i++ {
		clock.set(docNow.Add(time.Duration(i+1) * time.Minute))
		made = append(made, jstr(t, e.json("POST", "/Api/Invoice", `{"CustomerId": 351, "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1}]}`), "Id"))
	}
	slices.Reverse(made)
	q := "/Api/Invoice/List?UpdatedSince=2025-03-14+10:01"
	n0, p0, _ := e.docList(q)
	n1, p1, _ := e.docList(q + "&Page=1")
	n2, p2, _ := e.docList(q + "&Page=2")
	if n0 != 105 || n1 != 105 || n2 != 105 || len(p0) != 100 || len(p1) != 5 || p2 != nil {
		t.Fatalf("pages: Count %d/%d/%d, sizes %d/%d/%d", n0, n1, n2, len(p0), len(p1), len(p2))
	}
	if got := append(p0, p1...); !reflect.DeepEqual(got, made) {
		t.Errorf("pages are not newest first:\n%v\nwant\n%v", got, made)
	}
}

// TestDocumentListThrottle: the invoice list is outside the rate limit, the
// order and offer lists are not.
func TestDocumentListThrottle(t *testing.T) {
	e := newDocEnv(t, Config{RPM: 1})
	for i := 0; i < 3; i++ {
		if code, body := e.do("GET", "/Api/Invoice/List", ""); code != 200 {
			t.Fatalf("invoice list %d: %d %s", i+1, code, body)
		}
	}
	e.do("GET", "/Api/Order/List", "")
	if code, _ := e.do("GET", "/Api/Offer/List", ""); code != 429 {
		t.Fatalf("offer list over the limit: %d, want 429", code)
	}
}

// TestDocumentListPersistence: the lists read the same after a restart, and
// a state file written before documents had UpdatedAt still loads and lists
// (the document's CreatedAt and its card's stamp stand in).
func TestDocumentListPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clock := &docClock{now: docNow.Add(time.Hour)}
	cfg := Config{StatePath: path, Now: clock.Now}
	e := newDocEnv(t, cfg)
	o := jstr(t, e.json("POST", "/Api/Order", `{"CustomerId": 225, "CurrencyCode": "HUF", "Items": [{"Name": "A", "PriceNet": 5, "Quantity": 1}]}`), "Id")
	clock.set(docNow.Add(2 * time.Hour))
	e.json("POST", "/Api/Order/"+o+"/Finalize", "")
	_, before := e.do("GET", "/Api/Order/List", "")
	if err := e.srv.Save(); err != nil {
		t.Fatal(err)
	}
	r := newDocEnv(t, cfg)
	if _, after := r.do("GET", "/Api/Order/List", ""); after != before {
		t.Errorf("order list after a restart:\n%s\nbefore:\n%s", after, before)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	docs, ok := state["documents"].([]any)
	if !ok || len(docs) == 0 {
		t.Fatalf("no documents in the state file: %.200s", raw)
	}
	for _, d := range docs {
		delete(d.(map[string]any), "UpdatedAt")
	}
	if raw, err = json.Marshal(state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	old := newDocEnv(t, cfg)
	// Finalize moved the card at 12:00; the card's stamp dates the order.
	if n, ids, _ := old.docList("/Api/Order/List?UpdatedSince=2025-03-14+12:00"); n != 1 || ids[0] != o {
		t.Errorf("old state file: %d %v", n, ids)
	}
}
