package export_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// rat parses a decimal ("12700", "31.75", "-2540.0000") exactly.
func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return r
}

// near reports whether two amounts agree to the cent's hundredth (the
// XLSX cells are doubles).
func near(a, b *big.Rat) bool {
	d := new(big.Rat).Sub(a, b)
	return d.Abs(d).Cmp(big.NewRat(1, 10000)) <= 0
}

// rawRows reads a sheet's rows with raw cell values (numbers as written).
func rawRows(t *testing.T, path, name string) (header []string, rows []map[string]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", name, err)
	}
	for _, r := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		rows = append(rows, m)
	}
	return all[0], rows
}

// createInvoices issues n invoices through POST /Api/Invoice for the
// dataset's persons and companies: HUF and EUR, 27%, 18%, 5% and exempt
// lines, Hungarian and plain prices, fractional quantities; every third is
// paid, the fifth cancelled (a storno invoice follows it).
func createInvoices(t *testing.T, c *restapi.Client, n int, customers []int) {
	t.Helper()
	ctx := context.Background()
	vats := []string{"27%", "18%", "5%", "AAM"}
	for i := range n {
		cur := []string{"HUF", "EUR", "HUF"}[i%3]
		var items []any
		for j := range 1 + i%3 {
			price := fmt.Sprintf("%d", 1000+137*i+j)
			if j == 1 {
				price = fmt.Sprintf("%d %03d,50", 1+i, 250) // Hungarian
			}
			items = append(items, map[string]any{"Name": fmt.Sprintf("Tétel %d/%d", i+1, j+1), "SKU": fmt.Sprintf("SKU-%d", j),
				"PriceNet": price, "Quantity": []string{"1", "2.5", "3"}[j], "Unit": "db", "VAT": vats[(i+j)%len(vats)]})
		}
		d, err := c.Invoices.Create(ctx, restapi.Fields{"CustomerId": customers[i%len(customers)], "CurrencyCode": cur,
			"Issued": fmt.Sprintf("2025-%02d-%02d", 1+i%4, 1+i%28), "PaymentMethod": "WiredTransfer", "Items": items})
		if err != nil {
			t.Fatalf("invoice %d: %v", i+1, err)
		}
		switch {
		case i == 4:
			if _, err := c.Invoices.Storno(ctx, d.Id.Int()); err != nil {
				t.Fatal(err)
			}
		case i%3 == 0:
			if _, err := c.Invoices.Paid(ctx, d.Id.Int(), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestExportInvoices is the "done when": 40 invoices created
// through the API, exported to XLSX and to Hungarian Excel's CSV with their
// lines; the gross total is the sum of Amount over /Api/Invoice/List, and
// the lines add up to their documents.
func TestExportInvoices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(4))
	c := e.client()
	// Persons 1002 and 1005 of company 1001, company 1007, person 1010 of
	// it.
	createInvoices(t, c, 40, []int{1002, 1007, 1005, 1010})

	listed := map[string]restapi.DocumentSummary{}
	sum, perCur := new(big.Rat), map[string]*big.Rat{}
	for it, err := range c.Invoices.List(context.Background(), restapi.DocumentListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed[itoa(it.Id.Int())] = it
		sum.Add(sum, rat(t, it.Amount.String()))
		cur := it.CurrencyCode.String()
		if perCur[cur] == nil {
			perCur[cur] = new(big.Rat)
		}
		perCur[cur].Add(perCur[cur], rat(t, it.Amount.String()))
	}
	if len(listed) != 41 { // 40 and the storno invoice
		t.Fatalf("%d invoices listed", len(listed))
	}

	before := e.requests()
	cfg := e.config("inv.xlsx", export.Invoices)
	cfg.Items = true
	s := e.export(cfg)
	req := diff(e.requests(), before)
	if req["GET /Api/Invoice/{id}"] != 41 || req["GET /Api/Invoice/List"] != 1 {
		t.Errorf("requests %v: want a detail per invoice and one list page", req)
	}
	if s.Tables[0].Rows != 41 {
		t.Errorf("summary %+v", s.Tables[0])
	}

	header, rows := rawRows(t, cfg.Output, "Invoices")
	for _, col := range []string{"Id", "Number", "Issued", "Performance", "Prompt", "Paid", "CurrencyCode", "AmountNet",
		"AmountVat", "Amount", "Status", "CustomerName", "CustomerVatNumber", "CustomerAddress", "StornedId",
		"BusinessName", "BusinessVatNumber"} {
		if !slices.Contains(header, col) {
			t.Errorf("no column %s in %v", col, header)
		}
	}
	got, n := new(big.Rat), 0
	totals := map[string]string{}
	for _, r := range rows {
		if label, ok := strings.CutPrefix(r["Id"], "Total "); ok {
			totals[label] = r["Amount"]
			continue
		}
		n++
		l, ok := listed[r["Id"]]
		if !ok {
			t.Errorf("row %v is not a listed invoice", r)
			continue
		}
		if !near(rat(t, r["Amount"]), rat(t, l.Amount.String())) || r["Number"] != l.Number.String() {
			t.Errorf("invoice %s: row %v, listed %+v", r["Id"], r, l)
		}
		got.Add(got, rat(t, r["Amount"]))
	}
	if n != 41 || !near(got, sum) {
		t.Errorf("%d rows, gross total %s, want 41 and %s", n, got.FloatString(4), sum.FloatString(4))
	}
	if len(totals) != len(perCur) {
		t.Errorf("totals rows %v, want one per currency of %v", totals, perCur)
	}
	for cur, want := range perCur {
		if v, ok := totals[cur]; !ok || !near(rat(t, v), want) {
			t.Errorf("total %s = %q, want %s", cur, v, want.FloatString(4))
		}
	}

	f, err := excelize.OpenFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) string {
		n, _ := excelize.ColumnNumberToName(slices.Index(header, name) + 1)
		return n
	}
	// No t attribute: a number (a text cell is an inline string).
	if typ, _ := f.GetCellType("Invoices", col("Amount")+"2"); typ != excelize.CellTypeUnset {
		t.Errorf("Amount cell type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue("Invoices", col("Issued")+"2"); len(v) != 10 || v[4] != '-' {
		t.Errorf("Issued shows %q, want a date", v)
	}
	if raw, _ := f.GetCellValue("Invoices", col("Issued")+"2", excelize.Options{RawCellValue: true}); strings.Contains(raw, "-") {
		t.Errorf("Issued is stored as text %q, not a date serial", raw)
	}
	formula, _ := f.GetCellFormula("Invoices", fmt.Sprintf("%s%d", col("Amount"), 43))
	// The currency's rows, cancelled ones (status group Failed) left out.
	if want := "SUMIFS(" + col("Amount") + "2:" + col("Amount") + "42,$" + col("CurrencyCode") + "$2:$" + col("CurrencyCode") + "$42,\"EUR\",$" +
		col("StatusGroup") + "$2:$" + col("StatusGroup") + "$42,\"<>Failed\")"; formula != want {
		t.Errorf("first totals row formula %q, want %q", formula, want)
	}
	f.Close()

	// Company joins: a person's invoice carries the person's company.
	byId := map[string]map[string]string{}
	for _, r := range rows {
		byId[r["Id"]] = r
	}
	vat := map[string]string{"Példa 1 Kft.": "10000000-2-41", "Példa 2 Kft.": "10000001-2-41"}
	for _, r := range rows {
		if strings.HasPrefix(r["Id"], "Total") {
			continue
		}
		if v, ok := vat[r["BusinessName"]]; !ok || r["BusinessVatNumber"] != v {
			t.Errorf("invoice %s of %s: company %q %q", r["Id"], r["CustomerName"], r["BusinessName"], r["BusinessVatNumber"])
		}
		if sid := r["StornedId"]; sid != "" {
			if byId[sid] == nil || !near(new(big.Rat).Neg(rat(t, r["Amount"])), rat(t, byId[sid]["Amount"])) {
				t.Errorf("storno %s of %s: amounts do not cancel", r["Id"], sid)
			}
		}
	}

	// The lines: every line of every detail, adding up to the document.
	wantLines := 0
	lineSum := map[string]*big.Rat{}
	for id := range listed {
		var idn int
		fmt.Sscan(id, &idn)
		d, err := c.Invoices.Get(context.Background(), idn)
		if err != nil {
			t.Fatal(err)
		}
		wantLines += len(d.Items)
		lineSum[id] = new(big.Rat)
	}
	_, items := rawRows(t, cfg.Output, "InvoiceItems")
	lines := 0
	for _, r := range items {
		if strings.HasPrefix(r["DocumentId"], "Total") {
			continue
		}
		lines++
		if r["Name"] == "" || r["Quantity"] == "" || r["PriceNet"] == "" || r["VAT"] == "" {
			t.Errorf("line %v", r)
		}
		lineSum[r["DocumentId"]].Add(lineSum[r["DocumentId"]], rat(t, r["PriceTotal"]))
	}
	if lines != wantLines {
		t.Errorf("%d lines, want %d", lines, wantLines)
	}
	for id, s := range lineSum {
		if !near(s, rat(t, listed[id].Amount.String())) {
			t.Errorf("invoice %s: lines add up to %s, the invoice %s", id, s.FloatString(4), listed[id].Amount)
		}
	}

	// Hungarian Excel's CSV: decimal commas, the lines beside it.
	cfg = e.config("inv.csv", export.Invoices)
	cfg.Items, cfg.CSV.Excel = true, true
	s = e.export(cfg)
	if !slices.Equal(s.Files, []string{cfg.Output, e.dir + "/inv-items.csv"}) {
		t.Errorf("files %v", s.Files)
	}
	_, crow := readCSV(t, cfg.Output, ';')
	got, commas := new(big.Rat), 0
	for _, r := range crow {
		a := r["Amount"]
		if strings.Contains(a, ".") {
			t.Errorf("Amount %q has a decimal point", a)
		}
		if strings.Contains(a, ",") {
			commas++
		}
		got.Add(got, rat(t, strings.Replace(a, ",", ".", 1)))
	}
	if commas == 0 {
		t.Errorf("no Amount with a decimal comma")
	}
	if len(crow) != 41 || got.Cmp(sum) != 0 {
		t.Errorf("CSV: %d rows, gross %s, want 41 and %s", len(crow), got.FloatString(4), sum.FloatString(4))
	}
	_, crows := readCSV(t, e.dir+"/inv-items.csv", ';')
	if len(crows) != wantLines {
		t.Errorf("CSV lines %d, want %d", len(crows), wantLines)
	}
}

// countGets counts GET requests of document details (/Api/Invoice/<id>)
// and ends the context after n of them.
type countGets struct {
	n      int64
	seen   atomic.Int64
	cancel func()
}

func (c *countGets) RoundTrip(req *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(req.URL.Path, "/Api/Invoice/")
	if ok && rest != "List" && !strings.Contains(rest, "/") {
		if c.seen.Add(1) > c.n && c.cancel != nil {
			c.cancel()
			return nil, context.Canceled
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestInvoicesResumeAndIncremental interrupts an invoice export while it
// reads the details, resumes it (no detail read twice), then runs it
// incrementally after one new invoice: one list page, one detail.
func TestInvoicesResumeAndIncremental(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(2))
	createInvoices(t, e.client(), 12, []int{1002, 1007})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := e.config("inv.xlsx", export.Invoices)
	cfg.Items, cfg.Workers = true, 1
	cfg.Client = e.client(restapi.WithHTTPClient(&http.Client{Transport: &countGets{n: 5, cancel: cancel}}))
	before := e.requests()
	sum, err := export.Export(ctx, cfg)
	if !errors.Is(err, export.ErrInterrupted) || sum.Details != 5 {
		t.Fatalf("interrupted: %v %+v", err, sum)
	}
	if _, err := os.Stat(cfg.Output); err == nil {
		t.Errorf("an interrupted export wrote %s", cfg.Output)
	}
	cfg.Client, cfg.Resume = e.client(), true
	sum = e.export(cfg)
	if got := diff(e.requests(), before)["GET /Api/Invoice/{id}"]; got != 13 || !sum.Resumed || sum.Tables[0].Rows != 13 {
		t.Errorf("resumed: %d detail requests (want 13), %+v", got, sum)
	}

	createInvoices(t, e.client(), 1, []int{1005})
	cfg.Resume, cfg.Incremental = false, true
	before = e.requests()
	sum = e.export(cfg)
	req := diff(e.requests(), before)
	if req["GET /Api/Invoice/{id}"] != 1 || req["GET /Api/Invoice/List"] != 1 || sum.Tables[0].Rows != 14 ||
		sum.Mode["doc/Invoice"] != "incremental" {
		t.Errorf("incremental: requests %v, summary %+v", req, sum)
	}
	_, items := rawRows(t, cfg.Output, "InvoiceItems")
	if len(items) < 14 {
		t.Errorf("lines after the incremental run: %d", len(items))
	}
}

// TestInvoiceFilters checks --since, --until and --status, and that a
// status filter is sent to the List endpoint.
func TestInvoiceFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dataset(2))
	createInvoices(t, e.client(), 12, []int{1002, 1007}) // issued 2025-01..04; 0, 3, 6, 9 paid; 4 cancelled

	cfg := e.config("feb-mar.csv", export.Invoices)
	cfg.Since, cfg.Until = mustDay(t, "2025-02-01"), mustDay(t, "2025-03-31")
	e.export(cfg)
	_, rows := readCSV(t, cfg.Output, ',')
	for _, r := range rows {
		if r["Issued"] < "2025-02-01" || r["Issued"] > "2025-03-31" {
			t.Errorf("row issued %s", r["Issued"])
		}
	}
	if len(rows) != 6 {
		t.Errorf("%d invoices in February and March, want 6", len(rows))
	}

	cfg = e.config("paid.csv", export.Invoices)
	cfg.Status = "success"
	before := e.requests()
	e.export(cfg)
	_, rows = readCSV(t, cfg.Output, ',')
	if len(rows) != 4 || diff(e.requests(), before)["GET /Api/Invoice/{id}"] != 4 {
		t.Errorf("Success: %d rows, requests %v", len(rows), diff(e.requests(), before))
	}
	cfg = e.config("cancelled.csv", export.Invoices)
	cfg.Status = "Sztornózva"
	e.export(cfg)
	_, rows = readCSV(t, cfg.Output, ',')
	if len(rows) != 2 { // the cancelled one and its storno invoice
		t.Errorf("Sztornózva: %v", rows)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNumber checks the number forms MiniCRM's documents use.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"7500", "7500", true}, {"7500.0000", "7500", true}, {"500.000000", "500", true}, {"15.0000", "15", true},
		{"1 000,00", "1000", true}, {"2 540,50", "2540.5", true}, {"1\u00a0234,5", "1234.5", true},
		{"-2 000,00", "-2000", true}, {"1.000,25", "1000.25", true}, {"0.0000", "0", true}, {"", "", false},
		{"abc", "", false}, {"1e5", "", false}, {"12,3,4", "", false},
	} {
		got, ok := export.Number(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Number(%q) = %q, %t; want %q, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"7500", "1 000,00", "-2,5", "1.000,25", "15.0000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := export.Number(s)
		if !ok {
			return
		}
		// The canonical form is a number and its own canonical form.
		if _, good := new(big.Rat).SetString(n); !good {
			t.Fatalf("Number(%q) = %q, not a decimal", s, n)
		}
		if again, ok := export.Number(n); !ok || again != n {
			t.Fatalf("Number(%q) = %q, but Number(%q) = %q", s, n, n, again)
		}
	})
}

// TestOrdersAndOffers exports the built-in data's orders and offers with
// their lines: every listed document, lines adding up to each.
func TestOrdersAndOffers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.DemoDataset())
	c := e.client()
	for _, tc := range []struct {
		entity       export.Entity
		sheet, items string
		list         func() map[string]string
	}{
		{export.Orders, "Orders", "OrderItems", func() map[string]string {
			out := map[string]string{}
			for it, err := range c.Orders.List(context.Background(), restapi.DocumentListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				out[itoa(it.Id.Int())] = it.Amount.String()
			}
			return out
		}},
		{export.Offers, "Offers", "OfferItems", func() map[string]string {
			out := map[string]string{}
			for it, err := range c.Offers.List(context.Background(), restapi.DocumentListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				out[itoa(it.Id.Int())] = it.Amount.String()
			}
			return out
		}},
	} {
		want := tc.list()
		cfg := e.config(string(tc.entity)+".xlsx", tc.entity)
		cfg.Items = true
		e.export(cfg)
		_, rows := rawRows(t, cfg.Output, tc.sheet)
		n := 0
		for _, r := range rows {
			if strings.HasPrefix(r["Id"], "Total") {
				continue
			}
			n++
			if a, ok := want[r["Id"]]; !ok || !near(rat(t, r["Amount"]), rat(t, a)) {
				t.Errorf("%s %s: Amount %s, listed %q", tc.entity, r["Id"], r["Amount"], a)
			}
		}
		if n != len(want) || n < 6 {
			t.Errorf("%s: %d rows, %d listed", tc.entity, n, len(want))
		}
		sums := map[string]*big.Rat{}
		_, items := rawRows(t, cfg.Output, tc.items)
		for _, r := range items {
			if strings.HasPrefix(r["DocumentId"], "Total") {
				continue
			}
			if r["ItemId"] == "" || r["Name"] == "" || r["Quantity"] == "" {
				t.Errorf("%s line without its id, name or quantity: %v", tc.entity, r)
			}
			if sums[r["DocumentId"]] == nil {
				sums[r["DocumentId"]] = new(big.Rat)
			}
			sums[r["DocumentId"]].Add(sums[r["DocumentId"]], rat(t, r["PriceTotal"]))
		}
		for id, a := range want {
			if s := sums[id]; s == nil || !near(s, rat(t, a)) {
				t.Errorf("%s %s: lines add up to %v, the document %s", tc.entity, id, s, a)
			}
		}
	}
}

// TestTotalsLeaveOutCancelled: the XLSX totals add up what was invoiced:
// a cancelled (sztornózott, status group Failed) invoice stays in the
// table but not in its currency's total.
func TestTotalsLeaveOutCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.DemoDataset())
	cfg := e.config("inv.xlsx", export.Invoices)
	e.export(cfg)
	_, rows := rawRows(t, cfg.Output, "Invoices")
	want, all := map[string]*big.Rat{}, map[string]*big.Rat{}
	totals := map[string]string{}
	cancelled := 0
	for _, r := range rows {
		if cur, ok := strings.CutPrefix(r["Id"], "Total "); ok {
			totals[cur] = r["Amount"]
			continue
		}
		cur := r["CurrencyCode"]
		if all[cur] == nil {
			all[cur], want[cur] = new(big.Rat), new(big.Rat)
		}
		all[cur].Add(all[cur], rat(t, r["Amount"]))
		if r["StatusGroup"] == "Failed" {
			cancelled++
			continue
		}
		want[cur].Add(want[cur], rat(t, r["Amount"]))
	}
	if cancelled == 0 {
		t.Fatal("the demo data has no cancelled invoice to leave out")
	}
	for cur, w := range want {
		if got, ok := totals[cur]; !ok || !near(rat(t, got), w) {
			t.Errorf("total %s = %q, want %s (all rows: %s)", cur, got, w.FloatString(2), all[cur].FloatString(2))
		}
	}
}

// TestDocumentCustomerCountry: the REST documents give the customer's
// country as MiniCRM's numeric id (Customer.CountryId "36"); the export
// writes its name, an id it does not know as it is, and with --ids the ids.
func TestDocumentCustomerCountry(t *testing.T) {
	t.Parallel()
	ds := sandbox.EmptyDataset()
	ds.Contacts = []sandbox.SeedContact{{Id: 701, Type: "Business", CreatedAt: "2024-01-02 10:00:00",
		Fields: map[string]any{"Name": "Határ Kft."}}}
	line := []any{map[string]any{"Name": "Licenc", "PriceNet": "100", "Quantity": "1", "VAT": "27%"}}
	customer := func(k, v string) map[string]any {
		return map[string]any{"Name": "Határ Kft.", k: v, "PostalCode": "1111", "City": "Budapest", "Address": "Fő u. 1."}
	}
	ds.Invoices = []map[string]any{
		{"Id": 901, "CustomerId": 701, "Issued": "2025-03-01", "Customer": customer("CountryId", "36"), "Items": line},
		{"Id": 902, "CustomerId": 701, "Issued": "2025-03-02", "Customer": customer("Country", "Germany"), "Items": line},
		{"Id": 903, "CustomerId": 701, "Issued": "2025-03-03", "Customer": customer("CountryId", "999"), "Items": line},
		{"Id": 904, "CustomerId": 701, "Issued": "2025-03-04", "Customer": customer("CountryId", "40"), "Items": line},
	}
	e := newEnv(t, ds)
	for _, ids := range []bool{false, true} {
		cfg := e.config(fmt.Sprintf("countries-%v.csv", ids), export.Invoices)
		cfg.IDs = ids
		e.export(cfg)
		_, rows := readCSV(t, cfg.Output, ',')
		got := byID(rows)
		want := map[string]string{"901": "Magyarország", "902": "Németország", "903": "999", "904": "Románia"}
		if ids {
			want = map[string]string{"901": "36", "902": "49", "903": "999", "904": "40"}
		}
		for id, w := range want {
			if c := got[id]["CustomerCountry"]; c != w {
				t.Errorf("ids %v: invoice %s: CustomerCountry %q, want %q", ids, id, c, w)
			}
		}
	}
}
