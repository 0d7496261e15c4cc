package mapping

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
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
	name   string
	path   string // "person.fields.Email", for messages
	spec   *FieldSpec
	field  restapi.SchemaField
	value  func(cells []string) (text, column string)
	cols   []string // the columns the value reads
	dates  *DateParser
	enum   map[string]string // folded source value → MiniCRM value
	parse  parseKind
	ifEmpt string
	rt     fieldRuntime // worked out on the first row (row.go)
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

// writeOnlyByLink are fields a mapping must not set directly: the category
// and the links between the row's records set them.
var setElsewhere = map[string]string{
	"CategoryId": "set by project.category",
	"ContactId":  "set by project.link",
	"BusinessId": "set by the link to the business",
	"Type":       "set by the entity (business or person)",
}

// readOnly are system fields MiniCRM fills itself.
var readOnly = map[string]bool{
	"Id": true, "CreatedAt": true, "CreatedBy": true, "UpdatedAt": true, "UpdatedBy": true, "StatusUpdatedAt": true,
	"ProjectHash": true, "ProjectEmail": true, "Deleted": true, "ParentId": true, "Tags": true,
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
	p := &Plan{m: m, header: header, col: map[string]int{}, phones: PhoneNormalizer{Region: m.PhoneRegion}}
	var probs Problems
	bad := func(path, format string, a ...any) {
		probs = append(probs, Problem{File: m.Path, Line: m.Line(path), Path: path, Msg: fmt.Sprintf(format, a...)})
	}
	for i, h := range header {
		p.col[h] = i
	}
	missing := false
	checkColumn := func(path, c string) {
		if header == nil {
			return
		}
		if _, ok := p.col[c]; !ok {
			bad(path, "column %q is not in the source header%s", c, didYouMean(c, header))
			missing = true
		}
	}
	if m.PhoneRegion != "" && len(m.PhoneRegion) != 2 {
		bad("phone_region", "%q: want a two-letter region code such as HU", m.PhoneRegion)
	}
	if d := m.Source.Delimiter; d != "" && d != "\t" && d != "tab" && len([]rune(d)) != 1 {
		bad("source.delimiter", "%q: want one character (, ; | or tab)", d)
	}
	if len(m.Entities()) == 0 {
		bad("", "nothing to import: map at least one of business, person, project")
	}

	for i, f := range m.Filters {
		path := "filters[" + strconv.Itoa(i) + "]"
		cf, err := compileFilter(f)
		if err != nil {
			bad(path, "%v", err)
			continue
		}
		checkColumn(path+".column", f.Column)
		p.filters = append(p.filters, cf)
	}

	for _, kind := range m.Entities() {
		e := m.Entity(kind)
		ep := &entityPlan{kind: kind, spec: e, externalID: e.ExternalID, relink: e.Relink}
		if ep.relink == "" {
			ep.relink = RelinkUpdate
		}
		base := kind.key()
		switch kind {
		case KindPerson:
			ep.schema = s.Person
		case KindBusiness:
			ep.schema = s.Business
		case KindProject:
			if e.Category == "" {
				bad(base+".category", "a project needs its module: category: <id or name> (one of %s)", strings.Join(s.categoryNames(), ", "))
			} else if id, ok := s.CategoryID(e.Category); !ok {
				bad(base+".category", "module %q does not exist; the modules are %s", e.Category, strings.Join(s.categoryNames(), ", "))
			} else {
				p.categoryID = id
				ep.schema = s.Projects[id]
				if ep.schema == nil {
					bad(base+".category", "no schema for module %d in the schema file; save it with `minicrm-bulk schema Project/%d`", id, id)
				}
			}
		}
		if ep.schema == nil && kind != KindProject {
			bad(base, "no %s schema to check against", kind)
		}

		// Links.
		switch kind {
		case KindPerson:
			switch e.Link {
			case "":
				if m.Business != nil {
					ep.link = KindBusiness
				}
			case "business":
				if m.Business == nil {
					bad(base+".link", "links to business, but no business is mapped")
				}
				ep.link = KindBusiness
			case "none":
			default:
				bad(base+".link", "%q: a person links to business (or none)", e.Link)
			}
		case KindProject:
			switch e.Link {
			case "":
				if m.Person != nil {
					ep.link = KindPerson
				} else if m.Business != nil {
					ep.link = KindBusiness
				} else {
					bad(base, "a project needs its contact: map a person or a business in the same file")
				}
			case "person", "business":
				ep.link = EntityKind(strings.ToUpper(e.Link[:1]) + e.Link[1:])
				if m.Entity(ep.link) == nil {
					bad(base+".link", "links to %s, but no %s is mapped", e.Link, e.Link)
				}
			default:
				bad(base+".link", "%q: a project links to person or business", e.Link)
			}
		case KindBusiness:
			if e.Link != "" {
				bad(base+".link", "a business links to nothing; put link: business on the person")
			}
			if e.Relink != "" {
				bad(base+".relink", "a business links to nothing; put relink: on the person or the project")
			}
		}
		switch e.Relink {
		case "", RelinkUpdate, RelinkKeep, RelinkError:
		default:
			bad(base+".relink", "%q: relink is update (move to the row's link), keep or error", e.Relink)
		}

		// Fields.
		for _, name := range e.FieldNames() {
			spec := e.Fields[name]
			path := base + ".fields." + name
			if spec == nil {
				bad(path, "the field needs a column, const or template")
				continue
			}
			if why, ok := setElsewhere[name]; ok {
				bad(path, "%s cannot be mapped: it is %s", name, why)
				continue
			}
			if readOnly[name] {
				bad(path, "%s is filled in by MiniCRM and cannot be written", name)
				continue
			}
			fp := &fieldPlan{name: name, path: path, spec: spec}
			if ep.schema != nil {
				f, ok := ep.schema.Field(name)
				if !ok {
					bad(path, "%s has no field %q%s", schemaName(kind, ep.schema), name, didYouMean(name, fieldNames(ep.schema)))
					continue
				}
				fp.field = f
			}
			compileField(fp, header, p.col, func(sub, format string, a ...any) { bad(path+sub, format, a...) }, checkColumn)
			ep.fields = append(ep.fields, fp)
		}

		// Required fields and match keys.
		mapped := map[string]bool{}
		for name := range e.Fields {
			mapped[name] = true
		}
		for _, req := range requiredForCreate[kind] {
			if e.Creates() && !mapped[req] {
				bad(base+".fields", "%s is required to create a %s; map it (a column, or const: for one value)", req, strings.ToLower(string(kind)))
			}
		}
		if len(e.Match) == 0 {
			bad(base+".match", "say how to find existing records, e.g. match: [%s]", defaultMatch(kind))
		}
		for i, k := range e.Match {
			mp := base + ".match[" + strconv.Itoa(i) + "]"
			switch k {
			case "email":
				if !mapped["Email"] {
					bad(mp, "matching by email needs the Email field mapped")
				}
			case "phone":
				if !mapped["Phone"] {
					bad(mp, "matching by phone needs the Phone field mapped")
				}
			case "external_id":
				if e.ExternalID == "" {
					bad(mp, "matching by external_id needs external_id: <the MiniCRM field holding the source's id>")
				} else if !mapped[e.ExternalID] {
					bad(base+".external_id", "external_id field %s is not among the mapped fields", e.ExternalID)
				}
			case "vat_number":
				if !mapped["VatNumber"] {
					bad(mp, "matching by vat_number needs the VatNumber field mapped")
				}
			case "name":
				if kind == KindPerson && !mapped["FirstName"] && !mapped["LastName"] {
					bad(mp, "matching a person by name needs FirstName or LastName mapped")
				} else if kind != KindPerson && !mapped["Name"] {
					bad(mp, "matching by name needs the Name field mapped")
				}
			default:
				bad(mp, "%q is not a match key; use %s", k, strings.Join(matchKeys, ", "))
			}
			ep.match = append(ep.match, k)
		}
		if e.ExternalID != "" && ep.schema != nil {
			if f, ok := ep.schema.Field(e.ExternalID); !ok {
				bad(base+".external_id", "%s has no field %q%s", schemaName(kind, ep.schema), e.ExternalID, didYouMean(e.ExternalID, fieldNames(ep.schema)))
			} else if f.Kind == restapi.KindEnum {
				bad(base+".external_id", "%s is a dropdown; an external id needs a text or number field", e.ExternalID)
			}
		}
		if e.Address != nil {
			if kind == KindProject {
				bad(base+".address", "only a business or a person has addresses; put the block there")
			} else {
				ep.address = compileAddress(base, e.Address, s.Address, header, p.col, bad, checkColumn)
			}
		}
		if kind != KindProject && e.Category != "" {
			bad(base+".category", "only a project has a category")
		}
		p.entities = append(p.entities, ep)
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
		if missing {
			probs = append(probs, headerProblem(m, header))
		}
		return nil, probs
	}
	return p, nil
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
		t := spec.Template
		refs := placeholder.FindAllStringSubmatch(t, -1)
		if len(refs) == 0 {
			bad(".template", "a template names columns in braces, like \"{Vezetéknév} {Keresztnév}\"")
		}
		for _, r := range refs {
			checkColumn(fp.path+".template", r[1])
			fp.cols = append(fp.cols, r[1])
		}
		// The template is split once into literal text and column
		// references, rather than matched by the regular expression on
		// every row.
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

	// How the value is parsed: what the mapping says, else the field's kind.
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
	if fp.parse == parseEnum && fp.field.Name != "" && len(fp.field.Options) == 0 {
		bad("", "%s is a dropdown without options in the schema", fp.name)
	}
	if len(spec.Enum) > 0 {
		if fp.parse != parseEnum && fp.field.Name != "" {
			bad(".enum", "an enum table is for dropdown fields; %s is %s", fp.name, fp.field.Type)
		}
		fp.enum = map[string]string{}
		for from, to := range spec.Enum {
			fp.enum[fold(strings.TrimSpace(from))] = to
			if fp.parse == parseEnum && fp.field.Name != "" {
				if _, ok := resolveOption(fp.field, to); !ok {
					bad(".enum."+from, "%q is not an option of %s; the options are %s", to, fp.name, optionList(fp.field))
				}
			}
		}
	}
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

// resolveOption finds an enum option by label (exactly, then ignoring case
// and accents) or by id.
func resolveOption(f restapi.SchemaField, v string) (restapi.EnumOption, bool) {
	v = strings.TrimSpace(v)
	for _, o := range f.Options {
		if o.Label == v {
			return o, true
		}
	}
	for _, o := range f.Options {
		if fold(o.Label) == fold(v) {
			return o, true
		}
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		for _, o := range f.Options {
			if o.Id == id {
				return o, true
			}
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

// fold lower-cases and strips accents, for forgiving comparisons of names.
func fold(s string) string {
	if out, ok := foldLatin(s); ok {
		return out
	}
	return foldSlow(s)
}

// foldLatin folds a text of ASCII and precomposed Latin letters by table:
// for those, decomposing, dropping the marks and recomposing works letter
// by letter, so the result is foldSlow's, without its allocations (it
// dominated the name keys of large sources). ok is false for any other
// text.
func foldLatin(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s), true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
		case r < rune(len(latinFold)) && latinFold[r] != 0:
			b = append(b, latinFold[r])
		case (unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)) && stable(r):
			// A dash or a quote: no marks to drop, nothing to compose.
			b = utf8.AppendRune(b, unicode.ToLower(r))
		default:
			return "", false
		}
	}
	return string(b), true
}

// stable reports whether normalization leaves r alone, either way.
func stable(r rune) bool {
	s := string(r)
	return norm.NFD.IsNormalString(s) && norm.NFC.IsNormalString(s)
}

// latinFold maps the precomposed letters of Latin-1 Supplement and Latin
// Extended-A/B (á, Ő, ű, č…) to what foldSlow makes of them, when that is one
// ASCII letter; 0 otherwise.
var latinFold = func() [0x250]byte {
	var t [0x250]byte
	for r := rune(0x80); r < 0x250; r++ {
		if f := foldSlow(string(r)); len(f) == 1 && f[0] < utf8.RuneSelf && unicode.IsLetter(r) {
			t[r] = f[0]
		}
	}
	return t
}()

// foldSlow is fold by Unicode normalization: decompose, drop the marks,
// recompose, lower-case.
func foldSlow(s string) string {
	t := foldChains.Get().(transform.Transformer)
	defer foldChains.Put(t)
	t.Reset()
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// foldChains reuses fold's transformer chains (a chain is stateful, so one
// per goroutine at a time); building one per call dominated the name keys
// of large sources.
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

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
