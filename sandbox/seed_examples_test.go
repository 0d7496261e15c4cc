package sandbox_test

// Every curl example of the R3 part of the two seed documents
// (the Hungarian and English editions of MiniCRM's API manual), replayed in
// document order against a fresh sandbox on the built-in data set, with the
// host swapped for the test server's. Each entry checks the status, the
// body's shape and the values the document shows that the built-in data set
// reproduces. Where the document's own system differs from the data set
// (counts over data we do not have, user ids like 3200), the entry checks
// the shape and says so.
//
// Examples that create records are chained: the ids the document got (7520,
// 7522, 255) are replaced by the ids this sandbox gave ({business},
// {person}, {todo}).

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

type sbSeedExample struct {
	doc    string // the section of the document
	method string
	path   string
	body   string // the -d of the curl command (sent as curl does, form-encoded)
	// inURL puts the credentials in the URL (https://SystemId:ApiKey@host/…),
	// as the ProjectHistory and ToDo examples do; wrongKey sends NemTudom.
	inURL, wrongKey bool

	status int
	shape  string // object, list (Results keyed by id), history (string values), array (ToDoList), text
	want   string // JSON the answer must contain; {base} is this server
	ids    []int  // the Results keys, all of them, in order
	has    []int  // Results keys that must be among the results
	text   string // the exact plain-text answer
	save   string // remember the answer's Id under this name
	check  func(t *testing.T, e *sbEnv, r sbResp, vars map[string]string)
}

func TestSeedExamplesR3HU(t *testing.T) { sbReplay(t, sbSeedHU()) }
func TestSeedExamplesR3EN(t *testing.T) { sbReplay(t, sbSeedEN()) }

func sbReplay(t *testing.T, examples []sbSeedExample) {
	e := newSBEnv(t, sandbox.Config{})
	vars := map[string]string{"{base}": e.ts.URL}
	subst := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	for _, ex := range examples {
		t.Run(ex.doc, func(t *testing.T) {
			rq := sbRequest{method: ex.method, path: subst(ex.path), body: subst(ex.body)}
			if rq.method == "" {
				rq.method = http.MethodGet
			}
			if rq.body != "" {
				rq.contentType = "application/x-www-form-urlencoded" // what curl -d sends
			}
			if ex.wrongKey {
				rq.pass = "NemTudom"
			}
			var r sbResp
			var err error
			if ex.inURL {
				r, err = sbSendInURL(e, rq)
			} else {
				r, err = e.send(rq)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != ex.status {
				t.Fatalf("%s %s: got %s, want %d", rq.method, rq.path, r, ex.status)
			}
			sbCheckShape(t, r, ex.shape)
			if ex.want != "" {
				sbMatch(t, "answer", r.JSON(t), sbParse(t, subst(ex.want)))
			}
			if ex.ids != nil {
				if got := sbIDs(t, r); !sbEqualInts(got, ex.ids) {
					t.Errorf("Results %v, want %v", got, ex.ids)
				}
			}
			if ex.has != nil {
				got := map[int]bool{}
				for _, id := range sbIDs(t, r) {
					got[id] = true
				}
				for _, id := range ex.has {
					if !got[id] {
						t.Errorf("Results lack %d", id)
					}
				}
			}
			if ex.text != "" {
				sbText(t, r, ex.status, subst(ex.text))
			}
			if ex.save != "" {
				id, ok := r.Obj(t)["Id"].(float64)
				if !ok {
					t.Fatalf("no numeric Id to save: %s", r.Body)
				}
				vars["{"+ex.save+"}"] = sbJSON(t, int(id))
			}
			if ex.check != nil {
				ex.check(t, e, r, vars)
			}
		})
	}
}

func sbSendInURL(e *sbEnv, rq sbRequest) (sbResp, error) {
	rq.noAuth = true
	saved := e.ts.URL
	defer func() { e.ts.URL = saved }()
	e.ts.URL = strings.Replace(saved, "http://", "http://12345:"+sbAPIKey+"@", 1)
	return e.send(rq)
}

func sbCheckShape(t *testing.T, r sbResp, shape string) {
	t.Helper()
	ct := r.Header.Get("Content-Type")
	if shape == "text" {
		if !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q, want plain text", ct)
		}
		return
	}
	if ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var l struct {
		Count   any
		Results json.RawMessage
	}
	switch shape {
	case "object":
		r.Obj(t)
	case "list", "history":
		if err := json.Unmarshal(r.Body, &l); err != nil || l.Results == nil {
			t.Fatalf("not a Count/Results list: %s", r.Body)
		}
		if _, isNum := l.Count.(float64); isNum != (shape == "list") {
			t.Errorf("Count %#v: a %s list wants it as a %s", l.Count, shape, map[bool]string{true: "number", false: "string"}[shape == "list"])
		}
		sbIDs(t, r) // Results: an object keyed by id, or []
		if shape == "history" {
			for id, item := range sbResults(t, r) {
				for k, v := range item {
					if _, ok := v.(string); !ok {
						t.Errorf("history %s: %s is %#v, want a string", id, k, v)
					}
				}
			}
		}
	case "array":
		var a struct {
			Count   float64
			Results []map[string]any
		}
		if err := json.Unmarshal(r.Body, &a); err != nil || a.Results == nil {
			t.Fatalf("not a Count/Results array list: %s", r.Body)
		}
	default:
		t.Fatalf("unknown shape %q", shape)
	}
}

func sbEqualInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The list items of the Contact examples, as the documents show them.
const (
	sbItem7505 = `{"Id":7505,"Name":"MiniCRM Zrt.","Url":"{base}/Api/R3/Contact/7505","Type":"Business","Email":"help@minicrm.hu","Phone":"06 (1) 999-0402"}`
	sbItem7506 = `{"Id":7506,"Name":"Leskó Norbert","Url":"{base}/Api/R3/Contact/7506","Type":"Person","Email":"norbert@minicrm.hu","Phone":"06 (20) 236 7532","BusinessId":7505}`
	sbItem7507 = `{"Id":7507,"Name":"Egerszegi Krisztián","Url":"{base}/Api/R3/Contact/7507","Type":"Person","Email":"egerszegi.krisztian@minicrm.hu","Phone":"","BusinessId":7505}`
	sbCard2054 = `{"Id":2054,"Name":"MiniCRM Zrt. (CRM szolgáltató)","Url":"{base}/Api/R3/Project/2054","ContactId":7506,"StatusId":2538,"UserId":22404,"BusinessId":7505}`
	sbCard2055 = `{"Id":2055,"Name":"API segítség kérés","Url":"{base}/Api/R3/Project/2055","ContactId":7506,"StatusId":2521,"UserId":22404,"BusinessId":7505}`
	sbCard2056 = `{"Id":2056,"Name":"MiniCRM Zrt. (Leskó Norbert)","Url":"{base}/Api/R3/Project/2056","ContactId":7506,"StatusId":2622,"UserId":22404,"BusinessId":7505}`
)

// seedExamplesCommon are the examples both editions share, up to the
// contact-detail example; the editions differ after it.
func sbSeedHead(updatedSince string) []sbSeedExample {
	return []sbSeedExample{
		{doc: "401 with a wrong key", path: "/Api/R3/Category", wrongKey: true, status: 401, shape: "text"},
		{doc: "Category, raw", path: "/Api/R3/Category", status: 200, shape: "object",
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				for k, v := range r.Obj(t) {
					if _, ok := v.(string); !ok || strings.Trim(k, "0123456789") != "" {
						t.Errorf("%q: %v is not an id → name pair", k, v)
					}
				}
			}},
		{doc: "Category, jq", path: "/Api/R3/Category", status: 200, shape: "object",
			want: `{"10":"Értékesítés","5":"Ügyfélszolgálat","6":"Projektek","7":"Megrendelés","8":"Webshop","9":"Számlázó","3":"Partnerek"}`},
		{doc: "Paging: Project?CategoryId=3", path: "/Api/R3/Project?CategoryId=3", status: 200, shape: "list", has: []int{2009},
			want: `{"Results":{"2009":{"Id":2009,"Name":"Ez egy komoly érdeklődő (Példa Kft.)","Url":"{base}/Api/R3/Project/2009",` +
				`"ContactId":7461,"StatusId":2540,"UserId":22404,"Deleted":0,"BusinessId":7453}}}`},
		// The document's system has 181 cards in module 5; ours has one, so
		// its second page is empty.
		{doc: "Paging: Page=1", path: "/Api/R3/Project?CategoryId=5&Page=1", status: 200, shape: "list", ids: []int{},
			want: `{"Count":1,"Results":[]}`},
		{doc: "Contact by email", path: "/Api/R3/Contact?Email=norbert@minicrm.hu", status: 200, shape: "list",
			ids: []int{7506}, want: `{"Count":1,"Results":{"7506":` + sbItem7506 + `}}`},
		// The document's system has 4 such contacts; ours has 7505-7507 and
		// a few more, all updated after the date.
		{doc: "Contact by UpdatedSince", path: "/Api/R3/Contact?UpdatedSince=" + updatedSince, status: 200, shape: "list",
			has: []int{7505, 7506, 7507}},
		{doc: "Contact by keyword", path: "/Api/R3/Contact?Query=lesko", status: 200, shape: "list", has: []int{7506},
			want: `{"Results":{"7506":` + sbItem7506 + `}}`},
		{doc: "Contact by phone number", path: "/Api/R3/Contact?Query=2367532", status: 200, shape: "list", ids: []int{7506},
			want: `{"Count":1,"Results":{"7506":` + sbItem7506 + `}}`},
		{doc: "Contact by field", path: "/Api/R3/Contact?KedvencEtele=Alma", status: 200, shape: "list", has: []int{7506},
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				for id := range sbResults(t, r) {
					if got := e.mustGet("/Api/R3/Contact/" + id)["KedvencEtele"]; got != "Alma" {
						t.Errorf("contact %s has KedvencEtele %v", id, got)
					}
				}
			}},
		{doc: "Schema/Person", path: "/Api/R3/Schema/Person", status: 200, shape: "object",
			want: `{"Id":"Int","BusinessId":"Int","FirstName":"Text(255)","LastName":"Text(255)","Email":"Text(128)","Phone":"Text(128)",` +
				`"KedvencEtele":{"2001":"Alma","2002":"Narancs","2003":"Sajt","2004":"Kolbász"}}`},
		{doc: "All contacts of a company", path: "/Api/R3/Contact?MainContactId=7505", status: 200, shape: "list",
			ids: []int{7505, 7506, 7507}, want: `{"Count":3,"Results":{"7505":` + sbItem7505 + `,"7506":` + sbItem7506 + `,"7507":` + sbItem7507 + `}}`},
		{doc: "Contact detail", path: "/Api/R3/Contact/7506", status: 200, shape: "object",
			want: `{"Id":7506,"ParentId":0,"Type":"Személy","FirstName":"Norbert","LastName":"Leskó","Email":"norbert@minicrm.hu",` +
				`"Description":"","Deleted":0,"CreatedAt":"2018-02-14 14:10:07","Url":"","BankAccount":"","Swift":"","VatNumber":"",` +
				`"Position":"Cégvezető","Industry":"","Region":"","YearlyRevenue":0,"KedvencEtele":"Alma","BusinessId":7505,"Tags":[]}`,
			// The detail shows "+36 20 236 7532" where the lists show
			// "06 (20) 236 7532": the same number in two notations.
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				if got := sbLastDigits(r.Obj(t)["Phone"], 9); got != sbLastDigits("+36 20 236 7532", 9) {
					t.Errorf("Phone %v is not +36 20 236 7532", r.Obj(t)["Phone"])
				}
			}},
		{doc: "Contact email change 1", method: "PUT", path: "/Api/R3/Contact/7506", body: `{"Email": "norbert+1@minicrm.io"}`,
			status: 200, shape: "object", want: `{"Id":7506}`},
		{doc: "Contact email change 2", method: "PUT", path: "/Api/R3/Contact/7506", body: `{"Email": "norbert+2@minicrm.io"}`,
			status: 200, shape: "object", want: `{"Id":7506}`,
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				// The latest is the default; the earlier ones are kept.
				sbMatch(t, "detail", e.mustGet("/Api/R3/Contact/7506"), sbParse(t, `{"Email":"norbert+2@minicrm.io"}`))
				for _, old := range []string{"norbert@minicrm.hu", "norbert+1@minicrm.io"} {
					if ids := sbIDs(t, e.get("/Api/R3/Contact?Email="+strings.ReplaceAll(old, "+", "%2B"))); !sbEqualInts(ids, []int{7506}) {
						t.Errorf("Email=%s finds %v", old, ids)
					}
				}
			}},
		{doc: "All cards of a company", path: "/Api/R3/Project?MainContactId=7505", status: 200, shape: "list",
			ids: []int{2054, 2055, 2056}, want: `{"Count":3,"Results":{"2054":` + sbCard2054 + `,"2055":` + sbCard2055 + `,"2056":` + sbCard2056 + `}}`},
		{doc: "A company's cards from one module", path: "/Api/R3/Project?MainContactId=7505&CategoryId=10", status: 200, shape: "list",
			ids: []int{2056}, want: `{"Count":1,"Results":{"2056":` + sbCard2056 + `}}`},
		{doc: "Criteria combined", path: "/Api/R3/Project?MainContactId=7505&StatusId=2622", status: 200, shape: "list",
			ids: []int{2056}, want: `{"Count":1,"Results":{"2056":` + sbCard2056 + `}}`},
	}
}

// Both editions modify card 2056 the same way; the error example differs.
var (
	sbExQualification = sbSeedExample{doc: "Card modification", method: "PUT", path: "/Api/R3/Project/2056",
		body: `{"AutoSalesV3_Qualification": "Célcsoport"}`, status: 200, shape: "object", want: `{"Id":2056}`,
		check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
			sbMatch(t, "detail", e.mustGet("/Api/R3/Project/2056"), sbParse(t, `{"AutoSalesV3_Qualification":"Célcsoport"}`))
		}}
	// The file example is a template ($FileColumnName, typographic quotes);
	// the built-in system has no File field, so the name is unknown.
	sbExFileUpload = sbSeedExample{doc: "File upload to a card", method: "PUT", path: "/Api/R3/Project/2056",
		body: `{"$FileColumnName":"$FileUrl"}`, status: 400, shape: "text", text: `Project (PUT): Ismeretlen mező: "$FileColumnName"`}
	sbExAddCompany = sbSeedExample{doc: "Adding a company", method: "PUT", path: "/Api/R3/Contact/",
		body: `{"Type": "Business", "Name": "Példa Kft."}`, status: 200, shape: "object", save: "business",
		check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
			sbMatch(t, "detail", e.mustGet("/Api/R3/Contact/"+v["{business}"]), sbParse(t, `{"Type":"Cég","Name":"Példa Kft."}`))
		}}
	sbExAddPerson = sbSeedExample{doc: "Adding a contact person", method: "PUT", path: "/Api/R3/Contact/",
		body:   `{"Type": "Person", "FirstName": "Péter", "LastName": "Kovács", "Email": "kovacs.peter@example.com", "BusinessId": {business}}`,
		status: 200, shape: "object", save: "person",
		check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
			sbMatch(t, "detail", e.mustGet("/Api/R3/Contact/"+v["{person}"]), sbParse(t,
				`{"Type":"Személy","FirstName":"Péter","LastName":"Kovács","Email":"kovacs.peter@example.com","BusinessId":`+v["{business}"]+`}`))
			if ids := sbIDs(t, e.get("/Api/R3/Contact?MainContactId="+v["{business}"])); len(ids) != 2 {
				t.Errorf("the company and its person: %v", ids)
			}
		}}
	sbExPurge = sbSeedExample{doc: "Deleting a contact", path: "/Api/R3/PurgePerson/{person}", status: 200, shape: "object",
		want: `{"Message":"Sikeresen törölve"}`,
		check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
			if r := e.get("/Api/R3/Contact/" + v["{person}"]); r.Status != 404 {
				t.Errorf("purged person still there: %s", r)
			}
		}}
	sbExHistory = sbSeedExample{doc: "Card status history", path: "/12345/Api/R3/ProjectHistory/29592?Type=StatusHistory", inURL: true,
		status: 200, shape: "history",
		check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
			sbMatch(t, "Count", r.Obj(t)["Count"], "1")
			for id, h := range sbResults(t, r) {
				sbMatch(t, "entry "+id, h, sbParse(t, `{"Id":"`+id+`","ProjectId":"29592","Type":"StatusHistory","UserId":"53986",`+
					`"ClosedAt":"2018-07-18 01:44:20","Status_Old_Id":"","Status_New_Id":"2876","Status_Old_Name":"","Status_New_Name":"Ügyfélminősítés"}`))
			}
		}}
	// The to-do list and detail have no curl line; the endpoint is given.
	// The document's users 3200 and 3300 are not in the built-in system.
	// The document shows every value as a string and "Type":"0"; a live
	// system (2026) answers numeric Id and UserId and "Type":"" for a to-do
	// without a type, which the sandbox follows.
	sbExToDoList = sbSeedExample{doc: "List of to-dos", path: "/Api/R3/ToDoList/2001", status: 200, shape: "array",
		want: `{"Count":2,"Results":[` +
			`{"Id":1111,"Status":"Open","Comment":"Felhívni és megkérdezni sikerült-e dönteni, van-e még valamilyen kérdése a termékről.",` +
			`"Deadline":"2012-01-17 23:59:00","UserId":53986,"Type":"","Url":"{base}/Api/R3/ToDo/1111"},` +
			`{"Id":2222,"Status":"Open","Comment":"Történt valami előrelépés?","Deadline":"2013-01-22 23:59:00","UserId":22404,` +
			`"Type":"1566","Url":"{base}/Api/R3/ToDo/2222"}]}`}
	sbExToDoDetail = sbSeedExample{doc: "To-do detail", path: "/Api/R3/ToDo/1111", status: 200, shape: "object",
		want: `{"Id":1111,"UserId":"Keszei Csaba","ProjectId":2001,"Type":"","Duration":0,"Reminder":0,"Status":"Open","Mode":"Teendő",` +
			`"Deadline":"2012-01-17 23:59:00","Comment":"Felhívni és megkérdezni sikerült-e dönteni, van-e még valamilyen kérdése a termékről.",` +
			`"ClosedAt":"0000-00-00 00:00:00","Members":[],"Notes":[]}`,
		check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
			for _, k := range []string{"ContactId", "Attachments", "CreatedAt", "ClosedBy", "AddressId"} {
				if _, ok := r.Obj(t)[k]; !ok {
					t.Errorf("no %s", k)
				}
			}
		}}
	sbExCreateToDo = sbSeedExample{doc: "Creating a to-do", method: "PUT", path: "/Api/R3/ToDo/", inURL: true,
		body:   "{\n\"ProjectId\": 2001,\n\"UserId\":\"Keszei Csaba\",\n\"Comment\": \"Teendő szövege\",\n\"Deadline\":\"2019-07-25 13:30:00\"\n}",
		status: 200, shape: "object", save: "todo",
		check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
			sbMatch(t, "detail", e.mustGet("/Api/R3/ToDo/"+v["{todo}"]), sbParse(t,
				`{"ProjectId":2001,"UserId":"Keszei Csaba","Comment":"Teendő szövege","Deadline":"2019-07-25 13:30:00","Status":"Open"}`))
		}}
	sbExModifyToDo = sbSeedExample{doc: "Modifying a to-do", method: "PUT", path: "/Api/R3/ToDo/{todo}", inURL: true,
		body:   "{\n\"Comment\": \"Módosított teendő szövege\",\n\"Deadline\":\"2019-08-25 13:30:00\"\n}",
		status: 200, shape: "object", want: `{"Id":{todo}}`,
		check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
			sbMatch(t, "detail", e.mustGet("/Api/R3/ToDo/"+v["{todo}"]), sbParse(t,
				`{"ProjectId":2001,"Comment":"Módosított teendő szövege","Deadline":"2019-08-25 13:30:00"}`))
		}}
)

func sbSeedHU() []sbSeedExample {
	ex := sbSeedHead("2018-02-14+10:00:00")
	return append(ex,
		// The HU edition prints another system's card (Id 604) under this
		// request: only the shape and the fields it lists are checked.
		sbSeedExample{doc: "Card detail", path: "/Api/R3/Project/2056", status: 200, shape: "object",
			want: `{"Id":2056,"CategoryId":10,"ContactId":7506,"Deleted":0}`,
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				for _, k := range []string{"UserId", "Name", "StatusUpdatedAt", "CreatedBy", "CreatedAt", "UpdatedBy", "UpdatedAt", "ProjectHash", "ProjectEmail"} {
					if s, ok := r.Obj(t)[k].(string); !ok || s == "" {
						t.Errorf("%s: %v, want a non-empty string", k, r.Obj(t)[k])
					}
				}
			}},
		sbExQualification,
		sbExFileUpload,
		sbSeedExample{doc: "New card", method: "PUT", path: "/Api/R3/Project/",
			body:   `{"Name":"Új adatlap","UserId":53602,"CategoryId":30,"ContactId":351,"StatusId":2867}`,
			status: 200, shape: "object", save: "card",
			check: func(t *testing.T, e *sbEnv, r sbResp, v map[string]string) {
				sbMatch(t, "detail", e.mustGet("/Api/R3/Project/"+v["{card}"]), sbParse(t,
					`{"Name":"Új adatlap","UserId":"Kovács Anna","CategoryId":30,"ContactId":351,"StatusId":"Jelentkezett","BusinessId":225}`))
			}},
		sbExAddCompany,
		sbExAddPerson,
		sbExPurge,
		sbSeedExample{doc: "Error handling", method: "PUT", path: "/Api/R3/Project/2056",
			body: `{"AutoSalesV3_Qualification": "Ilyen érték nincs is CRM-ben"}`, status: 400, shape: "text",
			text: "Project (PUT): Érvénytelen választható érték 'Ilyen érték nincs is CRM-ben' a Ügyfélminősítés mezőhöz."},
		sbExHistory,
		sbExToDoList,
		sbExToDoDetail,
		// The HU edition modifies to-do 255 without creating it first:
		// create one the way the EN edition does, then replay.
		func() sbSeedExample { s := sbExCreateToDo; s.doc = "setup: a to-do to modify"; return s }(),
		sbExModifyToDo,
	)
}

func sbSeedEN() []sbSeedExample {
	// The EN edition prints the date as "2018-0214+10:00:00", a typo for the
	// HU edition's "2018-02-14+10:00:00"; the sandbox refuses the former
	// (400), so the corrected date is replayed.
	ex := sbSeedHead("2018-02-14+10:00:00")
	return append(ex,
		sbSeedExample{doc: "Contact by UpdatedSince, as printed", path: "/Api/R3/Contact?UpdatedSince=2018-0214+10:00:00",
			status: 400, shape: "text", text: `Contact (GET): Nem megfelelő paraméter érték: UpdatedSince="2018-0214 10:00:00"`},
		sbSeedExample{doc: "Card detail", path: "/Api/R3/Project/2056", status: 200, shape: "object",
			// StatusUpdatedAt is 14:12:41 in the document: a status change
			// the data set does not replay, so it is only checked for form.
			want: `{"Id":2056,"CategoryId":10,"ContactId":7506,"UserId":"Leskó Norbert","Name":"MiniCRM Zrt. (Leskó Norbert)",` +
				`"Deleted":0,"CreatedAt":"2018-02-14 14:12:31","AutoSalesV3_Qualification":"VIP","AutoSalesV3_IsHot":"Igen",` +
				`"AutoSalesV3_SalesStatus":"Értékesítés folyamatban","AutoSalesV3_LeadStep":"Ajánlat elfogadás","AutoSalesV3_CustomerStep":"",` +
				`"DontesiSzempont":"Termék minőség","HolTalaltRank":"Weboldal","VarhatoArbevetel":1000000,` +
				`"KovetkezoHivasIdpontja":"2018-02-16 13:00:59","VarhatoLezarasDatuma":"2018-02-23 23:59:59","BusinessId":7505}`,
			check: func(t *testing.T, e *sbEnv, r sbResp, _ map[string]string) {
				if s, _ := r.Obj(t)["StatusUpdatedAt"].(string); len(s) != len("2018-02-14 14:12:41") || s < "2018-02-14 14:12:31" {
					t.Errorf("StatusUpdatedAt %q", s)
				}
			}},
		sbExQualification,
		sbExFileUpload,
		sbExAddCompany,
		sbExAddPerson,
		sbExPurge,
		// The EN edition quotes an English system's message; the built-in
		// system is Hungarian (the same edition shows "Személy" and
		// "Teendő"), so the form is checked here and the English text in
		// TestSeedErrorMessageEnglishSystem.
		sbSeedExample{doc: "Error handling", method: "PUT", path: "/Api/R3/Project/2056",
			body: `{"AutoSalesV3_Qualification": "Such value cannot be found in the CRM"}`, status: 400, shape: "text",
			text: "Project (PUT): Érvénytelen választható érték 'Such value cannot be found in the CRM' a Ügyfélminősítés mezőhöz."},
		sbExHistory,
		sbExToDoList,
		sbExToDoDetail,
		sbExCreateToDo,
		sbExModifyToDo,
	)
}

// TestSeedErrorMessageEnglishSystem replays the EN edition's error example
// on an English system whose field is labelled as in that edition.
func TestSeedErrorMessageEnglishSystem(t *testing.T) {
	ds, err := sandbox.LoadDataset("../testdata/sandbox/en-system.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := newSBEnv(t, sandbox.Config{Dataset: ds})
	r := e.do("PUT", "/Api/R3/Project/2056", `{"AutoSalesV3_Qualification": "Such value cannot be found in the CRM"}`)
	sbText(t, r, 400, "Project (PUT): Invalid value 'Such value cannot be found in the CRM' for the Lead qualification field.")
	// An English system says Person/Business in details too.
	sbMatch(t, "detail", e.mustGet("/Api/R3/Contact/7506"), sbParse(t, `{"Type":"Person","FirstName":"Norbert"}`))
	e.update("/Api/R3/Project/2056", map[string]any{"AutoSalesV3_Qualification": "Target group"})
	sbMatch(t, "card", e.mustGet("/Api/R3/Project/2056"), sbParse(t, `{"AutoSalesV3_Qualification":"Target group"}`))
}

// sbLastDigits is the last n digits of a phone number.
func sbLastDigits(v any, n int) string {
	s, _ := v.(string)
	var d []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	if len(d) > n {
		d = d[len(d)-n:]
	}
	return string(d)
}
