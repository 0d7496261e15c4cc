package sandbox_test

// What each R3 endpoint does beyond searching: Category and Schema shapes,
// the rules of Contact, PurgePerson, Project, ProjectHistory and ToDo
// writes, enum validation with the seed's message, and ids unique per
// system.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

func TestCategory(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	sbMatch(t, "plain", e.get("/Api/R3/Category?Detailed=0").JSON(t), sbParse(t,
		`{"3":"Partnerek","5":"Ügyfélszolgálat","6":"Projektek","7":"Megrendelés","8":"Webshop","9":"Számlázó","10":"Értékesítés","11":"Ajánlatok","30":"Rendezvények"}`))
	if n := len(e.mustGet("/Api/R3/Category")); n != 9 {
		t.Errorf("%d categories, want 9", n)
	}
	sbMatch(t, "detailed", e.get("/Api/R3/Category?Detailed=1").JSON(t), sbParse(t,
		`{"3":{"Id":3,"OrderId":1,"Name":"Partnerek","Type":"Generic","SenderName":"","SenderEmail":"","Phone":""},`+
			`"5":{"Id":5,"OrderId":2,"Name":"Ügyfélszolgálat","Type":"HelpDesk"},"7":{"Id":7,"Type":"Order"},"9":{"Type":"Invoice"}}`))
	sbText(t, e.get("/Api/R3/Category?Detail=1"), 400, `Category (GET): Nem megfelelő paraméter: "Detail"`)
}

func TestSchema(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	users := `{"22404":"Leskó Norbert","53986":"Keszei Csaba","53602":"Kovács Anna","53603":"Nagy Péter"}`
	tests := []struct {
		path, want string
		absent     []string
	}{
		{"/Api/R3/Schema/Person", `{"Id":"Int","Type":{"Business":"Cég","Person":"Személy"},"BusinessId":"Int","FirstName":"Text(255)",` +
			`"YearlyRevenue":"Int","CreatedBy":` + users + `,"UpdatedAt":"DateTime","SzuletesiDatum":"Date","VasarlasokSzama":"Int",` +
			`"Hirlevel":{"2011":"Igen","2012":"Nem"},"MasodlagosEmail":"Email","MobilTelefon":"Phone"}`, []string{"Name", "Iparag"}},
		{"/Api/R3/Schema/Business", `{"Id":"Int","Name":"Text(512)","Employees":"Int","RegistrationNumber":"Text(64)",` +
			`"Iparag":{"2101":"Informatika","2102":"Kereskedelem","2103":"Gyártás","2104":"Szolgáltatás"},"HitelKeret":"Float"}`,
			[]string{"BusinessId", "FirstName", "KedvencEtele"}},
		{"/Api/R3/Schema/Project/10", `{"Id":"Int","CategoryId":{"10":"Értékesítés","3":"Partnerek"},"ContactId":"Int","UserId":` + users + `,` +
			`"Name":"Text(512)","StatusId":{"2620":"Érdeklődő","2876":"Ügyfélminősítés","2621":"Ajánlat kiküldve","2622":"Tárgyalás","2623":"Sikeres","2624":"Sikertelen"},` +
			`"CreatedBy":` + users + `,"ProjectHash":"Text(32)","AutoSalesV3_Qualification":{"4001":"VIP","4002":"Célcsoport","4003":"Nem célcsoport"},` +
			`"VarhatoArbevetel":"Int","Valoszinuseg":"Float","KovetkezoHivasIdpontja":"DateTime"}`, []string{"Prioritas"}},
		{"/Api/R3/Schema/Project/5", `{"StatusId":{"2520":"Új bejelentés","2521":"Folyamatban","2523":"Megoldva","2524":"Elutasítva"},` +
			`"Prioritas":{"4101":"Alacsony","4102":"Normál","4103":"Sürgős"},"HataridoDatum":"Date"}`, []string{"AutoSalesV3_Qualification"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := e.mustGet(tt.path)
			sbMatch(t, "schema", got, sbParse(t, tt.want))
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("has %s", k)
				}
			}
			// An enum's map is complete: exactly the statuses of the module.
			if st, ok := got["StatusId"].(map[string]any); ok && strings.HasSuffix(tt.path, "/10") && len(st) != 6 {
				t.Errorf("StatusId has %d entries, want the module's 6", len(st))
			}
		})
	}
	for _, p := range []string{"/Api/R3/Schema/Foo", "/Api/R3/Schema/Project", "/Api/R3/Schema/Project/999"} {
		if r := e.get(p); r.Status != 404 {
			t.Errorf("GET %s: %s", p, r)
		}
	}
	if r := e.get("/Api/R3/Schema/Person?x=1"); r.Status != 400 {
		t.Errorf("unknown parameter: %s", r)
	}
}

func TestContactCreate(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	bad := []struct {
		name, body, text string
	}{
		{"no Type", `{"Name":"X"}`, "Kötelező mező hiányzik: Type"},
		{"unknown Type", `{"Type":"Robot","Name":"X"}`, "A Type értéke Person vagy Business lehet."},
		{"numeric Type (refused live)", `{"Type":2,"Name":"X"}`, "A Type értéke Person vagy Business lehet."},
		{"localized Type on create", `{"Type":"Cég","Name":"X"}`, "A Type értéke Person vagy Business lehet."},
		{"Business without Name", `{"Type":"Business","Email":"a@b.hu"}`, "Kötelező mező hiányzik: Name"},
		{"Business with a blank Name", `{"Type":"Business","Name":"  "}`, "Kötelező mező hiányzik: Name"},
		{"Person without FirstName", `{"Type":"Person","LastName":"Kovács"}`, "Kötelező mező hiányzik: FirstName"},
		{"BusinessId of a person", `{"Type":"Person","FirstName":"A","BusinessId":7506}`, "A megadott BusinessId (7506) nem cég."},
		{"BusinessId of nobody", `{"Type":"Person","FirstName":"A","BusinessId":999999}`, "A megadott BusinessId (999999) nem cég."},
		{"BusinessId on a Business", `{"Type":"Business","Name":"A","BusinessId":7505}`, `Ismeretlen mező: "BusinessId"`},
		{"a Person field on a Business", `{"Type":"Business","Name":"A","KedvencEtele":"Alma"}`, `Ismeretlen mező: "KedvencEtele"`},
		{"enum value that does not exist", `{"Type":"Person","FirstName":"A","KedvencEtele":"Kaviár"}`,
			"Érvénytelen választható érték 'Kaviár' a Kedvenc étele mezőhöz."},
		{"enum id that does not exist", `{"Type":"Person","FirstName":"A","KedvencEtele":2099}`,
			"Érvénytelen választható érték '2099' a Kedvenc étele mezőhöz."},
		{"not an email", `{"Type":"Person","FirstName":"A","MasodlagosEmail":"nem email"}`,
			"Érvénytelen választható érték 'nem email' a Másodlagos email mezőhöz."},
		{"not a number", `{"Type":"Person","FirstName":"A","VasarlasokSzama":"sok"}`,
			"Érvénytelen választható érték 'sok' a Vásárlások száma mezőhöz."},
		{"not a date", `{"Type":"Person","FirstName":"A","SzuletesiDatum":"tegnap"}`,
			"Érvénytelen választható érték 'tegnap' a Születési dátum mezőhöz."},
		{"too long", `{"Type":"Person","FirstName":"A","Swift":"` + strings.Repeat("x", 33) + `"}`,
			"Túl hosszú érték a Swift mezőhöz (legfeljebb 32 karakter)."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", "/Api/R3/Contact", tt.body), 400, "Contact (PUT): "+tt.text)
		})
	}
	if n := sbCount(t, e.get("/Api/R3/Contact?UpdatedSince=2024-01-01")); n != 0 {
		t.Fatalf("refused creates made %d contacts", n)
	}

	biz := e.create("/Api/R3/Contact/", map[string]any{"Type": "Business", "Name": "Új Cég Kft.", "Iparag": 2104, "Employees": "12"})
	p := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Ádám", "LastName": "Új", "BusinessId": fmt.Sprint(biz),
		"KedvencEtele": "Kolbász", "Hirlevel": 2011, "SzuletesiDatum": "1990-01-02", "Email": "adam@uj.example"})
	// Every field, CreatedAt and UpdatedAt, localized Type, enums as labels.
	sbMatch(t, "person", e.mustGet(fmt.Sprintf("/Api/R3/Contact/%d", p)), sbParse(t, fmt.Sprintf(
		`{"Id":%d,"ParentId":0,"Type":"Személy","FirstName":"Ádám","LastName":"Új","Email":"adam@uj.example","Phone":"","Description":"",`+
			`"Deleted":0,"CreatedBy":"Leskó Norbert","CreatedAt":"2024-03-01 11:00:00","UpdatedBy":"Leskó Norbert","UpdatedAt":"2024-03-01 11:00:00",`+
			`"Url":"","BankAccount":"","Swift":"","VatNumber":"","Position":"","Industry":"","Region":"","YearlyRevenue":0,"ReferenceId":"",`+
			`"KedvencEtele":"Kolbász","Hirlevel":"Igen","SzuletesiDatum":"1990-01-02","VasarlasokSzama":0,"KulsoAzonosito":"",`+
			`"MasodlagosEmail":"","MobilTelefon":"","BusinessId":%d,"Tags":[]}`, p, biz)))
	sbMatch(t, "company", e.mustGet(fmt.Sprintf("/Api/R3/Contact/%d", biz)), sbParse(t,
		`{"Type":"Cég","Name":"Új Cég Kft.","Iparag":"Szolgáltatás","Employees":12,"RegistrationNumber":"","Tags":[]}`))
	if _, ok := e.mustGet(fmt.Sprintf("/Api/R3/Contact/%d", biz))["ParentId"]; ok {
		t.Error("a company has no ParentId")
	}
	// Lists say Person/Business and give BusinessId for people only.
	lr := e.get(fmt.Sprintf("/Api/R3/Contact?MainContactId=%d", biz))
	items := sbResults(t, lr)
	sbMatch(t, "list", lr.Obj(t)["Results"], sbParse(t, fmt.Sprintf(`{"%d":{"Type":"Business","Name":"Új Cég Kft."},"%d":{"Type":"Person","Name":"Új Ádám","BusinessId":%d}}`, biz, p, biz)))
	if _, ok := items[fmt.Sprint(biz)]["BusinessId"]; ok {
		t.Error("a company's list item has BusinessId")
	}
}

func TestContactUpdate(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	path := "/Api/R3/Contact/7506"
	before := e.mustGet(path)
	clk.Add(time.Minute)

	// Only the fields sent change; UpdatedAt moves, CreatedAt does not.
	e.update(path, map[string]any{"Position": "Alapító"})
	after := e.mustGet(path)
	for k, v := range before {
		switch k {
		case "Position":
			if after[k] != "Alapító" {
				t.Errorf("Position %v", after[k])
			}
		case "UpdatedAt":
			if after[k] != "2024-03-01 11:01:00" {
				t.Errorf("UpdatedAt %v did not move to the change", after[k])
			}
		default:
			sbMatch(t, k, after[k], v)
		}
	}
	// Writing what is there already is no change.
	clk.Add(time.Minute)
	e.update(path, map[string]any{"Position": "Alapító", "KedvencEtele": 2001, "Email": "norbert@minicrm.hu"})
	if got := e.mustGet(path)["UpdatedAt"]; got != "2024-03-01 11:01:00" {
		t.Errorf("a write without change moved UpdatedAt to %v", got)
	}
	// A detail record can be sent back as it is (clients echo them).
	e.update(path, sbJSON(t, e.mustGet(path)))
	sbMatch(t, "echo", e.mustGet(path), e.mustGet(path))
	if got := e.mustGet(path)["UpdatedAt"]; got != "2024-03-01 11:01:00" {
		t.Errorf("echoing the record moved UpdatedAt to %v", got)
	}

	refused := []struct {
		name, body, text string
	}{
		{"Type cannot change", `{"Type":"Business","Position":"Más"}`, "A(z) Type mező nem módosítható."},
		{"nor move to another company", `{"BusinessId":225,"Position":"Más"}`, "A(z) BusinessId mező nem módosítható."},
		{"one bad field refuses all", `{"Position":"Más","KedvencEtele":"Kaviár"}`, "Érvénytelen választható érték 'Kaviár' a Kedvenc étele mezőhöz."},
		{"unknown field refuses all", `{"Position":"Más","Nincs":1}`, `Ismeretlen mező: "Nincs"`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", path, tt.body), 400, "Contact (PUT): "+tt.text)
			if got := e.mustGet(path)["Position"]; got != "Alapító" {
				t.Errorf("a refused write changed Position to %v", got)
			}
		})
	}
	for _, same := range []string{`{"Type":"Person"}`, `{"Type":"Személy"}`, `{"BusinessId":7505}`} {
		if r := e.do("PUT", path, same); r.Status != 200 {
			t.Errorf("PUT %s: %s", same, r)
		}
	}

	// A new Email or Phone becomes the default; the earlier ones are kept
	// and still found.
	clk.Add(time.Minute)
	e.update(path, map[string]any{"Email": "uj@minicrm.hu", "Phone": "+36 70 555 1234"})
	sbMatch(t, "defaults", e.mustGet(path), sbParse(t, `{"Email":"uj@minicrm.hu","Phone":"+36 70 555 1234","UpdatedAt":"2024-03-01 11:03:00"}`))
	for _, q := range []string{"Email=norbert@minicrm.hu", "Email=uj@minicrm.hu", "Phone=2367532", "Phone=5551234", "Query=2367532"} {
		if ids := sbQuery(t, e, "/Api/R3/Contact?"+q); !sbEqualInts(ids, []int{7506}) {
			t.Errorf("%s finds %v", q, ids)
		}
	}
	// Sending an earlier one again makes it the default again.
	e.update(path, map[string]any{"Email": "norbert@minicrm.hu"})
	if got := sbResults(t, e.get("/Api/R3/Contact?Email=uj@minicrm.hu"))["7506"]["Email"]; got != "norbert@minicrm.hu" {
		t.Errorf("list Email %v, want the earlier one back as default", got)
	}
	// A person without a company can be given one.
	loner := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Magányos"})
	e.update(fmt.Sprintf("/Api/R3/Contact/%d", loner), map[string]any{"BusinessId": 7505})
	sbMatch(t, "loner", e.mustGet(fmt.Sprintf("/Api/R3/Contact/%d", loner)), sbParse(t, `{"BusinessId":7505}`))
}

func TestPurgePerson(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{})
	jsonAnswer := func(r sbResp, status int, msg string) {
		t.Helper()
		if r.Status != status || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("got %s (%s), want %d JSON", r, r.Header.Get("Content-Type"), status)
		}
		sbMatch(t, "answer", r.JSON(t), map[string]any{"Message": msg})
		if len(r.Obj(t)) != 1 {
			t.Errorf("answer has more than Message: %s", r.Body)
		}
	}
	jsonAnswer(e.get("/Api/R3/PurgePerson/7506"), 400, "A személy egy vagy több adatlapon fő kapcsolattartó.")
	jsonAnswer(e.get("/Api/R3/PurgePerson/7505"), 400, "Cég nem törölhető.")
	sbText(t, e.get("/Api/R3/PurgePerson/999999"), 404, "PurgePerson (GET): Nincs ilyen azonosítójú rekord: 999999")
	if r := e.get("/Api/R3/Contact/7506"); r.Status != 200 {
		t.Fatalf("a refused purge deleted: %s", r)
	}

	// The document's way out: give the card another primary contact first.
	p := e.create("/Api/R3/Contact", map[string]any{"Type": "Person", "FirstName": "Ideiglenes", "BusinessId": 7505})
	card := e.create("/Api/R3/Project", map[string]any{"Name": "Ideiglenes ügy", "UserId": 22404, "CategoryId": 3, "ContactId": p, "StatusId": 2540})
	jsonAnswer(e.do("PUT", fmt.Sprintf("/Api/R3/PurgePerson/%d", p), `{}`), 400, "A személy egy vagy több adatlapon fő kapcsolattartó.")
	e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"ContactId": 7507})
	jsonAnswer(e.do("PUT", fmt.Sprintf("/Api/R3/PurgePerson/%d", p), `{}`), 200, "Sikeresen törölve")
	if r := e.get(fmt.Sprintf("/Api/R3/Contact/%d", p)); r.Status != 404 {
		t.Errorf("purged person: %s", r)
	}
	if ids := sbQuery(t, e, "/Api/R3/Contact?MainContactId=7505"); !sbEqualInts(ids, []int{7505, 7506, 7507}) {
		t.Errorf("company after the purge: %v", ids)
	}
	if r := e.get(fmt.Sprintf("/Api/R3/PurgePerson/%d", p)); r.Status != 404 {
		t.Errorf("second purge: %s", r)
	}
}

func TestProjectCreate(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	base := map[string]any{"Name": "Új adatlap", "UserId": 53602, "CategoryId": 30, "ContactId": 351, "StatusId": 2867}
	cards := sbCount(t, e.get("/Api/R3/Project"))
	for _, k := range []string{"Name", "UserId", "CategoryId", "ContactId", "StatusId"} {
		t.Run("without "+k, func(t *testing.T) {
			body := map[string]any{}
			for bk, bv := range base {
				if bk != k {
					body[bk] = bv
				}
			}
			sbText(t, e.do("PUT", "/Api/R3/Project", sbJSON(t, body)), 400, "Project (PUT): Kötelező mező hiányzik: "+k)
			body[k] = ""
			sbText(t, e.do("PUT", "/Api/R3/Project", sbJSON(t, body)), 400, "Project (PUT): Kötelező mező hiányzik: "+k)
		})
	}
	bad := []struct {
		name string
		set  map[string]any
		text string
	}{
		{"unknown module", map[string]any{"CategoryId": 999}, "Érvénytelen választható érték '999' a CategoryId mezőhöz."},
		{"unknown status", map[string]any{"StatusId": "Nincs ilyen"}, "Érvénytelen választható érték 'Nincs ilyen' a Státusz mezőhöz."},
		{"status of another module", map[string]any{"StatusId": 2520}, "A(z) '2520' státusz nem tartozik a(z) Rendezvények modulhoz."},
		{"unknown owner", map[string]any{"UserId": "Senki Sándor"}, "Érvénytelen választható érték 'Senki Sándor' a Felelős mezőhöz."},
		{"unknown contact", map[string]any{"ContactId": 999999}, "A megadott ContactId (999999) nem létező kapcsolattartó."},
		{"field of another module", map[string]any{"CategoryId": 10, "StatusId": 2620, "Prioritas": "Sürgős"}, `Ismeretlen mező: "Prioritas"`},
		{"enum value that does not exist", map[string]any{"CategoryId": 10, "StatusId": 2620, "AutoSalesV3_Qualification": "Rossz"},
			"Érvénytelen választható érték 'Rossz' a Ügyfélminősítés mezőhöz."},
		{"not an integer", map[string]any{"CategoryId": 10, "StatusId": 2620, "VarhatoArbevetel": 1.5},
			"Érvénytelen választható érték '1.5' a Várható árbevétel mezőhöz."},
		{"not a date-time", map[string]any{"CategoryId": 10, "StatusId": 2620, "KovetkezoHivasIdpontja": "holnap"},
			"Érvénytelen választható érték 'holnap' a Következő hívás időpontja mezőhöz."},
		{"Deleted is 0 or 1", map[string]any{"Deleted": 2}, "Érvénytelen választható érték '2' a Deleted mezőhöz."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{}
			for k, v := range base {
				body[k] = v
			}
			for k, v := range tt.set {
				body[k] = v
			}
			sbText(t, e.do("PUT", "/Api/R3/Project", sbJSON(t, body)), 400, "Project (PUT): "+tt.text)
		})
	}
	if n := sbCount(t, e.get("/Api/R3/Project")); n != cards {
		t.Fatalf("refused creates made %d cards", n-cards)
	}

	// Enums by label or by id; details show labels, lists show ids.
	id := e.create("/Api/R3/Project", map[string]any{"Name": "Címkékkel", "UserId": "Kovács Anna", "CategoryId": "Értékesítés",
		"ContactId": "7507", "StatusId": "Ajánlat kiküldve", "AutoSalesV3_Qualification": 4003, "AutoSalesV3_IsHot": "Igen",
		"VarhatoArbevetel": "120000", "VarhatoLezarasDatuma": "2024-04-30"})
	sbMatch(t, "detail", e.mustGet(fmt.Sprintf("/Api/R3/Project/%d", id)), sbParse(t, fmt.Sprintf(
		`{"Id":%d,"CategoryId":10,"ContactId":7507,"BusinessId":7505,"UserId":"Kovács Anna","StatusId":"Ajánlat kiküldve",`+
			`"AutoSalesV3_Qualification":"Nem célcsoport","AutoSalesV3_IsHot":"Igen","DontesiSzempont":"","VarhatoArbevetel":120000,`+
			`"VarhatoLezarasDatuma":"2024-04-30 00:00:00","Deleted":0,"CreatedBy":"Leskó Norbert","CreatedAt":"2024-03-01 11:00:00",`+
			`"UpdatedAt":"2024-03-01 11:00:00","StatusUpdatedAt":"2024-03-01 11:00:00"}`, id)))
	sbMatch(t, "list item", sbResults(t, e.get("/Api/R3/Project?Name=Címkékkel"))[fmt.Sprint(id)], sbParse(t, fmt.Sprintf(
		`{"Id":%d,"Name":"Címkékkel","Url":"%s/Api/R3/Project/%d","ContactId":7507,"StatusId":2621,"UserId":53602,"Deleted":0,"BusinessId":7505}`,
		id, e.ts.URL, id)))
	if h := e.mustGet(fmt.Sprintf("/Api/R3/Project/%d", id))["ProjectHash"]; h == e.mustGet("/Api/R3/Project/2056")["ProjectHash"] || h == "" {
		t.Errorf("ProjectHash %v is not unique", h)
	}
}

func TestProjectUpdate(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	path := "/Api/R3/Project/2056"
	before := e.mustGet(path)
	clk.Add(time.Minute)
	e.update(path, map[string]any{"VarhatoArbevetel": 2000000, "CategoryId": 10})
	after := e.mustGet(path)
	for k, v := range before {
		switch k {
		case "VarhatoArbevetel":
			sbMatch(t, k, after[k], 2000000.0)
		case "UpdatedAt":
			sbMatch(t, k, after[k], "2024-03-01 11:01:00")
		default:
			sbMatch(t, k, after[k], v)
		}
	}
	// A status change moves StatusUpdatedAt too, by label or by id.
	clk.Add(time.Minute)
	e.update(path, map[string]any{"StatusId": "Sikeres"})
	sbMatch(t, "status", e.mustGet(path), sbParse(t, `{"StatusId":"Sikeres","StatusUpdatedAt":"2024-03-01 11:02:00","UpdatedAt":"2024-03-01 11:02:00"}`))

	for _, tt := range []struct{ name, body, text string }{
		{"CategoryId cannot change", `{"CategoryId":3,"Name":"Más"}`, "A(z) CategoryId mező nem módosítható."},
		{"the seed's error", `{"AutoSalesV3_Qualification":"Ilyen érték nincs is CRM-ben","Name":"Más"}`,
			"Érvénytelen választható érték 'Ilyen érték nincs is CRM-ben' a Ügyfélminősítés mezőhöz."},
		{"Name cannot be emptied", `{"Name":""}`, "Kötelező mező hiányzik: Name"},
		{"BusinessId must be a company", `{"BusinessId":7506,"Name":"Más"}`, "A megadott BusinessId (7506) nem cég."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", path, tt.body), 400, "Project (PUT): "+tt.text)
			if got := e.mustGet(path)["Name"]; got != "MiniCRM Zrt. (Leskó Norbert)" {
				t.Errorf("a refused write changed Name to %v", got)
			}
		})
	}

	// Moving a card: another contact of the company, or of another one.
	e.update(path, map[string]any{"ContactId": 7507})
	sbMatch(t, "moved", e.mustGet(path), sbParse(t, `{"ContactId":7507,"BusinessId":7505}`))
	gigabit := sbQuery(t, e, "/Api/R3/Project?MainContactId=225")
	e.update(path, map[string]any{"ContactId": 351})
	sbMatch(t, "moved away", e.mustGet(path), sbParse(t, `{"ContactId":351,"BusinessId":225}`))
	if ids := sbQuery(t, e, "/Api/R3/Project?MainContactId=225"); len(ids) != len(gigabit)+1 || !sbContains(ids, 2056) {
		t.Errorf("Gigabit's cards: %v, want %v and 2056", ids, gigabit)
	}
	if ids := sbQuery(t, e, "/Api/R3/Project?MainContactId=7505"); sbContains(ids, 2056) {
		t.Errorf("MiniCRM Zrt. still has the card: %v", ids)
	}
	// Trash and restore.
	e.update(path, map[string]any{"Deleted": 1})
	sbMatch(t, "trashed", e.mustGet(path), sbParse(t, `{"Deleted":1}`))
	e.update(path, map[string]any{"Deleted": "0"})
	sbMatch(t, "restored", e.mustGet(path), sbParse(t, `{"Deleted":0}`))
}

func TestProjectHistory(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})
	card := e.create("/Api/R3/Project", map[string]any{"Name": "Történet", "UserId": 53986, "CategoryId": 5, "ContactId": 7506, "StatusId": 2520})
	path := fmt.Sprintf("/Api/R3/ProjectHistory/%d", card)
	clk.Add(time.Minute)
	e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"StatusId": "Folyamatban"})
	clk.Add(time.Minute)
	e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"Prioritas": "Sürgős", "StatusId": 2521}) // no status change
	clk.Add(time.Minute)
	e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"StatusId": 2523})

	r := e.get(path + "?Type=StatusHistory")
	sbCheckShape(t, r, "history")
	ids := sbIDs(t, r)
	if c := r.Obj(t)["Count"]; c != "3" || len(ids) != 3 {
		t.Fatalf("Count %v with %d entries, want \"3\"", c, len(ids))
	}
	items := sbResults(t, r)
	want := []string{
		`{"ProjectId":"%d","Type":"StatusHistory","UserId":"53986","ClosedAt":"2024-03-01 11:00:00","Status_Old_Id":"","Status_New_Id":"2520","Status_Old_Name":"","Status_New_Name":"Új bejelentés"}`,
		`{"ProjectId":"%d","UserId":"22404","ClosedAt":"2024-03-01 11:01:00","Status_Old_Id":"2520","Status_New_Id":"2521","Status_Old_Name":"Új bejelentés","Status_New_Name":"Folyamatban"}`,
		`{"ProjectId":"%d","ClosedAt":"2024-03-01 11:03:00","Status_Old_Id":"2521","Status_New_Id":"2523","Status_Old_Name":"Folyamatban","Status_New_Name":"Megoldva"}`,
	}
	for i, id := range ids {
		sbMatch(t, fmt.Sprint("entry ", i), items[fmt.Sprint(id)], sbParse(t, fmt.Sprintf(want[i], card)))
	}
	if r := e.get(path); r.Status != 200 || sbCount(t, r) != 3 {
		t.Errorf("without Type: %s", r)
	}
	sbText(t, e.get(path+"?Type=EmailHistory"), 400, `ProjectHistory (GET): Nem megfelelő paraméter érték: Type="EmailHistory"`)
	sbText(t, e.get("/Api/R3/ProjectHistory/999999?Type=StatusHistory"), 404, "ProjectHistory (GET): Nincs ilyen azonosítójú rekord: 999999")
	// Not available for trashed cards.
	e.update(fmt.Sprintf("/Api/R3/Project/%d", card), map[string]any{"Deleted": 1})
	if r := e.get(path + "?Type=StatusHistory"); r.Status != 404 {
		t.Errorf("trashed card's history: %s", r)
	}
}

func TestToDo(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now})

	if r := e.get("/Api/R3/ToDoList/2056"); string(r.Body) != `{"Count":0,"Results":[]}` {
		t.Errorf("a card without to-dos: %s", r.Body)
	}
	for _, tt := range []struct{ name, body, text string }{
		{"ProjectId is required", `{"Comment":"x"}`, "Kötelező mező hiányzik: ProjectId"},
		{"ProjectId must be a card", `{"ProjectId":999999}`, "A megadott ProjectId (999999) nem létező adatlap."},
		{"unknown type", `{"ProjectId":2056,"Type":"Fax"}`, "Érvénytelen választható érték 'Fax' a Típus mezőhöz."},
		{"bad deadline", `{"ProjectId":2056,"Deadline":"soon"}`, "Érvénytelen választható érték 'soon' a Deadline mezőhöz."},
		{"unknown owner", `{"ProjectId":2056,"UserId":"Senki"}`, "Érvénytelen választható érték 'Senki' a UserId mezőhöz."},
		{"unknown field", `{"ProjectId":2056,"Priority":1}`, `Ismeretlen mező: "Priority"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", "/Api/R3/ToDo/", tt.body), 400, "ToDo (PUT): "+tt.text)
		})
	}

	td := e.create("/Api/R3/ToDo", map[string]any{"ProjectId": 2056, "Comment": "Ajánlatot küldeni", "Deadline": "2024-03-05 12:00", "Type": "Email", "Duration": 30})
	// The fields as query parameters with no body, as some clients do.
	r := e.do("PUT", "/Api/R3/ToDo?ProjectId=2056&Comment=Lek%C3%A9rdez%C3%A9sb%C5%91l&UserId=53986", "")
	if r.Status != 200 {
		t.Fatalf("query-parameter create: %s", r)
	}
	qp := int(r.Obj(t)["Id"].(float64))
	path := fmt.Sprintf("/Api/R3/ToDo/%d", td)
	sbMatch(t, "detail", e.mustGet(path), sbParse(t, fmt.Sprintf(
		`{"Id":%d,"UserId":"Leskó Norbert","ContactId":7506,"ProjectId":2056,"Type":"Email","Duration":30,"Reminder":0,"Status":"Open",`+
			`"Mode":"Teendő","Deadline":"2024-03-05 12:00:00","Comment":"Ajánlatot küldeni","CreatedBy":"Leskó Norbert",`+
			`"CreatedAt":"2024-03-01 11:00:00","UpdatedAt":"2024-03-01 11:00:00","ClosedBy":"","ClosedAt":"0000-00-00 00:00:00","Members":[],"Notes":[]}`, td)))
	sbMatch(t, "query-parameter to-do", e.mustGet(fmt.Sprintf("/Api/R3/ToDo/%d", qp)), sbParse(t, `{"Comment":"Lekérdezésből","UserId":"Keszei Csaba"}`))

	clk.Add(time.Minute)
	e.update(path, map[string]any{"Comment": "Ajánlatot küldeni ma", "ProjectId": 2056, "Status": "Open"})
	sbMatch(t, "updated", e.mustGet(path), sbParse(t, `{"Comment":"Ajánlatot küldeni ma","Deadline":"2024-03-05 12:00:00","UpdatedAt":"2024-03-01 11:01:00"}`))
	for _, tt := range []struct{ name, body, text string }{
		{"ProjectId cannot change", `{"ProjectId":2055}`, "A(z) ProjectId mező nem módosítható."},
		{"Members cannot change", `{"Members":[]}`, "A(z) Members mező nem módosítható."},
		{"Notes cannot change", `{"Notes":[{"Comment":"x"}]}`, "A(z) Notes mező nem módosítható."},
		{"unknown status", `{"Status":"Done"}`, "Érvénytelen választható érték 'Done' a Status mezőhöz."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sbText(t, e.do("PUT", path, tt.body), 400, "ToDo (PUT): "+tt.text)
		})
	}

	// Lists: Status filter, UserId filter, strings throughout.
	list := func(q string) []int {
		t.Helper()
		return sbPageIDs(t, e, e.get("/Api/R3/ToDoList/2056"+q), true)
	}
	if got := list(""); !sbEqualInts(got, []int{td, qp}) {
		t.Errorf("all: %v", got)
	}
	clk.Add(time.Minute)
	e.update(path, map[string]any{"Status": "Closed"})
	sbMatch(t, "closed", e.mustGet(path), sbParse(t, `{"Status":"Closed","ClosedBy":"Leskó Norbert","ClosedAt":"2024-03-01 11:02:00"}`))
	for q, want := range map[string][]int{"?Status=Open": {qp}, "?Status=Closed": {td}, "?Status=All": {td, qp}, "?UserId=53986": {qp},
		"?UserId=Keszei+Csaba&Status=Closed": nil} {
		if got := list(q); !sbEqualInts(got, want) {
			t.Errorf("ToDoList/2056%s = %v, want %v", q, got, want)
		}
	}
	sbText(t, e.get("/Api/R3/ToDoList/2056?Status=Done"), 400, `ToDoList (GET): Nem megfelelő paraméter érték: Status="Done"`)

	// A closed to-do cannot change, not even to reopen.
	for _, body := range []string{`{"Comment":"mégis"}`, `{"Status":"Open"}`, `{"Status":"Closed"}`} {
		sbText(t, e.do("PUT", path, body), 400, "ToDo (PUT): Lezárt teendő nem módosítható.")
	}
	e.update(fmt.Sprintf("/Api/R3/ToDo/%d", qp), map[string]any{"Status": "Failed"})
	if r := e.do("PUT", fmt.Sprintf("/Api/R3/ToDo/%d", qp), `{"Comment":"x"}`); r.Status != 400 {
		t.Errorf("failed to-do changed: %s", r)
	}
	if r := e.do(http.MethodPost, "/Api/R3/ToDo", `{"ProjectId":2056}`); r.Status != 405 {
		t.Errorf("POST: %s", r)
	}
}

func TestIDsUniquePerSystem(t *testing.T) {
	// Every record of a system, whatever its kind, has its own id, and new
	// ones never reuse an id given in the data set, even one given after
	// the records that need fresh ids themselves (status history entries).
	e := newSBEnv(t, sandbox.Config{})
	sbLoad(t, e, `{"users":[{"id":1,"name":"Admin"}],"categories":[{"id":2,"name":"M","statuses":[{"id":3,"name":"S"},{"id":4,"name":"T"}]}],`+
		`"contacts":[{"id":5,"type":"Business","fields":{"Name":"C"}}],"projects":[{"id":6,"category_id":2,"contact_id":5,"status_id":3,"user_id":1,"name":"P"}],`+
		`"todos":[{"id":7,"project_id":6,"user_id":1,"comment":"T"},{"id":8,"project_id":6,"user_id":1,"comment":"U"}]}`)
	used := map[int]string{1: "user", 2: "category", 3: "status", 4: "status", 5: "contact", 6: "card", 7: "to-do", 8: "to-do"}
	claim := func(id int, what string) {
		t.Helper()
		if prev, ok := used[id]; ok {
			t.Errorf("%s got id %d, already the %s's", what, id, prev)
		}
		used[id] = what
	}
	e.update("/Api/R3/Project/6", map[string]any{"StatusId": 4})
	for id := range sbResults(t, e.get("/Api/R3/ProjectHistory/6")) {
		var n int
		fmt.Sscan(id, &n)
		claim(n, "history entry")
	}
	claim(e.create("/Api/R3/Contact", map[string]any{"Type": "Business", "Name": "D"}), "contact")
	claim(e.create("/Api/R3/Project", map[string]any{"Name": "Q", "UserId": 1, "CategoryId": 2, "ContactId": 5, "StatusId": 3}), "card")
	claim(e.create("/Api/R3/ToDo", map[string]any{"ProjectId": 6}), "to-do")
}

func sbContains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
