package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// Orders, invoices and offers. The List endpoints (/Api/Invoice/List…)
// give the number, dates, amounts and status of every issued document but
// not its customer or lines, so every document's detail is read (a request
// per document, checkpointed like Config.Details: a resumed run reads only
// the rest, an incremental one only the documents listed as changed). The
// lines go into the snapshot with the document (as JSON in one value), and
// Config.Items writes them as a second table.
//
// The company and VAT number of a document's card (ProjectId) come from the
// snapshot: the document modules' cards and the contacts are listed (100 a
// page), and the detail of each company a card names is read once.

// docKinds are the record kinds of the document entities.
var docKinds = map[Entity]string{Invoices: "Invoice", Orders: "Order", Offers: "Offer"}

// isDocKind reports whether a record kind is a document's.
func isDocKind(k string) bool { return k == "Invoice" || k == "Order" || k == "Offer" }

// docScope is the snapshot scope of a kind of document.
func docScope(kind string) string { return "doc/" + kind }

// colItems holds a document's lines in the snapshot (JSON); never a column.
const colItems = "Items"

// Document columns: the list item's, then the detail's, then the company
// of the document's card.
var docColumns = []struct {
	name string
	kind ColumnKind
}{
	{"Id", ColInt}, {"Number", ColText}, {"Type", ColText}, {"Status", ColText}, {"StatusGroup", ColText},
	{"Issued", ColDate}, {"Performance", ColDate}, {"Prompt", ColDate}, {"Paid", ColDate},
	{"CurrencyCode", ColText}, {"AmountNet", ColFloat}, {"AmountVat", ColFloat}, {"Amount", ColFloat},
	{"PaymentMethod", ColText}, {"VATMode", ColText},
	{"CustomerName", ColText}, {"CustomerVatNumber", ColText}, {"CustomerEUVatNumber", ColText},
	{"CustomerCountry", ColText}, {"CustomerPostalCode", ColText}, {"CustomerCity", ColText}, {"CustomerAddress", ColText},
	{"StornedId", ColInt}, {"ProjectId", ColInt}, {"Subject", ColText}, {"DocumentUrl", ColText},
}

// docSums are the columns the XLSX totals rows add up, per currency.
var docSums = map[string]bool{"AmountNet": true, "AmountVat": true, "Amount": true, "PriceNetTotal": true, "PriceTotal": true}

// itemColumns are the columns of a lines table: the document's, then the
// line's.
var itemColumns = []struct {
	name string
	kind ColumnKind
}{
	{"DocumentId", ColInt}, {"DocumentNumber", ColText}, {"Issued", ColDate}, {"CurrencyCode", ColText},
	{"ItemId", ColInt}, {"Name", ColText}, {"SKU", ColText}, {"Quantity", ColFloat}, {"Unit", ColText},
	{"PriceNet", ColFloat}, {"VAT", ColText}, {"PriceNetTotal", ColFloat}, {"PriceTotal", ColFloat},
}

// countryNames name MiniCRM's country ids, which the REST documents give
// for the customer's country (Customer.CountryId "36"), as MiniCRM's
// Hungarian user interface does. MiniCRM documents 36 (Magyarország) and
// 40 (Románia); the ids are the countries' calling codes, and the others
// follow that pattern (the sandbox's list). An id not here is written as
// it is, a number.
var countryNames = map[string]string{
	"36": "Magyarország", "40": "Románia", "421": "Szlovákia", "43": "Ausztria", "49": "Németország",
	"385": "Horvátország", "381": "Szerbia", "386": "Szlovénia", "380": "Ukrajna", "420": "Csehország",
	"48": "Lengyelország", "39": "Olaszország", "33": "Franciaország", "34": "Spanyolország", "31": "Hollandia",
	"32": "Belgium", "41": "Svájc", "44": "Egyesült Királyság", "353": "Írország", "1": "Egyesült Államok",
}

// docValue is a document column's value as written: the customer's
// country by name (unless ids are asked for: --ids), the rest as the
// snapshot has it. The name is looked up when written, so that documents
// read before keep no id.
func docValue(field, v string, labels bool) string {
	if field == "CustomerCountry" && labels {
		if name, ok := countryNames[strings.TrimSpace(v)]; ok {
			return name
		}
	}
	return v
}

// docLine is a document line as the snapshot keeps it: numbers in the
// canonical form ("1000.5"), the VAT rate as shown ("27%", "AAM").
type docLine struct {
	Id            int    `json:"id,omitempty"`
	Name          string `json:"name"`
	SKU           string `json:"sku,omitempty"`
	Quantity      string `json:"qty"`
	Unit          string `json:"unit,omitempty"`
	PriceNet      string `json:"price"`
	VAT           string `json:"vat,omitempty"`
	PriceNetTotal string `json:"net"`
	PriceTotal    string `json:"gross"`
}

// Number parses MiniCRM's numbers in every form the documents use:
// "7500", "7500.0000", "500.000000", and the invoices' Hungarian
// "1 000,00" (space or no-break space groups, decimal comma). It returns
// the canonical form ("1000", "12.5") and whether s was a number.
func Number(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' {
			return -1
		}
		return r
	}, s)
	if strings.Contains(s, ",") {
		if strings.Contains(s, ".") {
			s = strings.ReplaceAll(s, ".", "") // "1.000,50": "." groups
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	if strings.ContainsAny(s, "eE") { // not a decimal as MiniCRM writes one
		return "", false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", false
	}
	out := r.FloatString(6)
	out = strings.TrimRight(out, "0")
	out = strings.TrimSuffix(out, ".")
	if out == "-0" {
		out = "0"
	}
	return out, true
}

// number is Number, keeping a value that is not a number as it is (it
// then shows as text).
func number(s string) string {
	if n, ok := Number(s); ok {
		return n
	}
	return strings.TrimSpace(s)
}

// vatRate shows a line's VAT: "27" and "27%" as "27%", codes (AAM, TAM…)
// as they are.
func vatRate(s string) string {
	s = strings.TrimSpace(s)
	if n, ok := Number(strings.TrimSuffix(s, "%")); ok {
		return n + "%"
	}
	return s
}

// documentDate is a date of a document; MiniCRM's zero date is empty.
func documentDate(s string) string {
	return canonical(restapi.SchemaField{Kind: restapi.KindDate}, s)
}

func docRecord(kind string, it restapi.DocumentSummary) state.ExportRecord {
	v := map[string]string{"Id": itoa(it.Id.Int()), "ProjectId": idText(it.ProjectId.Int()),
		"StornedId": idText(it.StornedId.Int()), "Number": it.Number.String(), "Type": it.Type.String(),
		"Issued": documentDate(it.Issued.String()), "Performance": documentDate(it.Performance.String()),
		"Prompt": documentDate(it.Prompt.String()), "Paid": documentDate(it.Paid.String()),
		"CurrencyCode": it.CurrencyCode.String(), "AmountNet": number(it.AmountNet.String()),
		"AmountVat": number(it.AmountVat.String()), "Amount": number(it.Amount.String()),
		"Status": it.Status.String(), "StatusGroup": it.StatusGroup.String(), "DocumentUrl": it.DocumentUrl.String()}
	return state.ExportRecord{Id: it.Id.Int(), Kind: kind, ProjectId: it.ProjectId.Int(), Values: v}
}

// docService lists and reads one kind of document.
type docService interface {
	ListPage(context.Context, restapi.DocumentListOptions, int) (*restapi.Page[restapi.DocumentSummary], error)
	Get(context.Context, int) (*restapi.Document, error)
}

func (r *run) docService(kind string) docService {
	switch kind {
	case "Order":
		return r.c.Orders
	case "Offer":
		return r.c.Offers
	}
	return r.c.Invoices
}

// statusGroups are the values of --status that are a status group (the
// List endpoints' StatusGroup); any other value is a status name.
var statusGroups = []string{"Lead", "Open", "Success", "Failed"}

func statusGroup(s string) (string, bool) {
	for _, g := range statusGroups {
		if strings.EqualFold(g, strings.TrimSpace(s)) {
			return g, true
		}
	}
	return "", false
}

// listDocs lists a kind of document (changed since since, or all). A full
// listing asks for the --status group only; an incremental one lists every
// change, so that a document that left the group is updated too (rows are
// filtered when written).
func (r *run) listDocs(ctx context.Context, kind string, since time.Time) (int, error) {
	scope := docScope(kind)
	p := &pager{r: r, scope: scope}
	opts := restapi.DocumentListOptions{UpdatedSince: since}
	if g, ok := statusGroup(r.cfg.Status); ok && since.IsZero() {
		opts.StatusGroup = g
	}
	n := 0
	svc := r.docService(kind)
	err := pages(ctx, func(ctx context.Context, page int) (*restapi.Page[restapi.DocumentSummary], error) {
		return svc.ListPage(ctx, opts, page)
	}, func(it restapi.DocumentSummary) int { return it.Id.Int() }, func(it restapi.DocumentSummary) error {
		if it.Id.Int() <= 0 {
			return nil
		}
		n++
		return p.add(docRecord(kind, it))
	})
	return n, errors.Join(err, p.flush())
}

// docFromDetail merges a document's detail into its record: the customer,
// the payment method, the VAT mode and the lines.
func docFromDetail(rec *state.ExportRecord, d *restapi.Document, runID int) (*state.ExportRecord, error) {
	nr := *rec
	nr.Values = make(map[string]string, len(rec.Values)+12)
	for k, v := range rec.Values {
		nr.Values[k] = v
	}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" || nr.Values[k] == "" {
			nr.Values[k] = v
		}
	}
	set("Number", d.Number.String())
	set("Type", d.Type.String())
	set("Issued", documentDate(d.Issued.String()))
	set("Performance", documentDate(d.Performance.String()))
	set("Prompt", documentDate(d.Prompt.String()))
	set("CurrencyCode", d.CurrencyCode.String())
	set("PaymentMethod", d.PaymentMethod.String())
	vm := d.VATMode.String()
	if vm == "" && restapi.FieldText(d.Fields["IsReverseCharge"]) == "1" {
		vm = "ReverseCharge" // the invoice detail's way of saying it
	}
	set("VATMode", vm)
	set("Subject", d.Subject.String())
	c := d.Customer
	set("CustomerName", c.Name.String())
	set("CustomerVatNumber", c.VatNumber.String())
	set("CustomerEUVatNumber", c.EUVatNumber.String())
	country := c.Country.String()
	if country == "" {
		country = c.CountryId.String()
	}
	set("CustomerCountry", country)
	set("CustomerPostalCode", c.PostalCode.String())
	set("CustomerCity", c.City.String())
	set("CustomerAddress", c.Address.String())
	if p := d.ProjectId.Int(); p > 0 {
		nr.ProjectId = p
		nr.Values["ProjectId"] = itoa(p)
	}
	lines := make([]docLine, 0, len(d.Items))
	for i, it := range d.Items {
		l := docLine{Id: it.Id.Int(), Name: it.Name.String(), SKU: it.SKU.String(), Unit: it.Unit.String(),
			VAT: vatRate(it.VAT.String())}
		var ok1, ok2, ok3, ok4 bool
		l.Quantity, ok1 = Number(it.Quantity.String())
		l.PriceNet, ok2 = Number(it.PriceNet.String())
		l.PriceNetTotal, ok3 = Number(it.PriceNetTotal.String())
		l.PriceTotal, ok4 = Number(it.PriceTotal.String())
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, fmt.Errorf("%s %d, line %d (%q): a quantity or price is not a number (%q, %q, %q, %q)",
				rec.Kind, rec.Id, i+1, l.Name, it.Quantity.String(), it.PriceNet.String(), it.PriceNetTotal.String(),
				it.PriceTotal.String())
		}
		lines = append(lines, l)
	}
	b, err := json.Marshal(lines)
	if err != nil {
		return nil, err
	}
	nr.Values[colItems] = string(b)
	nr.Detail, nr.DetailRun = true, runID
	return &nr, nil
}

// docLines reads a document record's lines back.
func docLines(rec *state.ExportRecord) ([]docLine, error) {
	s := rec.Values[colItems]
	if s == "" {
		return nil, nil
	}
	var lines []docLine
	if err := json.Unmarshal([]byte(s), &lines); err != nil {
		return nil, fmt.Errorf("%s %d: the snapshot's lines: %w", rec.Kind, rec.Id, err)
	}
	return lines, nil
}

// loadDocCategories finds the modules of the kinds of documents exported
// (the modules whose Type is Invoice, Order or Offer): their cards are
// listed for the company of each document.
func (r *run) loadDocCategories(ctx context.Context) error {
	want := map[string]bool{}
	for _, e := range r.cfg.Entities {
		if k, ok := docKinds[e]; ok {
			want[k] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	cats, err := r.c.Categories.ListDetailed(ctx)
	if err != nil {
		return fmt.Errorf("reading the modules: %w", err)
	}
	for _, c := range cats {
		if want[c.Type] {
			r.docCats = append(r.docCats, c.Id)
		}
	}
	return nil
}

// fetchCompanies reads the detail of every company a row names whose
// detail the snapshot does not have, a chunk at a time: the company of each
// document's card, and with joinCompanies of each person and card. The
// scan keeps no set of what it saw beyond a chunk: a company read is in the
// snapshot with its detail, and not asked for again.
func (r *run) fetchCompanies(ctx context.Context) error {
	chunk := max(4*r.cfg.Workers, 16)
	var scopes []string
	if r.joinCompanies {
		scopes = append(scopes, scopeContacts, scopeCards)
	}
	for _, e := range r.cfg.Entities {
		if kind, ok := docKinds[e]; ok {
			scopes = append(scopes, docScope(kind))
		}
	}
	for _, scope := range scopes {
		after := 0
		for {
			var todo []*state.ExportRecord
			seen := map[int]bool{}
			stop := errors.New("stop")
			err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
				return v.Each(scope, after, func(rec *state.ExportRecord) error {
					after = rec.Id
					b, err := r.companyOf(rec, v)
					if err != nil {
						return err
					}
					if b != nil && !b.Detail && !seen[b.Id] {
						seen[b.Id] = true
						todo = append(todo, b)
					}
					if len(todo) == chunk {
						return stop
					}
					return nil
				})
			})
			if err != nil && !errors.Is(err, stop) {
				return err
			}
			if len(todo) > 0 {
				if err := r.detailChunk(ctx, scopeContacts, todo); err != nil {
					return err
				}
			}
			if !errors.Is(err, stop) {
				break
			}
		}
	}
	return nil
}

// companyOf is the company a written row names: a person's company, an
// exported card's, a document's card's.
func (r *run) companyOf(rec *state.ExportRecord, lv lookupView) (*state.ExportRecord, error) {
	switch {
	case rec.Kind == kindPerson:
		if id, _ := strconv.Atoi(rec.Values["BusinessId"]); id > 0 {
			return lv.Get(scopeContacts, id)
		}
	case rec.Kind == kindProject && r.exportedCategory(rec.CategoryId):
		return cardCompany(rec.Id, lv)
	case isDocKind(rec.Kind):
		return cardCompany(rec.ProjectId, lv)
	}
	return nil, nil
}

// cardCompany is the company of a card in the snapshot: its BusinessId, or
// its contact when that is a company.
func cardCompany(projectID int, lv lookupView) (*state.ExportRecord, error) {
	if projectID <= 0 {
		return nil, nil
	}
	card, err := lv.Get(scopeCards, projectID)
	if err != nil || card == nil {
		return nil, err
	}
	if id, _ := strconv.Atoi(card.Values["BusinessId"]); id > 0 {
		return lv.Get(scopeContacts, id)
	}
	id, _ := strconv.Atoi(card.Values["ContactId"])
	if id <= 0 {
		return nil, nil
	}
	c, err := lv.Get(scopeContacts, id)
	if err != nil || c == nil {
		return nil, err
	}
	if c.Kind == kindBusiness {
		return c, nil
	}
	if bid, _ := strconv.Atoi(c.Values["BusinessId"]); bid > 0 {
		return lv.Get(scopeContacts, bid)
	}
	return nil, nil
}

// inRange reports whether a document row is written: its issue date (an
// order without one: its performance date) within --since/--until, its
// status or status group the --status asked for.
func (r *run) inRange(rec *state.ExportRecord) bool {
	if s := strings.TrimSpace(r.cfg.Status); s != "" {
		if g, ok := statusGroup(s); ok {
			if rec.Values["StatusGroup"] != g {
				return false
			}
		} else if !strings.EqualFold(strings.TrimSpace(rec.Values["Status"]), s) {
			return false
		}
	}
	if r.cfg.Since.IsZero() && r.cfg.Until.IsZero() {
		return true
	}
	d := rec.Values["Issued"]
	if d == "" {
		d = rec.Values["Performance"]
	}
	if len(d) > 10 {
		d = d[:10]
	}
	if d == "" {
		return false
	}
	if !r.cfg.Since.IsZero() && d < r.cfg.Since.Format("2006-01-02") {
		return false
	}
	if !r.cfg.Until.IsZero() && d > r.cfg.Until.Format("2006-01-02") {
		return false
	}
	return true
}
