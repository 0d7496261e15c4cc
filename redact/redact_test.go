package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://r3.minicrm.hu", "https://r3.minicrm.hu"},
		{"https://r3.minicrm.hu/x/", "https://r3.minicrm.hu/x/"},
		{"https://user:pw@host/", "https://[redacted]@host/"},
		{"https://user@host/", "https://[redacted]@host/"},
		{"https://host/?apikey=SECRET&b=2", "https://host/?apikey=[redacted]&b=[redacted]"},
		{"https://host/?SECRET", "https://host/?[redacted]"},
		{"https://host/#SECRET", "https://host/#[redacted]"},
		{"ftp://u:SECRET@feed.example/a.xml?token=SECRET#SECRET", "ftp://[redacted]@feed.example/a.xml?token=[redacted]#[redacted]"},
		{"mailto:SECRET@x", "mailto:[redacted]"},
		{"http://[::1", "[redacted]"},
	}
	for _, c := range cases {
		got := String(c.in)
		if got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "SECRET") || strings.Contains(got, "pw") {
			t.Errorf("String(%q) = %q shows a secret", c.in, got)
		}
	}
	if got := In(`Get "https://h/?k=SECRET": EOF`, "https://h/?k=SECRET"); got != `Get "https://h/?k=[redacted]": EOF` {
		t.Errorf("In: %q", got)
	}
}

// FuzzString: whatever the input, user info is masked, and every query
// value and the fragment are the mask.
func FuzzString(f *testing.F) {
	f.Add("https://u:SECRET@h/p?k=SECRET&TOKEN#SECRET")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			if out != Mask {
				t.Fatalf("String(%q) = %q, want the mask", s, out)
			}
			return
		}
		if u.User != nil && u.Scheme != "" && u.Opaque == "" && !strings.HasPrefix(out, u.Scheme+"://"+Mask+"@") {
			t.Fatalf("String(%q) = %q shows user info", s, out)
		}
		if u.RawQuery != "" {
			_, q, _ := strings.Cut(out, "?")
			q, _, _ = strings.Cut(q, "#")
			for _, part := range strings.Split(q, "&") {
				if !strings.HasSuffix(part, Mask) {
					t.Fatalf("String(%q) = %q shows a query value", s, out)
				}
			}
		}
	})
}
