package xmlfeed_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

var ordersMapping = filepath.Join("..", "examples", "webshop-orders.yaml")

// buildOrders builds a feed from the orders mapping (src overrides its
// source file when not empty).
func buildOrders(t *testing.T, e *env, mappingPath, src, out string) (*xmlfeed.BuildSummary, []*mapping.Rejected) {
	t.Helper()
	plan, r := e.plan(t, mappingPath, src)
	var rejects []*mapping.Rejected
	sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: out,
		Reject: func(rej *mapping.Rejected) error { rejects = append(rejects, rej); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Orders == nil {
		t.Fatal("an order build without its OrderSummary")
	}
	// Every row ends as exactly one of: a line of a written order,
	// skipped, rejected.
	if got := sum.Orders.Rows + sum.Skipped + sum.Rejected; got != sum.Rows || len(rejects) != sum.Rejected {
		t.Errorf("rows %d, but %d in orders + %d skipped + %d rejected (%d reject calls)", sum.Rows, sum.Orders.Rows,
			sum.Skipped, sum.Rejected, len(rejects))
	}
	return sum, rejects
}

// TestOrdersThroughSandbox: the example webshop export → a feed → the
// sandbox; each order, its lines and its totals read back through the
// Order endpoint; a second push of the same feed changes nothing.
func TestOrdersThroughSandbox(t *testing.T) {
	e := newEnv(t, sandbox.Config{SyncFeedPerHour: -1})
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "orders.xml")
	sum, rejects := buildOrders(t, e, ordersMapping, "", out)
	for _, r := range rejects {
		t.Errorf("rejected %s: %s", r.Loc, r.Reasons())
	}
	// 7 rows: 3 orders of 2 customers; WS-1001's TEA-01 comes twice.
	o := sum.Orders
	if sum.Rows != 7 || sum.Written != 2 || o.Orders != 3 || o.Lines != 6 || o.Merged != 1 || o.Rows != 7 {
		t.Fatalf("summary %+v, orders %+v", sum, o)
	}
	push := func() sandbox.FeedOutcome {
		t.Helper()
		fh, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if _, err := e.client.SyncFeed.Upload(ctx, 119, fh); err != nil {
			t.Fatal(err)
		}
		e.wait(t)
		feeds := e.srv.Feeds()
		return feeds[len(feeds)-1]
	}
	first := push()
	if first.Created != 2 || first.Failed != 0 || first.Documents != 3 || len(first.DocumentIds) != 3 {
		t.Fatalf("first push: %+v", first)
	}
	docID := map[string]int{}
	for _, d := range first.DocumentIds {
		docID[d.Id] = d.Document
	}

	type line struct{ sku, name, price, qty, vat, netTotal string }
	want := []struct {
		id, customer, billed, perf, net, vat, gross, shipping string
		lines                                                 []line
	}{
		{"WS-1001", "V-1", "Kiss János", "2026-03-02", "7392.2", "1995.89", "9388.09", "GLS futár", []line{
			{"TEA-01", "Zöld tea 100 g", "1180.00", "3.00", "27%", "3540.00"}, // 2 + 1: the repeated product is one line
			{"TEA-07", "Teásbögre", "2362.20", "1.00", "27%", "2362.20"},
			{"SZALLITAS", "Szállítási díj", "1490.00", "1.00", "27%", "1490.00"}}},
		{"WS-1002", "V-2", "Minta és Társa Bt.", "2026-03-03", "3870", "193.5", "4063.5", "Személyes átvétel", []line{
			{"KONYV-3", "Szakácskönyv", "4300.00", "1.00", "5%", "4300.00"},
			{"KUPON-10", "Kupon (-10%)", "-430.00", "1.00", "5%", "-430.00"}}},
		{"WS-1003", "V-1", "Kiss János", "2026-03-05", "9448.8", "2551.18", "11999.98", "GLS futár", []line{
			{"TEA-07", "Teásbögre", "2362.20", "4.00", "27%", "9448.80"}}},
	}
	customerOf := map[string]int{} // the customer's card's contact, by customer id
	for _, w := range want {
		id, ok := docID[w.id]
		if !ok {
			t.Errorf("order %s is not in the sandbox (documents %v)", w.id, first.DocumentIds)
			continue
		}
		d, err := e.client.Orders.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Number.String() != w.id || d.Performance.String() != w.perf || d.CurrencyCode.String() != "HUF" ||
			d.Customer.Name.String() != w.billed || d.AmountNet.String() != w.net || d.AmountVat.String() != w.vat || d.Amount.String() != w.gross {
			t.Errorf("order %s: number %s, performance %s, currency %s, customer %q, net %s, VAT %s, gross %s", w.id, d.Number,
				d.Performance, d.CurrencyCode, d.Customer.Name, d.AmountNet, d.AmountVat, d.Amount)
		}
		var got []line
		for _, it := range d.Items {
			got = append(got, line{it.SKU.String(), it.Name.String(), it.PriceNet.String(), it.Quantity.String(), it.VAT.String(), it.PriceNetTotal.String()})
		}
		if !slices.Equal(got, w.lines) {
			t.Errorf("order %s lines:\n got %v\nwant %v", w.id, got, w.lines)
		}
		if v := fmt.Sprint(d.Project["SzallitasExtraInfo"]); v != w.shipping {
			t.Errorf("order %s: the order card's SzallitasExtraInfo is %q, want %q", w.id, v, w.shipping)
		}
		card, err := e.client.Projects.GetByReferenceId(ctx, w.customer)
		if err != nil {
			t.Fatalf("customer %s: %v", w.customer, err)
		}
		if c, seen := customerOf[w.customer]; seen && c != int(d.CustomerId) {
			t.Errorf("order %s is on contact %d, the customer's other order on %d", w.id, d.CustomerId, c)
		}
		customerOf[w.customer] = int(d.CustomerId)
		if int(card.ContactId) != int(d.CustomerId) {
			t.Errorf("order %s is on contact %d, its customer's card %s on %d", w.id, d.CustomerId, w.customer, card.ContactId)
		}
	}

	// The same feed again: nothing changes, no card, no order.
	before, err := e.client.Orders.Get(ctx, docID["WS-1001"])
	if err != nil {
		t.Fatal(err)
	}
	again := push()
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 2 || again.Documents != 0 || again.Failed != 0 {
		t.Errorf("second push: %+v", again)
	}
	after, err := e.client.Orders.Get(ctx, docID["WS-1001"])
	if err != nil {
		t.Fatal(err)
	}
	if string(before.Raw) != string(after.Raw) {
		t.Errorf("the second push changed WS-1001:\n%s\n%s", before.Raw, after.Raw)
	}
}

// TestOrdersFeedShape: the customer with two orders (far apart in the
// file) is one <Project> holding both, in file order.
func TestOrdersFeedShape(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	out := filepath.Join(t.TempDir(), "orders.xml")
	buildOrders(t, e, ordersMapping, "", out)
	got := feedShape(t, out)
	want := []string{"V-1: WS-1001(TEA-01×3 TEA-07×1 SZALLITAS×1), WS-1003(TEA-07×4)", "V-2: WS-1002(KONYV-3×1 KUPON-10×1)"}
	if !slices.Equal(got, want) {
		t.Errorf("cards:\n got %q\nwant %q", got, want)
	}
}

// TestOrdersRejects: every way an order can fail, each row in exactly one
// output, the error naming the file, the row, the column and why; the good
// orders of the same file are written.
func TestOrdersRejects(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	out := filepath.Join(t.TempDir(), "orders.xml")
	src := filepath.Join(testdata, "orders-bad.csv")
	sum, rejects := buildOrders(t, e, ordersMapping, src, out)
	var got []string
	for _, r := range rejects {
		got = append(got, fmt.Sprintf("%d %s %s: %s", r.Loc.Line, r.Columns(), r.Fields(), r.Reasons()))
	}
	want := []string{
		`5 Rendelésszám Order@Id: order "WS-2001"'s rows are not together: line 2 has it, and other orders come in between; the rows of one order must follow each other (sort the export by order id)`,
		`6 Rendelésszám Order@Id: order "WS-2003" is not written: row 7 of it has an error, and an order goes whole or not at all`,
		`7 Nettó egységár Order.Product.PriceNet: PriceNet 999 here, but product "TEA-01" is on line 6 of order "WS-2003" already at 1180; MiniCRM keeps one line per product of an order, so the two cannot both be sent: give the second its own product id (a discount as a line of its own) or the same PriceNet`,
		`8 Rendelésszám Order@Id: order "WS-2004" is not written: row 9 of it has an error, and an order goes whole or not at all`,
		`9 Dátum Order.Performance: "2026-03-11" differs from "2026-03-10" on line 8 of the same order "WS-2004"; an order has one Performance (leave it empty on the order's other rows, or give the same)`,
		`10 Rendelésszám Order@Id: is empty; each row is a line of an order, found by the order's id`,
		`11 ÁFA Order.Product.VAT: "huszonhét" is not a VAT rate; write a percent such as 27% (or 27), or an exemption code such as AAM`,
		`12 Állapot Order.Status: "Elveszett" is not an order status; write one of Draft, Issued, Completed, Paid, Failed (an enum: table maps the source's words to them)`,
		`13 Dátum Order.Performance: is empty on every row of order "WS-2007"; MiniCRM needs it for an order`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range rejects {
		if r.Loc.File != src || len(r.Values) != 21 {
			t.Errorf("reject %d: file %q, %d values (the row's own)", r.Loc.Line, r.Loc.File, len(r.Values))
		}
	}
	o := sum.Orders
	if sum.Rows != 13 || sum.Rejected != 9 || o.Rows != 4 || o.Orders != 3 || o.RejectedOrders != 6 || sum.Written != 2 {
		t.Errorf("summary %+v, orders %+v", sum, o)
	}
	if got := feedShape(t, out); !slices.Equal(got, []string{"V-1: WS-2001(TEA-01×1 TEA-07×1), WS-2008(TEA-07×2)", "V-2: WS-2002(KONYV-3×1)"}) {
		t.Errorf("feed: %q", got)
	}
}

// TestOrdersTooLong: an order of more rows than the build holds is
// rejected row by row, not held.
func TestOrdersTooLong(t *testing.T) {
	defer xmlfeed.SetMaxOrderRows(2)()
	e := newEnv(t, sandbox.Config{})
	out := filepath.Join(t.TempDir(), "orders.xml")
	sum, rejects := buildOrders(t, e, ordersMapping, "", out)
	// WS-1001 has 4 rows: all rejected; the two others are written.
	if sum.Rejected != 4 || sum.Orders.Orders != 2 || sum.Orders.RejectedOrders != 1 {
		t.Errorf("summary %+v, orders %+v", sum, sum.Orders)
	}
	for _, r := range rejects {
		if !strings.Contains(r.Reasons(), `order "WS-1001" has more than 2 rows`) {
			t.Errorf("row %d: %s", r.Loc.Line, r.Reasons())
		}
	}
}

// feedShape is each card of a feed as "Project Id: Order(Product×Quantity …), …".
func feedShape(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := xmlfeed.NewReader(f)
	var got []string
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range c.Orders {
			var lines []string
			for _, p := range d.Products {
				q, _ := xmlfeed.Get(p.Fields, "Quantity")
				lines = append(lines, p.ID+"×"+q)
			}
			ids = append(ids, d.ID+"("+strings.Join(lines, " ")+")")
		}
		got = append(got, c.ID+": "+strings.Join(ids, ", "))
	}
	return got
}

// TestOrdersCardAndSplit: a customer's card carries the values of the
// customer's last order in the file; --split counts customers' cards.
func TestOrdersCardAndSplit(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	dir := t.TempDir()
	orig, err := os.ReadFile(filepath.Join("..", "examples", "webshop-orders.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// WS-1003, Kiss János's second order, comes with a new phone number.
	lines := strings.Split(string(orig), "\n")
	if !strings.HasPrefix(lines[7], "WS-1003;") {
		t.Fatalf("line 8 is %q", lines[7])
	}
	lines[7] = strings.Replace(lines[7], "06 30 123 4567", "06 70 999 8888", 1)
	src := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, r := e.plan(t, ordersMapping, src)
	out := filepath.Join(dir, "orders.xml")
	sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: out, Split: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 2 || sum.Files[0].Cards != 1 || sum.Files[1].Cards != 1 {
		t.Fatalf("files %+v", sum.Files)
	}
	f, err := os.Open(sum.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := xmlfeed.NewReader(f).Next()
	if err != nil {
		t.Fatal(err)
	}
	phone, _ := xmlfeed.Get(c.Contacts[0].Fields, "Phone")
	if c.ID != "V-1" || len(c.Orders) != 2 || phone != "+36 70 999 8888" {
		t.Errorf("card %s with %d orders, phone %q", c.ID, len(c.Orders), phone)
	}
}
