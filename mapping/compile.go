package mapping

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Plan is a mapping compiled against a Schema and a source header: it turns
// rows into records without further checks of the mapping itself.
type Plan struct {
	m          *Mapping
	header     []string
	col        map[string]int
	filters    []compiledFilter
	entities   []*entityPlan
	categoryID int
	phones     PhoneNormalizer
	order      *orderPlan // the order block (order.go), nil without one
}

type entityPlan struct {
	kind       EntityKind
	spec       *Entity
	schema     *restapi.Schema
	fields     []*fieldPlan
	match      []string
	externalID string
	link       EntityKind
	relink     string
	address    *addressPlan
}

type fieldPlan struct {
	name  string
	path  string // "person.fields.Email", for messages
	spec  *FieldSpec
	field restapi.SchemaField
	value func(cells []string) (text, column string)
	cols  []string // the columns the value reads
	dates *DateParser
	enum  map[string]string // source value (enumKey) → MiniCRM value
	// enumExact is enum by the source values as the mapping writes them:
	// most rows spell them so, and need no folding.
	enumExact map[string]string
	parse     parseKind
	ifEmpt    string
	rt        fieldRuntime // worked out on the first row (row.go)
}

type parseKind int

const (
	parseText parseKind = iota
	parseInt
	parseFloat
	parseDate
	parseDateTime
	parseBool
	parseEnum
	parsePhone
	parseEmail
)

// Match keys a mapping may name, in the order docs/matching.md explains them.
var matchKeys = []string{"email", "phone", "external_id", "vat_number", "name"}

// refusal says why a mapping cannot set a field ("" when it can): the
// field's role in crm's catalogue, in a mapping's words.
func refusal(name string) string {
	switch crm.RoleOf(name) {
	case crm.Fixed, crm.Link:
		why, ok := setBy[name]
		if !ok {
			why = "set by where the record sits"
		}
		return name + " cannot be mapped: it is " + why
	case crm.Computed, crm.Trash, crm.Tags:
		return name + " is filled in by MiniCRM and cannot be written"
	}
	return ""
}

// setBy says what sets the fields of the roles Fixed and Link instead.
var setBy = map[string]string{
	"CategoryId": "set by project.category",
	"ContactId":  "set by project.link",
	"BusinessId": "set by the link to the business",
	"Type":       "set by the entity (business or person)",
}

// requiredForCreate are the fields MiniCRM needs to create a record (the HU
// seed for Project; Person needs FirstName, Business Name). CategoryId and
// ContactId of a Project come from the category and the link.
var requiredForCreate = map[EntityKind][]string{
	KindBusiness: {"Name"},
	KindPerson:   {"FirstName"},
	KindProject:  {"Name", "UserId", "StatusId"},
}

// Compile checks the mapping against the schemas and the source's header
// and returns the plan. It reports every problem at once, each with the
// mapping file's line. header may be nil to check without a source.
func Compile(m *Mapping, s *Schemas, header []string) (*Plan, error) {
	c := &compiler{m: m, s: s, header: header,
		p: &Plan{m: m, header: header, col: map[string]int{}, phones: PhoneNormalizer{Region: m.PhoneRegion}}}
	for i, h := range header {
		c.p.col[h] = i
	}
	if m.PhoneRegion != "" && len(m.PhoneRegion) != 2 {
		c.bad("phone_region", "%q: want a two-letter region code such as HU", m.PhoneRegion)
	}
	if d := m.Source.Delimiter; d != "" && d != "\t" && d != "tab" && len([]rune(d)) != 1 {
		c.bad("source.delimiter", "%q: want one character (, ; | or tab)", d)
	}
	if len(m.Entities()) == 0 {
		c.bad("", "nothing to import: map at least one of business, person, project")
	}
	for i, f := range m.Filters {
		path := "filters[" + strconv.Itoa(i) + "]"
		cf, err := compileFilter(f)
		if err != nil {
			c.bad(path, "%v", err)
			continue
		}
		c.checkColumn(path+".column", f.Column)
		c.p.filters = append(c.p.filters, cf)
	}
	for _, kind := range m.Entities() {
		c.p.entities = append(c.p.entities, c.entity(kind))
	}
	if m.Order != nil {
		c.p.order = compileOrder(m, header, c.p.col, c.bad, c.checkColumn)
	}
	if len(c.probs) > 0 {
		sort.SliceStable(c.probs, func(i, j int) bool { return c.probs[i].Line < c.probs[j].Line })
		if c.missing {
			c.probs = append(c.probs, headerProblem(m, header))
		}
		return nil, c.probs
	}
	return c.p, nil
}

// compiler is one Compile: what it checks against and the problems found.
type compiler struct {
	m       *Mapping
	s       *Schemas
	header  []string
	p       *Plan
	probs   Problems
	missing bool // a column named is not in the header
}

// bad records a problem at a path of the mapping file.
func (c *compiler) bad(path, format string, a ...any) {
	c.probs = append(c.probs, Problem{File: c.m.Path, Line: c.m.Line(path), Path: path, Msg: fmt.Sprintf(format, a...)})
}

// checkColumn reports a column the header lacks (nothing without a header).
func (c *compiler) checkColumn(path, col string) {
	if c.header == nil {
		return
	}
	if _, ok := c.p.col[col]; !ok {
		c.bad(path, "column %q is not in the source header%s", col, didYouMean(col, c.header))
		c.missing = true
	}
}

// entity compiles one entity's block: its schema, links, fields, match
// keys, external id and address.
func (c *compiler) entity(kind EntityKind) *entityPlan {
	e := c.m.Entity(kind)
	ep := &entityPlan{kind: kind, spec: e, externalID: e.ExternalID, relink: e.Relink}
	if ep.relink == "" {
		ep.relink = RelinkUpdate
	}
	base := kind.key()
	ep.schema = c.schema(kind, e)
	if ep.schema == nil && kind != KindProject {
		c.bad(base, "no %s schema to check against", kind)
	}
	ep.link = c.link(kind, e)
	switch e.Relink {
	case "", RelinkUpdate, RelinkKeep, RelinkError:
	default:
		c.bad(base+".relink", "%q: relink is update (move to the row's link), keep or error", e.Relink)
	}
	for _, name := range e.FieldNames() {
		if fp := c.field(ep, name); fp != nil {
			ep.fields = append(ep.fields, fp)
		}
	}
	ep.match = c.match(kind, e)
	if e.ExternalID != "" && ep.schema != nil {
		if f, ok := ep.schema.Field(e.ExternalID); !ok {
			c.bad(base+".external_id", "%s has no field %q%s", schemaName(kind, ep.schema), e.ExternalID, didYouMean(e.ExternalID, fieldNames(ep.schema)))
		} else if f.Kind == restapi.KindEnum {
			c.bad(base+".external_id", "%s is a dropdown; an external id needs a text or number field", e.ExternalID)
		}
	}
	if e.Address != nil {
		if kind == KindProject {
			c.bad(base+".address", "only a business or a person has addresses; put the block there")
		} else {
			ep.address = compileAddress(base, e.Address, c.s.Address, c.header, c.p.col, c.bad, c.checkColumn)
		}
	}
	if kind != KindProject && e.Category != "" {
		c.bad(base+".category", "only a project has a category")
	}
	return ep
}

// schema finds an entity's schema; a project's is its module's (which sets
// the plan's category).
func (c *compiler) schema(kind EntityKind, e *Entity) *restapi.Schema {
	base := kind.key()
	switch kind {
	case KindPerson:
		return c.s.Person
	case KindBusiness:
		return c.s.Business
	}
	if e.Category == "" {
		c.bad(base+".category", "a project needs its module: category: <id or name> (one of %s)", strings.Join(c.s.CategoryNames(), ", "))
		return nil
	}
	id, ok := c.s.CategoryID(e.Category)
	if !ok {
		c.bad(base+".category", "module %q does not exist; the modules are %s", e.Category, strings.Join(c.s.CategoryNames(), ", "))
		return nil
	}
	c.p.categoryID = id
	sch := c.s.Projects[id]
	if sch == nil {
		c.bad(base+".category", "no schema for module %d in the schema file; save it with `minicrm-bulk schema Project/%d`", id, id)
	}
	return sch
}

// link checks an entity's link: a person to the business, a project to
// the person or the business; "" when it links to nothing.
func (c *compiler) link(kind EntityKind, e *Entity) EntityKind {
	base := kind.key()
	switch kind {
	case KindPerson:
		switch e.Link {
		case "":
			if c.m.Business != nil {
				return KindBusiness
			}
		case "business":
			if c.m.Business == nil {
				c.bad(base+".link", "links to business, but no business is mapped")
			}
			return KindBusiness
		case "none":
		default:
			c.bad(base+".link", "%q: a person links to business (or none)", e.Link)
		}
	case KindProject:
		switch e.Link {
		case "":
			if c.m.Person != nil {
				return KindPerson
			} else if c.m.Business != nil {
				return KindBusiness
			}
			c.bad(base, "a project needs its contact: map a person or a business in the same file")
		case "person", "business":
			l := EntityKind(strings.ToUpper(e.Link[:1]) + e.Link[1:])
			if c.m.Entity(l) == nil {
				c.bad(base+".link", "links to %s, but no %s is mapped", e.Link, e.Link)
			}
			return l
		default:
			c.bad(base+".link", "%q: a project links to person or business", e.Link)
		}
	case KindBusiness:
		if e.Link != "" {
			c.bad(base+".link", "a business links to nothing; put link: business on the person")
		}
		if e.Relink != "" {
			c.bad(base+".relink", "a business links to nothing; put relink: on the person or the project")
		}
	}
	return ""
}

// field compiles one mapped field; nil when it cannot be mapped at all.
func (c *compiler) field(ep *entityPlan, name string) *fieldPlan {
	spec := ep.spec.Fields[name]
	path := ep.kind.key() + ".fields." + name
	if spec == nil {
		c.bad(path, "the field needs a column, const or template")
		return nil
	}
	if why := refusal(name); why != "" {
		c.bad(path, "%s", why)
		return nil
	}
	fp := &fieldPlan{name: name, path: path, spec: spec}
	if ep.schema != nil {
		f, ok := ep.schema.Field(name)
		if !ok {
			c.bad(path, "%s has no field %q%s", schemaName(ep.kind, ep.schema), name, didYouMean(name, fieldNames(ep.schema)))
			return nil
		}
		fp.field = f
	}
	compileField(fp, c.header, c.p.col, func(sub, format string, a ...any) { c.bad(path+sub, format, a...) }, c.checkColumn)
	return fp
}

// match checks the fields a create needs and the match keys, which need
// their fields mapped, and returns the keys.
func (c *compiler) match(kind EntityKind, e *Entity) []string {
	base := kind.key()
	mapped := map[string]bool{}
	for name := range e.Fields {
		mapped[name] = true
	}
	for _, req := range requiredForCreate[kind] {
		if e.Creates() && !mapped[req] {
			c.bad(base+".fields", "%s is required to create a %s; map it (a column, or const: for one value)", req, strings.ToLower(string(kind)))
		}
	}
	if len(e.Match) == 0 {
		c.bad(base+".match", "say how to find existing records, e.g. match: [%s]", defaultMatch(kind))
	}
	var keys []string
	for i, k := range e.Match {
		mp := base + ".match[" + strconv.Itoa(i) + "]"
		switch k {
		case "email":
			if !mapped["Email"] {
				c.bad(mp, "matching by email needs the Email field mapped")
			}
		case "phone":
			if !mapped["Phone"] {
				c.bad(mp, "matching by phone needs the Phone field mapped")
			}
		case "external_id":
			if e.ExternalID == "" {
				c.bad(mp, "matching by external_id needs external_id: <the MiniCRM field holding the source's id>")
			} else if !mapped[e.ExternalID] {
				c.bad(base+".external_id", "external_id field %s is not among the mapped fields", e.ExternalID)
			}
		case "vat_number":
			if !mapped["VatNumber"] {
				c.bad(mp, "matching by vat_number needs the VatNumber field mapped")
			}
		case "name":
			if kind == KindPerson && !mapped["FirstName"] && !mapped["LastName"] {
				c.bad(mp, "matching a person by name needs FirstName or LastName mapped")
			} else if kind != KindPerson && !mapped["Name"] {
				c.bad(mp, "matching by name needs the Name field mapped")
			}
		default:
			c.bad(mp, "%q is not a match key; use %s", k, strings.Join(matchKeys, ", "))
		}
		keys = append(keys, k)
	}
	return keys
}

// headerProblem shows the header that was read, after the columns not
// found in it: a title row taken for the header, or the wrong sheet, shows
// at once.
func headerProblem(m *Mapping, header []string) Problem {
	names := make([]string, 0, len(header))
	for _, h := range header {
		names = append(names, strconv.Quote(h))
	}
	const most = 30
	if len(names) > most {
		names = append(names[:most], fmt.Sprintf("… (%d columns in all)", len(header)))
	}
	return Problem{File: m.Path, Line: m.Line("source"), Path: "source",
		Msg: fmt.Sprintf("the header read has %d column(s): %s; if that is not the header, name its row with source: header_row (or --header-row) and the sheet with sheet: (or --sheet)",
			len(header), strings.Join(names, ", "))}
}

func defaultMatch(k EntityKind) string {
	switch k {
	case KindBusiness:
		return "vat_number"
	case KindPerson:
		return "email, phone"
	}
	return "external_id"
}

func schemaName(k EntityKind, s *restapi.Schema) string {
	if k == KindProject {
		return "the module's card schema (" + s.Entity + ")"
	}
	return "the " + string(k) + " schema"
}

func fieldNames(s *restapi.Schema) []string {
	names := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		names[i] = f.Name
	}
	return names
}

var placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

// compileField works out where a field's value comes from and how it is
// parsed, reporting problems through bad (with a sub-path).
func compileField(fp *fieldPlan, header []string, col map[string]int, bad func(sub, format string, a ...any), checkColumn func(path, c string)) {
	spec := fp.spec
	n := 0
	for _, s := range []string{spec.Column, spec.Const, spec.Template} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		bad("", "set exactly one of column, const and template")
		return
	}
	switch {
	case spec.Column != "":
		c := spec.Column
		checkColumn(fp.path+".column", c)
		fp.cols = []string{c}
		i, ok := col[c] // looked up once, not on every row
		fp.value = func(cells []string) (string, string) {
			if ok && i < len(cells) {
				return cells[i], c
			}
			return "", c
		}
	case spec.Const != "":
		v := spec.Const
		fp.value = func([]string) (string, string) { return v, "" }
	default:
		fp.compileTemplate(col, bad, checkColumn)
	}
	for _, tr := range spec.Transforms {
		switch tr {
		case "trim", "collapse", "upper", "lower", "title":
		default:
			bad(".transforms", "%q is not a transform; use trim, collapse, upper, lower or title", tr)
		}
	}
	switch spec.IfEmpty {
	case "", "skip", "clear", "reject", "skip_row":
	default:
		bad(".if_empty", "%q: use skip (default), clear, reject or skip_row", spec.IfEmpty)
	}
	fp.ifEmpt = spec.IfEmpty
	fp.chooseParse(bad)
	fp.compileEnum(bad)
	// Constants and defaults are checked now, not on every row.
	for _, c := range []struct{ sub, v string }{{".const", spec.Const}, {".default", spec.Default}} {
		if c.v == "" || fp.field.Name == "" {
			continue
		}
		if _, err := fp.convert(c.v, PhoneNormalizer{}); err != nil {
			bad(c.sub, "%v", err)
		}
	}
}

// compileTemplate makes the value of a template: the template is split once
// into literal text and column references, rather than matched by the
// regular expression on every row.
func (fp *fieldPlan) compileTemplate(col map[string]int, bad func(sub, format string, a ...any), checkColumn func(path, c string)) {
	t := fp.spec.Template
	refs := placeholder.FindAllStringSubmatch(t, -1)
	if len(refs) == 0 {
		bad(".template", "a template names columns in braces, like \"{Vezetéknév} {Keresztnév}\"")
	}
	for _, r := range refs {
		checkColumn(fp.path+".template", r[1])
		fp.cols = append(fp.cols, r[1])
	}
	// The template is split once into literal text and column
	// references (their header index resolved here), rather than matched
	// by the regular expression on every row.
	type part struct {
		lit string
		col string // a column reference when not empty
		idx int    // its index in the header; -1 when it has none
	}
	var parts []part
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(t, -1) {
		ref := t[m[2]:m[3]]
		i, ok := col[ref]
		if !ok {
			i = -1
		}
		parts = append(parts, part{lit: t[last:m[0]]}, part{col: ref, idx: i})
		last = m[1]
	}
	parts = append(parts, part{lit: t[last:]})
	cols := strings.Join(fp.cols, "+")
	fp.value = func(cells []string) (string, string) {
		any := false
		var b strings.Builder
		n := 0 // the size, so that the text is allocated once
		for _, p := range parts {
			if p.col == "" {
				n += len(p.lit)
			} else if p.idx >= 0 && p.idx < len(cells) {
				n += len(cells[p.idx])
			}
		}
		b.Grow(n)
		for _, p := range parts {
			if p.col == "" {
				b.WriteString(p.lit)
				continue
			}
			if p.idx >= 0 && p.idx < len(cells) {
				v := strings.TrimSpace(cells[p.idx])
				any = any || v != ""
				b.WriteString(v)
			}
		}
		if !any {
			return "", cols
		}
		return CollapseSpace(b.String()), cols
	}
}

// chooseParse decides how the value is parsed: what the mapping says, else
// the field's kind.
func (fp *fieldPlan) chooseParse(bad func(sub, format string, a ...any)) {
	spec := fp.spec
	explicit := 0
	for _, b := range []bool{len(spec.Date) > 0, spec.Number, spec.Bool, spec.Phone, spec.Email} {
		if b {
			explicit++
		}
	}
	if explicit > 1 {
		bad("", "choose one of date, number, bool, phone, email")
	}
	kind := fp.field.Kind
	switch {
	case kind == restapi.KindEnum:
		fp.parse = parseEnum
	case len(spec.Date) > 0 || kind == restapi.KindDate:
		fp.parse = parseDate
		if kind == restapi.KindDateTime {
			fp.parse = parseDateTime
		}
	case kind == restapi.KindDateTime:
		fp.parse = parseDateTime
	case spec.Number || kind == restapi.KindInt || kind == restapi.KindFloat:
		fp.parse = parseFloat
		if kind == restapi.KindInt {
			fp.parse = parseInt
		}
	case spec.Bool || kind == restapi.KindBool:
		fp.parse = parseBool
	case spec.Phone || kind == restapi.KindPhone || fp.name == "Phone":
		fp.parse = parsePhone
	case spec.Email || kind == restapi.KindEmail || fp.name == "Email":
		fp.parse = parseEmail
	default:
		fp.parse = parseText
	}
	if fp.parse == parseDate || fp.parse == parseDateTime {
		dp, err := NewDateParser(spec.Date)
		if err != nil {
			bad(".date", "%v", err)
		}
		fp.dates = dp
	}
}

// compileEnum checks a dropdown's options and the mapping's enum table,
// whose targets must be options of the field.
func (fp *fieldPlan) compileEnum(bad func(sub, format string, a ...any)) {
	if fp.parse == parseEnum && fp.field.Name != "" && len(fp.field.Options) == 0 {
		bad("", "%s is a dropdown without options in the schema", fp.name)
	}
	if len(fp.spec.Enum) == 0 {
		return
	}
	if fp.parse != parseEnum && fp.field.Name != "" {
		bad(".enum", "an enum table is for dropdown fields; %s is %s", fp.name, fp.field.Type)
	}
	fp.enum, fp.enumExact = map[string]string{}, map[string]string{}
	folded := map[string]string{} // folded source value → the first source value with it
	for _, from := range slices.Sorted(maps.Keys(fp.spec.Enum)) {
		to := fp.spec.Enum[from]
		key := enumKey(from)
		if other, ok := folded[key]; !ok {
			folded[key] = from
		} else if fp.spec.Enum[other] != to {
			bad(".enum."+from, "%q and %q are the same value ignoring case, accents and spacing, and a row's value is "+
				"looked up that way: give them the same target (%q or %q)", other, from, fp.spec.Enum[other], to)
		}
		fp.enum[key] = to
		fp.enumExact[strings.TrimSpace(from)] = to
		if fp.parse == parseEnum && fp.field.Name != "" {
			if _, ok := resolveOption(fp.field, to); !ok {
				bad(".enum."+from, "%q is not an option of %s; the options are %s", to, fp.name, optionList(fp.field))
			}
		}
	}
}

// resolveOption finds an enum option by label, key or id (crm.Option), or
// else by label ignoring case and accents: people type labels either way.
func resolveOption(f restapi.SchemaField, v string) (restapi.EnumOption, bool) {
	if o, ok := crm.Option(f, v); ok {
		return o, true
	}
	v = fold(strings.TrimSpace(v))
	for _, o := range f.Options {
		if fold(o.Label) == v {
			return o, true
		}
	}
	return restapi.EnumOption{}, false
}

func optionList(f restapi.SchemaField) string {
	var labels []string
	for i, o := range f.Options {
		if i == 12 {
			labels = append(labels, fmt.Sprintf("… (%d in all)", len(f.Options)))
			break
		}
		labels = append(labels, strconv.Quote(o.Label))
	}
	return strings.Join(labels, ", ")
}

// fold lower-cases and strips accents, for forgiving comparisons of names
// (crm.Fold).
func fold(s string) string { return crm.Fold(s) }

// enumKey is how an enum table compares a source value: ignoring case,
// accents and spacing ("Új  érdeklődő " is "új érdeklődő"), as mapping
// init, which writes one entry for such values, expects.
func enumKey(s string) string { return fold(CollapseSpace(s)) }

// didYouMean suggests up to three close names.
func didYouMean(name string, candidates []string) string {
	type scored struct {
		s string
		d int
	}
	var close []scored
	fn := fold(name)
	for _, c := range candidates {
		fc := fold(c)
		d := levenshtein(fn, fc)
		limit := max(2, len([]rune(fn))/3)
		if d <= limit || (len(fn) >= 4 && (strings.Contains(fc, fn) || strings.Contains(fn, fc))) {
			close = append(close, scored{c, d})
		}
	}
	if len(close) == 0 {
		return ""
	}
	sort.SliceStable(close, func(i, j int) bool { return close[i].d < close[j].d })
	var names []string
	for i, c := range close {
		if i == 3 {
			break
		}
		names = append(names, strconv.Quote(c.s))
	}
	return "; did you mean " + strings.Join(names, " or ") + "?"
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

type compiledFilter struct {
	f  Filter
	re *regexp.Regexp
}

func compileFilter(f Filter) (compiledFilter, error) {
	cf := compiledFilter{f: f}
	if f.Column == "" {
		return cf, fmt.Errorf("a filter needs column:")
	}
	n := 0
	if f.Equals != nil {
		n++
	}
	if f.NotEquals != nil {
		n++
	}
	if f.In != nil {
		n++
	}
	if f.NotIn != nil {
		n++
	}
	if f.Empty != nil {
		n++
	}
	if f.Matches != "" {
		n++
		re, err := regexp.Compile(f.Matches)
		if err != nil {
			return cf, fmt.Errorf("matches: %v", err)
		}
		cf.re = re
	}
	if n != 1 {
		return cf, fmt.Errorf("a filter needs exactly one of equals, not_equals, in, not_in, empty, matches")
	}
	return cf, nil
}

// keep reports whether a row passes the filter, and why not.
func (cf compiledFilter) keep(v string) (bool, string) {
	v = strings.TrimSpace(v)
	f := cf.f
	eq := func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), v) }
	switch {
	case f.Equals != nil:
		return eq(*f.Equals), fmt.Sprintf("%s is %q, not %q", f.Column, v, *f.Equals)
	case f.NotEquals != nil:
		return !eq(*f.NotEquals), fmt.Sprintf("%s is %q", f.Column, v)
	case f.In != nil:
		for _, a := range f.In {
			if eq(a) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%s is %q, none of %s", f.Column, v, strings.Join(f.In, ", "))
	case f.NotIn != nil:
		for _, a := range f.NotIn {
			if eq(a) {
				return false, fmt.Sprintf("%s is %q", f.Column, v)
			}
		}
		return true, ""
	case f.Empty != nil:
		if *f.Empty {
			return v == "", fmt.Sprintf("%s is not empty", f.Column)
		}
		return v != "", fmt.Sprintf("%s is empty", f.Column)
	default:
		return cf.re.MatchString(v), fmt.Sprintf("%s %q does not match %s", f.Column, v, f.Matches)
	}
}
