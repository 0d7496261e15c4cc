package mapping

import (
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// MatchKeys are a record's identities, normalized for comparison. Name is
// set only when the entity's mapping matches by it; the others whenever
// their field is mapped. A record made by MapText (a feed's) has only
// ExternalID and VatNumber.
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

func (p *Plan) keys(ep *entityPlan, rec *Record) MatchKeys {
	// The name key is worked out only when the entity matches by name: its
	// folding is the costliest step of mapping a row. The other keys are
	// cheap and always set when their field is mapped, because the importer
	// checks a match found by a weaker key against them (a company found by
	// its name must not have another VAT number than the row's). A record
	// MapText makes (the feed's) gets only what a feed uses: the external
	// id and the VAT number; checkRequired works out the others when it
	// needs them.
	k := MatchKeys{VatNumber: p.key(ep, rec, "vat_number"), ExternalID: p.key(ep, rec, "external_id")}
	if rec.textMode {
		return k
	}
	k.Email, k.Phone = p.key(ep, rec, "email"), p.key(ep, rec, "phone")
	if ep.uses("name") {
		k.Name = p.key(ep, rec, "name")
	}
	return k
}

// hasKey is p.key(ep, rec, name) != "", for a key MapText leaves out.
func (p *Plan) hasKey(ep *entityPlan, rec *Record, name string) bool {
	if name == "email" {
		// Lower-casing keeps a text non-empty: the key is not needed.
		v, _ := rec.lookup("Email")
		return (v.kind == valString || v.kind == valInt) && v.text() != ""
	}
	return p.key(ep, rec, name) != ""
}

// key is one of a record's match keys, by its mapping name.
func (p *Plan) key(ep *entityPlan, rec *Record, name string) string {
	str := func(name string) string {
		switch v, _ := rec.lookup(name); v.kind {
		case valString, valInt:
			return v.text()
		}
		return ""
	}
	switch name {
	case "email":
		return strings.ToLower(str("Email"))
	case "phone":
		if ph := str("Phone"); ph != "" {
			// A Phone text is always the Normalize'd form (the field is
			// parsed as a phone), so its key is its digits: parsing it
			// with libphonenumber again would double the cost of a row.
			return digitsOrPlus(ph)
		}
	case "external_id":
		if ep.externalID != "" {
			return strings.TrimSpace(str(ep.externalID))
		}
	case "vat_number":
		return VatKey(str("VatNumber"))
	case "name":
		if ep.kind == KindPerson {
			return NameKey(PersonName(str("FirstName"), str("LastName")))
		}
		return NameKey(str("Name"))
	}
	return ""
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
