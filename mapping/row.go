package mapping

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
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
}

// The values of an entity's relink option.
const (
	RelinkUpdate = "update"
	RelinkKeep   = "keep"
	RelinkError  = "error"
)

// MatchKeys are a record's identities, normalized for comparison. Name is
// set only when the entity's mapping matches by it; the others whenever
// their field is mapped.
type MatchKeys struct {
	Email      string
	Phone      string // E.164 digits with +
	ExternalID string
	VatNumber  string // letters and digits only, upper case
	Name       string // folded, single-spaced
}

// Key returns one of the keys by its mapping name.
func (k MatchKeys) Key(name string) string {
	switch name {
	case "email":
		return k.Email
	case "phone":
		return k.Phone
	case "external_id":
		return k.ExternalID
	case "vat_number":
		return k.VatNumber
	case "name":
		return k.Name
	}
	return ""
}

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
func (p *Plan) MapInto(row source.Row, b *Bundle) (*Bundle, error) {
	if cap(b.texts) < len(p.header) {
		b.texts = make([]string, len(p.header))
	}
	texts := b.texts[:len(p.header)]
	clear(texts)
	var errs RowErrors
	for i, c := range row.Cells {
		if i >= len(texts) {
			break
		}
		t, err := cellText(c)
		if err != nil && p.usesColumn(p.header[i]) {
			errs = append(errs, &CellError{Loc: row.Loc, Column: p.header[i], Field: "(source)", Value: c.Raw, Reason: err.Error()})
		}
		texts[i] = t
	}
	for _, f := range p.filters {
		idx, ok := p.col[f.f.Column]
		v := ""
		if ok && idx < len(texts) {
			v = texts[idx]
		}
		if keep, why := f.keep(v); !keep {
			return nil, &Skipped{Loc: row.Loc, Reason: "filter: " + why}
		}
	}
	b.Loc, b.Business, b.Person, b.Project = row.Loc, nil, nil, nil
	for i, ep := range p.entities {
		rec := b.record(i, len(ep.fields))
		*rec = Record{Kind: ep.kind, Fields: rec.Fields, Order: rec.Order,
			Match: ep.match, Link: ep.link, NoCreate: !ep.spec.Creates(), Relink: ep.relink}
		if ep.kind == KindProject {
			rec.CategoryID = p.categoryID
		}
		for _, fp := range ep.fields {
			text, col := fp.value(texts)
			text = applyTransforms(text, fp.spec.Transforms)
			if strings.TrimSpace(text) == "" && fp.spec.Default != "" {
				text = fp.spec.Default
			}
			if strings.TrimSpace(text) == "" {
				switch fp.ifEmpt {
				case "clear":
					rec.Fields[fp.name] = nil
					rec.Order = append(rec.Order, fp.name)
				case "reject":
					errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: string(ep.kind) + "." + fp.name, Reason: "is empty, and the mapping requires a value"})
				case "skip_row":
					return nil, &Skipped{Loc: row.Loc, Reason: fmt.Sprintf("%s is empty (%s.%s: if_empty: skip_row)", col, ep.kind, fp.name)}
				}
				continue
			}
			v, err := fp.convert(text, p.phones)
			if err != nil {
				var oe *optionError
				errs = append(errs, &CellError{Loc: row.Loc, Column: col, Field: string(ep.kind) + "." + fp.name, Value: text,
					Reason: err.Error(), NotAnOption: errors.As(err, &oe)})
				continue
			}
			rec.Fields[fp.name] = v
			rec.Order = append(rec.Order, fp.name)
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
	for _, rec := range b.Records() {
		if err := p.checkRequired(b.Loc, rec); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return b, nil
}

// record gives the bundle's i-th record, emptied, made when new.
func (b *Bundle) record(i, fields int) *Record {
	if i >= len(b.spare) {
		return &Record{Fields: make(map[string]any, fields), Order: make([]string, 0, fields)}
	}
	r := b.spare[i]
	if r == nil {
		r = &Record{Fields: make(map[string]any, fields), Order: make([]string, 0, fields)}
		b.spare[i] = r
	}
	clear(r.Fields)
	r.Order = r.Order[:0]
	return r
}

// checkRequired rejects a record that could not be created for lack of a
// required value, and one with nothing to match it by.
func (p *Plan) checkRequired(loc source.Location, rec *Record) *CellError {
	for _, req := range requiredForCreate[rec.Kind] {
		if rec.NoCreate {
			break
		}
		if v, ok := rec.Fields[req]; !ok || v == nil || v == "" {
			return &CellError{Loc: loc, Column: p.columnOf(rec.Kind, req), Field: string(rec.Kind) + "." + req,
				Reason: "is empty; MiniCRM needs it to create a " + strings.ToLower(string(rec.Kind))}
		}
	}
	for _, k := range rec.Match {
		if rec.Keys.Key(k) != "" {
			return nil
		}
	}
	return &CellError{Loc: loc, Field: string(rec.Kind), Reason: "has none of its match keys (" + strings.Join(rec.Match, ", ") + "); it could not be told apart from others"}
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

func (p *Plan) keys(ep *entityPlan, rec *Record) MatchKeys {
	str := func(name string) string {
		if v, ok := rec.Fields[name].(string); ok {
			return v
		}
		if v, ok := rec.Fields[name].(int64); ok {
			return strconv.FormatInt(v, 10)
		}
		return ""
	}
	// The name key is worked out only when the entity matches by name: its
	// folding is the costliest step of mapping a row. The other keys are
	// cheap and always set when their field is mapped, because the importer
	// checks a match found by a weaker key against them (a company found by
	// its name must not have another VAT number than the row's).
	k := MatchKeys{Email: strings.ToLower(str("Email")), VatNumber: VatKey(str("VatNumber"))}
	if ph := str("Phone"); ph != "" {
		// A Phone text is always the Normalize'd form (the field is
		// parsed as a phone), so its key is its digits: parsing it with
		// libphonenumber again would double the cost of a row.
		k.Phone = strings.Map(keepDigitOrPlus, ph)
	}
	if ep.externalID != "" {
		k.ExternalID = strings.TrimSpace(str(ep.externalID))
	}
	if ep.uses("name") {
		switch ep.kind {
		case KindPerson:
			k.Name = NameKey(PersonName(str("FirstName"), str("LastName")))
		default:
			k.Name = NameKey(str("Name"))
		}
	}
	return k
}

func (ep *entityPlan) uses(key string) bool {
	for _, k := range ep.match {
		if k == key {
			return true
		}
	}
	return false
}

// PersonName is a person's display name in MiniCRM's (Hungarian) order.
func PersonName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(last) + " " + strings.TrimSpace(first))
}

// NameKey folds a name for matching: case, accents and spacing ignored.
func NameKey(s string) string { return fold(CollapseSpace(s)) }

// VatKey reduces a VAT number to letters and digits ("12345678-2-41" →
// "12345678241").
func VatKey(s string) string { return crm.VatKey(s) }

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
func cellText(c source.Cell) (string, error) {
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
	if fp.enum != nil {
		if to, ok := fp.enum[fold(strings.TrimSpace(text))]; ok {
			text = to
		} else if fp.parse != parseEnum {
			return nil, fmt.Errorf("%q is not in the enum table", text)
		}
	}
	switch fp.parse {
	case parseEnum:
		o, ok := resolveOption(fp.field, text)
		if !ok {
			if fp.parse == parseEnum && fp.spec.Bool {
				if b, err := ParseBool(text); err == nil {
					for _, want := range boolLabels(b) {
						if o, ok = resolveOption(fp.field, want); ok {
							return o.Id, nil
						}
					}
				}
			}
			return nil, &optionError{fmt.Sprintf("%q is not an option of %s; the options are %s", text, fp.name, optionList(fp.field))}
		}
		return o.Id, nil
	case parseInt, parseFloat:
		f, err := ParseNumber(text)
		if err != nil {
			return nil, err
		}
		if fp.parse == parseInt {
			if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return nil, fmt.Errorf("%q is not a whole number, and %s holds whole numbers", text, fp.name)
			}
			return int64(f), nil
		}
		return f, nil
	case parseDate, parseDateTime:
		t, err := fp.dates.Parse(text)
		if err != nil {
			return nil, err
		}
		if fp.parse == parseDate {
			return t.Format(dateLayoutOut), nil
		}
		return t.Format(dateTimeLayoutOut), nil
	case parseBool:
		b, err := ParseBool(text)
		if err != nil {
			return nil, err
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case parsePhone:
		n, err := phones.Normalize(text)
		if err != nil {
			return nil, err
		}
		return n, nil
	case parseEmail:
		e, err := NormalizeEmail(text)
		if err != nil {
			return nil, err
		}
		return e, fp.checkLength(e)
	}
	return text, fp.checkLength(text)
}

func (fp *fieldPlan) checkLength(s string) error {
	if n := fp.field.MaxLength; n > 0 && len([]rune(s)) > n {
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
