package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
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

// addressWords are headers about addresses: MiniCRM keeps addresses apart
// from the contact's fields, so init leaves them as comments.
var addressWords = []string{"cim", "address", "varos", "telepules", "city", "iranyitoszam", "irsz", "postal code", "zip", "orszag", "country", "utca"}

// Suggest writes a starter mapping for a source header: each column whose
// name matches a schema field (ignoring case and accents, with Hungarian and
// English synonyms) is mapped; the others are left as comments.
func Suggest(sourceFile string, header []string, kind EntityKind, category string, sch *restapi.Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Starter mapping written by `minicrm-bulk mapping init`. Check it, then run\n")
	fmt.Fprintf(&b, "#   minicrm-bulk mapping check --mapping THIS_FILE\n")
	fmt.Fprintf(&b, "source:\n  file: %s\n", yamlString(sourceFile))
	fmt.Fprintf(&b, "%s:\n", kind.key())
	if kind == KindProject {
		fmt.Fprintf(&b, "  category: %s\n", yamlString(category))
	}
	used := map[string]bool{}
	var mapped, unmatched []string
	matchedField := map[string]string{}
	for _, h := range header {
		f := suggestField(h, kind, sch)
		if f == "" || used[f] {
			unmatched = append(unmatched, h)
			continue
		}
		used[f] = true
		matchedField[h] = f
		mapped = append(mapped, h)
	}
	switch kind {
	case KindPerson:
		if used["Email"] {
			fmt.Fprintf(&b, "  match: [email, phone]\n")
		} else {
			fmt.Fprintf(&b, "  match: [phone, name]\n")
		}
	case KindBusiness:
		if used["VatNumber"] {
			// Never name after the VAT number: a row whose VAT number
			// matches no company would land on another company of the
			// same name.
			fmt.Fprintf(&b, "  match: [vat_number]   # a company is its VAT number: not found by name when the row has one\n")
		} else {
			fmt.Fprintf(&b, "  match: [name]\n")
		}
	case KindProject:
		fmt.Fprintf(&b, "  match: [name]   # better: external_id with the source's own id column\n")
	}
	b.WriteString("  fields:\n")
	for _, h := range mapped {
		fmt.Fprintf(&b, "    %s: {column: %s}\n", matchedField[h], yamlString(h))
	}
	for _, req := range requiredForCreate[kind] {
		if !used[req] {
			fmt.Fprintf(&b, "    # %s: {const: ...}   # required to create a %s: map a column or set a constant\n", req, strings.ToLower(string(kind)))
		}
	}
	if len(unmatched) > 0 {
		b.WriteString("    # Columns with no matching MiniCRM field:\n")
		for _, h := range unmatched {
			note := ""
			if isAddress(h) {
				note = "   (an address: MiniCRM keeps addresses apart from the contact's fields)"
			}
			fmt.Fprintf(&b, "    # ?: {column: %s}%s\n", yamlString(h), note)
		}
	}
	return b.String()
}

func suggestField(header string, kind EntityKind, sch *restapi.Schema) string {
	h := CollapseSpace(fold(header))
	for field, words := range synonyms[kind] {
		for _, w := range words {
			if h == w {
				if sch == nil {
					return field
				}
				if _, ok := sch.Field(field); ok {
					return field
				}
			}
		}
	}
	if sch == nil {
		return ""
	}
	compact := strings.NewReplacer(" ", "", "_", "", "-", "", ".", "").Replace(h)
	for _, f := range sch.Fields {
		if readOnly[f.Name] || setElsewhere[f.Name] != "" {
			continue
		}
		if fold(f.Name) == compact {
			return f.Name
		}
	}
	return ""
}

func isAddress(h string) bool {
	h = fold(h)
	for _, w := range addressWords {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
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
