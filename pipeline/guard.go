package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// The guards keep a weak match from writing onto the wrong record. A key
// can be wrong in two ways: a name or a phone number is shared by records
// that are not the same (two companies called "Kovács 2000 Bt."), and a
// name folded for matching (accents and case ignored) equals names that
// are not the same. So a match found by a key is checked against the
// stronger keys the row carries, whether or not the mapping matches by
// them, and a name equal only when folded needs a stronger key to agree.

// keyStrength orders the match keys: a key never overrides a stronger one.
var keyStrength = map[string]int{"name": 1, "phone": 2, "email": 3, "vat_number": 4, "external_id": 5}

// guardKeys are the identity keys checked against a candidate, cheapest
// to know first (e-mail and phone are in the list summaries; VAT number
// and external id may need the detail record).
var guardKeys = []string{"email", "phone", "external_id", "vat_number"}

// claim is an identity key value a row of this run gave an entity.
type claim struct {
	value string
	line  int
}

// screen drops the candidates found by key k that have another value of a
// stronger key than the row's. Each dropped candidate is a warning (once a
// row and candidate).
func (p *planner) screen(ctx context.Context, line int, rec *mapping.Record, k string, cands []*entity, warned map[*entity]bool) ([]*entity, error) {
	var kept []*entity
	for _, e := range cands {
		s, have, _, err := p.compare(ctx, rec, k, e)
		if err != nil {
			return nil, err
		}
		if s == "" {
			kept = append(kept, e)
			continue
		}
		if !warned[e] {
			warned[e] = true
			p.r.warns.add(WarnKeyConflict, line, "%s: %s matches by %s, but its %s is %q and the row's is %q; not taken as the match",
				rec.Kind, p.describe(e), keyLabel(k), keyLabel(s), have, rec.Keys.Key(s))
		}
	}
	return kept, nil
}

// compare looks at the keys stronger than k that the row carries: the
// first that differs on the entity (and its value there), and whether any
// agrees. It stops at the first difference.
func (p *planner) compare(ctx context.Context, rec *mapping.Record, k string, e *entity) (differs, have string, agreed bool, err error) {
	for _, s := range guardKeys {
		if keyStrength[s] <= keyStrength[k] {
			continue
		}
		rv := rec.Keys.Key(s)
		if rv == "" {
			continue
		}
		v, err := p.have(ctx, rec.Kind, e, s)
		if err != nil {
			return "", "", false, err
		}
		switch {
		case v == rv:
			agreed = true
		case v != "":
			return s, v, agreed, nil
		}
	}
	return "", "", agreed, nil
}

// have is the entity's value of key s, normalized like the row's keys: what
// a row of this run gave it, else what MiniCRM has. A VAT number or
// external id that the mirror does not know is read from the detail record
// (one request, kept in the mirror). A record the run is to create has the
// values its rows gave it, and no other.
func (p *planner) have(ctx context.Context, kind mapping.EntityKind, e *entity, s string) (string, error) {
	if c, ok := e.claims[s]; ok {
		return c.value, nil
	}
	r := e.snapshot()
	switch s {
	case "email":
		if strings.TrimSpace(r.Email) == "" {
			return "", nil
		}
		return emailKey(r.Email), nil
	case "phone":
		if strings.TrimSpace(r.Phone) == "" {
			return "", nil
		}
		return p.m.c.phones.Key(r.Phone), nil
	}
	field := "VatNumber"
	if s == "external_id" {
		field = p.m.ext[kind]
	}
	if field == "" {
		return "", nil
	}
	v, ok := r.Fields[field]
	if !ok && !r.Detail && r.Id != 0 {
		err := p.r.fetchDetail(ctx, e)
		if errors.Is(err, restapi.ErrNotFound) {
			return "", nil // gone: the write finds out and creates it again
		}
		if err != nil {
			return "", err
		}
		r = e.snapshot()
		v = r.Fields[field]
	}
	if s == "vat_number" {
		return mapping.VatKey(v), nil
	}
	return strings.TrimSpace(v), nil
}

// nameOnlyError is a record whose name equals an existing record's only
// when accents, case or punctuation are ignored, with nothing stronger to
// confirm that they are the same: a guess, so the row is an error.
type nameOnlyError struct {
	kind    mapping.EntityKind
	rowName string
	cand    string
}

func (e *nameOnlyError) Error() string {
	return fmt.Sprintf("%s name %q equals %s only when accents and punctuation are ignored, and no VAT number, external id or e-mail confirms it is the same; nothing was written for this row: correct the name, or add a stronger key to the mapping",
		strings.ToLower(string(e.kind)), e.rowName, e.cand)
}

// conflictingRowsError is a row that gives a record another value of an
// identity key than an earlier row of the file did.
type conflictingRowsError struct {
	kind             mapping.EntityKind
	key, first, this string
	firstLine        int
	label            string
}

func (e *conflictingRowsError) Error() string {
	return fmt.Sprintf("%s: row %d gave %s the %s %q, this row gives it %q; the first row's stands and nothing was written for this row: make the file agree with itself",
		e.kind, e.firstLine, e.label, keyLabel(e.key), e.first, e.this)
}

// checkName turns a match by a folded name into an error unless the names
// are the same apart from case and spacing, or a stronger key agrees.
func (p *planner) checkName(ctx context.Context, rec *mapping.Record, e *entity) error {
	row := rowName(rec)
	cand := e.exact
	if cand == "" {
		cand = e.snapshot().Name
	}
	if strictName(row) == strictName(cand) {
		return nil
	}
	_, _, agreed, err := p.compare(ctx, rec, "name", e)
	if err != nil || agreed {
		return err
	}
	return &nameOnlyError{kind: rec.Kind, rowName: row, cand: fmt.Sprintf("%s %q", e.label, cand)}
}

// checkClaims refuses a row that gives an entity another identity key value
// than an earlier row of this run gave it.
func (p *planner) checkClaims(rec *mapping.Record, e *entity) error {
	for _, s := range guardKeys {
		rv := rec.Keys.Key(s)
		if rv == "" {
			continue
		}
		if c, ok := e.claims[s]; ok && c.value != rv {
			return &conflictingRowsError{kind: rec.Kind, key: s, first: c.value, this: rv, firstLine: c.line, label: p.describe(e)}
		}
	}
	return nil
}

// claim records the row's identity key values on the entity.
func (p *planner) claim(line int, rec *mapping.Record, e *entity) {
	for _, s := range guardKeys {
		rv := rec.Keys.Key(s)
		if rv == "" {
			continue
		}
		if e.claims == nil {
			e.claims = map[string]claim{}
		}
		if _, ok := e.claims[s]; !ok {
			e.claims[s] = claim{value: strings.Clone(rv), line: line} // kept all run: not a piece of the row's line
		}
	}
	if e.exact == "" {
		e.exact = strings.Clone(rowName(rec))
	}
}

// describe names an entity for messages: "business 7506 "Kovács Kft."".
func (p *planner) describe(e *entity) string {
	name := e.exact
	if name == "" {
		name = e.snapshot().Name
	}
	if name == "" {
		return e.label
	}
	return fmt.Sprintf("%s %q", e.label, name)
}

// rowName is the record's name as written in the row.
func rowName(rec *mapping.Record) string {
	if rec.Kind == mapping.KindPerson {
		return mapping.PersonName(mapping.ValueString(rec.Fields["FirstName"]), mapping.ValueString(rec.Fields["LastName"]))
	}
	return mapping.ValueString(rec.Fields["Name"])
}

// strictName compares names ignoring case and spacing only.
func strictName(s string) string { return strings.ToLower(mapping.CollapseSpace(s)) }

func keyLabel(k string) string {
	switch k {
	case "vat_number":
		return "VAT number"
	case "external_id":
		return "external id"
	case "email":
		return "e-mail"
	}
	return strings.ReplaceAll(k, "_", " ")
}

// settle keeps a record from flip-flopping within a run: when an earlier
// row of this run gave the record another value of a field, the first
// row's value stands, this row's is dropped (it would be written and then
// written back every run), and the row's note and the warnings say so. The
// identity keys are left to checkClaims (a conflict there is an error row).
func (p *planner) settle(line int, rec *mapping.Record, e *entity) string {
	if e.values == nil {
		e.values = map[string]claim{}
	}
	ext := p.m.ext[rec.Kind]
	keyField := func(f string) bool {
		return f == "Email" || f == "Phone" || f == "VatNumber" || (f == ext && ext != "")
	}
	var dropped []string
	kept := rec.Order[:0:0]
	for _, f := range rec.Order {
		if keyField(f) {
			kept = append(kept, f)
			continue
		}
		v := mapping.ValueString(rec.Fields[f])
		first, ok := e.values[f]
		switch {
		case !ok:
			e.values[f] = claim{value: strings.Clone(v), line: line}
			kept = append(kept, f)
		case first.value == v:
			kept = append(kept, f)
		default:
			delete(rec.Fields, f)
			show := (&worker{r: p.r}).display // dropdown ids as their labels
			dropped = append(dropped, fmt.Sprintf("%s (row %d gave %q, this row %q)", f, first.line,
				show(rec.Kind, f, first.value), show(rec.Kind, f, v)))
		}
	}
	if len(dropped) == 0 {
		return ""
	}
	rec.Order = kept
	note := fmt.Sprintf("kept the earlier row's value of %s: rows of the file disagree", strings.Join(dropped, ", "))
	p.r.warns.add(WarnFieldConflict, line, "%s %s: %s", rec.Kind, p.describe(e), note)
	return note
}
