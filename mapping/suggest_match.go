package mapping

import (
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// This file holds the fuzzy comparisons `mapping init` makes: a column name
// against a field name, a value of the file against a dropdown's options.
// Each one only suggests: what it writes is in the mapping for the user to
// read, and `mapping check` tries every row against it.

var parenthetical = regexp.MustCompile(`\([^()]*\)`)

// words folds a column or field name into lower-case, accent-free words:
// "Érték (Ft)" → [ertek], "VarhatoArbevetel" → [varhato arbevetel],
// "AutoSalesV3_IsHot" → [auto sales v3 is hot].
func words(s string) []string {
	s = parenthetical.ReplaceAllString(s, " ")
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		if unicode.IsUpper(r) && prevLower {
			b.WriteByte(' ')
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		b.WriteRune(r)
	}
	return strings.FieldsFunc(fold(b.String()), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// bigrams are the letter pairs of a word list joined without spaces.
func bigrams(ws []string) map[string]int {
	s := []rune(strings.Join(ws, ""))
	out := map[string]int{}
	for i := 0; i+1 < len(s); i++ {
		out[string(s[i:i+2])]++
	}
	return out
}

// dice is the Sørensen–Dice similarity of two names' letter pairs, 0..1.
func dice(a, b []string) float64 {
	ba, bb := bigrams(a), bigrams(b)
	na, nb, common := 0, 0, 0
	for k, n := range ba {
		na += n
		common += min(n, bb[k])
	}
	for _, n := range bb {
		nb += n
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(common) / float64(na+nb)
}

// concepts group words that name the same thing in a sheet and in a
// MiniCRM field, where the letters differ: "Érték (Ft)" is most likely the
// expected revenue (VarhatoArbevetel).
var conceptOf = map[string]string{
	"ertek": "money", "osszeg": "money", "bevetel": "money", "arbevetel": "money", "forgalom": "money",
	"value": "money", "amount": "money", "revenue": "money", "ar": "money", "price": "money", "dij": "money",
	"lezaras": "close", "zaras": "close", "close": "close", "closing": "close",
	"forras": "source", "honnan": "source", "source": "source", "talalt": "source", "csatorna": "source",
	"megjegyzes": "note", "megj": "note", "note": "note", "notes": "note", "comment": "note", "leiras": "note",
	"valoszinuseg": "chance", "eselyes": "chance", "probability": "chance", "esely": "chance",
}

// nameScore says how much a column name looks like a field's name, 0..1:
// 1 for the same words, the letter-pair similarity otherwise (so that
// "Várható bevétel" finds VarhatoArbevetel), and with concepts 0.75 for a
// shared concept ("Érték (Ft)" and VarhatoArbevetel both speak of money:
// on a card that is the deal's value; on a contact, YearlyRevenue is
// something else, so init gives concepts for card fields only).
func nameScore(column, field string, concepts bool) float64 {
	cw, fw := words(column), words(field)
	if len(cw) == 0 || len(fw) == 0 {
		return 0
	}
	if strings.Join(cw, "") == strings.Join(fw, "") {
		return 1
	}
	score := dice(cw, fw)
	if !concepts {
		return score
	}
	fc := map[string]bool{}
	for _, w := range fw {
		if c := conceptOf[w]; c != "" {
			fc[c] = true
		}
	}
	for _, w := range cw {
		if c := conceptOf[w]; c != "" && fc[c] {
			score = max(score, 0.75)
		}
	}
	return score
}

// fieldThreshold is the name score from which init maps a column to a
// custom field.
const fieldThreshold = 0.7

// optionMatch is a file value's suggested dropdown option.
type optionMatch struct {
	value string
	label string // "" when no option is near enough
	how   string // "" for a match ignoring case and accents; else why it was picked
}

// outcomes are words of a sales stage that say how it ended, so that
// "Megnyert" finds "Sikeres" and "Elveszett" finds "Sikertelen".
var outcomes = map[string]string{
	"megnyert": "won", "nyert": "won", "sikeres": "won", "won": "won", "success": "won", "successful": "won",
	"teljesitve": "won", "lezart": "won", "megrendelt": "won", "szerzodott": "won",
	"elveszett": "lost", "elvesztett": "lost", "sikertelen": "lost", "lost": "lost", "failed": "lost",
	"elutasitva": "lost", "elutasitott": "lost", "meghiusult": "lost", "visszalepett": "lost",
	"uj": "new", "new": "new", "erdeklodo": "new", "lead": "new",
}

func outcome(ws []string) string {
	for _, w := range ws {
		if o := outcomes[w]; o != "" {
			return o
		}
	}
	return ""
}

// matchOptions pairs each distinct value of a column with an option of a
// dropdown: the same label ignoring case and accents; else the option whose
// words are all in the value ("Új érdeklődő" → "Érdeklődő") or the other
// way round; else the option naming the same outcome ("Megnyert" →
// "Sikeres"); else the nearest label by letter pairs, when near enough.
func matchOptions(values []string, f restapi.SchemaField) []optionMatch {
	out := make([]optionMatch, 0, len(values))
	for _, v := range values {
		out = append(out, matchOption(v, f.Options))
	}
	return out
}

func matchOption(v string, opts []restapi.EnumOption) optionMatch {
	fv := fold(CollapseSpace(v))
	for _, o := range opts {
		if fold(CollapseSpace(o.Label)) == fv {
			return optionMatch{value: v, label: o.Label}
		}
	}
	vw := words(v)
	contains := func(outer, inner []string) bool {
		if len(inner) == 0 {
			return false
		}
		set := map[string]bool{}
		for _, w := range outer {
			set[w] = true
		}
		for _, w := range inner {
			if !set[w] {
				return false
			}
		}
		return true
	}
	var within []restapi.EnumOption
	for _, o := range opts {
		ow := words(o.Label)
		if contains(vw, ow) || contains(ow, vw) {
			within = append(within, o)
		}
	}
	if len(within) == 1 {
		return optionMatch{value: v, label: within[0].Label, how: "nearest option"}
	}
	if oc := outcome(vw); oc != "" {
		var same []restapi.EnumOption
		for _, o := range opts {
			if outcome(words(o.Label)) == oc {
				same = append(same, o)
			}
		}
		if len(same) == 1 {
			return optionMatch{value: v, label: same[0].Label, how: "guessed from the meaning (" + oc + ")"}
		}
	}
	best, bestScore := "", 0.0
	for _, o := range opts {
		if sc := dice(vw, words(o.Label)); sc > bestScore {
			best, bestScore = o.Label, sc
		}
	}
	if bestScore >= 0.6 {
		return optionMatch{value: v, label: best, how: "nearest option"}
	}
	return optionMatch{value: v}
}

// optionLabels lists a dropdown's labels, sorted, for a comment.
func optionLabels(f restapi.SchemaField) []string {
	var out []string
	for _, o := range f.Options {
		out = append(out, o.Label)
	}
	sort.Strings(out)
	return out
}
