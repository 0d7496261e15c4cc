package xmlfeed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Orders: a mapping with an order block (mapping.OrderSpec) makes each row
// a line of a webshop order. The build
//
//   - groups the rows of one order id, which must follow each other (webshop
//     exports write an order's lines together); an order id that comes back
//     after other orders is an error row (the idSet remembers every order id
//     in 8 to 16 bytes, as it does Project Ids), never a second order;
//   - makes one <Order> of a group, one <Product> per product id: the same
//     product twice in an order is one line with the quantities added (as
//     MiniCRM's WooCommerce plugin sends it: MiniCRM keys an order's lines by
//     product id [I]); the same product at another net price or VAT is an
//     error, since one of the prices would be lost;
//   - takes the order's values (Number, Performance, Status…, the customer)
//     from the first row that has each, so an export may repeat them on
//     every line or give them on the first line only; a later row that gives
//     another value is an error;
//   - takes the customer's card (the mapping's project, business, person)
//     from the order's first row, and puts every order of one customer
//     (one Project Id) under one <Project>, with the card's values of the
//     customer's last order in the file.
//
// An order is written whole or not at all: when a row of it has an error,
// its other rows go to the errors output too, saying which row broke it.
// Every source row ends as exactly one of: a line of a written order
// (OrderSummary.Rows), skipped, or rejected.
//
// Memory: the rows of the current order (at most maxOrderRows), one entry
// per customer (about 100 bytes and the Project Id), the order-id check;
// the orders themselves wait in a temporary file beside the output until
// the source is read, and are then written customer by customer.

// OrderSummary counts what an order build made; BuildSummary.Orders.
type OrderSummary struct {
	Orders int // orders in the feed (in written or unchanged cards)
	Lines  int // their product lines
	// Merged counts rows whose product an earlier row of the same order
	// had: their quantity was added to that line.
	Merged int
	// Rows counts the source rows that went into the orders.
	Rows int
	// RejectedOrders counts orders left out because of an error row.
	RejectedOrders int
}

// maxOrderRows bounds the rows of one order held in memory; a larger order
// is rejected (no webshop order has ten thousand lines; a file sorted
// otherwise than by order may look so).
var maxOrderRows = 10000

// heldRow is a row of the current order.
type heldRow struct {
	row  source.Row
	line *mapping.OrderLine
	errs mapping.RowErrors
}

// orderGroup is the rows of one order id read so far.
type orderGroup struct {
	id, idColumn string
	first        int // the line of its first row
	dupOf        int // the first line of an earlier group with this id (0: none)
	tooBig       bool
	rows         []heldRow
	// lone are rows in between that belong to no order (no order id, or
	// unreadable): rejected when the group is, so that the errors output
	// keeps the source's order.
	lone []*mapping.Rejected
}

// customerEntry is where a customer's card and orders are in the spill.
// It holds no pointer, so that the garbage collector need not look into
// the build's one entry a customer.
type customerEntry struct {
	card   spillRef // the card of the customer's last order
	last   spillRef // the customer's last order (each order points to the one before)
	orders int
	line   int // the first row of the customer's last order
}

// customerBytes is about what the build holds a customer: its entry, its
// map slot and its id.
const customerBytes = 128

type orderBuild struct {
	o         BuildOptions
	cb        *CardBuilder
	sum       *BuildSummary
	reject    func(*mapping.Rejected) error
	ids       *idSet
	spill     *spill
	customers map[string]int  // customer id → its entry
	entries   []customerEntry // in the order the customers first came
	file      string          // the source's name, for the entries' lines
}

// buildOrders is Build for a mapping with an order block.
func buildOrders(ctx context.Context, o BuildOptions, cb *CardBuilder) (*BuildSummary, error) {
	sum := &BuildSummary{SkipReasons: map[string]int{}, ByField: map[string]int{}, Orders: &OrderSummary{}}
	ob := &orderBuild{o: o, cb: cb, sum: sum, customers: map[string]int{}}
	ob.reject = func(rej *mapping.Rejected) error {
		sum.Rejected++
		fields := map[string]bool{}
		for _, e := range rej.Problems {
			if !fields[e.Field] {
				fields[e.Field] = true
				sum.ByField[e.Field]++
			}
		}
		if o.Reject != nil {
			return o.Reject(rej)
		}
		return nil
	}
	var err error
	// The order-id check is not optional: without it a repeated order id
	// would become two orders of the same Id, one overwriting the other.
	if ob.ids, err = newIDSet(filepath.Dir(o.Output)); err != nil {
		return sum, err
	}
	defer ob.ids.Close()
	if ob.spill, err = newSpill(filepath.Dir(o.Output)); err != nil {
		return sum, err
	}
	defer ob.spill.close()

	var g *orderGroup
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		row, err := o.Source.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *source.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return sum, err
		}
		sum.Rows++
		if rowErr != nil {
			if err := ob.rejectLone(g, &mapping.Rejected{Loc: rowErr.Loc, Values: rowflow.Values(row.Cells),
				Problems: []*mapping.CellError{{Loc: rowErr.Loc, Column: rowErr.Name, Field: "(source)", Reason: rowErr.Err.Error()}}}); err != nil {
				return sum, err
			}
			continue
		}
		line, err := o.Plan.MapOrderLine(row)
		var skipped *mapping.Skipped
		var errs mapping.RowErrors
		switch {
		case errors.As(err, &skipped):
			sum.Skipped++
			sum.SkipReasons[skipped.Reason]++
			continue
		case errors.As(err, &errs):
		case err != nil:
			return sum, err
		}
		if line.ID == "" {
			// Without its order id a row belongs to no order; it goes to
			// the errors alone.
			if err := ob.rejectLone(g, &mapping.Rejected{Loc: row.Loc, Values: rowflow.Values(row.Cells), Problems: errs}); err != nil {
				return sum, err
			}
			continue
		}
		if g == nil || line.ID != g.id {
			if err := ob.flush(g); err != nil {
				return sum, err
			}
			g = &orderGroup{id: line.ID, idColumn: line.IDColumn, first: row.Loc.Line}
			first, dup, err := ob.ids.Add(line.ID, row.Loc.Line)
			if err != nil {
				return sum, err
			}
			if dup {
				g.dupOf = first
			}
		}
		row.Cells = slices.Clone(row.Cells)
		if err := ob.add(g, heldRow{row: row, line: line, errs: errs}); err != nil {
			return sum, err
		}
	}
	if err := ob.flush(g); err != nil {
		return sum, err
	}
	return sum, ob.write(ctx)
}

// add holds a row of the current order (or rejects it, the order being
// too large to hold).
func (ob *orderBuild) add(g *orderGroup, h heldRow) error {
	if !g.tooBig && len(g.rows) < maxOrderRows {
		g.rows = append(g.rows, h)
		return nil
	}
	reason := fmt.Sprintf("order %q has more than %d rows; no webshop order is that long: are its rows mixed with other orders' (sort the export by order id)?", g.id, maxOrderRows)
	rejs := []*mapping.Rejected{rowRejection(g, h, reason)}
	if !g.tooBig {
		g.tooBig = true
		ob.sum.Orders.RejectedOrders++
		for _, held := range g.rows {
			rejs = append(rejs, rowRejection(g, held, reason))
		}
		rejs = append(rejs, g.lone...)
		g.rows, g.lone = nil, nil
	}
	return ob.emit(rejs)
}

// rejectLone rejects a row that belongs to no order: with the current
// order's rows, when there is one, for the source's order.
func (ob *orderBuild) rejectLone(g *orderGroup, rej *mapping.Rejected) error {
	if g == nil || g.tooBig {
		return ob.reject(rej)
	}
	g.lone = append(g.lone, rej)
	return nil
}

// emit rejects rows in the source's order.
func (ob *orderBuild) emit(rejs []*mapping.Rejected) error {
	slices.SortStableFunc(rejs, func(a, b *mapping.Rejected) int { return a.Loc.Line - b.Loc.Line })
	for _, rej := range rejs {
		if err := ob.reject(rej); err != nil {
			return err
		}
	}
	return nil
}

// rowRejection is a row of an order rejected for the order's sake.
func rowRejection(g *orderGroup, h heldRow, reason string) *mapping.Rejected {
	return &mapping.Rejected{Loc: h.row.Loc, Values: rowflow.Values(h.row.Cells), Problems: []*mapping.CellError{{
		Loc: h.row.Loc, Column: g.idColumn, Field: "Order@Id", Value: g.id, Reason: reason}}}
}

// flush makes the order of a group and puts it in the spill, or rejects
// every row of it.
func (ob *orderBuild) flush(g *orderGroup) error {
	if g == nil {
		return nil
	}
	rejs := g.lone
	if len(g.rows) == 0 {
		return ob.emit(rejs)
	}
	if g.dupOf > 0 {
		ob.sum.Orders.RejectedOrders++
		for _, h := range g.rows {
			reason := fmt.Sprintf("order %q's rows are not together: line %d has it, and other orders come in between; "+
				"the rows of one order must follow each other (sort the export by order id)", g.id, g.dupOf)
			rejs = append(rejs, rowRejection(g, h, reason))
		}
		return ob.emit(rejs)
	}
	problems := make([]mapping.RowErrors, len(g.rows))
	for i, h := range g.rows {
		problems[i] = append(problems[i], h.errs...)
	}
	doc := Document{ID: g.id}
	doc.Fields = mergeValues(g, problems, func(l *mapping.OrderLine) []mapping.OrderValue { return l.Order }, "Order.")
	doc.Customer = mergeValues(g, problems, func(l *mapping.OrderLine) []mapping.OrderValue { return l.Customer }, "Order.Customer.")
	doc.Project = mergeValues(g, problems, func(l *mapping.OrderLine) []mapping.OrderValue { return l.Card }, "Order.Project.")
	reqOrder, reqCustomer := mapping.RequiredOrderValues()
	for _, req := range []struct {
		level, prefix string
		names         []string
		have          []Field
	}{{"", "Order.", reqOrder, doc.Fields}, {"customer", "Order.Customer.", reqCustomer, doc.Customer}} {
		for _, name := range req.names {
			if _, ok := Get(req.have, name); !ok {
				problems[0] = append(problems[0], &mapping.CellError{Loc: g.rows[0].row.Loc, Column: ob.o.Plan.OrderColumn(req.level, name),
					Field: req.prefix + name, Reason: fmt.Sprintf("is empty on every row of order %q; MiniCRM needs it for an order", g.id)})
			}
		}
	}
	doc.Products = mergeProducts(g, problems, &ob.sum.Orders.Merged)

	var card *Card
	b, err := ob.o.Plan.Map(g.rows[0].row)
	var skipped *mapping.Skipped
	var errs mapping.RowErrors
	switch {
	case errors.As(err, &skipped):
		// A skip_row of the customer's card: the order is left out with it.
		for range g.rows {
			ob.sum.Skipped++
			ob.sum.SkipReasons[skipped.Reason]++
		}
		return ob.emit(rejs)
	case errors.As(err, &errs):
		problems[0] = appendNew(problems[0], errs)
	case err != nil:
		return err
	default:
		if card, err = ob.cb.Card(b); err != nil {
			if !errors.As(err, &errs) {
				return err
			}
			problems[0] = append(problems[0], errs...)
		}
	}
	if card != nil {
		// The order is encoded once on its own card now, so that a value
		// XML cannot carry fails this order alone, not its customer's
		// card later.
		card.Orders = []Document{doc}
		if _, err := Encode(card); err != nil {
			problems[0] = append(problems[0], &mapping.CellError{Loc: g.rows[0].row.Loc, Field: "Order", Reason: err.Error()})
		}
		card.Orders = nil
	}
	if bad := rowsWithProblems(problems, g); bad != "" {
		ob.sum.Orders.RejectedOrders++
		for i, h := range g.rows {
			ps := problems[i]
			if len(ps) == 0 {
				ps = mapping.RowErrors{{Loc: h.row.Loc, Column: g.idColumn, Field: "Order@Id", Value: g.id,
					Reason: fmt.Sprintf("order %q is not written: %s of it %s an error, and an order goes whole or not at all", g.id, bad, verb(bad))}}
			}
			rejs = append(rejs, &mapping.Rejected{Loc: h.row.Loc, Values: rowflow.Values(h.row.Cells), Problems: ps})
		}
		return ob.emit(rejs)
	}
	if err := ob.keep(card, &doc, g); err != nil {
		return err
	}
	return ob.emit(rejs)
}

// appendNew adds the problems not already there (a source cell that both
// the card and the order read is reported once).
func appendNew(have, more mapping.RowErrors) mapping.RowErrors {
	for _, e := range more {
		if !slices.ContainsFunc(have, func(h *mapping.CellError) bool {
			return h.Column == e.Column && h.Field == e.Field && h.Reason == e.Reason
		}) {
			have = append(have, e)
		}
	}
	return have
}

func verb(rows string) string {
	if strings.HasPrefix(rows, "rows") {
		return "have"
	}
	return "has"
}

// rowsWithProblems names the rows of a group that have problems ("row
// 12", "rows 12, 14"), or "" when none has.
func rowsWithProblems(problems []mapping.RowErrors, g *orderGroup) string {
	var lines []string
	for i, ps := range problems {
		if len(ps) > 0 {
			lines = append(lines, strconv.Itoa(g.rows[i].row.Loc.Line))
		}
	}
	switch {
	case len(lines) == 0:
		return ""
	case len(lines) == 1:
		return "row " + lines[0]
	case len(lines) > 5:
		lines = append(lines[:5], "…")
	}
	return "rows " + strings.Join(lines, ", ")
}

// mergeValues makes one level of an order's values from its rows: each
// value from the first row that has it; a later row with another value
// gets a problem.
func mergeValues(g *orderGroup, problems []mapping.RowErrors, level func(*mapping.OrderLine) []mapping.OrderValue, prefix string) []Field {
	var out []Field
	from := map[string]int{} // name → index of the row it came from
	for i, h := range g.rows {
		for _, v := range level(h.line) {
			j, seen := from[v.Name]
			if !seen {
				from[v.Name] = i
				out = append(out, Field{Name: v.Name, Value: v.Value})
				continue
			}
			if have, _ := Get(out, v.Name); have != v.Value {
				problems[i] = append(problems[i], &mapping.CellError{Loc: h.row.Loc, Column: v.Column, Field: prefix + v.Name, Value: v.Value,
					Reason: fmt.Sprintf("differs from %q on line %d of the same order %q; an order has one %s (leave it empty on the order's other rows, or give the same)",
						have, g.rows[j].row.Loc.Line, g.id, v.Name)})
			}
		}
	}
	// The mapping's order, whatever row gave each value first.
	slices.SortStableFunc(out, func(a, b Field) int { return rankOf(g, level, a.Name) - rankOf(g, level, b.Name) })
	return out
}

func rankOf(g *orderGroup, level func(*mapping.OrderLine) []mapping.OrderValue, name string) int {
	for _, h := range g.rows {
		for i, v := range level(h.line) {
			if v.Name == name {
				return i
			}
		}
	}
	return 0
}

// mergeProducts makes an order's lines: one per product id, in the order
// first met, quantities of a repeated product added.
func mergeProducts(g *orderGroup, problems []mapping.RowErrors, merged *int) []Product {
	var out []Product
	at := map[string]int{}    // product id → index in out
	rowOf := map[string]int{} // product id → the row that made the line
	for i, h := range g.rows {
		l := h.line
		if l.ProductID == "" || len(h.errs) > 0 {
			continue // the row's own problems reject the order
		}
		fields := make([]Field, len(l.Product))
		for k, v := range l.Product {
			fields[k] = Field{Name: v.Name, Value: v.Value}
		}
		k, seen := at[l.ProductID]
		if !seen {
			at[l.ProductID], rowOf[l.ProductID] = len(out), i
			out = append(out, Product{ID: l.ProductID, Fields: fields})
			continue
		}
		p := &out[k]
		firstLine := g.rows[rowOf[l.ProductID]].row.Loc.Line
		conflict := false
		for _, name := range []string{"PriceNet", "VAT"} {
			have, _ := Get(p.Fields, name)
			want, _ := Get(fields, name)
			if have != want {
				conflict = true
				problems[i] = append(problems[i], &mapping.CellError{Loc: h.row.Loc, Column: columnOf(l.Product, name), Field: "Order.Product." + name, Value: want,
					Reason: fmt.Sprintf("%s %s here, but product %q is on line %d of order %q already at %s; MiniCRM keeps one line per product of an order, so the two "+
						"cannot both be sent: give the second its own product id (a discount as a line of its own) or the same %s", name, want, l.ProductID, firstLine, g.id, have, name)})
			}
		}
		if conflict {
			continue
		}
		q1, _ := Get(p.Fields, "Quantity")
		q2, _ := Get(fields, "Quantity")
		sum, err := mapping.SumQuantities(q1, q2)
		if err != nil {
			problems[i] = append(problems[i], &mapping.CellError{Loc: h.row.Loc, Column: columnOf(l.Product, "Quantity"), Field: "Order.Product.Quantity", Reason: err.Error()})
			continue
		}
		for f := range p.Fields {
			if p.Fields[f].Name == "Quantity" {
				p.Fields[f].Value = sum
			}
		}
		*merged++
	}
	return out
}

func columnOf(vs []mapping.OrderValue, name string) string {
	for _, v := range vs {
		if v.Name == name {
			return v.Column
		}
	}
	return ""
}

// keep puts a good order and its card in the spill, under its customer.
func (ob *orderBuild) keep(card *Card, doc *Document, g *orderGroup) error {
	i, ok := ob.customers[card.ID]
	if !ok {
		// The Id is a piece of its row's text: kept as it is, it would
		// keep the whole line alive for the rest of the build.
		i = len(ob.entries)
		ob.customers[strings.Clone(card.ID)] = i
		ob.entries = append(ob.entries, customerEntry{last: noRef})
		if len(ob.entries)%(1<<14) == 0 {
			roomForCustomers(len(ob.entries))
		}
	}
	e := &ob.entries[i]
	var err error
	card.Loc = ""
	if e.card, err = ob.spill.putCard(card); err != nil {
		return err
	}
	if e.last, err = ob.spill.putOrder(e.last, doc); err != nil {
		return err
	}
	e.orders++
	e.line, ob.file = g.rows[0].row.Loc.Line, g.rows[0].row.Loc.File
	s := ob.sum.Orders
	s.Orders++
	s.Lines += len(doc.Products)
	s.Rows += len(g.rows)
	return nil
}

// write writes every customer's card with its orders, in the order the
// customers first came.
func (ob *orderBuild) write(ctx context.Context) error {
	o, sum := ob.o, ob.sum
	var snap *SnapshotBuild
	var err error
	if o.Snapshot != nil {
		if snap, err = o.Snapshot.StartBuild(o.Scope); err != nil {
			return err
		}
	}
	out := &partWriter{base: o.Output, split: o.Split, onDrop: o.OnDrop, snap: snap}
	defer out.abort()
	if err := ob.spill.done(); err != nil {
		return err
	}
	var names sharedNames
	for i := range ob.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := &ob.entries[i]
		loc := source.Location{File: ob.file, Line: e.line}
		var card Card
		if err := ob.spill.getCard(e.card, &card); err != nil {
			return err
		}
		card.Orders = make([]Document, e.orders)
		off := e.last
		for i := e.orders - 1; i >= 0; i-- {
			if off, err = ob.spill.getOrder(off, &card.Orders[i]); err != nil {
				return err
			}
		}
		card.Loc = loc.String()
		enc, err := Encode(&card)
		if err != nil {
			return fmt.Errorf("xmlfeed: card %q: %w", card.ID, err) // each order was encoded before: cannot happen
		}
		if snap != nil {
			h := CardHash(enc.Bytes())
			old, ok, err := snap.Lookup(card.ID)
			if err != nil {
				return err
			}
			if ok && old == h {
				sum.Unchanged++
				continue
			}
			if err := snap.Record(card.ID, h); err != nil {
				return err
			}
		}
		if bus := card.Business; bus != nil {
			name, _ := Get(bus.Fields, "Name")
			vat, _ := Get(bus.Fields, "VatNumber")
			names.check(sum, loc, name, mapping.VatKey(vat))
		}
		if err := out.write(enc); err != nil {
			return err
		}
		sum.Written++
	}
	if err := out.finish(); err != nil {
		return err
	}
	sum.Files = out.files
	sum.Dropped = out.dropped
	return nil
}

// CheckOrders is mapping.CheckRows for a mapping with an order block: the
// rows are grouped and checked as a build groups them (a feed is written
// into a temporary directory and removed), so that `mapping check` finds
// what `feed build` would reject. OK counts the rows of good orders.
func CheckOrders(ctx context.Context, p *mapping.Plan, r source.Reader, reject func(*mapping.Rejected) error) (*mapping.CheckSummary, error) {
	dir, err := os.MkdirTemp("", "minicrm-bulk-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	example := map[string]string{}
	sum, err := Build(ctx, BuildOptions{Plan: p, Source: r, Output: filepath.Join(dir, "orders.xml"),
		Reject: func(rej *mapping.Rejected) error {
			for _, e := range rej.Problems {
				if _, ok := example[e.Field]; !ok {
					example[e.Field] = e.Error()
				}
			}
			if reject != nil {
				return reject(rej)
			}
			return nil
		}})
	if sum == nil {
		return nil, err
	}
	out := &mapping.CheckSummary{Rows: sum.Rows, Skipped: sum.Skipped, Rejected: sum.Rejected, ByField: sum.ByField,
		Example: example, SkipReasons: sum.SkipReasons}
	if sum.Orders != nil {
		out.OK = sum.Orders.Rows
	}
	return out, err
}
