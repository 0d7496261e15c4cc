package sandbox

// The documentation's examples of the order, invoice and offer endpoints,
// sent as written and their answers compared with the documented ones.

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The documentation's examples, as printed. The HU edit-item example ends
// with a stray "}" after the object; the EN one lacks the closing "}".
const (
	exOrder44 = `{"Id":"44","ProjectId":"206","CustomerId":"225","Number":"","Customer":{"Name":"Gigabit Távközlési Kft.",
		"CountryId":"36","PostalCode":"9245","City":"Mosonszolnok","Address":"Alkotás u. 49.",
		"AccountNumber":"92826253-45043722-59650728","VatNumber":"17823443-1-26","EUVatNumber":"",
		"RegistrationNumber":"32-88-574193","GroupIdentificationNumber":""},"Subject":"","Performance":"2018-11-20",
		"CurrencyCode":"HUF","AmountNet":"7500","AmountVat":"2025","Amount":"9525","Items":[{"Id":"54","SKU":"","EAN":"",
		"Name":"Optikai kábel","Description":"","PriceNet":"500.00","Quantity":"15.00","Unit":"m",
		"PriceNetTotal":"7500.00","VAT":"27%","PriceTotal":"9525.00"}],"Project":{"SzallitasExtraInfo":""}}`
	exOrderCreate = `
    { 
    "CustomerId": "225", 
    "CurrencyCode": "HUF", 
    "Customer": { 
    "Name": "Gigabit Távközlési Kft.", 
    "Country": "36", 
    "PostalCode": "9245", 
    "City": "Mosonszolnok", 
    "Address": "Alkotás u. 49.", 
    "AccountNumber": "92826253-45043722-59650728", 
    "VatNumber": "17823443-1-26", 
    "EUVatNumber": "" 
    }, 
    "Subject": "", 
    "Items": [ 
    { 
    "SKU": "", 
     "Name": "Optikai kábel", 
    "Description": "", 
    "PriceNet": "500.00", 
    "Quantity": "15.00", 
    "Unit": "m", 
    "VAT": "27" 
    } 
    ] 
    }`
	exOrderAddItem = `{ 
    "CustomerId": 225, 
    "Items": [ 
    { 
    "SKU": "", 
    "Name": "Linksys IP telefon", 
    "Description": "", 
    "PriceNet": "12000.00", 
    "Quantity": "3.00", 
    "Unit": "darab", 
    "VAT": "27" 
    } 
    ] 
    }`
	exOrderEditItemHU = `{ 
 "CustomerId": 225, 
 "Items": [ 
 { 
 "Id": 55, 
 "SKU": "", 
 "Name": "Cisco IP telefon", 
 "Description": "", 
 "PriceNet": "15000.00", 
 "Quantity": "2.00", 
 "Unit": "darab", 
 "VAT": "27" 
  } 
 ] 
 } 
 }  `
	exOrderEditItemEN = `{
"CustomerId": 225,
"Items": [
{
"Id": 55,
"SKU": "",
"Name": "Cisco IP telefon",
"Description": "",
"PriceNet": "15000.00",
"Quantity": "2.00",
"Unit": "darab",
"VAT": "27"
}
]
`
	exInvoice12 = `{"Id":"12","Number":"2013-E/00014","Type":"Invoice","Media":"PKI","Customer":{"Name":"Teszt User",
		"CountryId":"36","PostalCode":"1234","City":"Budapest","Address":"Teszt utca 1.",
		"AccountNumber":"12345678-12345678-12345678","VatNumber":"12345678-12-1"},"Vendor":{"Name":"Invoice Zrt.",
		"CountryId":"36","PostalCode":"1234","City":"Budapest","Address":"Petőfi u. 8.",
		"AccountNumber":"87654321-87654321-87654321","VatNumber":"87654321-02-3","RegistrationNumber":"","Miscellaneous":""},
		"Subject":"","PaymentMethod":"Cash","Issued":"2013-11-27","Performance":"2013-11-27","Prompt":"2013-11-27",
		"Paid":"0000-00-00","CurrencyCode":"HUF","AmountNet":"2000.00","AmountVat":"540.00","Amount":"2540.00",
		"IsReverseCharge":"0",
		"DocumentUrl":"https://d1hj6taljsfeus.cloudfront.net/doc/2013/11-27/_/q/_qm-PaZTjYqdbkGEr_hbSg-50",
		"DocumentFileName":"szamla-50-2013-e-00014-1.pdf","Items":[{"Name":"Példa tétel","Description":"",
		"PriceNet":"1 000,00","VAT":"27%","Quantity":"2","Unit":"darab","PriceNetTotal":"2 000,00",
		"PriceTotal":"2 540,00"}]}`
	exInvoiceCreate = `{ 
    "Type": "Invoice", 
    "CustomerId": 98, 
    "Customer": { 
    "Name": "Teszt User", 
    "Country": "Magyarország", 
    "PostalCode": "1234", 
    "City": "Budapest", 
    "Address": "Teszt utca 1.", 
    "AccountNumber": "12345678-12345678-12345678", 
    "VatNumber": "12345678-12-1" 
    }, 
    "PaymentMethod": "Cash", 
    "Issued": "2013-11-27", 
    "Performance": "2013-11-27", 
    "Prompt": "2013-11-30", 
    "CurrencyCode": "HUF", 
     "VATMode": "NormalVAT", 
    "Items": [ 
    { 
    "Name": "Példa tétel", 
    "PriceNet": "1 000,00", 
    "VAT": "27%", 
    "Quantity": "2", 
    "Unit": "darab" 
    } 
    ] 
    }`
	// The Paid example has a comma before its closing brace: not JSON.
	exInvoicePaid = `{ 
    "Customer": { 
    "Name": "Teszt User", 
    "CountryId": "36", 
    "PostalCode": "1234", 
    "City": "Budapest", 
    "Address": "Teszt utca 1.", 
    "AccountNumber": "12345678-12345678-12345678", 
    "VatNumber": "12345678-12-1" 
    }, 
    }`
	exOffer932 = `{"Id":"932","InvoicePadCounter":"00008","Number":"AJ2021-E/00008","Type":"Offer","InvoiceMode":"Normal",
		"Media":"PKI","Language":"_HU","Customer":{"Name":"teszt","CountryId":"36","County":"","PostalCode":"1076",
		"City":"Budapest","Address":"rwe","AccountNumber":"","VatNumber":"","EUVatNumber":"","RegistrationNumber":"",
		"GroupIdentificationNumber":""},"Vendor":{"Name":"Mycompany INC","CountryId":"36","PostalCode":"1111",
		"City":"asd","Address":"asd","AccountNumber":"109180010000008402870007","IBAN":"HU87109180010000008402870007",
		"SWIFT":"BACXHUHB","VatNumber":"12345678-1-23","EUVatNumber":"HU11080099","GroupIdentificationNumber":"",
		"RegistrationNumber":""},"ExtraData":"{\"VendorMiscellaneous\":\"kisv\\u00e1llalkoz\\u00f3\"}","Subject":"",
		"PaymentMethod":"WiredTransfer","Issued":"2021-10-15","Performance":"2021-10-15","Prompt":"2021-10-15",
		"Paid":"","CurrencyCode":"HUF","ConversionRate":"","AmountNet":"23","AmountVat":"0","Amount":"23",
		"VATMode":"VATExempt","Accounting":"Normal","DocumentId":"819",
		"DocumentUrl":"https://r3.minicrm.hu/41274/Download/S3/?t=doc&inline=0&e=28gphemwcg1n2596mpvb",
		"Items":[{"Id":"1306","SKU":"","EAN":"","Name":"testr","Description":"","PriceNet":"23.0000","Quantity":"1.00",
		"Unit":"darab","PriceNetTotal":"23","PriceTotal":"23"}],"Project":{"Enum1907":"","Float1910":"","Int1909":"",
		"Int1912":"","String1911":"TESZT","String1913":"","String1914":"","String1915":"","StatusId":"3426"}}`
	exOfferCreate = `
    { 
    "CustomerId": "20404", 
    "InvoicePadCounter": "00005", 
    "Number": "1awp_AJ2021-E/00005", 
    "Type": "Offer", 
    "Media": "PKI", 
    "Language": "HU", 
    "Customer": { 
    "Name": "teszt", 
    "CountryId": "36", 
    "Country": "Magyarország", 
    "PostalCode": "1076", 
    "City": "Budapest", 
    "Address": "rwe", 
    "AccountNumber": "", 
    "VatNumber": "", 
    "EUVatNumber": "", 
     "RegistrationNumber": "", 
    "GroupIdentificationNumber": "" 
    }, 
    "Vendor": { 
    "Name": "Teszt", 
    "CountryId": "36", 
    "PostalCode": "1075", 
    "City": "Smaragdvaros", 
    "Address": "Sargakoves ut 1", 
    "AccountNumber": "", 
    "IBAN": "", 
    "SWIFT": "", 
    "VatNumber": "23982273-2-42", 
    "EUVatNumber": "HU23982273", 
    "GroupIdentificationNumber": "", 
    "RegistrationNumber": "" 
    }, 
    "ExtraData": "", 
    "Subject": "", 
    "PaymentMethod": "WiredTransfer", 
    "Issued": "2021-07-27", 
    "Performance": "2021-07-27", 
    "Prompt": "2021-07-27", 
    "Paid": "", 
    "CurrencyCode": "HUF", 
    "ConversionRate": "", 
    "AmountNet": "23.00", 
    "AmountVat": "0.00", 
    "Amount": "23.00", 
    "VATMode": "NormalVAT", 
    "Accounting": "Normal", 
    "DocumentId": "6", 
    "DocumentUrl": 
 "https://r3-test.minicrm.eu/60793/Download/S3/?t=doc&inline=0&e=255hn6jnvg04i9p1u4l6", 
    "Items": [ 
    { 
    "SKU": "", 
    "EAN": "", 
    "Name": "testr", 
    "Description": "", 
    "PriceNet": "23.0000", 
    "Quantity": "1.00", 
    "Unit": "darab", 
    "PriceNetTotal": "23", 
    "VAT": "KBAUK", 
     "VATSubtype": "", 
    "PriceTotal": "23.00" 
    } 
    ], 
    "Project": { 
    "String1911": "TESZT" 
    } 
    }`
)

// docExampleDataset is the default system plus what the invoice and offer
// examples refer to and the default data set lacks: contacts 98 ("Teszt
// User") and 20404 ("teszt"), the invoice card field Tesztszoveg, the offer
// card fields of the examples (Enum1907 … String1915, String1616) and an
// offer status named "Fizetve" (id 3426, as in the offer example), and a
// webshop card with the external id WEB-1001 for ReferenceId.
func docExampleDataset() *Dataset {
	ds := DefaultDataset()
	ds.Contacts = append(ds.Contacts,
		SeedContact{Id: 98, Type: "Person", Fields: map[string]any{"FirstName": "User", "LastName": "Teszt"}},
		SeedContact{Id: 20404, Type: "Business", Fields: map[string]any{"Name": "teszt"}})
	ds.Projects = append(ds.Projects, SeedProject{Id: 90001, CategoryId: 8, ContactId: 7507, StatusId: 3020,
		UserId: 22404, Name: "Webshop vásárló", ReferenceId: "WEB-1001"})
	for i := range ds.Categories {
		c := &ds.Categories[i]
		switch c.Type {
		case "Invoice":
			c.Fields = append(c.Fields, Field{Name: "Tesztszoveg", Label: "Teszt szöveg", Type: "Text(255)"})
		case "Offer":
			c.Statuses = append(c.Statuses, Status{Id: 3426, Name: "Fizetve", Group: "Success"})
			c.Fields = append(c.Fields,
				Field{Name: "Enum1907", Label: "Szállítási mód", Type: "Enum", Options: []Option{{Id: 1, Label: "Futár"}, {Id: 2, Label: "Személyes"}}},
				Field{Name: "Float1910", Label: "Kedvezmény", Type: "Float"},
				Field{Name: "Int1909", Label: "Darabszám", Type: "Int"},
				Field{Name: "Int1912", Label: "Érvényesség (nap)", Type: "Int"},
				Field{Name: "String1911", Label: "Megjegyzés", Type: "Text(255)"},
				Field{Name: "String1913", Label: "Szöveg 1913", Type: "Text(255)"},
				Field{Name: "String1914", Label: "Szöveg 1914", Type: "Text(255)"},
				Field{Name: "String1915", Label: "Szöveg 1915", Type: "Text(255)"},
				Field{Name: "String1616", Label: "Szöveg 1616", Type: "Text(255)"})
		}
	}
	return ds
}

// TestOrderDocExamples replays the order examples of both editions, in the
// documentation's order, on order 44 of the default data set.
func TestOrderDocExamples(t *testing.T) {
	e := newDocEnv(t, Config{})
	orderExampleGetAndCreate(t, e)
	orderExampleEdits(t, e)
	orderExampleFieldsAndActions(t, e)
}

// orderExampleGetAndCreate: the examples of reading order 44 and creating
// an order.
func orderExampleGetAndCreate(t *testing.T, e *docEnv) {
	// Megrendelés lekérdezése / Requesting an order: GET /Api/Order/44 is
	// the example's answer. The order module here has a second custom
	// field (DeliveryExtraInfo, from the EN example), so Project is checked
	// apart.
	code, raw := e.do("GET", "/Api/Order/44", "")
	if code != 200 {
		t.Fatalf("GET /Api/Order/44: %d %s", code, raw)
	}
	got := matchExample(t, raw, exOrder44, "Project")
	if p := got["Project"].(map[string]any); p["SzallitasExtraInfo"] != "" || len(p) != 2 {
		t.Errorf("Project = %v, want SzallitasExtraInfo and DeliveryExtraInfo, empty", p)
	}

	// Új megrendelés létrehozása: the answer is the whole new order with
	// its computed fields, and its own card in the Megrendelés module.
	created := e.json("POST", "/Api/Order/", exOrderCreate)
	wantAmounts(t, created, "7500", "2025", "9525")
	if id := jstr(t, created, "Id"); id == "44" || id == "" || jstr(t, created, "ProjectId") == "206" {
		t.Fatalf("create answered order %s on card %s: want a new order and a new card", id, jstr(t, created, "ProjectId"))
	}
	for k, want := range map[string]string{"CustomerId": "225", "Number": "", "CurrencyCode": "HUF", "Performance": docToday} {
		if jstr(t, created, k) != want {
			t.Errorf("%s = %q, want %q", k, jstr(t, created, k), want)
		}
	}
	it := jitems(t, created)[0]
	for k, want := range map[string]string{"PriceNet": "500.00", "Quantity": "15.00", "PriceNetTotal": "7500.00",
		"VAT": "27%", "PriceTotal": "9525.00", "Unit": "m", "Name": "Optikai kábel", "EAN": ""} {
		if jstr(t, it, k) != want {
			t.Errorf("item %s = %q, want %q", k, jstr(t, it, k), want)
		}
	}
	if jstr(t, created, "Customer", "CountryId") != "36" || jstr(t, created, "Customer", "RegistrationNumber") != "32-88-574193" {
		t.Errorf("Customer = %v: want CountryId 36 from Country and the contact's RegistrationNumber", created["Customer"])
	}
	_, again := e.do("GET", "/Api/Order/"+jstr(t, created, "Id"), "")
	if b, _ := json.Marshal(created); !jsonEqual(t, again, string(b)) {
		t.Errorf("GET after create differs from the create answer:\n%s\n%s", again, b)
	}
	card := e.json("GET", "/Api/R3/Project/"+jstr(t, created, "ProjectId"), "")
	if card["CategoryId"] != 7.0 || card["ContactId"] != 225.0 || card["StatusId"] != "Piszkozat" {
		t.Errorf("the new order's card: CategoryId %v ContactId %v StatusId %v, want 7, 225, Piszkozat",
			card["CategoryId"], card["ContactId"], card["StatusId"])
	}
}

// orderExampleEdits: the examples of editing order 44 and adding, editing
// and deleting its items.
func orderExampleEdits(t *testing.T, e *docEnv) {
	// Megrendelés adatainak módosítása (HU) and Modifying Order's data (EN).
	m := e.json("POST", "/Api/Order/44", `{"CustomerId": 225, "Subject": "Közvetlen szállítást kér"}`)
	if jstr(t, m, "Subject") != "Közvetlen szállítást kér" {
		t.Errorf("Subject = %q after the HU edit", jstr(t, m, "Subject"))
	}
	m = e.json("POST", "/Api/Order/44", `{"CustomerId": 225, "Subject": "Call him, when the Courier is about to deliver his package"}`)
	if jstr(t, m, "Subject") != "Call him, when the Courier is about to deliver his package" {
		t.Errorf("Subject = %q after the EN edit", jstr(t, m, "Subject"))
	}

	// Megrendelés tétel hozzáadása: the example answer's 43500/11745/55245.
	m = e.json("POST", "/Api/Order/44", exOrderAddItem)
	wantAmounts(t, m, "43500", "11745", "55245")
	l := jitems(t, m)
	if len(l) != 2 || jstr(t, l[0], "Id") != "54" || jstr(t, l[1], "PriceNetTotal") != "36000.00" ||
		jstr(t, l[1], "PriceTotal") != "45720.00" || jstr(t, l[1], "Unit") != "darab" || jstr(t, l[1], "VAT") != "27%" {
		t.Fatalf("items after the add: %v", l)
	}
	added := jstr(t, l[1], "Id")

	// Megrendelés tétel szerkesztése: the example overwrites item 55, the
	// one the add created on the documentation's system; here the add
	// created another id (ids are unique per system), so it is used.
	// The HU body, stray "}" and all, is accepted: it is one JSON object
	// followed by a closing brace. The EN body lacks its closing brace and
	// is refused as malformed.
	e.fails("POST", "/Api/Order/44", strings.Replace(exOrderEditItemEN, "55", added, 1), 400, `Order (POST): Nem megfelelő paraméter: "Data (JSON)"`)
	m = e.json("POST", "/Api/Order/44", strings.Replace(exOrderEditItemHU, "55", added, 1))
	wantAmounts(t, m, "37500", "10125", "47625")
	l = jitems(t, m)
	if len(l) != 2 || jstr(t, l[1], "Id") != added || jstr(t, l[1], "Name") != "Cisco IP telefon" ||
		jstr(t, l[1], "PriceNet") != "15000.00" || jstr(t, l[1], "Quantity") != "2.00" ||
		jstr(t, l[1], "PriceNetTotal") != "30000.00" || jstr(t, l[1], "PriceTotal") != "38100.00" ||
		jstr(t, l[0], "PriceTotal") != "9525.00" {
		t.Fatalf("items after the edit: %v", l)
	}

	// Megrendelés tétel törlése (GET, as the example): back to item 54.
	m = e.json("GET", "/Api/Order/44/DeleteItem/"+added, "")
	wantAmounts(t, m, "7500", "2025", "9525")
	if l = jitems(t, m); len(l) != 1 || jstr(t, l[0], "Id") != "54" {
		t.Fatalf("items after DeleteItem: %v", l)
	}
	e.fails("GET", "/Api/Order/44/DeleteItem/"+added, "", 404, "Order (GET): ")
}

// orderExampleFieldsAndActions: the examples of writing order 44's custom
// fields and moving it through its states.
func orderExampleFieldsAndActions(t *testing.T, e *docEnv) {
	// Megrendelés egyedi mezők szerkesztése (HU; the printed value wraps a
	// line) and Editing custom order fields (EN).
	m := e.json("POST", "/Api/Order/44/Project", `{"SzallitasExtraInfo": "A csomagot 9 és dél között tudja átvenni"}`)
	if jstr(t, m, "Project", "SzallitasExtraInfo") != "A csomagot 9 és dél között tudja átvenni" {
		t.Errorf("Project after the HU /Project: %v", m["Project"])
	}
	m = e.json("POST", "/Api/Order/44/Project", `{"DeliveryExtraInfo": "Please deliver the order between 9am and 5pm"}`)
	if jstr(t, m, "Project", "DeliveryExtraInfo") != "Please deliver the order between 9am and 5pm" ||
		jstr(t, m, "Project", "SzallitasExtraInfo") != "A csomagot 9 és dél között tudja átvenni" {
		t.Errorf("Project after the EN /Project: %v", m["Project"])
	}
	if v := e.json("GET", "/Api/R3/Project/206", "")["SzallitasExtraInfo"]; v != "A csomagot 9 és dél között tudja átvenni" {
		t.Errorf("card 206 SzallitasExtraInfo = %v: /Project must write the order's card", v)
	}

	// The status actions, all with GET as printed. The EN "Finalizing an
	// order" example calls /Edit, which a draft order refuses: 405.
	e.fails("GET", "/Api/Order/44/Edit", "", 405, "Order (GET): ")
	e.json("GET", "/Api/Order/44/Finalize", "")
	if s := e.cardStatus("206"); s != "Folyamatban" {
		t.Fatalf("after Finalize the card is %q, want Folyamatban", s)
	}
	// Only a draft is editable; custom fields are, in any status.
	e.fails("POST", "/Api/Order/44", `{"CustomerId": 225, "Subject": "Késő"}`, 405, "Order (POST): Megrendelést csak „Piszkozat” státuszban")
	e.fails("GET", "/Api/Order/44/DeleteItem/54", "", 405, "Order (GET): ")
	e.json("POST", "/Api/Order/44/Project", `{"SzallitasExtraInfo": "Folyamatban is írható"}`)
	for _, step := range []struct{ action, status string }{
		{"Edit", "Piszkozat"}, {"Finalize", "Folyamatban"}, {"Complete", "Teljesítve"}, {"Paid", "Fizetve"},
		{"Storno", "Sikertelen"}, {"Paid", "Fizetve"},
	} {
		m = e.json("GET", "/Api/Order/44/"+step.action, "")
		if jstr(t, m, "Id") != "44" {
			t.Fatalf("%s answered %v, want order 44", step.action, m)
		}
		if s := e.cardStatus("206"); s != step.status {
			t.Fatalf("after %s the card is %q, want %q", step.action, s, step.status)
		}
	}
	// "például “Sikeres” megrendelést már nem lehet “Folyamatban”
	// státuszúra változtatni … 405 Method Not Allowed".
	e.fails("GET", "/Api/Order/44/Finalize", "", 405, "Order (GET): A(z) Finalize művelet nem engedélyezett „Fizetve” státuszú megrendelésen.")
	e.fails("GET", "/Api/Order/44/Edit", "", 405, "Order (GET): ")
	if s := e.cardStatus("206"); s != "Fizetve" {
		t.Fatalf("a refused action changed the card to %q", s)
	}
	// Every move is in the card's history: the seed's entry plus 7 moves.
	h := e.json("GET", "/Api/R3/ProjectHistory/206?Type=StatusHistory", "")
	if h["Count"] != "8" {
		t.Errorf("card 206 history Count = %v, want 8", h["Count"])
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestInvoiceDocExamples replays the invoice examples (HU only; the EN
// edition has no invoice section) against the default system extended with
// the examples' customer 98 and card field Tesztszoveg.
func TestInvoiceDocExamples(t *testing.T) {
	e := newDocEnv(t, Config{Dataset: docExampleDataset()})

	// Számla adatainak lekérdezése: invoice 12 of the default data set is
	// the example; the PDF's address and name are the sandbox's own.
	code, raw := e.do("GET", "/Api/Invoice/12", "")
	if code != 200 {
		t.Fatal(code, raw)
	}
	got := matchExample(t, raw, exInvoice12, "DocumentUrl", "DocumentFileName")
	if got["DocumentFileName"] != "szamla-12-2013-e-00014-1.pdf" || !strings.HasPrefix(got["DocumentUrl"].(string), e.url+"/12345/Download/S3/") {
		t.Errorf("DocumentFileName %v DocumentUrl %v", got["DocumentFileName"], got["DocumentUrl"])
	}
	if got["StornedId"] != "" || jstr(t, got, "Project", "StatusId") != "3030" {
		t.Errorf("StornedId %v Project %v: want no storno and the Kiállítva status", got["StornedId"], got["Project"])
	}

	// Új számla létrehozása, as printed: the invoice continues the 2013
	// series of invoice 12 and its Customer object overwrites contact 98's
	// VAT number and bank account ("FONTOS! Az adószám és bankszámlaszám
	// mezőket ilyen esetben felülírja az API!").
	inv := e.json("POST", "/Api/Invoice/", exInvoiceCreate)
	wantAmounts(t, inv, "2000.00", "540.00", "2540.00")
	for k, want := range map[string]string{"Number": "2013-E/00015", "Type": "Invoice", "Media": "PKI", "Paid": "0000-00-00",
		"Issued": "2013-11-27", "Prompt": "2013-11-30", "PaymentMethod": "Cash", "IsReverseCharge": "0"} {
		if jstr(t, inv, k) != want {
			t.Errorf("%s = %q, want %q", k, jstr(t, inv, k), want)
		}
	}
	if got := jitems(t, inv)[0].(map[string]any); got["PriceNet"] != "1 000,00" || got["Quantity"] != "2" ||
		got["PriceNetTotal"] != "2 000,00" || got["PriceTotal"] != "2 540,00" || got["VAT"] != "27%" || got["Id"] != nil {
		t.Errorf("invoice item %v: want the example's Hungarian formats and no Id", got)
	}
	if jstr(t, inv, "Customer", "CountryId") != "36" {
		t.Errorf("Customer.CountryId = %q, want 36 (Magyarország)", jstr(t, inv, "Customer", "CountryId"))
	}
	c := e.json("GET", "/Api/R3/Contact/98", "")
	if c["VatNumber"] != "12345678-12-1" || c["BankAccount"] != "12345678-12345678-12345678" {
		t.Errorf("contact 98 VatNumber %v BankAccount %v: the Customer object must overwrite them", c["VatNumber"], c["BankAccount"])
	}
	id := jstr(t, inv, "Id")

	// Számla fizetettre állítása. The printed body has a comma before its
	// last brace and is refused as malformed JSON; without the comma it
	// pays the invoice, which is the answer (it is no pro forma).
	e.fails("POST", "/Api/Invoice/"+id+"/Paid", exInvoicePaid, 400, `Invoice (POST): Nem megfelelő paraméter: "Data (JSON)"`)
	paid := e.json("POST", "/Api/Invoice/"+id+"/Paid", strings.Replace(exInvoicePaid, "}, \n    }", "}\n    }", 1))
	if jstr(t, paid, "Id") != id || jstr(t, paid, "Paid") != docToday || jstr(t, paid, "Project", "StatusId") != "3031" {
		t.Fatalf("Paid answered %v", paid)
	}
	if s := e.cardStatus(jstr(t, paid, "ProjectId")); s != "Fizetve" {
		t.Errorf("paid invoice's card is %q", s)
	}
	e.fails("POST", "/Api/Invoice/"+id+"/Paid", "", 405, "Invoice (POST): A(z) Paid művelet nem engedélyezett „Fizetve” státuszú számlán.")
	e.fails("GET", "/Api/Invoice/"+id+"/Paid", "", 405, "Invoice (GET): A metódus nem engedélyezett!")

	// Számla sztornózás, as printed (no body): a storno invoice is
	// generated and answered; the original is cancelled.
	sto := e.json("POST", "/Api/Invoice/"+id+"/Storno", "")
	if jstr(t, sto, "Id") == id || jstr(t, sto, "StornedId") != id || jstr(t, sto, "Number") != "2025-E/00001" ||
		jstr(t, sto, "Type") != "Invoice" || jstr(t, sto, "Issued") != docToday ||
		jstr(t, sto, "Subject") != "2025-E/00001 számú számla, a(z) 2013-E/00015 számú számla sztornó számlája" {
		t.Fatalf("Storno answered %v", sto)
	}
	wantAmounts(t, sto, "-2000.00", "-540.00", "-2540.00")
	if it := jitems(t, sto)[0]; jstr(t, it, "Quantity") != "-2" || jstr(t, it, "PriceTotal") != "-2 540,00" {
		t.Errorf("storno item %v", it)
	}
	if s := e.cardStatus(jstr(t, paid, "ProjectId")); s != "Sztornózva" {
		t.Errorf("cancelled invoice's card is %q", s)
	}
	if jstr(t, sto, "DocumentFileName") != "sztorno_szamla-"+jstr(t, sto, "Id")+"-2025-e-00001-1.pdf" {
		t.Errorf("storno DocumentFileName %q", jstr(t, sto, "DocumentFileName"))
	}
	e.fails("POST", "/Api/Invoice/"+id+"/Storno", "", 405, "Invoice (POST): A(z) Storno művelet nem engedélyezett „Sztornózva” státuszú számlán.")
	e.fails("POST", "/Api/Invoice/"+jstr(t, sto, "Id")+"/Storno", "", 405, "Invoice (POST): ")
	e.fails("POST", "/Api/Invoice/"+jstr(t, sto, "Id")+"/Paid", "", 405, "Invoice (POST): ")
	e.fails("POST", "/Api/Invoice/"+id+"/Paid", "", 405, "Invoice (POST): ")

	// Számla adatlapi mezők módosítása: the example writes invoice 10,
	// which is no invoice here (10 is the Értékesítés module's id): 404.
	// On a real invoice the field is written; UserId and StatusId are not
	// editable this way, as the text says.
	body := `{ 

 "Tesztszoveg": "Teszt" 

 }`
	e.fails("POST", "/Api/Invoice/10/Project", body, 404, "Invoice (POST): Nincs ilyen azonosítójú rekord: 10")
	p := e.json("POST", "/Api/Invoice/12/Project", body)
	if jstr(t, p, "Project", "Tesztszoveg") != "Teszt" || jstr(t, p, "Id") != "12" {
		t.Errorf("/Project answered %v", p)
	}
	e.fails("POST", "/Api/Invoice/12/Project", `{"StatusId": "Fizetve"}`, 400, "Invoice (POST): A(z) StatusId mező nem módosítható.")
	e.fails("POST", "/Api/Invoice/12/Project", `{"UserId": 53986}`, 400, "Invoice (POST): A(z) UserId mező nem módosítható.")
	e.fails("POST", "/Api/Invoice/12/Project", `{"Nincs": "ilyen"}`, 400, `Invoice (POST): Ismeretlen mező: "Nincs"`)
	if s := e.cardStatus(jstr(t, p, "ProjectId")); s != "Kiállítva" {
		t.Errorf("invoice 12's card is %q after refused edits", s)
	}
}

// TestOfferDocExamples replays the offer examples (HU only).
func TestOfferDocExamples(t *testing.T) {
	e := newDocEnv(t, Config{Dataset: docExampleDataset()})

	// Ajánlat lekérdezése: offer 932 of the default data set. Its module
	// has the example's custom fields only in this test's data set, and was
	// created in the first status (3040), not 3426; DocumentId is the
	// sandbox's own.
	code, raw := e.do("GET", "/Api/Offer/932", "")
	if code != 200 {
		t.Fatal(code, raw)
	}
	got := matchExample(t, raw, exOffer932, "DocumentId", "DocumentUrl", "Project")
	want := map[string]any{"Enum1907": "", "Float1910": "", "Int1909": "", "Int1912": "", "String1911": "",
		"String1913": "", "String1914": "", "String1915": "", "String1616": "", "StatusId": "3040"}
	if !reflect.DeepEqual(got["Project"], want) {
		t.Errorf("Project = %v, want %v", got["Project"], want)
	}
	if k := topKeys(t, raw); k[len(k)-1] != "ProjectId" {
		t.Errorf("keys %v: the sandbox adds ProjectId last", k)
	}

	// Ajánlat létrehozása, as printed: created in the first status
	// ("Kiállítandó"), with the example's number and custom field; the
	// echoed amounts are recomputed (KBAUK carries no VAT).
	o := e.json("POST", "/Api/Offer/", exOfferCreate)
	for k, want := range map[string]string{"Number": "1awp_AJ2021-E/00005", "InvoicePadCounter": "00005", "Type": "Offer",
		"Language": "HU", "VATMode": "NormalVAT", "Issued": "2021-07-27", "Paid": "", "ConversionRate": ""} {
		if jstr(t, o, k) != want {
			t.Errorf("%s = %q, want %q", k, jstr(t, o, k), want)
		}
	}
	wantAmounts(t, o, "23", "0", "23")
	it := jitems(t, o)[0]
	if jstr(t, it, "VAT") != "KBAUK" || jstr(t, it, "PriceNet") != "23.0000" || jstr(t, it, "Quantity") != "1.00" ||
		jstr(t, it, "PriceNetTotal") != "23" || jstr(t, it, "PriceTotal") != "23" {
		t.Errorf("offer item %v", it)
	}
	if jstr(t, o, "Project", "String1911") != "TESZT" || jstr(t, o, "Project", "StatusId") != "3040" ||
		jstr(t, o, "Vendor", "Name") != "Teszt" || jstr(t, o, "Customer", "Name") != "teszt" {
		t.Errorf("offer: Project %v Vendor %v", o["Project"], o["Vendor"])
	}
	if s := e.cardStatus(jstr(t, o, "ProjectId")); s != "Kiállítandó" {
		t.Errorf("new offer's card is %q, want the module's first status", s)
	}
	id := jstr(t, o, "Id")

	// Ajánlat adatlapi mezők módosítása: the example writes offer 10, which
	// is no offer here: 404. On the new offer the status (by name) and the
	// field are written.
	body := `{ 

 "StatusId": "Fizetve", 

 "String1616": "Teszt" 

 }`
	e.fails("POST", "/Api/Offer/10/Project", body, 404, "Offer (POST): Nincs ilyen azonosítójú rekord: 10")
	p := e.json("POST", "/Api/Offer/"+id+"/Project", body)
	if jstr(t, p, "Project", "StatusId") != "3426" || jstr(t, p, "Project", "String1616") != "Teszt" {
		t.Fatalf("/Project answered Project %v", p["Project"])
	}
	if s := e.cardStatus(jstr(t, p, "ProjectId")); s != "Fizetve" {
		t.Errorf("offer card is %q", s)
	}
	h := e.json("GET", "/Api/R3/ProjectHistory/"+jstr(t, p, "ProjectId"), "")
	if h["Count"] != "2" {
		t.Errorf("offer card history Count %v, want 2 (created, then Fizetve)", h["Count"])
	}
	// "szabadon módosíthatók": back to the first status by id; the enum by
	// label, shown as its id.
	p = e.json("POST", "/Api/Offer/"+id+"/Project", `{"StatusId": 3040, "Enum1907": "Futár", "Int1909": "12", "Float1910": 2.5}`)
	if jstr(t, p, "Project", "StatusId") != "3040" || jstr(t, p, "Project", "Enum1907") != "1" ||
		jstr(t, p, "Project", "Int1909") != "12" || jstr(t, p, "Project", "Float1910") != "2.5" {
		t.Errorf("Project %v", p["Project"])
	}
	for _, c := range []struct{ body, want string }{
		{`{"StatusId": "Teljesítve"}`, "Offer (POST): Érvénytelen választható érték 'Teljesítve' a Státusz mezőhöz."},
		{`{"StatusId": 3013}`, "Offer (POST): A(z) '3013' státusz nem tartozik a(z) Ajánlatok modulhoz."},
		{`{"Enum1907": "Posta"}`, "Offer (POST): Érvénytelen választható érték 'Posta' a Szállítási mód mezőhöz."},
		{`{"Int1909": "sok"}`, "a Darabszám mezőhöz"},
		{`{"String9999": "x"}`, `Offer (POST): Ismeretlen mező: "String9999"`},
		{`{"UserId": 53986}`, "Offer (POST): A(z) UserId mező nem módosítható."},
		{`[]`, `Offer (POST): Nem megfelelő paraméter: "Data (JSON)"`},
	} {
		e.fails("POST", "/Api/Offer/"+id+"/Project", c.body, 400, c.want)
	}
	// Items cannot be changed on an offer (MAN25): there is no edit route.
	e.fails("POST", "/Api/Offer/"+id, `{"CustomerId": 20404}`, 405, "Offer (POST): A metódus nem engedélyezett!")
	e.fails("POST", "/Api/Offer", `{"CustomerId": 20404}`, 400, "Offer (POST): Kötelező mező hiányzik: Items")
	e.fails("POST", "/Api/Offer", `{"CustomerId": 20404, "Type": "Invoice", "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1}]}`, 400,
		"Offer (POST): Érvénytelen érték 'Invoice' a Type mezőhöz.")

	// A generated number: the offer series of the issue year.
	n := e.json("POST", "/Api/Offer", `{"CustomerId": 225, "Items": [{"Name": "A", "PriceNet": 1, "Quantity": 1}]}`)
	if jstr(t, n, "Number") != "AJ2025-E/00001" || jstr(t, n, "InvoicePadCounter") != "00001" || jstr(t, n, "Vendor", "Name") != "Invoice Zrt." {
		t.Errorf("generated offer: Number %q counter %q vendor %v", jstr(t, n, "Number"), jstr(t, n, "InvoicePadCounter"), n["Vendor"])
	}

	// In the default data set the offer module has no "Fizetve" status.
	d := newDocEnv(t, Config{})
	d.fails("POST", "/Api/Offer/932/Project", `{"StatusId": "Fizetve"}`, 400, "Offer (POST): Érvénytelen választható érték 'Fizetve' a Státusz mezőhöz.")
	if p := d.json("POST", "/Api/Offer/932/Project", `{"StatusId": "Elfogadott"}`); jstr(t, p, "Project", "StatusId") != "3042" {
		t.Errorf("Elfogadott: Project %v", p["Project"])
	}
}
