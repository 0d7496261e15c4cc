package export

import (
	"fmt"
	"strings"
)

// Headers is how columns and sheets are named.
type Headers string

// Header modes.
const (
	// HeadersAPI names columns by their API names (VatNumber,
	// KulsoAzonosito) and tables in English: what an import reads back.
	HeadersAPI Headers = "api"
	// HeadersHU names MiniCRM's own fields and the tables in Hungarian
	// (Adószám, Cégek), for people. Custom fields keep their names: the
	// Schema endpoint gives no labels.
	HeadersHU Headers = "hu"
)

// ParseHeaders reads --headers.
func ParseHeaders(s string) (Headers, error) {
	switch h := Headers(strings.ToLower(strings.TrimSpace(s))); h {
	case "", HeadersAPI:
		return HeadersAPI, nil
	case HeadersHU:
		return HeadersHU, nil
	}
	return "", fmt.Errorf("--headers %q: want api or hu", s)
}

// huHeaders are the Hungarian names of MiniCRM's built-in fields (as its
// user interface names them), of the document columns and of the columns
// looked up for accountants.
var huHeaders = map[string]string{
	"Id": "Azonosító", "Type": "Típus", "Name": "Név", "Email": "E-mail", "Phone": "Telefon",
	"BusinessId": "Cég azonosító", "ContactId": "Kapcsolat azonosító", "ProjectId": "Adatlap azonosító",
	"CategoryId": "Modul", "StatusId": "Státusz", "UserId": "Felelős", "Status": "Státusz",
	"FirstName": "Keresztnév", "LastName": "Vezetéknév", "Description": "Leírás", "Url": "Weboldal",
	"BankAccount": "Bankszámlaszám", "Swift": "Swift", "VatNumber": "Adószám", "EUVatNumber": "Közösségi adószám",
	"RegistrationNumber": "Cégjegyzékszám", "Position": "Beosztás", "Industry": "Iparág", "Region": "Régió",
	"Employees": "Létszám", "YearlyRevenue": "Éves árbevétel", "FoundingYear": "Alapítás éve",
	"ReferenceId": "Külső azonosító (ReferenceId)", "IsPrivate": "Privát", "Deleted": "Törölve",
	"CreatedAt": "Létrehozva", "CreatedBy": "Létrehozta", "UpdatedAt": "Módosítva", "UpdatedBy": "Módosította",
	"StatusUpdatedAt": "Státusz módosítva", "ProjectHash": "Adatlap hash", "ProjectEmail": "Adatlap e-mail",
	"PostalCode": "Irányítószám", "City": "Város", "Address": "Cím", "Country": "Ország", "County": "Megye",
	"AddressId": "Cím azonosító", "Duration": "Időtartam", "Reminder": "Emlékeztető", "Mode": "Mód",
	"Deadline": "Határidő", "Comment": "Megjegyzés", "ClosedBy": "Lezárta", "ClosedAt": "Lezárva",

	colBusinessName: "Cég neve", colBusinessEmail: "Cég e-mail", colContactName: "Kapcsolat neve",
	colContactEmail: "Kapcsolat e-mail", colProjectName: "Adatlap neve", colBusinessVat: "Cég adószáma",
	colBusinessReg: "Cég cégjegyzékszáma",

	"Number": "Sorszám", "StatusGroup": "Státuszcsoport", "Issued": "Kiállítás dátuma",
	"Performance": "Teljesítés dátuma", "Prompt": "Fizetési határidő", "Paid": "Fizetés dátuma",
	"CurrencyCode": "Pénznem", "AmountNet": "Nettó", "AmountVat": "ÁFA", "Amount": "Bruttó",
	"PaymentMethod": "Fizetési mód", "VATMode": "ÁFA mód", "CustomerName": "Vevő neve",
	"CustomerVatNumber": "Vevő adószáma", "CustomerEUVatNumber": "Vevő közösségi adószáma",
	"CustomerCountry": "Vevő országa", "CustomerPostalCode": "Vevő irányítószáma", "CustomerCity": "Vevő városa",
	"CustomerAddress": "Vevő címe", "StornedId": "Stornózott bizonylat", "Subject": "Tárgy",
	"DocumentUrl": "Bizonylat letöltése",

	"DocumentId": "Bizonylat azonosító", "DocumentNumber": "Bizonylat sorszáma", "ItemId": "Tétel azonosító",
	"SKU": "Cikkszám", "Quantity": "Mennyiség", "Unit": "Mennyiségi egység", "PriceNet": "Nettó egységár",
	"VAT": "ÁFA kulcs", "PriceNetTotal": "Nettó érték", "PriceTotal": "Bruttó érték",
}

// huTables are the Hungarian table (sheet) names.
var huTables = map[string]string{
	"Contacts": "Kapcsolatok", "Businesses": "Cégek", "Persons": "Személyek", "Projects": "Adatlapok",
	"ToDos": "Teendők", "Invoices": "Számlák", "Orders": "Megrendelések", "Offers": "Ajánlatok",
	"InvoiceItems": "Számlatételek", "OrderItems": "Megrendelés-tételek", "OfferItems": "Ajánlattételek",
}

// applyHeaders names the tables and their columns for h. A module's table
// keeps the module's name; a custom field its API name.
func applyHeaders(tables []*table, h Headers) {
	if h != HeadersHU {
		return
	}
	for _, t := range tables {
		if n, ok := huTables[t.name]; ok && t.category == 0 {
			t.name = n
		}
		used := map[string]bool{}
		for i := range t.cols {
			if n, ok := huHeaders[t.cols[i].field]; ok {
				if used[n] { // two API names, one Hungarian name: keep them apart
					n += " (" + t.cols[i].field + ")"
				}
				t.cols[i].Name = n
			}
			used[t.cols[i].Name] = true
		}
	}
}

// totalLabel is the first cell of a totals row.
func totalLabel(h Headers) string {
	if h == HeadersHU {
		return "Összesen"
	}
	return "Total"
}
