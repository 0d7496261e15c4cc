package sandbox

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // MiniCRM speaks Hungarian local time; don't depend on the host's zoneinfo.
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var budapest = mustLoadLocation("Europe/Budapest")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded, so this cannot fail
	}
	return loc
}

// messages are the plain-text error messages in the two languages a system
// can have. The Hungarian ones are quoted from the HU seed and from live
// systems where they exist there.
var messages = map[string][2]string{ // key -> {hu, en}
	"invalid_value":   {"Érvénytelen választható érték '%s' a %s mezőhöz.", "Invalid value '%s' for the %s field."},
	"too_long":        {"Túl hosszú érték a %s mezőhöz (legfeljebb %d karakter).", "Value too long for the %s field (at most %d characters)."},
	"unknown_field":   {"Ismeretlen mező: \"%s\"", "Unknown field: \"%s\""},
	"unknown_param":   {"Nem megfelelő paraméter: \"%s\"", "Invalid parameter: \"%s\""},
	"bad_param_value": {"Nem megfelelő paraméter érték: %s=\"%s\"", "Invalid parameter value: %s=\"%s\""},
	"method":          {"A metódus nem engedélyezett!", "Method not allowed!"},
	"not_found":       {"Nem található: %s", "Not found: %s"},
	"no_such_id":      {"Nincs ilyen azonosítójú rekord: %d", "No record with Id %d"},
	"required":        {"Kötelező mező hiányzik: %s", "Required field is missing: %s"},
	"immutable":       {"A(z) %s mező nem módosítható.", "The %s field cannot be changed."},
	"type_values":     {"A Type értéke Person vagy Business lehet.", "Type must be Person or Business."},
	"not_business":    {"A megadott BusinessId (%d) nem cég.", "BusinessId %d is not a Business."},
	"not_contact":     {"A megadott ContactId (%d) nem létező kapcsolattartó.", "ContactId %d is not an existing contact."},
	"not_project":     {"A megadott ProjectId (%d) nem létező adatlap.", "ProjectId %d is not an existing card."},
	"wrong_status":    {"A(z) '%s' státusz nem tartozik a(z) %s modulhoz.", "Status '%s' does not belong to module %s."},
	"todo_closed":     {"Lezárt teendő nem módosítható.", "A closed to-do cannot be changed."},
	"bad_system":      {"Hozzáférés megtagadva: ismeretlen rendszer azonosító (SystemId).", "Access denied: unknown system id (SystemId)."},
	"bad_key":         {"Hozzáférés megtagadva: hibás API kulcs.", "Access denied: wrong API key."},
	"no_auth":         {"Hozzáférés megtagadva: hiányzó azonosítás (HTTP Basic SystemId:ApiKey).", "Access denied: missing authentication (HTTP Basic SystemId:ApiKey)."},
	"purge_ok":        {"Sikeresen törölve", "Successfully deleted"},
	"purge_primary":   {"A személy egy vagy több adatlapon fő kapcsolattartó.", "The person is marked as the main contact on one or more cards."},
	"purge_business":  {"Cég nem törölhető.", "A business cannot be deleted."},
	"internal":        {"Belső hiba.", "Internal error."},

	// Orders, invoices and offers (documents.go).
	"customer_required": {"CustomerId vagy ReferenceId megadása kötelező!", "CustomerId or ReferenceId is required!"},
	"no_customer":       {"A megadott CustomerId (%s) nem létező kapcsolattartó.", "CustomerId %s is not an existing contact."},
	"no_reference":      {"Nincs adatlap ezzel a külső azonosítóval (ReferenceId): %s", "No card has the external id (ReferenceId) %s."},
	"customer_clash":    {"A CustomerId és a ReferenceId különböző ügyfelet jelöl.", "CustomerId and ReferenceId name different customers."},
	"no_module":         {"Nincs %s típusú modul a rendszerben.", "The system has no module of type %s."},
	"bad_value":         {"Érvénytelen érték '%s' a %s mezőhöz.", "Invalid value '%s' for the %s field."},
	"no_item":           {"Nincs %s azonosítójú tétel a bizonylaton.", "The document has no item with Id %s."},
	"order_not_draft":   {"Megrendelést csak „%s” státuszban lehet módosítani.", "An order can only be changed in the “%s” status."},
	"bad_transition":    {"A(z) %s művelet nem engedélyezett „%s” státuszú megrendelésen.", "The %s action is not allowed on an order in the “%s” status."},
	"invoice_state":     {"A(z) %s művelet nem engedélyezett „%s” státuszú számlán.", "The %s action is not allowed on an invoice in the “%s” status."},
	"storno_subject":    {"%s számú számla, a(z) %s számú számla sztornó számlája", "Invoice no. %s Storno invoice of the invoice no. %s"},
}

// msgf formats a message in the system's language.
func msgf(lang, key string, a ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	f := m[0]
	if lang == "en" {
		f = m[1]
	}
	return fmt.Sprintf(f, a...)
}

// fold lower-cases s and strips accents, so "Leskó" and "lesko" compare equal,
// as the Query search of the seed documents requires.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// words splits folded text into the words the Query search compares whole.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// phoneDigits reduces a phone number to its national significant digits:
// "06 (20) 236 7532", "+36 20 236 7532", "0036-20-236-7532" all become
// "202367532". Numbers of other countries keep their digits.
func phoneDigits(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(s, "+36"):
		d = strings.TrimPrefix(d, "36")
	case strings.HasPrefix(d, "0036"):
		d = d[4:]
	case strings.HasPrefix(d, "06"):
		d = d[2:]
	case strings.HasPrefix(s, "+"):
		// another country: keep the country code, it is part of the number
	}
	return d
}

// minPhoneSuffix is how many digits a phone search needs before it is
// compared from the end; shorter numbers would match nearly everyone.
const minPhoneSuffix = 5

// looksLikePhone reports whether a Query value is a phone number (digits and
// the usual separators only).
func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()/.", r):
		default:
			return false
		}
	}
	return digits >= minPhoneSuffix
}

// phoneMatches compares two phone numbers after normalization, from the end:
// the last digits of the stored number must be the query's digits.
func phoneMatches(stored, query string) bool {
	s, q := phoneDigits(stored), phoneDigits(query)
	if len(q) < minPhoneSuffix || s == "" {
		return s == q && s != ""
	}
	return strings.HasSuffix(s, q)
}
