package oracle

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// header is the clients file's header (clients.yaml maps it).
var header = []string{"Cégnév", "Adószám", "Vezetéknév", "Keresztnév", "E-mail", "Telefon", "Beosztás", "Kód", "Összeg", "Státusz"}

// The cell shapes the suites generate; anything else is refused.
var (
	vatRe   = regexp.MustCompile(`^\d{8}-\d-\d{2}$`)
	emailRe = regexp.MustCompile(`^[a-z0-9.]+@[a-z0-9.]+\.[a-z]+$`)
	phoneRe = regexp.MustCompile(`^06 (\d{2}) (\d{3}) (\d{4})$`)
	codeRe  = regexp.MustCompile(`^P-\d+$`)
	amtRe   = regexp.MustCompile(`^[1-9]\d*$`)
	plainRe = regexp.MustCompile(`^[\p{L}\d .]+$`)
)

// Expect reads a clients file (";"-separated, clients.yaml's columns) and
// returns, sorted, the lines Snapshot must give after an import of it into
// an empty system.
func Expect(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("oracle: %s: %w", path, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ";") != strings.Join(header, ";") {
		return nil, fmt.Errorf("oracle: %s: not a clients file (header %v)", path, recs[0])
	}
	type business struct{ name, vat string }
	type person struct{ first, last, email, phone, position, code, vat string }
	type card struct{ name, code, amount, email string }
	businesses := map[string]business{} // by VAT number
	persons := map[string]person{}      // by email
	cards := map[string]card{}          // by code
	for i, rec := range recs[1:] {
		line := i + 2
		cell := func(col int) string { return rec[col] }
		if cell(9) == "Törölt" {
			continue // clients.yaml's filter
		}
		name := strings.Join(strings.Fields(cell(0)), " ") // the collapse transform
		vat, last, first, email, phone, pos, code, amount := cell(1), cell(2), cell(3), cell(4), cell(5), cell(6), cell(7), cell(8)
		m := phoneRe.FindStringSubmatch(phone)
		for _, c := range []struct {
			ok   bool
			what string
		}{{plainRe.MatchString(name), "company name"}, {vatRe.MatchString(vat), "VAT number"}, {plainRe.MatchString(last), "last name"},
			{plainRe.MatchString(first), "first name"}, {emailRe.MatchString(email), "email"}, {m != nil, "phone"},
			{plainRe.MatchString(pos), "position"}, {codeRe.MatchString(code), "code"}, {amtRe.MatchString(amount), "amount"}} {
			if !c.ok {
				return nil, fmt.Errorf("oracle: %s:%d: cannot predict the import of this %s (%q)", path, line, c.what, rec)
			}
		}
		if b, ok := businesses[vat]; ok && b.name != name {
			return nil, fmt.Errorf("oracle: %s:%d: VAT number %s has two names (%q, %q)", path, line, vat, b.name, name)
		}
		businesses[vat] = business{name: name, vat: vat}
		// A record named again keeps the first row's values: rows that
		// disagree are not written twice (docs/matching.md).
		if _, ok := persons[email]; !ok {
			persons[email] = person{first: first, last: last, email: email, phone: "+36 " + m[1] + " " + m[2] + " " + m[3],
				position: pos, code: code, vat: vat}
		}
		if _, ok := cards["OPP-"+code]; !ok {
			cards["OPP-"+code] = card{name: name + " – " + last + " " + first, code: "OPP-" + code, amount: amount, email: email}
		}
	}
	var out []string
	for _, b := range businesses {
		out = append(out, line("Business", map[string]string{"Name": b.name, "VatNumber": b.vat}, "business=", ""))
	}
	for _, p := range persons {
		out = append(out, line("Person", map[string]string{"FirstName": p.first, "LastName": p.last, "Email": p.email,
			"Phone": p.phone, "Position": p.position, "KulsoAzonosito": p.code}, "business=", p.vat))
	}
	for _, c := range cards {
		out = append(out, line("Project", map[string]string{"CategoryId": "10", "Name": c.name, "StatusId": "Érdeklődő",
			"UserId": "Kovács Anna", "VarhatoArbevetel": c.amount, "KulsoAzonosito": c.code}, "contact=", c.email))
	}
	sort.Strings(out)
	return out, nil
}

// skip are the fields a snapshot leaves out: ids (links are shown by key
// instead), timestamps, and what MiniCRM fills in itself.
var skip = map[string]bool{"Id": true, "Type": true, "BusinessId": true, "ContactId": true, "CreatedAt": true, "UpdatedAt": true,
	"CreatedBy": true, "UpdatedBy": true, "StatusUpdatedAt": true, "ProjectHash": true, "ProjectEmail": true, "Url": true,
	"Deleted": true}

// Snapshot reads every contact and card of a system, in detail, into sorted
// lines: "<kind> field=value… link=<key>", where a person's link is its
// company's VAT number and a card's its contact's email. Empty fields are
// left out, so a field written that should not have been shows.
func Snapshot(ctx context.Context, c *restapi.Client) ([]string, error) {
	type contact struct {
		kind   string
		fields map[string]string
		biz    int
	}
	contacts := map[int]contact{}
	for it, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{}) {
		if err != nil {
			return nil, err
		}
		d, err := c.Contacts.Get(ctx, it.Id)
		if err != nil {
			return nil, err
		}
		contacts[it.Id] = contact{kind: d.Kind(), fields: texts(d.Fields), biz: d.BusinessId}
	}
	key := func(id int, field string) string {
		if ct, ok := contacts[id]; ok {
			return ct.fields[field]
		}
		if id == 0 {
			return ""
		}
		return fmt.Sprintf("missing-%d", id)
	}
	var out []string
	for _, ct := range contacts {
		if ct.kind == "Business" {
			out = append(out, line("Business", ct.fields, "business=", ""))
		} else {
			out = append(out, line(ct.kind, ct.fields, "business=", key(ct.biz, "VatNumber")))
		}
	}
	for it, err := range c.Projects.Search(ctx, restapi.ProjectSearchOptions{}) {
		if err != nil {
			return nil, err
		}
		d, err := c.Projects.Get(ctx, it.Id)
		if err != nil {
			return nil, err
		}
		out = append(out, line("Project", texts(d.Fields), "contact=", key(d.ContactId, "Email")))
	}
	sort.Strings(out)
	return out, nil
}

func texts(fields map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if s := restapi.FieldText(v); !skip[k] && s != "" && s != "0" {
			out[k] = s
		}
	}
	return out
}

func line(kind string, fields map[string]string, link, to string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(kind)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, fields[k])
	}
	b.WriteString(" " + link + to)
	return b.String()
}

// Diff describes how got differs from want ("" when they are equal): the
// lines missing and the lines not expected, at most ten of each.
func Diff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var missing, extra []string
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	show := func(ls []string) string {
		if len(ls) > 10 {
			ls = append(ls[:10:10], fmt.Sprintf("… %d more", len(ls)-10))
		}
		return strings.Join(ls, "\n  ")
	}
	return fmt.Sprintf("%d records expected from the source rows are missing, %d are not expected (want %d, got %d)\nmissing:\n  %s\nnot expected:\n  %s",
		len(missing), len(extra), len(want), len(got), show(missing), show(extra))
}
