package sandbox

// Fuzz tests for the parsers that take untrusted input: data files (the
// --data flag and POST /_sandbox/load) and phone numbers (every Phone and
// Query search). `go test` runs the seed corpus; `make fuzz` explores.

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func FuzzParseDataset(f *testing.F) {
	for _, path := range []string{"../testdata/sandbox/en-system.yaml"} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, ds := range []*Dataset{DefaultDataset(), EmptyDataset()} {
		b, err := json.Marshal(ds)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{}", "null", "[]", "\xef\xbb\xbf{}", "users: [{id: 1, name: A}]\n", "language: xx\n", "{\"users\":7}",
		// Valid, with records of every kind.
		"users: [{id: 1, name: A}]\ncategories: [{id: 2, name: M, statuses: [{id: 3, name: S}],\n" +
			"  fields: [{name: F, type: Float}, {name: E, type: Enum, options: [{id: 9, label: X}]}]}]\n" +
			"contacts: [{id: 4, type: Business, fields: {Name: C}}, {id: 5, type: Person, business_id: 4, fields: {FirstName: P}}]\n" +
			"projects: [{id: 6, category_id: 2, contact_id: 5, status_id: 3, user_id: 1, name: N, fields: {F: 1.5, E: X}}]\n" +
			"todos: [{id: 7, project_id: 6, user_id: 1, comment: T}]\n",
		// Values JSON cannot hold.
		"users: [{id: 1, name: A}]\ncategories: [{id: 2, name: M, statuses: [{id: 3, name: S}], fields: [{name: F, type: Float}]}]\n" +
			"contacts: [{id: 4, type: Business, fields: {Name: C}}]\n" +
			"projects: [{id: 5, category_id: 2, contact_id: 4, status_id: 3, user_id: 1, name: P, fields: {F: .inf}}]\n",
		"users: [{id: 1, name: A}]\ncategories: [{id: 2, name: M, statuses: [{id: 3, name: S}]}]\ncontacts: [{id: 4, type: Business, fields: {Name: {1: x}}}]\n",
		"users: [{id: 1, name: A}]\ncategories: [{id: 2, name: M, statuses: [{id: 3, name: S}]}]\ncontacts: [{id: 4, type: Business, fields: {Name: 2024-01-02}}]\n",
		// The catalog: addresses, templates, e-mails, products.
		"users: [{id: 1, name: A}]\ncategories: [{id: 2, name: M, statuses: [{id: 3, name: S}]}]\n" +
			"contacts: [{id: 4, type: Business, fields: {Name: C}}]\n" +
			"projects: [{id: 5, category_id: 2, contact_id: 4, status_id: 3, user_id: 1, name: P}]\n" +
			"addresses: [{id: 6, contact_id: 4, name: A, type: HQ, country: HU}, {id: 7, contact_id: 4, name: B, default: true}]\n" +
			"templates: [{id: 8, category_id: 2, type: Email, name: T}]\n" +
			"emails: [{id: 9, project_id: 5, template_id: 8, from: a, to: b, subject: s, created_at: '2024-01-01'}]\n" +
			"products: [{id: 10, fields: {Name: X, SKU: S, PriceNet: 1.5, VAT: 5}}]\nproduct_folders: [F]\n",
		"a: &a [*a, *a]\n", "users: !!binary AAAA\n", "users:\n  - id: 99999999999999999999\n",
	} {
		f.Add([]byte(s))
	}
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ext := range []string{"", ".json", ".yaml"} {
			ds, err := ParseDataset(b, ext)
			if err != nil {
				if ds != nil {
					t.Fatalf("ParseDataset(%q) returned a data set with its error", ext)
				}
				continue
			}
			// Whatever parses either starts a system or is refused with an
			// error: New must not panic either.
			srv, err := New(Config{SystemID: 1, APIKey: "k", Dataset: ds, Now: func() time.Time { return at }})
			if err != nil {
				continue
			}
			st := srv.st
			// Every record renders (what GET answers)…
			for _, c := range st.contacts {
				if _, err := json.Marshal(contactDetail(st, c)); err != nil {
					t.Fatalf("contact %d does not render: %v", c.Id, err)
				}
			}
			for _, p := range st.projects {
				if _, err := json.Marshal(projectDetail(st, p)); err != nil {
					t.Fatalf("card %d does not render: %v", p.Id, err)
				}
			}
			for _, td := range st.todos {
				if _, err := json.Marshal(todoDetail(st, td)); err != nil {
					t.Fatalf("to-do %d does not render: %v", td.Id, err)
				}
			}
			defaults := map[int]int{}
			for _, a := range st.cat.addresses {
				if _, err := json.Marshal(addressDetail(st, a)); err != nil {
					t.Fatalf("address %d does not render: %v", a.Id, err)
				}
				defaults[a.ContactId] += a.Default
			}
			for cid, n := range defaults {
				if n != 1 {
					t.Fatalf("contact %d has %d default addresses", cid, n)
				}
			}
			// …and the system survives a save and a restart.
			raw, err := json.Marshal(st.snapshot())
			if err != nil {
				t.Fatalf("snapshot does not marshal: %v", err)
			}
			var snap snapshot
			if err := json.Unmarshal(raw, &snap); err != nil {
				t.Fatalf("snapshot does not unmarshal: %v", err)
			}
			back, err := restore(&snap)
			if err != nil {
				t.Fatalf("snapshot does not restore: %v", err)
			}
			if len(back.cat.addresses) != len(st.cat.addresses) || len(back.cat.products) != len(st.cat.products) ||
				len(back.cat.templates) != len(st.cat.templates) || len(back.cat.emails) != len(st.cat.emails) {
				t.Fatalf("restored catalog %d/%d/%d/%d, had %d/%d/%d/%d", len(back.cat.addresses), len(back.cat.products),
					len(back.cat.templates), len(back.cat.emails), len(st.cat.addresses), len(st.cat.products),
					len(st.cat.templates), len(st.cat.emails))
			}
			if len(back.contacts) != len(st.contacts) || len(back.projects) != len(st.projects) ||
				len(back.todos) != len(st.todos) || back.nextID != st.nextID {
				t.Fatalf("restored %d/%d/%d records, next id %d; had %d/%d/%d, %d", len(back.contacts), len(back.projects),
					len(back.todos), back.nextID, len(st.contacts), len(st.projects), len(st.todos), st.nextID)
			}
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{
		"06 (20) 236 7532", "+36 20 236 7532", "2367532", "0036-20-236-7532", "06 (1) 999-0402", "", "+", "+36", "06",
		"0036", "+44 20 7946 0958", "36202367532", "١٢٣٤٥٦٧", "\xff\xfe12345", "  +36 30 123 4567  ", "06061234",
	} {
		f.Add(s, "2367532")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da := phoneDigits(a)
		for _, r := range da {
			if r < '0' || r > '9' {
				t.Fatalf("phoneDigits(%q) = %q: not only digits", a, da)
			}
		}
		looksLikePhone(a)
		phoneMatches(a, b)
		phoneMatches(b, a)

		// A number finds itself, and two notations of the same number find
		// each other both ways.
		if da != "" && !phoneMatches(a, a) {
			t.Errorf("%q does not match itself", a)
		}
		if db := phoneDigits(b); da != "" && da == db && (!phoneMatches(a, b) || !phoneMatches(b, a)) {
			t.Errorf("%q and %q normalize alike (%q) but do not match", a, b, da)
		}

		// The Hungarian notations of one national number are the same
		// number: 06…, +36…, 0036…, with any separators.
		var n strings.Builder
		for _, r := range a {
			if r >= '0' && r <= '9' {
				n.WriteRune(r)
			}
		}
		nat := n.String()
		forms := []string{"06" + nat, "+36" + nat, "+36 " + nat, "0036" + nat, " 06 " + nat, "+36-" + nat, "(06) " + nat, "06/" + nat}
		for _, form := range forms {
			if got := phoneDigits(form); got != nat {
				t.Errorf("phoneDigits(%q) = %q, want %q", form, got, nat)
			}
			for _, other := range forms {
				if nat != "" && !phoneMatches(form, other) {
					t.Errorf("%q does not find %q", other, form)
				}
			}
		}
		// Its last digits find it in every notation (unless they read as a
		// prefixed number themselves, like "06123").
		for _, k := range []int{minPhoneSuffix, 7, 9, len(nat)} {
			if k < minPhoneSuffix || k > len(nat) {
				continue
			}
			q := nat[len(nat)-k:]
			if phoneDigits(q) != q {
				continue
			}
			for _, form := range forms {
				if !phoneMatches(form, q) {
					t.Errorf("the last digits %q do not find %q", q, form)
				}
			}
		}
	})
}
