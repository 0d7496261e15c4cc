package mapping

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// Record is one entity of a row, ready to compare and to write: Fields hold
// MiniCRM's canonical values (int64 for Int fields and for enum option ids,
// float64 for Float, strings for text, dates as "2006-01-02" and date-times
// as "2006-01-02 15:04:05", phones in international form, emails trimmed and
// lower-cased). A field present with value nil is to be cleared.
type Record struct {
	Kind   EntityKind
	Fields map[string]any
	// Order is the order the mapping lists the fields in.
	Order []string
	Keys  MatchKeys
	// Match is the mapping's match order for this entity.
	Match []string
	// Link is the record of the same row this one belongs to (a Person's
	// Business, a Project's contact); empty when none.
	Link EntityKind
	// CategoryID is the module of a Project.
	CategoryID int
	// NoCreate is set for a match-only entity (create: false): the record
	// updates an existing one and is never created.
	NoCreate bool
	// Relink is what to do when an existing record is linked elsewhere than
	// the row says: RelinkUpdate, RelinkKeep or RelinkError.
	Relink string
	// Address is the row's address of the contact (a business or a
	// person), nil when the mapping has none or the row's cells are empty.
	Address *AddressRecord
	// Texts, for a record MapText made, are the values of Order's fields
	// as text (ValueString's form; "" for a field to clear), and Fields is
	// empty; nil for a record Map or MapInto made. Text and TextAt read
	// either kind.
	Texts []string

	vals     []val // Order's values, by whichever Map made the record
	textBuf  []string
	textMode bool
}

// Text is a field's value as text (ValueString's form) and whether the
// record has the field, for a record made by any Map.
func (r *Record) Text(name string) (string, bool) {
	if !r.textMode {
		v, ok := r.Fields[name]
		return ValueString(v), ok
	}
	for i, n := range r.Order {
		if n == name {
			return r.Texts[i], true
		}
	}
	return "", false
}

// TextAt is the value of Order[i] as text (ValueString's form).
func (r *Record) TextAt(i int) string {
	if r.textMode {
		return r.Texts[i]
	}
	return ValueString(r.Fields[r.Order[i]])
}

// lookup is a field's value as the row made it (MapInto and MapText
// alike): the order of a record's fields is short, and a scan of it is
// cheaper than a map's hashing.
func (r *Record) lookup(name string) (val, bool) {
	for i, n := range r.Order {
		if n == name {
			return r.vals[i], true
		}
	}
	return val{}, false
}

// val is a canonical value on its way into a record, unboxed: MapText
// renders it as text without allocating an interface for each value, and
// MapInto boxes it into Fields.
type val struct {
	kind valKind
	s    string // valString: the value; valInt: its text when known
	i    int64
	f    float64
}

type valKind uint8

const (
	valNil    valKind = iota // a field to clear
	valString                // string
	valInt                   // int64
	valFloat                 // float64
)

// box is the value as Record.Fields holds it.
func (v val) box() any {
	switch v.kind {
	case valString:
		return v.s
	case valInt:
		return v.i
	case valFloat:
		return v.f
	}
	return nil
}

// text is ValueString(v.box()).
func (v val) text() string {
	switch v.kind {
	case valString:
		return v.s
	case valInt:
		if v.s != "" {
			return v.s
		}
		return strconv.FormatInt(v.i, 10)
	case valFloat:
		return FormatNumber(v.f)
	}
	return ""
}

// The values of an entity's relink option.
const (
	RelinkUpdate = "update"
	RelinkKeep   = "keep"
	RelinkError  = "error"
)

// Bundle is what one source row becomes.
type Bundle struct {
	Loc      source.Location
	Business *Record
	Person   *Record
	Project  *Record

	// For MapInto: the row's texts, and the records to fill again.
	texts []string
	spare [3]*Record
}

// Records lists the bundle's records in write order.
func (b *Bundle) Records() []*Record {
	var out []*Record
	for _, r := range []*Record{b.Business, b.Person, b.Project} {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// CellError is a value that could not be mapped: it names the file, row and
// column, the field, the value as found and why.
type CellError struct {
	Loc    source.Location
	Column string
	Field  string // e.g. "Person.Email"
	Value  string
	Reason string
	// NotAnOption: the value is none of a dropdown field's options (the
	// mapping's enum: table may want it).
	NotAnOption bool
}

// optionError is a value that is none of a dropdown's options.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

func (e *CellError) Error() string {
	col := ""
	if e.Column != "" {
		col = fmt.Sprintf(", column %q", e.Column)
	}
	return fmt.Sprintf("%s%s: %s: %s", e.Loc, col, e.Field, e.Reason)
}

// RowErrors is every problem of one row; the row goes to the error output.
type RowErrors []*CellError

func (es RowErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Skipped says a row was left out on purpose (a filter, skip_row).
type Skipped struct {
	Loc    source.Location
	Reason string
}

func (s *Skipped) Error() string { return fmt.Sprintf("%s: skipped: %s", s.Loc, s.Reason) }

// Header is the source header the plan was compiled for.
func (p *Plan) Header() []string { return p.header }

// CategoryID is the mapped project module (0 when no project is mapped).
func (p *Plan) CategoryID() int { return p.categoryID }

// Mapping returns the mapping the plan was compiled from.
func (p *Plan) Mapping() *Mapping { return p.m }

// Map turns a row into a bundle. The error is *Skipped for a row left out
// on purpose, RowErrors for values that cannot be mapped (every one of the
// row, not just the first); never both.
func (p *Plan) Map(row source.Row) (*Bundle, error) { return p.MapInto(row, &Bundle{}) }

// MapInto is Map making the bundle in b, whose records (and their maps)
// it fills again: for a caller done with what b held before, mapping
// millions of rows without allocating a bundle each. The result is b, or
// nil with the error.
func (p *Plan) MapInto(row source.Row, b *Bundle) (*Bundle, error) { return p.mapRow(row, b, false) }

// MapText is MapInto for a writer of text (the feed build): each record's
// values are in its Texts, as ValueString renders them, and its Fields map
// stays empty. No value is boxed into an interface and no map is filled,
// which were a good part of the cost of a row. Errors and skips are
// MapInto's; of the Keys only ExternalID and VatNumber are set (what a feed
// keys cards by, and checks companies' names against).
func (p *Plan) MapText(row source.Row, b *Bundle) (*Bundle, error) { return p.mapRow(row, b, true) }

func (p *Plan) mapRow(row source.Row, b *Bundle, textMode bool) (*Bundle, error) {
	if cap(b.texts) < len(p.header) {
		b.texts = make([]string, len(p.header))
	}
	texts := b.texts[:len(p.header)]
	errs, skip := p.rowTexts(row, texts, p.usesColumn)
	if skip != nil {
		return nil, skip
	}
	b.Loc, b.Business, b.Person, b.Project = row.Loc, nil, nil, nil
	for i, ep := range p.entities {
		rec := b.record(i, len(ep.fields))
		*rec = Record{Kind: ep.kind, Fields: rec.Fields, Order: rec.Order, vals: rec.vals, textBuf: rec.textBuf, textMode: textMode,
			Match: ep.match, Link: ep.link, NoCreate: !ep.spec.Creates(), Relink: ep.relink}
		if ep.kind == KindProject {
			rec.CategoryID = p.categoryID
		}
		for _, fp := range ep.fields {
			text, col, blank := fp.rowText(texts)
			if blank {
				switch fp.ifEmpt {
				case "clear":
					rec.Order = append(rec.Order, fp.name)
					rec.vals = append(rec.vals, val{})
				case "reject":
					errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: string(ep.kind) + "." + fp.name, Reason: "is empty, and the mapping requires a value"})
				case "skip_row":
					return nil, &Skipped{Loc: row.Loc, Reason: fmt.Sprintf("%s is empty (%s.%s: if_empty: skip_row)", col, ep.kind, fp.name)}
				}
				continue
			}
			v, err := fp.rowValue(text, p.phones)
			if err != nil {
				var oe *optionError
				errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: string(ep.kind) + "." + fp.name, Value: text,
					Reason: err.Error(), NotAnOption: errors.As(err, &oe)})
				continue
			}
			rec.Order = append(rec.Order, fp.name)
			rec.vals = append(rec.vals, v)
		}
		if textMode {
			rec.Texts = rec.textBuf[:0]
			for _, v := range rec.vals {
				rec.Texts = append(rec.Texts, v.text())
			}
			rec.textBuf = rec.Texts
		} else {
			for i, name := range rec.Order {
				rec.Fields[name] = rec.vals[i].box()
			}
		}
		rec.Keys = p.keys(ep, rec)
		if ep.address != nil {
			a, skip := ep.address.mapAddress(row.Loc, ep.kind, texts, p.phones, &errs)
			if skip != "" {
				return nil, &Skipped{Loc: row.Loc, Reason: skip}
			}
			rec.Address = a
		}
		switch ep.kind {
		case KindBusiness:
			b.Business = rec
		case KindPerson:
			b.Person = rec
		case KindProject:
			b.Project = rec
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, rec := range [...]*Record{b.Business, b.Person, b.Project} {
		if rec == nil {
			continue
		}
		if err := p.checkRequired(b.Loc, p.entity(rec.Kind), rec); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return b, nil
}

// rowTexts puts the text of each of the row's cells into texts (one a
// header column), and applies the filters: a cell that cannot be read is
// a problem when uses says the mapping reads its column, and a row a
// filter leaves out is the Skipped.
func (p *Plan) rowTexts(row source.Row, texts []string, uses func(column string) bool) (RowErrors, *Skipped) {
	clear(texts)
	var errs RowErrors
	for i := range row.Cells {
		if i >= len(texts) {
			break
		}
		c := &row.Cells[i] // not a copy: a Cell is 80 bytes, copied 20 times a row
		t, err := cellText(c)
		if err != nil && uses(p.header[i]) {
			errs = append(errs, &CellError{Loc: row.Loc, Column: p.header[i], Field: "(source)", Value: c.Raw, Reason: err.Error()})
		}
		texts[i] = t
	}
	for _, f := range p.filters {
		v := ""
		if idx, ok := p.col[f.f.Column]; ok && idx < len(texts) {
			v = texts[idx]
		}
		if keep, why := f.keep(v); !keep {
			return errs, &Skipped{Loc: row.Loc, Reason: "filter: " + why}
		}
	}
	return errs, nil
}

// rowText is a field's text in a row: its value (a column, a template or
// the constant) with the field's transforms, or its default when that
// leaves it blank; blank when even so it is empty or white space.
func (fp *fieldPlan) rowText(texts []string) (text, column string, blank bool) {
	text, column = fp.value(texts)
	text = applyTransforms(text, fp.spec.Transforms)
	if strings.TrimSpace(text) == "" && fp.spec.Default != "" {
		text = fp.spec.Default
	}
	return text, column, strings.TrimSpace(text) == ""
}

// record gives the bundle's i-th record, emptied, made when new.
func (b *Bundle) record(i, fields int) *Record {
	if i >= len(b.spare) {
		return newRecord(fields)
	}
	r := b.spare[i]
	if r == nil {
		r = newRecord(fields)
		b.spare[i] = r
	}
	if len(r.Fields) > 0 {
		clear(r.Fields)
	}
	r.Order, r.vals = r.Order[:0], r.vals[:0]
	return r
}

func newRecord(fields int) *Record {
	return &Record{Fields: make(map[string]any, fields), Order: make([]string, 0, fields), vals: make([]val, 0, fields)}
}

var (
	requiredBusiness = requiredForCreate[KindBusiness]
	requiredPerson   = requiredForCreate[KindPerson]
	requiredProject  = requiredForCreate[KindProject]
)

// requiredFor is requiredForCreate[kind] without a map lookup: it is asked
// three times a row.
func requiredFor(kind EntityKind) []string {
	switch kind {
	case KindBusiness:
		return requiredBusiness
	case KindPerson:
		return requiredPerson
	case KindProject:
		return requiredProject
	}
	return nil
}

// checkRequired rejects a record that could not be created for lack of a
// required value, and one with nothing to match it by.
func (p *Plan) checkRequired(loc source.Location, ep *entityPlan, rec *Record) *CellError {
	for _, req := range requiredFor(rec.Kind) {
		if rec.NoCreate {
			break
		}
		if v, ok := rec.lookup(req); !ok || v.kind == valNil || (v.kind == valString && v.s == "") {
			return &CellError{Loc: loc, Column: p.columnOf(rec.Kind, req), Field: string(rec.Kind) + "." + req,
				Reason: "is empty; MiniCRM needs it to create a " + strings.ToLower(string(rec.Kind))}
		}
	}
	for _, k := range rec.Match {
		has := rec.Keys.Key(k) != ""
		if !has && rec.textMode {
			has = p.hasKey(ep, rec, k) // a key MapText leaves out
		}
		if has {
			return nil
		}
	}
	return &CellError{Loc: loc, Field: string(rec.Kind), Reason: "has none of its match keys (" + strings.Join(rec.Match, ", ") + "); it could not be told apart from others"}
}

// entity is the plan of an entity kind the plan maps.
func (p *Plan) entity(kind EntityKind) *entityPlan {
	for _, ep := range p.entities {
		if ep.kind == kind {
			return ep
		}
	}
	return nil
}

func (p *Plan) columnOf(kind EntityKind, field string) string {
	for _, ep := range p.entities {
		if ep.kind != kind {
			continue
		}
		for _, fp := range ep.fields {
			if fp.name == field {
				return strings.Join(fp.cols, "+")
			}
		}
	}
	return ""
}

func (p *Plan) usesColumn(c string) bool {
	for _, f := range p.filters {
		if f.f.Column == c {
			return true
		}
	}
	for _, ep := range p.entities {
		fields := ep.fields
		if ep.address != nil {
			fields = append(slices.Clone(fields), ep.address.fields...)
		}
		for _, fp := range fields {
			for _, fc := range fp.cols {
				if fc == c {
					return true
				}
			}
		}
	}
	return false
}

// keepASCII maps the bytes of s by f, dropping those f does not keep (f
// keeps only ASCII): what strings.Map would make of s with f for a rune
// mapping, which drops every non-ASCII rune and byte. s comes back as it is
// when f keeps it whole, else in one allocation.
func keepASCII(s string, f func(byte) (byte, bool)) string {
	n, same := 0, true
	for i := 0; i < len(s); i++ {
		c, ok := f(s[i])
		if ok {
			n++
		}
		same = same && ok && c == s[i]
	}
	if same {
		return s
	}
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < len(s); i++ {
		if c, ok := f(s[i]); ok {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func applyTransforms(s string, trs []string) string {
	for _, t := range trs {
		switch t {
		case "trim":
			s = strings.TrimSpace(s)
		case "collapse":
			s = CollapseSpace(s)
		case "upper":
			s = strings.ToUpper(s)
		case "lower":
			s = strings.ToLower(s)
		case "title":
			s = TitleCase(s)
		}
	}
	return s
}

// cellText is the text of a source cell; typed XLSX cells are rendered so
// the value parsers read them back without loss.
func cellText(c *source.Cell) (string, error) {
	switch c.Kind {
	case source.Number:
		return FormatNumber(c.Number), nil
	case source.Date:
		t := c.Time
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format(dateLayoutOut), nil
		}
		return t.Format(dateTimeLayoutOut), nil
	case source.Bool:
		if c.Bool {
			return "1", nil
		}
		return "0", nil
	case source.Error:
		if c.Err != nil {
			return "", c.Err
		}
		return "", errors.New("the cell holds an error value " + c.Raw)
	}
	return c.Raw, nil
}

const (
	dateLayoutOut     = "2006-01-02"
	dateTimeLayoutOut = "2006-01-02 15:04:05"
)

// convert parses a non-empty text for the field.
func (fp *fieldPlan) convert(text string, phones PhoneNormalizer) (any, error) {
	v, err := fp.convertVal(text, phones)
	if err != nil {
		return nil, err
	}
	return v.box(), nil
}

// fieldRuntime is what mapping a field works out on its first row rather
// than on each: a constant's value, a dropdown's options by label.
type fieldRuntime struct {
	constOnce sync.Once
	constVal  val
	constErr  error

	optionsOnce sync.Once
	options     optionIndex
}

// rowValue is convert for a row: a constant is converted on the first row
// only (its text is the same on every row: the constant after the
// field's transforms).
func (fp *fieldPlan) rowValue(text string, phones PhoneNormalizer) (val, error) {
	if fp.spec.Const == "" {
		return fp.convertVal(text, phones)
	}
	rt := &fp.rt
	rt.constOnce.Do(func() { rt.constVal, rt.constErr = fp.convertVal(text, phones) })
	return rt.constVal, rt.constErr
}

// optionIndex finds a dropdown's options as resolveOption does, by maps
// instead of a scan that folds every label.
type optionIndex struct {
	exact  map[string]int // label → the first option with it
	folded map[string]int // folded label → the first option with it
	ids    map[int64]int
	vals   []val // the options' ids, with their text
}

// option is resolveOption(fp.field, v), as the option's id.
func (fp *fieldPlan) option(v string) (val, bool) {
	rt := &fp.rt
	rt.optionsOnce.Do(func() {
		x := optionIndex{exact: map[string]int{}, folded: map[string]int{}, ids: map[int64]int{}}
		for i, o := range fp.field.Options {
			if _, seen := x.exact[o.Label]; !seen {
				x.exact[o.Label] = i
			}
			if _, seen := x.folded[fold(o.Label)]; !seen {
				x.folded[fold(o.Label)] = i
			}
			if _, seen := x.ids[o.Id]; !seen {
				x.ids[o.Id] = i
			}
			x.vals = append(x.vals, val{kind: valInt, i: o.Id, s: strconv.FormatInt(o.Id, 10)})
		}
		rt.options = x
	})
	x := &rt.options
	v = strings.TrimSpace(v)
	if i, ok := x.exact[v]; ok {
		return x.vals[i], true
	}
	if i, ok := x.folded[fold(v)]; ok {
		return x.vals[i], true
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if i, ok := x.ids[id]; ok {
			return x.vals[i], true
		}
	}
	return val{}, false
}

// convertVal is convert, its value unboxed.
func (fp *fieldPlan) convertVal(text string, phones PhoneNormalizer) (val, error) {
	if fp.enum != nil {
		t := strings.TrimSpace(text)
		if to, ok := fp.enumExact[t]; ok {
			text = to
		} else if to, ok := fp.enum[enumKey(t)]; ok {
			text = to
		} else if fp.parse != parseEnum {
			return val{}, fmt.Errorf("%q is not in the enum table", text)
		}
	}
	str := func(s string) val { return val{kind: valString, s: s} }
	switch fp.parse {
	case parseEnum:
		o, ok := fp.option(text)
		if !ok {
			if fp.spec.Bool {
				if b, err := ParseBool(text); err == nil {
					for _, want := range boolLabels(b) {
						if o, ok = fp.option(want); ok {
							return o, nil
						}
					}
				}
			}
			return val{}, &optionError{fmt.Sprintf("%q is not an option of %s; the options are %s", text, fp.name, optionList(fp.field))}
		}
		return o, nil
	case parseInt, parseFloat:
		f, err := ParseNumber(text)
		if err != nil {
			return val{}, err
		}
		if fp.parse == parseInt {
			if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return val{}, fmt.Errorf("%q is not a whole number, and %s holds whole numbers", text, fp.name)
			}
			return val{kind: valInt, i: int64(f)}, nil
		}
		return val{kind: valFloat, f: f}, nil
	case parseDate, parseDateTime:
		if s, ok := fp.dates.fastText(text, fp.parse == parseDateTime); ok {
			return str(s), nil
		}
		t, err := fp.dates.Parse(text)
		if err != nil {
			return val{}, err
		}
		if fp.parse == parseDate {
			return str(t.Format(dateLayoutOut)), nil
		}
		return str(t.Format(dateTimeLayoutOut)), nil
	case parseBool:
		b, err := ParseBool(text)
		if err != nil {
			return val{}, err
		}
		if b {
			return val{kind: valInt, i: 1}, nil
		}
		return val{kind: valInt, i: 0}, nil
	case parsePhone:
		n, err := phones.Normalize(text)
		if err != nil {
			return val{}, err
		}
		return str(n), nil
	case parseEmail:
		e, err := NormalizeEmail(text)
		if err != nil {
			return val{}, err
		}
		return str(e), fp.checkLength(e)
	}
	return str(text), fp.checkLength(text)
}

func (fp *fieldPlan) checkLength(s string) error {
	// A text of at most n bytes has at most n characters: most are not
	// counted.
	if n := fp.field.MaxLength; n > 0 && len(s) > n && len([]rune(s)) > n {
		return fmt.Errorf("is %d characters long; %s holds at most %d", len([]rune(s)), fp.name, n)
	}
	return nil
}

func boolLabels(b bool) []string {
	if b {
		return []string{"Igen", "Yes", "True", "1"}
	}
	return []string{"Nem", "No", "False", "0"}
}

// ValueString renders a canonical value as text (for outputs and reports).
func ValueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return FormatNumber(x)
	case time.Time:
		return x.Format(dateTimeLayoutOut)
	}
	return fmt.Sprint(v)
}

// Option returns the label of an enum option id for a field of the
// entity's schema, for readable outputs.
func (p *Plan) Option(kind EntityKind, field string, id int64) (string, bool) {
	for _, ep := range p.entities {
		if ep.kind == kind && ep.schema != nil {
			if f, ok := ep.schema.Field(field); ok {
				return f.OptionLabel(id)
			}
		}
	}
	return "", false
}

// Schema returns the schema an entity was compiled against.
func (p *Plan) Schema(kind EntityKind) *restapi.Schema {
	for _, ep := range p.entities {
		if ep.kind == kind {
			return ep.schema
		}
	}
	return nil
}
