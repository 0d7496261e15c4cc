package redact

import (
	"net/url"
	"strings"
)

// Mask stands in for what is hidden.
const Mask = "[redacted]"

const placeholder = "REDACTEDUSERINFO"

// URL gives u with its user info, query values and fragment masked:
// "https://[redacted]@host/path?key=[redacted]#[redacted]". The query's
// names stay: they tell which parameter is wrong.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if u.User != nil {
		c.User = url.User(placeholder) // url.URL writes the "//" a user needs
	}
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	c.Opaque = ""
	var b strings.Builder
	s := strings.Replace(c.String(), placeholder, Mask, 1)
	if u.Opaque != "" {
		s += Mask
	}
	b.WriteString(s)
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteByte('?')
		// A part with "=" keeps its name; one without (?TOKEN) may be
		// the secret itself.
		for i, part := range strings.Split(u.RawQuery, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			if name, _, ok := strings.Cut(part, "="); ok && name != "" {
				b.WriteString(name + "=")
			}
			b.WriteString(Mask)
		}
	}
	if u.Fragment != "" || u.RawFragment != "" {
		b.WriteString("#" + Mask)
	}
	return b.String()
}

// String is URL for an address given as text; text that does not parse
// as a URL is masked whole.
func String(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Mask
	}
	return URL(u)
}

// In replaces every copy of the address raw in text (an error message from
// a library that quotes the URL it was given) by its redacted form.
func In(text, raw string) string {
	if raw == "" {
		return text
	}
	return strings.ReplaceAll(text, raw, String(raw))
}
