package pipeline

import (
	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// The mirror keeps field values as text in the form the import compares
// (crm.Comparer.Value, with the mapping's normalizers): enum option ids,
// numbers without a needless fraction, dates "2006-01-02", phones in
// international form, emails lower-cased; mapping.ValueString of what
// Plan.Map produces is in that form already. A value read from MiniCRM is
// brought into it here, so that comparing a row with MiniCRM is a string
// comparison (crm.Comparer.Equal). Package crm holds the rules.

// canonizer brings MiniCRM's values into the compared form.
type canonizer struct {
	phones mapping.PhoneNormalizer // for match keys (PhoneNormalizer.Key)
	cmp    crm.Comparer
	cat    *crm.Catalogue
}

// newCanonizer makes the canonizer of a run: phones in the mapping's
// region, the schemas of the mapped entities.
func newCanonizer(region string, schema func(mapping.EntityKind) *restapi.Schema, kinds []mapping.EntityKind) *canonizer {
	byEntity := make(map[crm.Entity]*restapi.Schema, len(kinds))
	for _, k := range kinds {
		byEntity[crm.Entity(k)] = schema(k)
	}
	phones := mapping.PhoneNormalizer{Region: region}
	return &canonizer{
		phones: phones,
		cmp:    crm.Comparer{Email: mapping.NormalizeEmail, Phone: phones.Normalize},
		cat:    crm.NewCatalogue(byEntity),
	}
}

// emails compares addresses; it needs no phone region.
var emails = crm.Comparer{Email: mapping.NormalizeEmail}

// emailKey is an address as matching and diffing compare it.
func emailKey(s string) string { return emails.EmailKey(s) }

// phone is a number in the form the mapping writes it.
func (c *canonizer) phone(s string) string { return c.cmp.PhoneKey(s) }

// schema returns an entity's schema, nil when not at hand.
func (c *canonizer) schema(kind mapping.EntityKind) *restapi.Schema {
	return c.cat.Schema(crm.Entity(kind))
}

// field returns the schema field of an entity ("" Kind when unknown).
func (c *canonizer) field(kind mapping.EntityKind, name string) restapi.SchemaField {
	return c.cat.Field(crm.Entity(kind), name).SchemaField
}

// remote renders a value of a detail record (as decoded from JSON: string,
// json.Number, bool, nil…) in the compared form.
func (c *canonizer) remote(kind mapping.EntityKind, name string, v any) string {
	return c.cmp.Value(c.field(kind, name), restapi.FieldText(v))
}

// same reports whether the mapped value want (a canonical value of
// Record.Fields; nil means "clear") equals the compared remote value have.
func (c *canonizer) same(kind mapping.EntityKind, name string, want any, have string) bool {
	return c.cmp.Equal(c.field(kind, name), mapping.ValueString(want), have)
}

// keptField reports whether a detail record's field is worth keeping in
// the mirror: not MiniCRM's bookkeeping (ids, audit times, the trash flag,
// tags, a contact's Type), which no mapping sets.
func keptField(name string) bool {
	switch crm.RoleOf(name) {
	case crm.Computed, crm.Fixed, crm.Trash, crm.Tags:
		return false
	}
	return true
}

// recordField reports whether a member of a create's body is a value of
// the record, not where it sits (its Type or module, its links).
func recordField(name string) bool {
	r := crm.RoleOf(name)
	return r != crm.Fixed && r != crm.Link
}
