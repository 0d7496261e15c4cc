package sandbox_test

// The rules of the catalog endpoints (Address, AddressList, TemplateList,
// Template, EmailList, Product), closing a to-do with POST, and searching by
// every field a Schema lists.

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestAddressRefused(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	for _, tt := range []struct{ name, body, text string }{
		{"empty body", `{}`, `Nem megfelelő paraméter: "Data (JSON)"`},
		{"no ContactId", `{"Name":"X"}`, "Kötelező mező hiányzik: ContactId"},
		{"unknown contact", `{"ContactId":999999,"Name":"X"}`, "A megadott ContactId (999999) nem létező kapcsolattartó."},
		{"no Name", `{"ContactId":7507}`, "Kötelező mező hiányzik: Name"},
		{"blank Name", `{"ContactId":7507,"Name":"  "}`, "Kötelező mező hiányzik: Name"},
		{"Type not in the schema", `{"ContactId":7507,"Name":"X","Type":"Bunker"}`, "Érvénytelen választható érték 'Bunker' a Típus mezőhöz."},
		{"unknown country", `{"ContactId":7507,"Name":"X","CountryId":"Atlantis"}`, "Érvénytelen választható érték 'Atlantis' a Ország mezőhöz."},
		{"unknown field", `{"ContactId":7507,"Name":"X","Street":"Fő u. 1."}`, `Ismeretlen mező: "Street"`},
		{"Default not 0 or 1", `{"ContactId":7507,"Name":"X","Default":2}`, "Érvénytelen választható érték '2' a Default mezőhöz."},
		{"too long", `{"ContactId":7507,"Name":"X","PostalCode":"` + strings.Repeat("9", 33) + `"}`,
			"Túl hosszú érték a Irányítószám mezőhöz (legfeljebb 32 karakter)."},
		{"a first address that is not the default", `{"ContactId":7507,"Name":"X","Default":0}`,
			"Az alapértelmezett cím nem szüntethető meg: jelöljön meg helyette egy másik címet alapértelmezettnek."},
		{"an Id on create", `{"Id":8001,"ContactId":7507,"Name":"X"}`, "A(z) Id mező nem módosítható."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", "/Api/R3/Address", tt.body), 400, "Address (PUT): "+tt.text)
		})
	}
	if r := e.get("/Api/R3/AddressList/7507"); string(r.Body) != `{"Results":[],"Count":0}` {
		t.Errorf("refused creates left addresses: %s", r)
	}
	sbText(t, e.get("/Api/R3/Address/999999"), 404, "Address (GET): Nincs ilyen azonosítójú rekord: 999999")
	sbText(t, e.do("PUT", "/Api/R3/Address/999999", `{"Name":"X"}`), 404, "Address (PUT): Nincs ilyen azonosítójú rekord: 999999")
	sbText(t, e.get("/Api/R3/AddressList/999999"), 404, "AddressList (GET): Nincs ilyen azonosítójú rekord: 999999")
	sbText(t, e.get("/Api/R3/AddressList/7505?Structured=2"), 400, `AddressList (GET): Nem megfelelő paraméter érték: Structured="2"`)
	sbText(t, e.get("/Api/R3/AddressList/7505?Page=1"), 400, `AddressList (GET): Nem megfelelő paraméter: "Page"`)
	if r := e.do("POST", "/Api/R3/Address", `{"ContactId":7507,"Name":"X"}`); r.Status != 405 {
		t.Errorf("POST Address: %s", r)
	}
}

func TestAddressDefaultRule(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	def := func(id int) float64 {
		t.Helper()
		return e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", id))["Default"].(float64)
	}
	// The official PHP client sends "Id": 0 with a create.
	a1 := e.create("/Api/R3/Address/", map[string]any{"Id": 0, "ContactId": 7507, "Name": "Első", "City": "Győr"})
	a2 := e.create("/Api/R3/Address", map[string]any{"ContactId": "7507", "Name": "Második", "Default": 1})
	a3 := e.create("/Api/R3/Address", map[string]any{"ContactId": 7507, "Name": "Harmadik", "Default": "0"})
	if got := []float64{def(a1), def(a2), def(a3)}; fmt.Sprint(got) != "[0 1 0]" {
		t.Errorf("Default after three creates: %v, want [0 1 0]", got)
	}
	sbText(t, e.do("PUT", fmt.Sprintf("/Api/R3/Address/%d", a2), `{"Default":0}`), 400,
		"Address (PUT): Az alapértelmezett cím nem szüntethető meg: jelöljön meg helyette egy másik címet alapértelmezettnek.")
	clk.Add(time.Minute)
	e.update(fmt.Sprintf("/Api/R3/Address/%d", a1), map[string]any{"Default": 1, "ContactId": 7507, "Id": a1})
	if got := []float64{def(a1), def(a2), def(a3)}; fmt.Sprint(got) != "[1 0 0]" {
		t.Errorf("Default after making the first the default: %v, want [1 0 0]", got)
	}
	// Other contacts' defaults are untouched.
	if def(8001) != 1 || def(8003) != 1 || def(8002) != 0 {
		t.Errorf("other contacts' defaults changed")
	}
	sbMatch(t, "updated", e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", a1)), sbParse(t, `{"UpdatedAt":"2024-03-01 11:01:00","CreatedAt":"2024-03-01 11:00:00"}`))

	// An unchanged write changes nothing, not even UpdatedAt.
	clk.Add(time.Minute)
	e.update(fmt.Sprintf("/Api/R3/Address/%d", a1), map[string]any{"Name": "Első", "City": " Győr ", "Default": 1})
	sbMatch(t, "unchanged", e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", a1)), sbParse(t, `{"UpdatedAt":"2024-03-01 11:01:00"}`))

	// Every spelling of a country and a type lands on the same value.
	for _, c := range []string{"Magyarország", "magyarorszag", "HU", "36", "Hungary"} {
		e.update(fmt.Sprintf("/Api/R3/Address/%d", a3), map[string]any{"CountryId": c, "Type": "billing address"})
		sbMatch(t, c, e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", a3)), sbParse(t, `{"CountryId":"Hungary","Type":"Számlázási cím"}`))
	}
	e.update(fmt.Sprintf("/Api/R3/Address/%d", a3), map[string]any{"CountryId": "", "Type": ""})
	sbMatch(t, "cleared", e.mustGet(fmt.Sprintf("/Api/R3/Address/%d", a3)), sbParse(t, `{"CountryId":"","Type":""}`))
	sbMatch(t, "list", e.get("/Api/R3/AddressList/7507").JSON(t), sbParse(t, fmt.Sprintf(
		`{"Count":3,"Results":{"%d":"Első (Győr)","%d":"Második ()","%d":"Harmadik ()"}}`, a1, a2, a3)))
}

func TestAddressEnglishSystem(t *testing.T) {
	ds := sandbox.DefaultDataset()
	ds.Language = "en"
	e := newSBEnv(t, sandbox.Config{Dataset: ds})
	sbMatch(t, "detail", e.mustGet("/Api/R3/Address/8001"), sbParse(t, `{"Type":"Headquarter","CountryId":"Hungary"}`))
	sbMatch(t, "schema", e.mustGet("/Api/R3/Schema/Address"), sbParse(t,
		`{"Type":{"1":"Headquarter","2":"Site","3":"Billing address","4":"Shipping address","5":"Mailing address","6":"Other"},"Default":"Int"}`))
	sbText(t, e.do("PUT", "/Api/R3/Address", `{"ContactId":7507}`), 400, "Address (PUT): Required field is missing: Name")
}

func TestTemplatesAndEmails(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	// Every module has its templates; ids are unique across modules.
	seen := map[float64]bool{}
	for _, cat := range []int{3, 5, 6, 7, 8, 9, 10, 11, 30} {
		r := e.get(fmt.Sprintf("/Api/R3/TemplateList/%d", cat))
		sbCheckShape(t, r, "array")
		var l struct {
			Count   float64
			Results []map[string]any
		}
		l.Count = r.Obj(t)["Count"].(float64)
		for _, it := range r.Obj(t)["Results"].([]any) {
			l.Results = append(l.Results, it.(map[string]any))
		}
		if l.Count != 2 || len(l.Results) != 2 {
			t.Errorf("module %d: %s", cat, r.Body)
		}
		for _, it := range l.Results {
			if seen[it["Id"].(float64)] {
				t.Errorf("template %v listed twice", it["Id"])
			}
			seen[it["Id"].(float64)] = true
			d := e.mustGet(fmt.Sprintf("/Api/R3/Template/%v", it["Id"]))
			if d["CategoryId"] != float64(cat) || d["Name"] != it["Name"] {
				t.Errorf("template %v: detail %v does not match its list item %v", it["Id"], d, it)
			}
		}
	}
	sbText(t, e.get("/Api/R3/TemplateList/999"), 404, "TemplateList (GET): Nincs ilyen azonosítójú rekord: 999")
	sbText(t, e.get("/Api/R3/TemplateList/10?CreatedAt=tegnap"), 400, `TemplateList (GET): Nem megfelelő paraméter érték: CreatedAt="tegnap"`)
	if r := e.get("/Api/R3/TemplateList/10?CreatedAt=2030-01-01"); string(r.Body) != `{"Count":0,"Results":[]}` {
		t.Errorf("no template since 2030: %s", r)
	}
	sbText(t, e.get("/Api/R3/Template/999999"), 404, "Template (GET): Nincs ilyen azonosítójú rekord: 999999")
	for _, p := range []string{"/Api/R3/Template/8101", "/Api/R3/TemplateList/10", "/Api/R3/EmailList/2056"} {
		if r := e.do("PUT", p, `{"Name":"x"}`); r.Status != 405 {
			t.Errorf("PUT %s: %s", p, r)
		}
	}
	if r := e.get("/Api/R3/EmailList/2001"); string(r.Body) != `{"Count":0,"Results":[]}` {
		t.Errorf("card without e-mails: %s", r)
	}
	if ids := sbIDs(t, e.get("/Api/R3/EmailList/2056?CreatedAt=2018-02-15+12:00:00")); !sbEqualInts(ids, []int{8202}) {
		t.Errorf("EmailList since noon: %v", ids)
	}
	sbText(t, e.get("/Api/R3/EmailList/999999"), 404, "EmailList (GET): Nincs ilyen azonosítójú rekord: 999999")
}

// sbProducts reads the stock through the sandbox hook.
func sbProducts(t *testing.T, e *sbEnv) map[float64]map[string]any {
	t.Helper()
	r := e.get("/_sandbox/products")
	out := map[float64]map[string]any{}
	for _, it := range r.JSON(t).([]any) {
		p := it.(map[string]any)
		out[p["Id"].(float64)] = p
	}
	return out
}

func TestProducts(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	for _, tt := range []struct{ name, body, text string }{
		{"no Name", `{"SKU":"NEW-1"}`, "Kötelező mező hiányzik: Name"},
		{"VAT not a rate", `{"Name":"X","VAT":"33%"}`, "Érvénytelen választható érték '33%' a ÁFA mezőhöz."},
		{"currency", `{"Name":"X","CurrencyCode":"forint"}`, "Érvénytelen választható érték 'forint' a Pénznem mezőhöz."},
		{"price not a number", `{"Name":"X","PriceNet":"olcsó"}`, "Érvénytelen választható érték 'olcsó' a Nettó ár mezőhöz."},
		{"unknown field", `{"Name":"X","Color":"red"}`, `Ismeretlen mező: "Color"`},
		{"Deleted", `{"Name":"X","Deleted":3}`, "Érvénytelen választható érték '3' a Deleted mezőhöz."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", "/Api/R3/Product", tt.body), 400, "Product (PUT): "+tt.text)
		})
	}
	if n := len(sbProducts(t, e)); n != 2 {
		t.Fatalf("refused writes changed the stock: %d products", n)
	}
	p := e.create("/Api/R3/Product", map[string]any{"Name": "Kábel", "SKU": "K-1", "PriceNet": "99.5", "FolderName": "szolgáltatások", "VAT": 5})
	q := e.create("/Api/R3/Product", map[string]any{"Name": "Dugó", "FolderName": "Nincs ilyen mappa"})
	sbMatch(t, "new", sbProducts(t, e)[float64(p)], sbParse(t,
		`{"Name":"Kábel","SKU":"K-1","PriceNet":99.5,"FolderName":"Szolgáltatások","VAT":"5%","CurrencyCode":"HUF","UnitName":"Unit_Piece","Deleted":0}`))
	sbMatch(t, "defaults", sbProducts(t, e)[float64(q)], sbParse(t, `{"FolderName":"Termékek","VAT":"27%","CurrencyCode":"HUF"}`))
	// The SKU upserts; an empty SKU never does.
	if id := e.create("/Api/R3/Product", map[string]any{"SKU": "K-1", "Quantity": 7}); id != p {
		t.Errorf("SKU K-1 created %d, want an update of %d", id, p)
	}
	if id := e.create("/Api/R3/Product", map[string]any{"Name": "Dugó", "SKU": ""}); id == q {
		t.Errorf("an empty SKU matched product %d", q)
	}
	sbMatch(t, "upserted", sbProducts(t, e)[float64(p)], sbParse(t, `{"Name":"Kábel","Quantity":7,"PriceNet":99.5}`))
	sbText(t, e.do("PUT", fmt.Sprintf("/Api/R3/Product/%d", q), `{"SKU":"K-1"}`), 400,
		fmt.Sprintf("Product (PUT): A(z) K-1 cikkszám már a(z) %d azonosítójú terméké.", p))
	e.update(fmt.Sprintf("/Api/R3/Product/%d", q), map[string]any{"Deleted": 1})
	if d := sbProducts(t, e)[float64(q)]["Deleted"]; d != float64(1) {
		t.Errorf("deleted product: Deleted %v", d)
	}
	sbText(t, e.do("PUT", "/Api/R3/Product/999999", `{"Name":"x"}`), 404, "Product (PUT): Nincs ilyen azonosítójú rekord: 999999")
	if r := e.get(fmt.Sprintf("/Api/R3/Product/%d", p)); r.Status != 405 {
		t.Errorf("GET Product: %s (MiniCRM documents no product read)", r)
	}
}

func TestToDoCloseWithPOST(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	mk := func() string {
		return fmt.Sprintf("/Api/R3/ToDo/%d", e.create("/Api/R3/ToDo", map[string]any{"ProjectId": 2056, "Comment": "x"}))
	}
	a, b, c := mk(), mk(), mk()
	for _, tt := range []struct{ name, body, text string }{
		{"neither Status nor ClosedAt", `{"Comment":"y"}`, "Kötelező mező hiányzik: Status"},
		{"Successful is not a close status", `{"Status":"Successful"}`, "Érvénytelen választható érték 'Successful' a Status mezőhöz."},
		{"Open", `{"Status":"Open","ClosedAt":"2020-01-01"}`, "Érvénytelen választható érték 'Open' a Status mezőhöz."},
		{"bad ClosedAt", `{"Status":"Closed","ClosedAt":"tegnap"}`, "Érvénytelen választható érték 'tegnap' a ClosedAt mezőhöz."},
		{"ProjectId", `{"Status":"Closed","ProjectId":2055}`, "A(z) ProjectId mező nem módosítható."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("POST", a, tt.body), 400, "ToDo (POST): "+tt.text)
		})
	}
	sbText(t, e.do("PUT", a, `{"Status":"Closed","ClosedAt":"2020-01-01"}`), 400,
		"ToDo (PUT): A ClosedAt (lezárás ideje) POST kéréssel adható meg: POST /Api/R3/ToDo/<Id>.")
	sbMatch(t, "still open", e.mustGet(a), sbParse(t, `{"Status":"Open","ClosedAt":"0000-00-00 00:00:00"}`))
	clk.Add(time.Hour)
	for path, body := range map[string]string{a: `{"Status":"Closed"}`, b: `{"ClosedAt":"2023-12-24 18:00:00"}`,
		c: `{"Status":"Failed","ClosedAt":"2023-12-31","Comment":"elmaradt"}`} {
		if r := e.do("POST", path, body); r.Status != 200 {
			t.Fatalf("POST %s %s: %s", path, body, r)
		}
	}
	sbMatch(t, "closed now", e.mustGet(a), sbParse(t, `{"Status":"Closed","ClosedAt":"2024-03-01 12:00:00","UpdatedAt":"2024-03-01 12:00:00"}`))
	sbMatch(t, "ClosedAt alone", e.mustGet(b), sbParse(t, `{"Status":"Closed","ClosedAt":"2023-12-24 18:00:00"}`))
	sbMatch(t, "failed", e.mustGet(c), sbParse(t, `{"Status":"Failed","ClosedAt":"2023-12-31 00:00:00","Comment":"elmaradt"}`))
	sbText(t, e.do("POST", a, `{"Status":"Closed"}`), 400, "ToDo (POST): Lezárt teendő nem módosítható.")
	sbText(t, e.do("POST", "/Api/R3/ToDo/999999", `{"Status":"Closed"}`), 404, "ToDo (POST): Nincs ilyen azonosítójú rekord: 999999")
	// The list shows live types: numbers, and "" for a to-do without a type.
	r := e.get("/Api/R3/ToDoList/2056?Status=Closed")
	sbMatch(t, "list", r.JSON(t), sbParse(t, fmt.Sprintf(`{"Count":3,"Results":[{"Id":%s,"Status":"Closed","UserId":22404,"Type":""},{"Id":%s},{"Status":"Failed"}]}`,
		a[strings.LastIndex(a, "/")+1:], b[strings.LastIndex(b, "/")+1:])))
}

// TestSchemaFieldsSearchable: a search by any field a Schema answer lists
// is never refused as an unknown parameter, and the system fields filter.
func TestSchemaFieldsSearchable(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	for schema, search := range map[string]string{"/Api/R3/Schema/Person": "/Api/R3/Contact", "/Api/R3/Schema/Business": "/Api/R3/Contact",
		"/Api/R3/Schema/Project/10": "/Api/R3/Project", "/Api/R3/Schema/Project/5": "/Api/R3/Project"} {
		for k := range e.mustGet(schema) {
			r := e.get(search + "?" + url.Values{k: {"1"}}.Encode())
			if strings.Contains(string(r.Body), `Nem megfelelő paraméter: "`+k+`"`) {
				t.Errorf("%s lists %s, but %s refuses it: %s", schema, k, search, r)
			}
		}
	}
	for q, want := range map[string][]int{
		"/Api/R3/Contact?CreatedBy=Leskó+Norbert&Type=Business": {225, 7453, 7505},
		"/Api/R3/Contact?BusinessId=7505":                       {7506, 7507},
		"/Api/R3/Contact?Id=7506":                               {7506},
		"/Api/R3/Contact?CreatedAt=2018-02-14":                  {7505, 7506, 7507},
		"/Api/R3/Contact?CreatedAt=2018-02-14+14:10:07":         {7506},
		"/Api/R3/Contact?UpdatedBy=53986":                       nil,
		"/Api/R3/Project?CreatedAt=2018-02-14&CategoryId=3":     {2009, 2054},
		"/Api/R3/Project?BusinessId=7453":                       {2001, 2009, 29592},
		"/Api/R3/Project?Invited=&CategoryId=3":                 {2009, 2054},
		"/Api/R3/Project?Invited=Kiss+Judit":                    nil,
		"/Api/R3/Project?Query=MiniCRM+zrt":                     {2054, 2056},
		"/Api/R3/Project?Query=VIP":                             {2056},
		"/Api/R3/Project?Query=MiniCRM+Kft":                     nil,
	} {
		if got := sbIDs(t, e.get(q)); !sbEqualInts(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	h := e.mustGet("/Api/R3/Project/2056")["ProjectHash"].(string)
	if got := sbIDs(t, e.get("/Api/R3/Project?ProjectHash="+h)); !sbEqualInts(got, []int{2056}) {
		t.Errorf("by ProjectHash: %v", got)
	}
	sbText(t, e.get("/Api/R3/Contact?CreatedBy=Senki"), 400, `Contact (GET): Nem megfelelő paraméter érték: CreatedBy="Senki"`)
	sbText(t, e.get("/Api/R3/Project?UpdatedAt=tegnap"), 400, `Project (GET): Nem megfelelő paraméter érték: UpdatedAt="tegnap"`)
}

// TestCatalogDataFileAndState: the catalog comes from a data file (and
// /_sandbox/load), is checked like the rest of it, and survives a restart
// with --state.
func TestCatalogDataFileAndState(t *testing.T) {
	yaml := `
users: [{id: 1, name: Admin}]
categories: [{id: 2, name: Sales, statuses: [{id: 3, name: New}]}]
contacts:
  - {id: 10, type: Business, fields: {Name: Acme}}
projects:
  - {id: 20, category_id: 2, contact_id: 10, status_id: 3, user_id: 1, name: Deal}
  - {id: 21, category_id: 2, contact_id: 10, status_id: 3, user_id: 1, name: Deal 2}
addresses:
  - {id: 30, contact_id: 10, type: HQ, name: Központ, country: Ausztria, postal_code: "1010", city: Wien}
  - {id: 31, contact_id: 10, name: Raktár, city: Győr, default: true}
templates:
  - {id: 40, category_id: 2, type: Email, name: Hello, subject: Hi, content: "<p>Hi</p>"}
emails:
  - {id: 50, project_id: 20, template_id: 40, from: a@b.example, to: c@d.example, subject: Hi, created_at: "2024-01-02 03:04:05"}
products:
  - {id: 60, fields: {Name: Widget, SKU: W-1, PriceNet: 10}}
`
	statePath := filepath.Join(t.TempDir(), "state.json")
	e := newSBEnv(t, sandbox.Config{StatePath: statePath})
	r, err := e.send(sbRequest{method: http.MethodPost, path: "/_sandbox/load", body: yaml, contentType: "application/yaml"})
	if err != nil || r.Status != 200 {
		t.Fatalf("load: %v %s", err, r)
	}
	sbMatch(t, "addresses", e.get("/Api/R3/AddressList/10").JSON(t), sbParse(t,
		`{"Count":2,"Results":{"30":"Központ (1010 Wien, Austria)","31":"Raktár (Győr)"}}`))
	sbMatch(t, "default", e.mustGet("/Api/R3/Address/31"), sbParse(t, `{"Default":1}`))
	sbMatch(t, "HQ", e.mustGet("/Api/R3/Address/30"), sbParse(t, `{"Default":0,"Type":"Székhely"}`))
	if ids := sbIDs(t, e.get("/Api/R3/EmailList/20")); !sbEqualInts(ids, []int{50}) {
		t.Errorf("emails: %v", ids)
	}
	// New records take ids above the catalog's.
	a := e.create("/Api/R3/Address", map[string]any{"ContactId": 10, "Name": "Új"})
	if a <= 60 {
		t.Errorf("new address id %d collides with the data set's", a)
	}
	p := e.create("/Api/R3/Product", map[string]any{"SKU": "W-1", "Quantity": 3})
	if p != 60 {
		t.Errorf("SKU W-1 of the data file: %d", p)
	}
	e.do("PUT", "/Api/R3/CreateProjectConnection", `{"FromProjectId":20,"ToProjectId":21,"Description":"kapcsolat"}`)
	if err := e.srv.Save(); err != nil {
		t.Fatal(err)
	}
	srv2, err := sandbox.New(sandbox.Config{SystemID: sbSystemID, APIKey: sbAPIKey, StatePath: statePath})
	if err != nil {
		t.Fatal(err)
	}
	e2 := mountSB(t, srv2)
	sbMatch(t, "restored", e2.mustGet(fmt.Sprintf("/Api/R3/Address/%d", a)), sbParse(t, `{"ContactId":10,"Name":"Új","Default":0}`))
	sbMatch(t, "restored product", sbProducts(t, e2)[60], sbParse(t, `{"Quantity":3,"SKU":"W-1"}`))
	sbMatch(t, "restored connection", e2.get("/Api/R3/ListProjectConnection?FromProjectId=21").JSON(t),
		sbParse(t, `{"TotalCount":1,"Connections":{"0":{"ProjectId":20,"Description":"kapcsolat"}}}`))
	sbMatch(t, "restored template", e2.mustGet("/Api/R3/Template/40"), sbParse(t, `{"Name":"Hello"}`))

	for _, tt := range []struct{ name, extra, want string }{
		{"address of nobody", "addresses: [{id: 30, contact_id: 99, name: X}]", "address 30: contact_id 99 is not a contact"},
		{"address type", "addresses: [{id: 30, contact_id: 10, name: X, type: Bunker}]", `address 30: type "Bunker" is not an address type`},
		{"template module", "templates: [{id: 40, category_id: 9, type: Email, name: X}]", "template 40: category_id 9 is not a category"},
		{"template type", "templates: [{id: 40, category_id: 2, type: Fax, name: X}]", `template 40: type "Fax"`},
		{"email card", "emails: [{id: 50, project_id: 99, from: a, to: b, subject: c, created_at: '2024-01-01'}]", "email 50: project_id 99"},
		{"duplicate SKU", "products: [{id: 60, fields: {Name: A, SKU: S}}, {id: 61, fields: {Name: B, SKU: S}}]", `product 61: SKU "S"`},
		{"id clash", "addresses: [{id: 10, contact_id: 10, name: X}]", "address 10: id 10 is already used by contact 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := strings.Split(yaml, "addresses:")[0]
			r, _ := e.send(sbRequest{method: http.MethodPost, path: "/_sandbox/load", body: base + tt.extra + "\n", contentType: "application/yaml"})
			if r.Status != 400 || !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("got %s, want 400 with %q", r, tt.want)
			}
		})
	}
}

func TestProjectConnections(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	for _, tt := range []struct{ path, body, text string }{
		{"/Api/R3/CreateProjectConnection", `{"FromProjectId":2054}`, "CreateProjectConnection (PUT): Kötelező mező hiányzik: ToProjectId"},
		{"/Api/R3/CreateProjectConnection", `{"FromProjectId":2054,"ToProjectId":999999}`, "CreateProjectConnection (PUT): A megadott ProjectId (999999) nem létező adatlap."},
		{"/Api/R3/CreateProjectConnection", `{"FromProjectId":2054,"ToProjectId":2054}`, "CreateProjectConnection (PUT): Egy adatlap nem kapcsolható önmagához."},
		{"/Api/R3/CreateProjectConnection", `{"FromProjectId":2054,"ToProjectId":2055,"Color":"red"}`, `CreateProjectConnection (PUT): Ismeretlen mező: "Color"`},
		{"/Api/R3/DeleteProjectConnection", `{"FromProjectId":2054,"ToProjectId":2055,"Description":"x"}`, `DeleteProjectConnection (PUT): Ismeretlen mező: "Description"`},
	} {
		sbText(t, e.do("PUT", tt.path, tt.body), 400, tt.text)
	}
	sbText(t, e.do("PUT", "/Api/R3/UpdateProjectConnection", `{"FromProjectId":2054,"ToProjectId":2055,"Description":"x"}`), 404,
		"UpdateProjectConnection (PUT): A(z) 2054 és 2055 adatlap nincs összekapcsolva.")
	sbText(t, e.get("/Api/R3/ListProjectConnection"), 400, `ListProjectConnection (GET): Nem megfelelő paraméter: "FromProjectId"`)
	sbText(t, e.get("/Api/R3/ListProjectConnection?FromProjectId=999999"), 404, "ListProjectConnection (GET): Nincs ilyen azonosítójú rekord: 999999")
	if r := e.get("/Api/R3/ListProjectConnection?FromProjectId=2054"); string(r.Body) != `{"TotalCount":0,"Page":0,"ItemPerPage":100,"Connections":[]}` {
		t.Errorf("no connections: %s", r)
	}
	for _, to := range []int{2056, 2055} {
		if r := e.do("PUT", "/Api/R3/CreateProjectConnection", fmt.Sprintf(`{"FromProjectId":2054,"ToProjectId":%d,"Description":"d%d"}`, to, to)); r.Status != 200 {
			t.Fatal(r)
		}
	}
	// Again, the other way round: the same connection, nothing new.
	sbMatch(t, "again", e.do("PUT", "/Api/R3/CreateProjectConnection", `{"FromProjectId":2056,"ToProjectId":2054}`).JSON(t),
		sbParse(t, `{"ProjectId":2054,"Description":"d2056"}`))
	sbMatch(t, "from 2054", e.get("/Api/R3/ListProjectConnection?FromProjectId=2054").JSON(t), sbParse(t,
		`{"TotalCount":2,"Connections":{"0":{"ProjectId":2055,"Description":"d2055"},"1":{"ProjectId":2056,"Description":"d2056"}}}`))
	sbMatch(t, "seen from 2056", e.get("/Api/R3/ListProjectConnection?FromProjectId=2056").JSON(t), sbParse(t,
		`{"TotalCount":1,"Connections":{"0":{"ProjectId":2054,"ProjectName":"MiniCRM Zrt. (CRM szolgáltató)","CategoryId":3}}}`))
	e.do("PUT", "/Api/R3/DeleteProjectConnection", `{"FromProjectId":2056,"ToProjectId":2054}`)
	sbMatch(t, "after delete", e.get("/Api/R3/ListProjectConnection?FromProjectId=2054").JSON(t), sbParse(t,
		`{"TotalCount":1,"Connections":{"0":{"ProjectId":2055}}}`))
}
