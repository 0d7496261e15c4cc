package mapping

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// synonyms are header names (folded) people use for MiniCRM's fields, in
// Hungarian and English, per entity. A header not listed is matched against
// the schema's own field names.
var synonyms = map[EntityKind]map[string][]string{
	KindPerson: {
		"FirstName": {"keresztnev", "utonev", "first name", "firstname", "given name", "keresztnev (utonev)"},
		"LastName":  {"vezeteknev", "csaladnev", "csaladi nev", "last name", "lastname", "surname", "family name"},
		"Email":     {"email", "e-mail", "e mail", "email cim", "e-mail cim", "mail", "email address"},
		"Phone":     {"telefon", "telefonszam", "tel", "tel.", "mobil", "mobiltelefon", "phone", "phone number", "mobile"},
		"Position":  {"beosztas", "pozicio", "position", "title", "job title"},
	},
	KindBusiness: {
		"Name":               {"cegnev", "ceg", "ceg neve", "company", "company name", "firma", "szervezet", "partner", "vevo", "vevo neve"},
		"VatNumber":          {"adoszam", "ado szam", "vat", "vat number", "tax number", "adoazonosito"},
		"EUVatNumber":        {"kozossegi adoszam", "eu adoszam", "eu vat number"},
		"RegistrationNumber": {"cegjegyzekszam", "cegjegyzek szam", "registration number", "company number"},
		"Email":              {"ceg email", "ceg e-mail", "ceg email cim", "ceg e-mail cim", "ceges email", "kozponti email", "kozponti e-mail", "company email", "company e-mail"},
		"Phone":              {"ceg telefon", "ceg telefonszam", "ceges telefon", "kozponti telefon", "kozponti telefonszam", "company phone"},
		"BankAccount":        {"bankszamla", "bankszamlaszam", "bank account", "iban"},
		"Url":                {"weboldal", "honlap", "website", "web", "webcim", "web cim", "url", "internet cim"},
	},
	KindProject: {
		"Name":     {"nev", "adatlap", "targy", "name", "title", "subject"},
		"UserId":   {"felelos", "tulajdonos", "owner", "user", "ugyintezo"},
		"StatusId": {"statusz", "allapot", "status", "stage"},
	},
}

// needsEscape is a character a plain YAML scalar cannot hold as it is: a
// control or format character (a line break, a tab, a BOM) or one YAML
// reads as a line break.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == utf8.RuneError
}

// oneLine makes a text safe inside a # comment: line breaks become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if needsEscape(r) {
			return ' '
		}
		return r
	}, s)
}

// yamlString quotes a scalar when YAML would read it as something else.
func yamlString(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\\") || strings.TrimSpace(s) != s ||
		strings.HasPrefix(s, "-") || strings.HasPrefix(s, "?") || strings.IndexFunc(s, needsEscape) >= 0 {
		return strconv.Quote(s)
	}
	switch strings.ToLower(s) {
	case "yes", "no", "true", "false", "on", "off", "null", "~", "y", "n":
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.Quote(s)
	}
	return s
}
