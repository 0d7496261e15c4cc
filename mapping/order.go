package mapping

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// OrderSpec is the mapping's order: block: webshop orders for a feed. Each
// source row is one line (one product) of an order; the rows of one order
// share its id and follow each other, as webshop exports write them. The
// mapping's project (with its business and person) is the customer's card,
// which holds the customer's orders:
//
//	order:
//	  id: {column: Rendelésszám}           # Order@Id (required)
//	  Number: {column: Rendelésszám}
//	  Performance: {column: Dátum}         # required
//	  Status: {column: Állapot, enum: {Teljesítve: Completed, Függőben: Issued}}
//	  PaymentMethod: {column: Fizetés, enum: {Utánvét: CashOnDelivery}}
//	  CurrencyCode: {const: HUF}           # required
//	  customer:                            # <Customer>, the billing party
//	    Name: {column: Számlázási név}
//	    Country: {const: Magyarország}
//	    PostalCode: {column: Irsz}
//	    City: {column: Város}
//	    Address: {column: Cím}
//	  product:                             # <Product>: the row's line
//	    id: {column: Cikkszám}
//	    Name: {column: Termék}
//	    PriceNet: {column: Nettó egységár}
//	    Quantity: {column: Mennyiség}
//	    Unit: {const: db}
//	    VAT: {column: ÁFA}
//	    FolderName: {const: Webshop}
//	  card:                                # the order card's fields (<Project> of <Order>)
//	    SzallitasiMod: {column: Szállítás}
//
// Every entry is a FieldSpec (column, const or template, transforms,
// default, enum, if_empty). The block is read as it stands and checked by
// Compile, which reports every problem at once with its line.
type OrderSpec struct {
	ID       *FieldSpec
	Fields   map[string]*FieldSpec // the order's own elements
	Customer map[string]*FieldSpec
	Product  map[string]*FieldSpec // "id" is Product@Id
	Card     map[string]*FieldSpec

	// keys are each section's keys in file order ("" for the order's own
	// level); problems are what reading the block found, for Compile.
	keys     map[string][]string
	problems []orderProblem
}

type orderProblem struct {
	path string
	msg  string
}

// The fields of each level, in the order they are written.
var (
	// OrderFields are the order's own elements.
	OrderFields = []string{"Number", "CurrencyCode", "Language", "Performance", "Status", "PaymentMethod", "Subject"}
	// OrderCustomerFields are the <Customer> fields; Country is written as
	// CountryId (a country name, as the feed takes it).
	OrderCustomerFields = []string{"Name", "Country", "County", "PostalCode", "City", "Address", "VatNumber",
		"EUVatNumber", "RegistrationNumber"}
	// OrderProductFields are the <Product> fields (id is Product@Id).
	OrderProductFields = []string{"Name", "SKU", "EAN", "Description", "PriceNet", "Quantity", "Unit", "VAT", "FolderName"}

	// The sections of the block besides the order's own fields.
	orderSections = []string{"id", "customer", "product", "card"}

	// Required: MiniCRM's sample feed marks Performance, the customer's
	// name and address and a product's id, name, price, quantity, unit,
	// VAT and folder required; CurrencyCode is required to create an
	// order (the R3 order section).
	requiredOrder    = []string{"Performance", "CurrencyCode"}
	requiredCustomer = []string{"Name", "Country", "PostalCode", "City", "Address"}
	requiredProduct  = []string{"Name", "PriceNet", "Quantity", "Unit", "VAT", "FolderName"}

	// The values MiniCRM's official WooCommerce plugin and production
	// code send (Status also Paid, which the order module has).
	orderStatuses       = []string{"Draft", "Issued", "Completed", "Paid", "Failed"}
	orderPaymentMethods = []string{"WiredTransfer", "Card", "Check", "CashOnDelivery", "Cash", "Other"}
	// vatCodes are the exemption codes an item's VAT may be instead of a
	// rate (the R3 documents' list).
	orderVATCodes = []string{"AAM", "TAM", "KBAET", "KBAUK", "EAM", "NAM", "ATK", "EUFAD37", "EUFADE", "EUE", "HO",
		"EU", "EUK", "MAA", "F.AFA", "K.AFA", "ÁKK", "TEHK"}
)

// UnmarshalYAML reads the block without judging it: what is wrong is kept
// for Compile, which reports it with every other problem of the mapping.
func (o *OrderSpec) UnmarshalYAML(n *yaml.Node) error {
	o.Fields, o.Customer, o.Product, o.Card = map[string]*FieldSpec{}, map[string]*FieldSpec{}, map[string]*FieldSpec{}, map[string]*FieldSpec{}
	o.keys = map[string][]string{}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: order: want the order's id, fields, customer:, product: and card:", n.Line)
	}
	o.readLevel(n, "", o.Fields)
	return nil
}

// readLevel reads one mapping node of the block (path "" is the order's
// own level) into fields.
func (o *OrderSpec) readLevel(n *yaml.Node, path string, fields map[string]*FieldSpec) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		full := "order." + k.Value
		if path != "" {
			full = "order." + path + "." + k.Value
		}
		if path == "" && (k.Value == "customer" || k.Value == "product" || k.Value == "card") {
			if v.Kind != yaml.MappingNode {
				o.problems = append(o.problems, orderProblem{full, "want the " + k.Value + "'s fields, each {column: …}, {const: …} or {template: …}"})
				continue
			}
			o.keys[""] = append(o.keys[""], k.Value)
			o.readLevel(v, k.Value, map[string]map[string]*FieldSpec{"customer": o.Customer, "product": o.Product, "card": o.Card}[k.Value])
			continue
		}
		if _, dup := fields[k.Value]; dup || (path == "" && k.Value == "id" && o.ID != nil) {
			o.problems = append(o.problems, orderProblem{full, "mapped twice"})
			continue
		}
		o.keys[path] = append(o.keys[path], k.Value)
		fs := o.readSpec(v, full)
		if path == "" && k.Value == "id" {
			o.ID = fs
			continue
		}
		fields[k.Value] = fs
	}
}

// readSpec reads one field entry; nil (with a problem) when it is not one.
func (o *OrderSpec) readSpec(v *yaml.Node, path string) *FieldSpec {
	if v.Kind != yaml.MappingNode {
		o.problems = append(o.problems, orderProblem{path, "want {column: …}, {const: …} or {template: …}"})
		return nil
	}
	for j := 0; j+1 < len(v.Content); j += 2 {
		if key := v.Content[j]; !fieldSpecKeys[key.Value] {
			known := make([]string, 0, len(fieldSpecKeys))
			for k := range fieldSpecKeys {
				known = append(known, k)
			}
			slices.Sort(known)
			o.problems = append(o.problems, orderProblem{path + "." + key.Value,
				fmt.Sprintf("%q is not a known key of a field%s", key.Value, didYouMean(key.Value, known))})
			return nil
		}
	}
	var fs FieldSpec
	if err := v.Decode(&fs); err != nil {
		msg := err.Error()
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
			msg = te.Errors[0]
		}
		o.problems = append(o.problems, orderProblem{path, strings.TrimPrefix(msg, "yaml: ")})
		return nil
	}
	return &fs
}

// orderPlan is a compiled order block.
type orderPlan struct {
	id       *fieldPlan
	fields   []*fieldPlan // fp.name: the element's name
	customer []*fieldPlan // fp.name: the API name (CountryId)
	product  []*fieldPlan
	prodID   *fieldPlan
	card     []*fieldPlan
	perf     *DateParser
}

// elementName is what a feed element may be called (xmlfeed's rule).
var elementName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// compileOrder checks the order block; problems go to bad with their
// paths (the file's lines come from them).
func compileOrder(m *Mapping, header []string, col map[string]int, bad func(path, format string, a ...any),
	checkColumn func(path, c string)) *orderPlan {
	o := m.Order
	for _, pr := range o.problems {
		bad(pr.path, "%s", pr.msg)
	}
	if m.Project == nil {
		bad("order", "orders belong to their customer's card: map a project (the customer's card, keyed by external_id) with its business or person")
	}
	c := &orderCompiler{o: o, header: header, col: col, bad: bad, checkColumn: checkColumn, op: &orderPlan{}}
	op := c.op
	if o.ID == nil {
		if !slices.Contains(o.keys[""], "id") {
			bad("order", "an order needs its id: id: {column: <the order number's column>}; the rows of one order share it")
		}
	} else {
		op.id = c.field("order.id", "Order@Id", o.ID)
	}
	op.fields = c.level("", o.Fields, OrderFields, requiredOrder)
	if !slices.Contains(o.keys[""], "customer") {
		bad("order", "an order needs its customer: (the billing party: Name, Country, PostalCode, City, Address)")
	} else {
		op.customer = c.level("customer", o.Customer, OrderCustomerFields, requiredCustomer)
	}
	if !slices.Contains(o.keys[""], "product") {
		bad("order", "an order needs its product: (each row is one line: id, Name, PriceNet, Quantity, Unit, VAT, FolderName)")
	} else {
		op.product = c.level("product", o.Product, OrderProductFields, requiredProduct)
		if spec, ok := o.Product["id"]; !ok {
			bad("order.product", "a product needs its id: id: {column: <the product's id or SKU column>} (Product@Id; the same id twice in an order is one line)")
		} else {
			op.prodID = c.field("order.product.id", "Product@Id", spec)
		}
	}
	op.card = c.level("card", o.Card, nil, nil)
	c.checkConstants()
	return op
}

// orderCompiler is one compileOrder: the order block, what it is checked
// against, and the plan it makes.
type orderCompiler struct {
	o           *OrderSpec
	header      []string
	col         map[string]int
	bad         func(path, format string, a ...any)
	checkColumn func(path, c string)
	op          *orderPlan
}

// field compiles one order value. There is no schema field: the values are
// checked by orderValue, not by compileField's schema checks.
func (c *orderCompiler) field(path, name string, spec *FieldSpec) *fieldPlan {
	if spec == nil {
		return nil // reported by readSpec
	}
	fp := &fieldPlan{name: name, path: path, spec: spec, field: restapi.SchemaField{Kind: restapi.KindText}}
	if spec.Number || spec.Bool || spec.Phone || spec.Email {
		c.bad(path, "order values are read by what they are (numbers, dates, codes); drop number, bool, phone and email")
		return nil
	}
	if len(spec.Date) > 0 && name != "Performance" {
		c.bad(path+".date", "only Performance is a date")
		return nil
	}
	if spec.IfEmpty == "clear" {
		c.bad(path+".if_empty", "an order is written whole each time, so there is nothing to clear; use skip, reject or skip_row")
		return nil
	}
	date := spec.Date
	spec2 := *spec
	spec2.Date = nil // the date is parsed here, not by compileField
	fp.spec = &spec2
	compileField(fp, c.header, c.col, func(sub, format string, a ...any) { c.bad(path+sub, format, a...) }, c.checkColumn)
	fp.parse = parseText
	if name == "Performance" {
		dp, err := NewDateParser(date)
		if err != nil {
			c.bad(path+".date", "%v", err)
		}
		c.op.perf = dp
	}
	return fp
}

// level compiles a section of the block ("" for the order's own fields):
// every key a known field (or, in card, an element name), none twice, the
// required ones there; in the order of known.
func (c *orderCompiler) level(section string, specs map[string]*FieldSpec, known, required []string) []*fieldPlan {
	base := "order"
	if section != "" {
		base += "." + section
	}
	var out []*fieldPlan
	for _, key := range c.o.keys[section] {
		if (section == "" && slices.Contains(orderSections, key)) || (section == "product" && key == "id") {
			continue
		}
		path := base + "." + key
		api, ok := c.levelKey(section, path, key, known)
		if !ok {
			continue
		}
		if slices.ContainsFunc(out, func(fp *fieldPlan) bool { return fp.name == api }) {
			c.bad(path, "%s is mapped twice", api)
			continue
		}
		if fp := c.field(path, api, specs[key]); fp != nil {
			out = append(out, fp)
		}
	}
	for _, req := range required {
		_, has := specs[req]
		if req == "Country" {
			_, has2 := specs["CountryId"]
			has = has || has2
		}
		if !has {
			c.bad(base, "%s is required (MiniCRM needs it for an order); map it, or give it with const:", strings.TrimPrefix(base+"."+req, "order."))
		}
	}
	rank := func(fp *fieldPlan) int {
		n := fp.name
		if n == "CountryId" {
			n = "Country"
		}
		if i := slices.Index(known, n); i >= 0 {
			return i
		}
		return len(known)
	}
	if section != "card" {
		slices.SortStableFunc(out, func(a, b *fieldPlan) int { return rank(a) - rank(b) })
	}
	return out
}

// levelKey is the API name a section's key maps to, or false (reported)
// when the section has no such field.
func (c *orderCompiler) levelKey(section, path, key string, known []string) (string, bool) {
	switch {
	case section == "card":
		if !elementName.MatchString(key) {
			c.bad(path, "%q cannot be an element name; name the order card's field by its API name (letters, digits, _)", key)
			return "", false
		}
	case section == "customer" && (key == "Country" || key == "CountryId"):
		return "CountryId", true
	case !slices.Contains(known, key):
		cands := known
		what := "an order has no field %q; its fields are %s, and the sections id, customer, product, card%s"
		switch section {
		case "customer":
			what = "the customer has no field %q; its fields are %s%s"
		case "product":
			what = "a product has no field %q; its fields are id, %s%s"
		default:
			cands = append(slices.Clone(known), orderSections...)
		}
		c.bad(path, what, key, strings.Join(known, ", "), didYouMean(key, cands))
		return "", false
	}
	return key, true
}

// checkConstants checks constants, defaults and the targets of enum tables
// now, not on every row.
func (c *orderCompiler) checkConstants() {
	for _, lv := range []struct {
		level string
		list  []*fieldPlan
	}{{"", c.op.fields}, {"product", c.op.product}} {
		for _, fp := range lv.list {
			for _, k := range []struct{ sub, v string }{{".const", fp.spec.Const}, {".default", fp.spec.Default}} {
				if k.v != "" {
					if _, err := orderValue(c.op, lv.level, fp.name, k.v); err != nil {
						c.bad(fp.path+k.sub, "%q %v", k.v, err)
					}
				}
			}
			for from, to := range fp.spec.Enum {
				if _, err := orderValue(c.op, lv.level, fp.name, to); err != nil {
					c.bad(fp.path+".enum."+from, "%q %v", to, err)
				}
			}
		}
	}
}

// OrderValue is one value of an order line: the element's name, its text
// as written to the feed, and the column it came from (for messages).
type OrderValue struct {
	Name, Value, Column string
}

// OrderLine is what a row of an order becomes: the order's id, the values
// of the order (its own, its customer's, its card's: every row may repeat
// them, or leave them to the order's first row), and the row's product.
type OrderLine struct {
	Loc      source.Location
	ID       string
	IDColumn string
	Order    []OrderValue
	Customer []OrderValue
	Card     []OrderValue
	// ProductID is Product@Id; Product its fields, PriceNet and Quantity
	// as plain decimals ("1250.5"), VAT as "27%" or an exemption code.
	ProductID       string
	ProductIDColumn string
	Product         []OrderValue
}

// HasOrders reports whether the mapping has an order block: its rows are
// order lines, for a feed.
func (p *Plan) HasOrders() bool { return p.order != nil }

// RequiredOrderValues are the values an order must have after its rows
// are merged: the order's own and the customer's (by level, "" and
// "customer"), as their names are written.
func RequiredOrderValues() (order, customer []string) {
	return slices.Clone(requiredOrder), []string{"Name", "CountryId", "PostalCode", "City", "Address"}
}

// OrderColumn is the column an order value of the mapping comes from
// ("" for a constant): for messages about a value that is missing.
func (p *Plan) OrderColumn(level, name string) string {
	if p.order == nil {
		return ""
	}
	list := p.order.fields
	if level == "customer" {
		list = p.order.customer
	}
	for _, fp := range list {
		if fp.name == name {
			return strings.Join(fp.cols, "+")
		}
	}
	return ""
}

// MapOrderLine maps the order block of a row. Like Map, the error is a
// *Skipped (a filter, an if_empty: skip_row) or RowErrors naming every
// value that cannot be read; the line is returned with RowErrors too, so
// that the row still finds its order when its id could be read (an order
// with a bad line is rejected whole).
func (p *Plan) MapOrderLine(row source.Row) (*OrderLine, error) {
	op := p.order
	if op == nil {
		return nil, fmt.Errorf("mapping: the mapping has no order block")
	}
	texts := make([]string, len(p.header))
	errs, skip := p.rowTexts(row, texts, op.usesColumn)
	if skip != nil {
		return nil, skip
	}
	line := &OrderLine{Loc: row.Loc}
	// get reads one value. ok is false for an empty value (Column says
	// where it was looked for) and for one that cannot be read (failed: its
	// error is in errs).
	get := func(fp *fieldPlan, level, field string) (v OrderValue, ok, failed bool, skip *Skipped) {
		text, col, blank := fp.rowText(texts)
		v.Column = col
		if blank {
			switch fp.ifEmpt {
			case "reject":
				errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: field, Reason: "is empty, and the mapping requires a value"})
				failed = true
			case "skip_row":
				skip = &Skipped{Loc: row.Loc, Reason: fmt.Sprintf("%s is empty (%s: if_empty: skip_row)", col, field)}
			}
			return v, false, failed, skip
		}
		t := strings.TrimSpace(text)
		if fp.enum != nil {
			if to, found := fp.enum[fold(t)]; found {
				t = to
			}
		}
		out, err := orderValue(op, level, fp.name, t)
		if err != nil {
			errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: field, Value: text, Reason: err.Error()})
			return v, false, true, nil
		}
		v.Name, v.Value = fp.name, out.(string)
		return v, true, false, nil
	}
	if op.id != nil {
		v, ok, failed, skip := get(op.id, "id", "Order@Id")
		if skip != nil {
			return nil, skip
		}
		line.ID, line.IDColumn = v.Value, v.Column
		if !ok && !failed {
			errs = append(errs, &CellError{Loc: row.Loc, Column: v.Column, Field: "Order@Id",
				Reason: "is empty; each row is a line of an order, found by the order's id"})
		}
	}
	for _, lv := range []struct {
		level, prefix string
		list          []*fieldPlan
		out           *[]OrderValue
	}{{"", "Order.", op.fields, &line.Order}, {"customer", "Order.Customer.", op.customer, &line.Customer},
		{"card", "Order.Project.", op.card, &line.Card}, {"product", "Order.Product.", op.product, &line.Product}} {
		for _, fp := range lv.list {
			v, ok, failed, skip := get(fp, lv.level, lv.prefix+fp.name)
			if skip != nil {
				return nil, skip
			}
			if ok {
				*lv.out = append(*lv.out, v)
			} else if !failed && lv.level == "product" && slices.Contains(requiredProduct, fp.name) {
				errs = append(errs, &CellError{Loc: row.Loc, Column: v.Column, Field: lv.prefix + fp.name,
					Reason: "is empty; every line of an order needs it (MiniCRM's sample feed marks it required)"})
			}
		}
	}
	if op.prodID != nil {
		v, ok, failed, skip := get(op.prodID, "product", "Order.Product@Id")
		if skip != nil {
			return nil, skip
		}
		line.ProductID, line.ProductIDColumn = v.Value, v.Column
		if !ok && !failed {
			errs = append(errs, &CellError{Loc: row.Loc, Column: v.Column, Field: "Order.Product@Id",
				Reason: "is empty; a line needs its product's id (Product@Id)"})
		}
	}
	if len(errs) > 0 {
		return line, errs
	}
	return line, nil
}

func (op *orderPlan) usesColumn(c string) bool {
	for _, list := range [][]*fieldPlan{{op.id, op.prodID}, op.fields, op.customer, op.product, op.card} {
		for _, fp := range list {
			if fp != nil && slices.Contains(fp.cols, c) {
				return true
			}
		}
	}
	return false
}

// orderValue checks and writes one value the way the feed takes it.
func orderValue(op *orderPlan, level, name, text string) (any, error) {
	text = strings.TrimSpace(text)
	switch level + "." + name {
	case ".Performance":
		t, err := op.perf.Parse(text)
		if err != nil {
			return nil, err
		}
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format(dateLayoutOut), nil
		}
		return t.Format(dateTimeLayoutOut), nil
	case ".CurrencyCode":
		c := strings.ToUpper(text)
		if c == "FT" {
			c = "HUF"
		}
		if len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Errorf("is not a currency code; write three letters such as HUF or EUR")
		}
		return c, nil
	case ".Language":
		l := strings.ToUpper(strings.TrimPrefix(text, "_"))
		if len(l) != 2 || strings.Trim(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Errorf("is not a language; write two letters such as HU or EN (written as _HU)")
		}
		return "_" + l, nil
	case ".Status":
		return oneOf(text, orderStatuses, "an order status")
	case ".PaymentMethod":
		return oneOf(text, orderPaymentMethods, "a payment method")
	case "product.PriceNet", "product.Quantity":
		f, err := ParseNumber(text)
		if err != nil {
			return nil, err
		}
		if name == "Quantity" && f == 0 {
			return nil, fmt.Errorf("is zero; a line needs a quantity")
		}
		return FormatNumber(f), nil
	case "product.VAT":
		if i := slices.IndexFunc(orderVATCodes, func(c string) bool { return strings.EqualFold(c, text) }); i >= 0 {
			return orderVATCodes[i], nil
		}
		num := strings.TrimSpace(strings.TrimSuffix(text, "%"))
		f, err := ParseNumber(num)
		if err != nil || f < 0 || f > 100 {
			return nil, fmt.Errorf("is not a VAT rate; write a percent such as 27%% (or 27), or an exemption code such as AAM")
		}
		return FormatNumber(f) + "%", nil
	}
	return text, nil
}

// oneOf finds text among the values, ignoring case and spaces.
func oneOf(text string, values []string, what string) (string, error) {
	key := strings.ToLower(strings.ReplaceAll(text, " ", ""))
	for _, v := range values {
		if strings.ToLower(v) == key {
			return v, nil
		}
	}
	return "", fmt.Errorf("is not %s; write one of %s (an enum: table maps the source's words to them)%s",
		what, strings.Join(values, ", "), didYouMean(text, values))
}

// SumQuantities adds two quantities written as plain decimals, exactly.
func SumQuantities(a, b string) (string, error) {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("mapping: quantities %q and %q are not decimals", a, b)
	}
	s := x.Add(x, y).FloatString(6)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s, nil
}

// NoOrders is the check of a run that writes records, not a feed (import
// over REST or through its own feed): it leaves an order block out, so a
// mapping with one is refused rather than its orders silently dropped.
func (p *Plan) NoOrders() error {
	if p.order == nil {
		return nil
	}
	return Problems{{File: p.m.Path, Line: p.m.Line("order"), Path: "order",
		Msg: "orders go to MiniCRM in a feed: build it with `minicrm-bulk feed build` and push it with `feed push`; import writes contacts and cards, and would leave the orders out"}}
}
