package sandbox_test

// Search semantics of Contact and Project: every criterion alone, then
// combined (all must hold), over the built-in data set plus records made
// here at known times.

import (
	"fmt"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// sbQuery runs a search and returns the ids found, sorted; it fails unless
// Count agrees with the page (searches here stay under 100 results).
func sbQuery(t *testing.T, e *sbEnv, path string) []int {
	t.Helper()
	r := e.get(path)
	if r.Status != 200 {
		t.Fatalf("GET %s: %s", path, r)
	}
	ids := sbIDs(t, r)
	if c := sbCount(t, r); c != len(ids) {
		t.Errorf("GET %s: Count %d for %d results", path, c, len(ids))
	}
	sort.Ints(ids)
	return ids
}

func sbTime(c *sbClock) string {
	return url.QueryEscape(c.Now().In(sbBudapest).Format("2006-01-02 15:04:05"))
}

var sbBudapest = func() *time.Location {
	l, err := time.LoadLocation("Europe/Budapest")
	if err != nil {
		panic(err)
	}
	return l
}()

func TestContactSearch(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	t0 := sbTime(clk)
	biz := e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Árvíztűrő Tükörfúrógép Kft.",
		"VatNumber": "12345678-2-42", "Iparag": "Gyártás", "Phone": "+36 1 234 5678"})
	eva := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Éva", "LastName": "Kovács", "BusinessId": biz,
		"Email": "Eva.Kovacs@Example.com", "Phone": "06 (30) 123 4567", "KedvencEtele": "Sajt", "KulsoAzonosito": "EXT-9001",
		"ReferenceId": "884422"})
	ildi := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Ildikó", "LastName": "Kovácsné",
		"Phone": "+36 30 999 8877", "KedvencEtele": 2002, "VasarlasokSzama": 7})
	clk.Add(time.Hour)
	t1 := sbTime(clk)
	e.update(fmt.Sprintf("/Api/R3/Contact/%d", ildi), map[string]any{"Position": "Vezető"})
	e.update(fmt.Sprintf("/Api/R3/Contact/%d", ildi), map[string]any{"Position": "Vezető"}) // no change: UpdatedAt stays

	tests := []struct {
		name, query string
		want        []int
	}{
		// Query: whole words, any text field, case and accents ignored.
		{"word, no accents", "Query=kovacs", []int{eva}},
		{"word, upper case with accents", "Query=KOVÁCSNÉ", []int{ildi}},
		{"part of a word is no match", "Query=kovac", nil},
		{"every word must match", "Query=" + url.QueryEscape("éva kovács"), []int{eva}},
		{"words of two people", "Query=" + url.QueryEscape("eva ildiko"), nil},
		{"company name", "Query=arvizturo", []int{biz}},
		{"email address", "Query=eva.kovacs@example.com", []int{eva}},
		{"enum label", "Query=alma", []int{7506}},
		{"text field", "Query=ext-9001", []int{eva}},
		// A number is first a phone number, normalized and compared from
		// the end…
		{"phone as stored", "Query=" + url.QueryEscape("06 (30) 123 4567"), []int{eva}},
		{"phone, international", "Query=" + url.QueryEscape("+36 30 123 4567"), []int{eva}},
		{"phone, 0036", "Query=0036301234567", []int{eva}},
		{"phone, last digits", "Query=1234567", []int{eva}},
		{"seed phone, three notations 1", "Query=" + url.QueryEscape("06 (20) 236 7532"), []int{7506}},
		{"seed phone, three notations 2", "Query=" + url.QueryEscape("+36 20 236 7532"), []int{7506}},
		{"seed phone, three notations 3", "Query=2367532", []int{7506}},
		// …but still a word of the text fields: an external id or a tax
		// number is searched with Query too.
		{"numeric reference id", "Query=884422", []int{eva}},
		{"tax number", "Query=12345678-2-42", []int{biz}},
		{"short number as a word", "Query=4567", []int{eva}},

		{"Phone parameter, national", "Phone=06301234567", []int{eva}},
		{"Phone parameter, last digits", "Phone=1234567", []int{eva}},
		{"Phone parameter, too few digits", "Phone=8877", nil},
		{"Email ignores case", "Email=EVA.KOVACS@example.com", []int{eva}},
		{"Email is not a word search", "Email=kovacs", nil},
		{"Name is a partial match", "Name=" + url.QueryEscape("kovács"), []int{eva, ildi}},
		{"Type", "Type=Business&Iparag=Gyártás", []int{biz}},

		{"UpdatedSince before the records", "UpdatedSince=" + t0, []int{biz, eva, ildi}},
		{"UpdatedSince, date only", "UpdatedSince=2024-03-01", []int{biz, eva, ildi}},
		{"UpdatedSince after an update", "UpdatedSince=" + t1, []int{ildi}},
		{"UpdatedSince in the future", "UpdatedSince=2030-01-01+00:00:00", nil},

		{"MainContactId: the company and its people", fmt.Sprintf("MainContactId=%d", biz), []int{biz, eva}},
		{"MainContactId of the seeds", "MainContactId=7505", []int{7505, 7506, 7507}},

		{"enum field by label", "KedvencEtele=Sajt", []int{eva}},
		{"enum field by id", "KedvencEtele=2003", []int{eva}},
		{"enum field set by id, found by label", "KedvencEtele=Narancs", []int{ildi}},
		{"enum field, unknown value", "KedvencEtele=Kaviár", nil},
		{"int field", "VasarlasokSzama=7", []int{ildi}},
		{"business enum field", "Iparag=2103", []int{biz}},
		{"text field ignores case", "KulsoAzonosito=ext-9001", []int{eva}},
		{"built-in field", "Position=" + url.QueryEscape("Vezető"), []int{ildi}},

		{"company and word", fmt.Sprintf("MainContactId=%d&Query=kovacs", biz), []int{eva}},
		{"company and type", fmt.Sprintf("MainContactId=%d&Type=Business", biz), []int{biz}},
		{"word and field disagree", "Query=kovacs&KedvencEtele=Narancs", nil},
		{"time and word", "UpdatedSince=" + t1 + "&Query=kovacsne", []int{ildi}},
		{"time and word disagree", "UpdatedSince=" + t1 + "&Query=kovacs", nil},
		{"people of the seed company", "Type=Person&MainContactId=7505", []int{7506, 7507}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sbQuery(t, e, "/Api/R3/Contact?"+tt.query); !sbEqualInts(got, tt.want) {
				t.Errorf("Contact?%s = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"Type=Robot", "MainContactId=x", "UpdatedSince=2024-13-01"} {
		if r := e.get("/Api/R3/Contact?" + bad); r.Status != 400 {
			t.Errorf("Contact?%s: %s, want 400", bad, r)
		}
	}
}

func TestProjectSearch(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	biz := e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "Kereső Kft."})
	p1 := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Egy", "BusinessId": biz})
	p2 := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Kettő"})
	c1 := e.create("/Api/R3/Project", map[string]any{"Name": "Tesztlap egy", "UserId": "Kovács Anna", "CategoryId": 10,
		"ContactId": p1, "StatusId": "Tárgyalás", "AutoSalesV3_Qualification": "Célcsoport", "VarhatoArbevetel": 500000,
		"Valoszinuseg": "0.5", "Megjegyzes": "Fontos ügyfél"})
	c2 := e.create("/Api/R3/Project", map[string]any{"Name": "Tesztlap kettő", "UserId": 53603, "CategoryId": "Ügyfélszolgálat",
		"ContactId": p2, "StatusId": 2520, "Prioritas": "Sürgős", "HataridoDatum": "2024-04-01"})
	clk.Add(time.Hour)
	t1 := sbTime(clk)
	e.update(fmt.Sprintf("/Api/R3/Project/%d", c1), map[string]any{"StatusId": "Sikeres", "ReferenceId": "REF-1"})

	tests := []struct {
		name, query string
		want        []int
	}{
		{"CategoryId", "CategoryId=5", []int{2055, c2}},
		{"MainContactId: a company's cards", fmt.Sprintf("MainContactId=%d", biz), []int{c1}},
		{"MainContactId: a person without a company", fmt.Sprintf("MainContactId=%d", p2), []int{c2}},
		{"ContactId", fmt.Sprintf("ContactId=%d", p1), []int{c1}},
		{"StatusId by id", "StatusId=2623", []int{c1}},
		{"StatusId by label", "StatusId=Sikeres", []int{c1}},
		// "Érdeklődő" is a status of two modules (2540 and 2620).
		{"StatusId label of two modules", "StatusId=" + url.QueryEscape("Érdeklődő"), []int{2001, 2009}},
		{"StatusId label within a module", "StatusId=" + url.QueryEscape("Érdeklődő") + "&CategoryId=10", []int{2001}},
		{"StatusGroup", "StatusGroup=Success", []int{c1}},
		{"UserId by id", "UserId=53602", []int{c1}},
		{"UserId by name", "UserId=" + url.QueryEscape("Nagy Péter"), []int{c2}},
		{"UpdatedSince", "UpdatedSince=" + t1, []int{c1}},
		{"enum field by label", "AutoSalesV3_Qualification=" + url.QueryEscape("Célcsoport"), []int{c1}},
		{"enum field by id", "AutoSalesV3_Qualification=4002", []int{c1}},
		{"enum field of the seeds", "AutoSalesV3_Qualification=VIP", []int{2056}},
		{"int field", "VarhatoArbevetel=500000", []int{c1}},
		{"float field", "Valoszinuseg=0.5", []int{c1}},
		{"date field", "HataridoDatum=2024-04-01", []int{c2}},
		{"enum field of another module", "Prioritas=4103", []int{c2}},
		{"Name is a partial match", "Name=tesztlap", []int{c1, c2}},
		{"module and owner", "CategoryId=10&UserId=22404", []int{2001, 2056}},
		{"module and status", "CategoryId=10&StatusId=2622", []int{2056}},
		{"company and module", "MainContactId=7505&CategoryId=3", []int{2054}},
		{"time and module disagree", "UpdatedSince=" + t1 + "&CategoryId=5", nil},
		{"field and owner", "AutoSalesV3_Qualification=4002&UserId=53602&CategoryId=10", []int{c1}},
		{"ReferenceId with other criteria is a filter", "ReferenceId=REF-1&CategoryId=10", []int{c1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sbQuery(t, e, "/Api/R3/Project?"+tt.query); !sbEqualInts(got, tt.want) {
				t.Errorf("Project?%s = %v, want %v", tt.query, got, tt.want)
			}
		})
	}

	// ReferenceId alone answers the one card's detail record.
	sbMatch(t, "ReferenceId", e.mustGet("/Api/R3/Project?ReferenceId=REF-1"), sbParse(t,
		fmt.Sprintf(`{"Id":%d,"StatusId":"Sikeres","UserId":"Kovács Anna","ReferenceId":"REF-1","AutoSalesV3_Qualification":"Célcsoport"}`, c1)))
	sbText(t, e.get("/Api/R3/Project?ReferenceId=NOPE"), 404, "Project (GET): Nem található: ReferenceId=NOPE")

	// Trashed cards leave the lists unless asked for.
	e.update(fmt.Sprintf("/Api/R3/Project/%d", c2), map[string]any{"Deleted": 1})
	if got := sbQuery(t, e, "/Api/R3/Project?CategoryId=5"); !sbEqualInts(got, []int{2055}) {
		t.Errorf("after trashing: %v", got)
	}
	if got := sbQuery(t, e, "/Api/R3/Project?CategoryId=5&Deleted=1"); !sbEqualInts(got, []int{c2}) {
		t.Errorf("Deleted=1: %v", got)
	}

	for _, bad := range []string{"StatusId=Nincs", "UserId=Senki", "StatusGroup=Won", "CategoryId=x", "Nincs=1",
		"StatusId=2520&CategoryId=10"} {
		if r := e.get("/Api/R3/Project?" + bad); r.Status != 400 {
			t.Errorf("Project?%s: %s, want 400", bad, r)
		}
	}
}
