package csvsafe

import "strings"

// Neutralize defuses a cell a spreadsheet would run as a formula: a value
// starting with =, +, -, @, a tab or a carriage return, possibly after
// apostrophes, gets a leading apostrophe. Values made only of a sign,
// digits, spaces and + - ( ) . , / (phone numbers such as
// "+36 20 236 7532", negative amounts) are left alone: they cannot call a
// function or refer to a cell.
func Neutralize(s string) string {
	if needs(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Neutralize: Restore(Neutralize(s)) == s. A value that
// Neutralize would not have written is left as it is.
func Restore(s string) string {
	if len(s) > 1 && s[0] == '\'' && needs(s[1:]) {
		return s[1:]
	}
	return s
}

// needs tells whether s must be marked: it starts like a formula, or it is
// an apostrophe before something that must be marked (so that Restore can
// tell our mark from an apostrophe of the value).
func needs(s string) bool {
	for len(s) > 0 && s[0] == '\'' {
		s = s[1:]
		if len(s) == 0 {
			return false
		}
	}
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !numberLike(s[1:])
	}
	return false
}

func numberLike(s string) bool {
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(" +-().,/", r):
		default:
			return false
		}
	}
	return digit
}
