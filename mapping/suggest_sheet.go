package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// SheetOptions say what SuggestSheet writes besides the columns.
type SheetOptions struct {
	// SourceFile is written as source.file.
	SourceFile string
	// Sheet and HeaderRow, when set, are written into the source section
	// (they were given on the command line); the sheet read and the header
	// found are said in a comment either way.
	Sheet     string
	HeaderRow int
	// Category is the module of a card section; "" writes none.
	Category string
	// Only, when set, writes that one section (`init --entity`): the
	// columns are still read as the whole sheet, so that a person's e-mail
	// never lands on the company, and the other sections' columns are
	// listed as left out.
	Only EntityKind
}

// SuggestSheet writes a mapping for the whole sheet: a business section
// when the sheet names companies, a person section linked to it when it
// names people, and with a category a card section linked to the person
// (or the company). It is a suggestion the user reads: every guess (an
// enum value matched to its nearest option, a column matched to a custom
// field by its name) says so in a comment, and every column it leaves out
// is listed.
func SuggestSheet(smp *Sample, opts SheetOptions, s *Schemas) (string, error) {
	g := &sheetGuess{smp: smp, s: s, taken: map[int]bool{}, id: -1}
	if opts.Category != "" {
		id, ok := s.CategoryID(opts.Category)
		if !ok {
			return "", fmt.Errorf("module %q does not exist; the modules are %s", opts.Category, strings.Join(s.CategoryNames(), ", "))
		}
		g.card = &draft{kind: KindProject, schema: s.Projects[id]}
		if g.card.schema == nil {
			return "", fmt.Errorf("no schema for module %q", opts.Category)
		}
	}
	g.classify()
	if opts.Only != "" {
		g.keepOnly(opts.Only)
	}
	return g.write(opts), nil
}

// keepOnly drops the sections other than kind; their columns join the
// columns left out.
func (g *sheetGuess) keepOnly(kind EntityKind) {
	drop := map[*draft]bool{}
	for _, d := range []*draft{g.biz, g.person, g.card} {
		if d != nil && d.kind != kind {
			drop[d] = true
		}
	}
	used := map[int]bool{}
	for _, d := range []*draft{g.biz, g.person, g.card} {
		if d == nil || drop[d] {
			continue
		}
		for _, f := range d.fields {
			if c := g.column(f.name, d); c >= 0 {
				used[c] = true
			}
			for _, ref := range placeholder.FindAllStringSubmatch(f.spec, -1) {
				if i := slices.Index(g.smp.Header, ref[1]); i >= 0 {
					used[i] = true
				}
			}
			for _, l := range f.block {
				for i, h := range g.smp.Header {
					if l == "column: "+yamlString(h) {
						used[i] = true
					}
				}
			}
		}
	}
	if g.id >= 0 {
		used[g.id] = used[g.id] || g.keptExternalID(drop)
	}
	var left []int
	for i := range g.smp.Header {
		isAddr := false
		for _, a := range g.address {
			isAddr = isAddr || a[1] == g.smp.Header[i]
		}
		if !used[i] && !isAddr {
			left = append(left, i)
		}
	}
	g.unmapped = left
	if drop[g.biz] {
		g.biz = nil
	}
	if drop[g.person] {
		g.person = nil
	}
	if drop[g.card] {
		g.card = nil
	}
	if g.person != nil && g.biz == nil {
		g.person.link, g.person.linkNote = "", ""
	}
	if g.card != nil && g.person == nil && g.biz == nil {
		g.card.link, g.card.linkNote = "", ""
		g.card.notes = append(g.card.notes, "a card needs its contact: add a person or business section (mapping init without --entity writes them), then link: person")
	}
	g.cardHint = ""
}

// keptExternalID tells whether a kept section reads the id column.
func (g *sheetGuess) keptExternalID(drop map[*draft]bool) bool {
	for _, d := range []*draft{g.biz, g.person, g.card} {
		if d != nil && !drop[d] && d.externalID != "" {
			return true
		}
	}
	return false
}

// draft is one section being written.
type draft struct {
	kind       EntityKind
	schema     *restapi.Schema
	match      []string
	matchNote  string
	externalID string
	link       string
	linkNote   string
	fields     []fieldDraft
	notes      []string // comment lines after the fields
}

// fieldDraft is one field: a one-line spec ("{column: X}") or the lines of
// a block, and a comment.
type fieldDraft struct {
	name    string
	spec    string
	block   []string
	comment string
}

func (d *draft) has(field string) bool {
	for _, f := range d.fields {
		if f.name == field {
			return true
		}
	}
	return false
}

func (d *draft) add(f fieldDraft) { d.fields = append(d.fields, f) }

type sheetGuess struct {
	smp   *Sample
	s     *Schemas
	taken map[int]bool // columns mapped (or set aside as an address)

	biz, person, card *draft

	addrOf   string // whose address the address columns are
	id       int    // the id column, -1 when none
	cardHint string // a column that looks like a sales stage, when no card is mapped
	address  [][2]string
	unmapped []int
}

// col finds the first free column whose folded name is one of words.
func (g *sheetGuess) col(names ...string) int {
	for i, h := range g.smp.Header {
		if g.taken[i] {
			continue
		}
		f := CollapseSpace(fold(h))
		for _, n := range names {
			if f == n {
				return i
			}
		}
	}
	return -1
}

// synonymCol finds the free column that synonyms name for a field.
func (g *sheetGuess) synonymCol(kind EntityKind, field string) int {
	return g.col(synonyms[kind][field]...)
}

func (g *sheetGuess) header(i int) string { return g.smp.Header[i] }

// Words that name a column of full person names, and of a card's own name
// or its owner.
var (
	fullNameWords = []string{"nev", "teljes nev", "kapcsolattarto", "kapcsolattarto neve", "ugyintezo neve", "contact", "contact name", "full name", "name"}
	cardNameWords = []string{"adatlap", "adatlap neve", "adatlap nev", "targy", "projekt", "projekt neve", "lehetoseg", "ugylet", "subject", "deal", "opportunity"}
	ownerWords    = []string{"felelos", "tulajdonos", "ugyintezo", "uzletkoto", "ertekesito", "kollega", "owner", "sales rep", "salesperson", "user", "assigned to"}
	statusWords   = []string{"statusz", "allapot", "fazis", "szakasz", "ertekesitesi fazis", "ertekesitesi statusz", "status", "stage", "phase", "pipeline stage"}
)

// classify decides what each column is.
func (g *sheetGuess) classify() {
	smp := g.smp
	// The row's id column.
	for i, h := range smp.Header {
		if isIDColumn(h) {
			g.id = i
			g.taken[i] = true
			break
		}
	}

	// Companies: a name column, or (with a VAT number) a plain name column.
	bizName := g.synonymCol(KindBusiness, "Name")
	vat := g.synonymCol(KindBusiness, "VatNumber")
	personNames := g.synonymCol(KindPerson, "FirstName") >= 0 || g.synonymCol(KindPerson, "LastName") >= 0
	if bizName < 0 && vat >= 0 && !personNames {
		bizName = g.col("nev", "name", "megnevezes")
	}
	if bizName >= 0 && g.s.Business != nil {
		g.biz = &draft{kind: KindBusiness, schema: g.s.Business}
		g.take(g.biz, "Name", bizName, "")
		for _, f := range []string{"VatNumber", "EUVatNumber", "RegistrationNumber", "BankAccount", "Url", "Email", "Phone"} {
			if c := g.synonymCol(KindBusiness, f); c >= 0 && g.hasField(g.biz, f) {
				g.take(g.biz, f, c, "")
			}
		}
	}

	// People.
	if g.s.Person != nil {
		p := &draft{kind: KindPerson, schema: g.s.Person}
		for _, f := range []string{"LastName", "FirstName"} {
			if c := g.synonymCol(KindPerson, f); c >= 0 {
				g.take(p, f, c, "")
			}
		}
		if len(p.fields) == 0 {
			if c := g.col(fullNameWords...); c >= 0 {
				g.take(p, "FirstName", c, "the whole name: MiniCRM shows it as it is; split the column to fill LastName too")
			}
		}
		// E-mail and phone are the person's when the sheet names people,
		// else the company's.
		owner := p
		if len(p.fields) == 0 && g.biz != nil {
			owner = g.biz
		}
		for _, f := range []string{"Email", "Phone", "Position"} {
			if owner == g.biz && f == "Position" {
				continue
			}
			if owner.has(f) {
				continue
			}
			if c := g.synonymCol(KindPerson, f); c >= 0 {
				g.take(owner, f, c, "")
			}
		}
		if len(p.fields) > 0 {
			g.person = p
		}
	}

	// Addresses, kept aside.
	for i, h := range smp.Header {
		if g.taken[i] {
			continue
		}
		if part := addressPart(h); part != "" {
			g.taken[i] = true
			g.address = append(g.address, [2]string{part, h})
		}
	}

	g.addrOf = "the person's"
	if g.biz != nil {
		g.addrOf = "the company's"
	}

	// The card's own fields.
	if g.card != nil {
		g.cardFields()
	}

	// Custom fields, by name, with values that fit.
	for i := range smp.Header {
		if g.taken[i] {
			continue
		}
		g.customField(i)
	}
	for i := range smp.Header {
		if !g.taken[i] {
			g.unmapped = append(g.unmapped, i)
		}
	}
	if g.card == nil {
		if c := g.col(statusWords...); c >= 0 {
			g.cardHint = g.header(c)
		}
	}
	g.keys()
}

// take maps a field to column c.
func (g *sheetGuess) take(d *draft, field string, c int, comment string) {
	g.taken[c] = true
	d.add(fieldDraft{name: field, spec: "{column: " + yamlString(g.header(c)) + "}", comment: comment})
}

func (g *sheetGuess) hasField(d *draft, name string) bool {
	_, ok := d.schema.Field(name)
	return ok
}

// cardFields maps the card's Name, UserId and StatusId.
func (g *sheetGuess) cardFields() {
	c := g.card
	if col := g.col(cardNameWords...); col >= 0 {
		g.take(c, "Name", col, "")
	} else if t := g.nameTemplate(); t != "" {
		c.add(fieldDraft{name: "Name", spec: "{template: " + yamlQuoted(t) + "}", comment: "the card's name: edit the template as you like"})
	}
	for _, f := range []struct {
		name  string
		words []string
	}{{"UserId", ownerWords}, {"StatusId", statusWords}} {
		sf, ok := c.schema.Field(f.name)
		if !ok {
			continue
		}
		if col := g.col(f.words...); col >= 0 {
			g.taken[col] = true
			c.add(g.enumField(f.name, col, sf, ""))
			continue
		}
		if len(sf.Options) == 0 {
			continue
		}
		first := sf.Options[0].Label
		var others []string
		for _, o := range sf.Options[1:] {
			others = append(others, o.Label)
		}
		what := "the card's owner"
		if f.name == "StatusId" {
			what = "every card starts in this status"
		}
		comment := what
		if len(others) > 0 {
			comment += "; the others: " + strings.Join(others, ", ")
		}
		c.add(fieldDraft{name: f.name, spec: "{const: " + yamlString(first) + "}", comment: comment})
	}
}

// nameTemplate names a card after its company and person ("" when a
// column's name has braces, which a template cannot name).
func (g *sheetGuess) nameTemplate() string {
	for _, h := range g.smp.Header {
		if strings.ContainsAny(h, "{}") && (g.columnOf(g.biz, "Name") == h || g.columnOf(g.person, "LastName") == h || g.columnOf(g.person, "FirstName") == h) {
			return ""
		}
	}
	var comp, pers string
	if g.biz != nil {
		comp = "{" + g.columnOf(g.biz, "Name") + "}"
	}
	if g.person != nil {
		var parts []string
		for _, f := range []string{"LastName", "FirstName"} {
			if c := g.columnOf(g.person, f); c != "" {
				parts = append(parts, "{"+c+"}")
			}
		}
		pers = strings.Join(parts, " ")
	}
	switch {
	case comp != "" && pers != "":
		return comp + " – " + pers
	case comp != "":
		return comp
	}
	return pers
}

// columnOf is the column a drafted field reads.
func (g *sheetGuess) columnOf(d *draft, field string) string {
	if d == nil {
		return ""
	}
	for _, f := range d.fields {
		if f.name == field && strings.HasPrefix(f.spec, "{column: ") {
			for _, h := range g.smp.Header {
				if f.spec == "{column: "+yamlString(h)+"}" {
					return h
				}
			}
		}
	}
	return ""
}

// enumField maps a dropdown to a column with a table from the column's
// distinct values to the options.
func (g *sheetGuess) enumField(name string, col int, f restapi.SchemaField, comment string) fieldDraft {
	fd := fieldDraft{name: name, comment: comment}
	fd.block = append(fd.block, "column: "+yamlString(g.header(col)))
	values, many := g.smp.values(col)
	if many {
		fd.block = append(fd.block, fmt.Sprintf("# more than %d different values: too many for a table; map them with enum: {value: option}", maxDistinct))
		return fd
	}
	var unmatched []string
	var table []string
	// One entry for values that differ only in case, accents or spacing:
	// the table compares them that way.
	seen := map[string]bool{}
	var distinct []string
	for _, v := range values {
		if k := fold(CollapseSpace(v)); !seen[k] {
			seen[k] = true
			distinct = append(distinct, v)
		}
	}
	for _, m := range matchOptions(distinct, f) {
		if m.label == "" {
			unmatched = append(unmatched, m.value)
			continue
		}
		line := "  " + yamlString(m.value) + ": " + yamlString(m.label)
		if m.how != "" {
			line += "   # " + m.how + ": check"
		}
		table = append(table, line)
	}
	if len(table) > 0 {
		fd.block = append(fd.block, "enum:")
		fd.block = append(fd.block, table...)
	}
	if len(unmatched) > 0 {
		fd.block = append(fd.block,
			"# values matching no option (`mapping check` rejects their rows until you add them above):",
			"#   "+strings.Join(quoteAll(unmatched), ", "),
			"# the options: "+oneLine(strings.Join(optionLabels(f), ", ")))
	}
	return fd
}

// customField maps column i to the custom field its name is most like,
// when the column's values fit the field's type.
func (g *sheetGuess) customField(i int) {
	type cand struct {
		d     *draft
		f     restapi.SchemaField
		score float64
	}
	var best cand
	for _, d := range []*draft{g.card, g.person, g.biz} {
		if d == nil || d.schema == nil {
			continue
		}
		for _, f := range d.schema.Fields {
			if !customCandidate(d.kind, f) || d.has(f.Name) {
				continue
			}
			// A column of the field's very name is the field, whatever its
			// values (check reports the ones that do not fit); a look-alike
			// name needs values that fit too.
			if sc := nameScore(g.header(i), f.Name, d == g.card); sc >= fieldThreshold && sc > best.score && (sc == 1 || g.fits(i, f)) {
				best = cand{d, f, sc}
			}
		}
	}
	if best.d == nil {
		return
	}
	g.taken[i] = true
	comment := ""
	if best.score < 1 {
		comment = "matched by the column's name: check"
	}
	if best.f.Kind == restapi.KindEnum {
		best.d.add(g.enumField(best.f.Name, i, best.f, comment))
		return
	}
	best.d.add(fieldDraft{name: best.f.Name, spec: "{column: " + yamlString(g.header(i)) + "}", comment: comment})
}

// customCandidate tells whether init may map a field by its name's
// likeness: not the fields with synonyms (mapped by them), not the ones
// MiniCRM fills or links set.
func customCandidate(kind EntityKind, f restapi.SchemaField) bool {
	if refusal(f.Name) != "" || f.Kind == restapi.KindFile || f.Kind == restapi.KindOther {
		return false
	}
	if _, ok := synonyms[kind][f.Name]; ok {
		return false
	}
	switch f.Name {
	case "Name", "UserId", "StatusId", "IsPrivate", "ReferenceId", "FirstName", "LastName", "Email", "Phone", "Url":
		return false
	}
	return true
}

// fits tells whether column i's values suit a field's type.
func (g *sheetGuess) fits(i int, f restapi.SchemaField) bool {
	const enough = 0.9
	switch f.Kind {
	case restapi.KindInt, restapi.KindFloat:
		return g.smp.share(i, func(v string) bool { _, err := ParseNumber(v); return err == nil }) >= enough
	case restapi.KindDate, restapi.KindDateTime:
		dp, _ := NewDateParser(nil)
		return g.smp.share(i, func(v string) bool { _, err := dp.Parse(v); return err == nil }) >= enough
	case restapi.KindEmail:
		return g.smp.share(i, func(v string) bool { return strings.Contains(v, "@") }) >= enough
	case restapi.KindEnum:
		values, many := g.smp.values(i)
		if many || len(values) == 0 {
			return false
		}
		for _, m := range matchOptions(values, f) {
			if m.label != "" {
				return true
			}
		}
		return false
	}
	return true
}

// keys sets each section's match keys, external id and link.
func (g *sheetGuess) keys() {
	if g.biz != nil {
		if g.biz.has("VatNumber") {
			g.biz.match = []string{"vat_number"}
			g.biz.matchNote = "a company is its VAT number: never found by its name when the row has one"
			if c := g.column("VatNumber", g.biz); c >= 0 && g.smp.filled[c] < g.smp.N {
				g.biz.notes = append(g.biz.notes, fmt.Sprintf("%d of the %d rows read have no VAT number: their company cannot be found again and is created",
					g.smp.N-g.smp.filled[c], g.smp.N))
			}
		} else {
			g.biz.match = []string{"name"}
			g.biz.matchNote = "by name, ignoring case and accents: a VAT number column would be safer"
		}
	}
	if g.person != nil {
		if g.biz != nil {
			g.person.link = "business"
			g.person.linkNote = "the person works at the company of the same row"
		}
		switch {
		case g.person.has("Email") && g.person.has("Phone"):
			g.person.match = []string{"email", "phone"}
		case g.person.has("Email"):
			g.person.match = []string{"email"}
		case g.person.has("Phone"):
			g.person.match = []string{"phone", "name"}
		default:
			g.person.match = []string{"name"}
		}
	}
	if g.card != nil {
		switch {
		case g.person != nil:
			g.card.link = "person"
			g.card.linkNote = "the card's contact is the person of the same row"
		case g.biz != nil:
			g.card.link = "business"
			g.card.linkNote = "the card's contact is the company of the same row"
		}
		g.card.match = []string{"name"}
	}
	if g.id < 0 {
		return
	}
	idOwner := g.idOwner()
	// The id column: the record it identifies matches by it first; a card
	// of the row takes it too when it is the row's own id.
	owners := []*draft{idOwner}
	if g.card != nil && idOwner != g.card && (idOwner == g.person || g.person == nil) {
		owners = append(owners, g.card)
	}
	placed := false
	for _, d := range owners {
		if d == nil {
			continue
		}
		f := externalIDField(d.schema)
		if f == "" {
			d.notes = append(d.notes, fmt.Sprintf("the sheet's id column %q could find these records again if MiniCRM had a text field for it (e.g. KulsoAzonosito): add one, then external_id: <its name>",
				g.header(g.id)))
			continue
		}
		placed = true
		d.externalID = f
		d.fields = append([]fieldDraft{{name: f, spec: "{column: " + yamlString(g.header(g.id)) + "}", comment: "the old system's id"}}, d.fields...)
		switch d {
		case g.biz:
			// A company's VAT number stays its first key.
			if d.has("VatNumber") {
				d.match = []string{"vat_number", "external_id"}
			} else {
				d.match = append([]string{"external_id"}, d.match...)
			}
		case g.card:
			d.match = []string{"external_id"}
		default:
			d.match = append([]string{"external_id"}, d.match...)
		}
	}
	if !placed {
		g.unmapped = append([]int{g.id}, g.unmapped...)
	}
}

// idOwner is the section the id column identifies: the company when the
// id goes one-to-one with the company's VAT number (or name); the person
// when it goes one-to-one with the person's e-mail (a person repeated on
// several rows keeps one id); else the row's card; nil when none fits (the
// id changes for one person and there is no card).
func (g *sheetGuess) idOwner() *draft {
	if g.biz != nil {
		key := g.column("VatNumber", g.biz)
		if key < 0 {
			key = g.column("Name", g.biz)
		}
		// One-to-one alone proves nothing when each company is on one row
		// (a person's id is one-to-one with it too): with people on the
		// sheet, a company's id must also repeat with its company.
		if g.person == nil && g.card == nil || key >= 0 && g.smp.oneToOne(g.id, key) && (g.person == nil || g.smp.repeats(key)) {
			return g.biz
		}
	}
	if g.person != nil {
		if e := g.column("Email", g.person); e < 0 || g.smp.oneToOne(g.id, e) {
			return g.person
		}
		if g.card == nil {
			g.person.notes = append(g.person.notes, fmt.Sprintf("the id column %q changes for one e-mail address: it identifies rows (deals?), not people; with --category MODULE the cards take it",
				g.header(g.id)))
		}
	}
	return g.card
}

// column is the index of the column a drafted field reads, -1 if none.
func (g *sheetGuess) column(field string, d *draft) int {
	h := g.columnOf(d, field)
	for i, x := range g.smp.Header {
		if h != "" && x == h {
			return i
		}
	}
	return -1
}

// externalIDField finds the text field that holds another system's id.
func externalIDField(sch *restapi.Schema) string {
	if sch == nil {
		return ""
	}
	for _, pass := range []func(string) bool{
		func(w string) bool { return w == "kulsoazonosito" || w == "externalid" || w == "kulsoid" },
		func(w string) bool { return strings.Contains(w, "kulsoazonosito") || strings.Contains(w, "externalid") },
	} {
		for _, f := range sch.Fields {
			if f.Kind != restapi.KindText && f.Kind != restapi.KindInt {
				continue
			}
			if pass(strings.Join(words(f.Name), "")) {
				return f.Name
			}
		}
	}
	return ""
}

// isIDColumn tells whether a column holds the old system's id of the row
// (Azonosító, ID, Ügyfélkód), not a tax or postal number.
func isIDColumn(h string) bool {
	ws := words(h)
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		if strings.HasPrefix(w, "ado") || w == "vat" || w == "tax" || w == "irsz" || strings.HasPrefix(w, "iranyito") ||
			w == "zip" || w == "postal" || w == "bank" || w == "kozossegi" || w == "jel" {
			return false
		}
	}
	last := ws[len(ws)-1]
	switch {
	case last == "id" || last == "azonosito" || last == "kod" || last == "code" && len(ws) > 1:
		return true
	case len(ws) == 1 && (strings.HasSuffix(last, "kod") || strings.HasSuffix(last, "azonosito")):
		return true
	}
	return false
}

// addressParts name the parts of an address, as a sheet's headers do.
var addressParts = []struct {
	part  string
	words []string
}{
	{"PostalCode", []string{"irsz", "iranyitoszam", "postal code", "postcode", "zip", "zip code", "postai iranyitoszam"}},
	{"City", []string{"telepules", "varos", "helyseg", "city", "town", "helysegnev"}},
	{"Address", []string{"cim", "utca", "utca hazszam", "utca, hazszam", "hazszam", "street", "address", "street address", "szekhely", "szekhely cime"}},
	{"County", []string{"megye", "county", "region", "state"}},
	{"Country", []string{"orszag", "country"}},
}

// addressPart tells which part of an address a column holds ("" for none).
func addressPart(h string) string {
	j := strings.Join(words(h), " ")
	for _, p := range addressParts {
		for _, w := range p.words {
			if j == strings.Join(words(w), " ") {
				return p.part
			}
		}
	}
	return ""
}
