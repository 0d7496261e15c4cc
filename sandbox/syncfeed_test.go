package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

const feedOK = `<?xml version="1.0" encoding="UTF-8"?>
<Projects>
  <Project Id="OPP-1">
    <Name>Példa Kft. – Irodabútor</Name>
    <CategoryId>10</CategoryId>
    <StatusId>2620</StatusId>
    <UserId>53602</UserId>
    <VarhatoArbevetel>1250000</VarhatoArbevetel>
    <HolTalaltRank>Weboldal</HolTalaltRank>
    <VarhatoLezarasDatuma>2026-03-15 00:00:00</VarhatoLezarasDatuma>
    <Business>
      <Name>Példa Kft.</Name>
      <VatNumber>12345678-2-41</VatNumber>
      <Addresses><Address><CountryId>Magyarország</CountryId><City>Budapest</City></Address></Addresses>
      <Emails><Email><Value>info@pelda.hu</Value></Email></Emails>
      <Phones><Phone><Value>+36 1 555 0100</Value></Phone></Phones>
    </Business>
    <Contacts>
      <Contact Id="U-1">
        <FirstName>János</FirstName><LastName>Kiss</LastName>
        <Email>kiss.janos@pelda.hu</Email><Phone>+36 30 123 4567</Phone>
      </Contact>
    </Contacts>
  </Project>
  <Project Id="OPP-2">
    <Name>Példa Kft. – Szerver</Name>
    <CategoryId>Értékesítés</CategoryId>
    <StatusId>Tárgyalás</StatusId>
    <Business><Name>Példa  kft.</Name></Business>
    <Contacts><Contact><FirstName>Éva</FirstName><LastName>Kovács</LastName><Email>eva@pelda.hu</Email></Contact></Contacts>
  </Project>
</Projects>
`

func (e *sbEnv) upload(feed string) sbResp {
	e.t.Helper()
	r, err := e.send(sbRequest{method: http.MethodPost, path: "/Api/SyncFeed/119/Upload", body: feed, contentType: "application/xml"})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *sbEnv) waitFeeds() []sandbox.FeedOutcome {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.WaitFeeds(ctx); err != nil {
		e.t.Fatal(err)
	}
	return e.srv.Feeds()
}

func TestSyncFeedUpload(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now, Dataset: sandbox.EmptyDataset()})
	r := e.upload(feedOK)
	if r.Status != 200 {
		t.Fatalf("upload: %s", r)
	}
	sbMatch(t, "answer", r.JSON(t), sbParse(t, `{"Id":1,"Status":"Queued"}`))
	feeds := e.waitFeeds()
	o := feeds[0]
	if o.Status != "applied" || o.Cards != 2 || o.Created != 2 || o.Failed != 0 || o.BusinessesCreated != 1 || o.PersonsCreated != 2 ||
		o.Via != "upload" || o.FeedId != 119 {
		t.Fatalf("outcome %+v", o)
	}
	if len(o.Notes) != 0 {
		t.Errorf("notes %v", o.Notes)
	}
	card := e.mustGet("/Api/R3/Project?ReferenceId=OPP-1")
	sbMatch(t, "card", card, sbParse(t, `{"Name":"Példa Kft. – Irodabútor","CategoryId":10,"StatusId":"Érdeklődő","UserId":"Kovács Anna",`+
		`"VarhatoArbevetel":1250000,"HolTalaltRank":"Weboldal","VarhatoLezarasDatuma":"2026-03-15 00:00:00","ReferenceId":"OPP-1"}`))
	person := e.mustGet(fmt.Sprintf("/Api/R3/Contact/%v", card["ContactId"]))
	sbMatch(t, "person", person, sbParse(t, `{"FirstName":"János","LastName":"Kiss","Email":"kiss.janos@pelda.hu","Phone":"+36 30 123 4567","ReferenceId":"U-1"}`))
	business := e.mustGet(fmt.Sprintf("/Api/R3/Contact/%v", card["BusinessId"]))
	sbMatch(t, "business", business, sbParse(t, `{"Name":"Példa Kft.","VatNumber":"12345678-2-41","Email":"info@pelda.hu","Phone":"+36 1 555 0100"}`))
	if person["BusinessId"] != card["BusinessId"] {
		t.Errorf("the person is not in the card's company: %v vs %v", person["BusinessId"], card["BusinessId"])
	}
	// The company's address is stored, its default (the first).
	if got := e.mustGet(fmt.Sprintf("/Api/R3/AddressList/%v?Structured=1", card["BusinessId"])); got["Count"] != float64(1) ||
		!strings.Contains(fmt.Sprint(got["Results"]), "Budapest, Hungary") {
		t.Errorf("the company's addresses: %v", got)
	}
	// The second card found the same company by its name (case and
	// spacing ignored) and got a person of its own.
	card2 := e.mustGet("/Api/R3/Project?ReferenceId=OPP-2")
	if card2["BusinessId"] != card["BusinessId"] || card2["ContactId"] == card["ContactId"] || card2["StatusId"] != "Tárgyalás" {
		t.Errorf("card 2: %v", card2)
	}
	stats := e.srv.Stats()
	if stats.FeedCards != 2 {
		t.Errorf("FeedCards %d", stats.FeedCards)
	}

	// The same feed again changes nothing: UpdatedAt stays, nothing counts.
	clk.Add(time.Hour)
	e.upload(feedOK)
	o = e.waitFeeds()[1]
	if o.Status != "applied" || o.Unchanged != 2 || o.Created+o.Updated+o.PersonsCreated+o.PersonsUpdated+o.BusinessesCreated+o.BusinessesUpdated != 0 {
		t.Errorf("second push: %+v", o)
	}
	if again := e.mustGet("/Api/R3/Project?ReferenceId=OPP-1"); again["UpdatedAt"] != card["UpdatedAt"] {
		t.Errorf("UpdatedAt moved: %v → %v", card["UpdatedAt"], again["UpdatedAt"])
	}
	if got := e.srv.Stats().FeedCards; got != 2 {
		t.Errorf("FeedCards after an unchanged feed: %d", got)
	}
	if got := e.mustGet(fmt.Sprintf("/Api/R3/AddressList/%v", card["BusinessId"])); got["Count"] != float64(1) {
		t.Errorf("the same feed again added an address: %v", got)
	}

	// A partial feed: one field of one card. The card's other fields stay.
	clk.Add(time.Hour)
	e.upload(`<Projects><Project Id="OPP-1"><StatusId>2621</StatusId></Project></Projects>`)
	o = e.waitFeeds()[2]
	if o.Updated != 1 || o.Cards != 1 {
		t.Errorf("partial feed: %+v", o)
	}
	after := e.mustGet("/Api/R3/Project?ReferenceId=OPP-1")
	if after["StatusId"] != "Ajánlat kiküldve" || after["VarhatoArbevetel"] != float64(1250000) || after["UpdatedAt"] == card["UpdatedAt"] {
		t.Errorf("after the partial feed: %v", after)
	}
	hist := e.mustGet(fmt.Sprintf("/Api/R3/ProjectHistory/%v", after["Id"]))
	if hist["Count"] != "2" {
		t.Errorf("status history: %v", hist)
	}

	// The hooks show the same outcomes.
	list := e.get("/_sandbox/feeds?wait=5s").JSON(t).([]any)
	if len(list) != 3 {
		t.Fatalf("hook list: %v", list)
	}
	sbMatch(t, "hook", e.mustGet("/_sandbox/feeds/3"), sbParse(t, `{"id":3,"status":"applied","updated":1,"via":"upload"}`))
	if r := e.get("/_sandbox/feeds/4"); r.Status != 404 {
		t.Errorf("feed 4: %s", r)
	}
}

func TestSyncFeedRefusals(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	feed := `<Projects>
  <Project Id="GOOD"><Name>Jó</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId><Contacts><Contact><FirstName>A</FirstName></Contact></Contacts></Project>
  <Project Id="BADENUM"><Name>Rossz</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId><HolTalaltRank>Plakát</HolTalaltRank>
    <Contacts><Contact Id="NEVER"><FirstName>B</FirstName></Contact></Contacts></Project>
  <Project><Name>Nincs Id</Name></Project>
  <Project Id="NOCAT"><Name>Nincs modul</Name><StatusId>2620</StatusId></Project>
  <Project Id="NOSTATUS"><Name>x</Name><CategoryId>10</CategoryId><Contacts><Contact><FirstName>C</FirstName></Contact></Contacts></Project>
  <Project Id="WRONGSTATUS"><Name>x</Name><CategoryId>10</CategoryId><StatusId>2520</StatusId><Contacts><Contact><FirstName>C</FirstName></Contact></Contacts></Project>
  <Project Id="NOCONTACT"><Name>x</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId></Project>
  <Project Id="UNKNOWN"><Name>x</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId><Nincs>1</Nincs><Contacts><Contact><FirstName>C</FirstName></Contact></Contacts></Project>
</Projects>`
	e.upload(feed)
	o := e.waitFeeds()[0]
	if o.Status != "applied" || o.Cards != 8 || o.Created != 1 || o.Failed != 7 {
		t.Fatalf("outcome %+v", o)
	}
	reasons := map[string]string{}
	for _, f := range o.Failures {
		reasons[f.ProjectId] = f.Reason
	}
	for id, want := range map[string]string{
		"BADENUM":     "Érvénytelen választható érték 'Plakát' a Hol talált ránk mezőhöz.",
		"":            "the Project has no Id attribute",
		"NOCAT":       "creating one needs CategoryId",
		"NOSTATUS":    "Kötelező mező hiányzik: StatusId",
		"WRONGSTATUS": "A(z) '2520' státusz nem tartozik a(z) Értékesítés modulhoz.",
		"NOCONTACT":   "a new card needs its contact",
		"UNKNOWN":     `Ismeretlen mező: "Nincs"`,
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("%q: reason %q, want %q", id, reasons[id], want)
		}
	}
	// A failed card changed nothing: not even its contact was created.
	if n := sbCount(t, e.get("/Api/R3/Contact?Type=Person")); n != 1 {
		t.Errorf("%d persons, want 1", n)
	}
	// A file that is not well-formed is refused whole.
	e.upload(`<Projects><Project Id="X"><Name>a</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId><Contacts><Contact><FirstName>Z</FirstName></Contact></Contacts></Project><Project Id="Y"><Name>b</Project></Projects>`)
	o = e.waitFeeds()[1]
	if o.Status != "failed" || o.Cards != 0 || !strings.Contains(o.Error, "line 1") {
		t.Errorf("malformed: %+v", o)
	}
	if r := e.get("/Api/R3/Project?ReferenceId=X"); r.Status != 404 {
		t.Errorf("card X exists: %s", r)
	}
	for _, doc := range []string{`<Cards/>`, `<?xml version="1.0"?>`, "   "} {
		if r := e.upload(doc); r.Status == 200 {
			if o := e.waitFeeds(); o[len(o)-1].Status != "failed" {
				t.Errorf("%q: %+v", doc, o[len(o)-1])
			}
		}
	}
	sbText(t, e.upload(""), 400, `SyncFeed (POST): Nem megfelelő paraméter: "Data (XML)"`)
	if r := e.get("/Api/SyncFeed/119/Upload"); r.Status != 405 {
		t.Errorf("GET Upload: %s", r)
	}
}

func TestSyncFeedPull(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	var gotAuth string
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		gotAuth = user + ":" + pass
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, feedOK)
	}))
	defer host.Close()
	u, _ := url.Parse(host.URL)
	src := "http://feeduser:s3cret@" + u.Host + "/feed.xml?x=1"
	r := e.get(fmt.Sprintf("/Api/SyncFeed/%d?Source=%s", sbSystemID, url.QueryEscape(src)))
	if r.Status != 200 {
		t.Fatalf("pull: %s", r)
	}
	o := e.waitFeeds()[0]
	if o.Status != "applied" || o.Created != 2 || o.Via != "source" || strings.Contains(o.Source, "s3cret") || gotAuth != "feeduser:s3cret" {
		t.Errorf("outcome %+v (auth %q)", o, gotAuth)
	}

	missing := "http://" + u.Host + "/nope.xml"
	sbText(t, e.get(fmt.Sprintf("/Api/SyncFeed/%d?Source=%s", sbSystemID, url.QueryEscape(missing))), 400,
		"SyncFeed (GET): the feed could not be downloaded from "+missing+": the server answered 404 Not Found")
	for _, far := range []string{"http://example.com/feed.xml", "http://10.0.0.1/feed.xml", "https://[2001:db8::1]/f.xml", "file:///etc/passwd"} {
		if r := e.get(fmt.Sprintf("/Api/SyncFeed/%d?Source=%s", sbSystemID, url.QueryEscape(far))); r.Status != 400 {
			t.Errorf("Source %s: %s", far, r)
		}
	}
	if r := e.get("/Api/SyncFeed/999?Source=" + url.QueryEscape(host.URL+"/feed.xml")); r.Status != 404 {
		t.Errorf("another SystemId: %s", r)
	}
	sbText(t, e.get(fmt.Sprintf("/Api/SyncFeed/%d", sbSystemID)), 400, "SyncFeed (GET): Kötelező mező hiányzik: Source")
	// A redirect away from loopback is not followed.
	redir := httptest.NewServer(http.RedirectHandler("http://example.com/feed.xml", http.StatusFound))
	defer redir.Close()
	if r := e.get(fmt.Sprintf("/Api/SyncFeed/%d?Source=%s", sbSystemID, url.QueryEscape(redir.URL))); r.Status != 400 ||
		!strings.Contains(string(r.Body), "not a loopback address") {
		t.Errorf("redirect: %s", r)
	}
}

func TestSyncFeedRateLimit(t *testing.T) {
	clk := newSBClock()
	// The REST limit is tiny and does not count SyncFeed calls, nor they it.
	e := newSBEnv(t, sandbox.Config{Now: clk.Now, SyncFeedPerHour: 2, RPM: 1, Dataset: sandbox.EmptyDataset()})
	feed := `<Projects/>`
	for i := 0; i < 2; i++ {
		if r := e.upload(feed); r.Status != 200 {
			t.Fatalf("call %d: %s", i+1, r)
		}
	}
	sbText(t, e.upload(feed), 429, "SyncFeed (POST): Too Many Requests")
	if r := e.get("/Api/R3/Category"); r.Status != 200 {
		t.Errorf("REST after SyncFeed calls: %s", r)
	}
	clk.Add(59 * time.Minute)
	if r := e.upload(feed); r.Status != 429 {
		t.Errorf("within the hour: %s", r)
	}
	clk.Add(time.Minute)
	if r := e.upload(feed); r.Status != 200 {
		t.Errorf("after the hour: %s", r)
	}
	if n := len(e.waitFeeds()); n != 3 {
		t.Errorf("%d feeds recorded, want 3 (a refused call is not processed)", n)
	}

	def, err := sandbox.New(sandbox.Config{SystemID: 1, APIKey: sbAPIKey, SyncFeedPerHour: -1})
	if err != nil {
		t.Fatal(err)
	}
	_ = def // the default (180) is exercised through Config; -1 must be accepted
}

func TestSyncFeedOrders(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	order := func(qty string) string {
		return `<Projects><Project Id="WEB-1"><Name>Kiss János</Name><CategoryId>8</CategoryId><StatusId>Regisztrált</StatusId>
  <Contacts><Contact Id="C-1"><FirstName>János</FirstName><LastName>Kiss</LastName><Email>janos@kiss.hu</Email></Contact></Contacts>
  <Orders><Order Id="ORD-1">
    <Number>W-1</Number><CurrencyCode>HUF</CurrencyCode><Performance>2026-01-02 10:15:00</Performance><Status>Issued</Status>
    <PaymentMethod>WiredTransfer</PaymentMethod>
    <Customer><Name>Kiss János</Name><CountryId>Magyarország</CountryId><PostalCode>1111</PostalCode><City>Budapest</City><Address>Fő utca 1.</Address></Customer>
    <Products><Product Id="P-10"><Name>Szék</Name><PriceNet>10000</PriceNet><Quantity>` + qty + `</Quantity><Unit>db</Unit><VAT>27%</VAT><FolderName>Webshop</FolderName></Product></Products>
    <Project><SzallitasExtraInfo>Kapucsengő: 12</SzallitasExtraInfo></Project>
  </Order></Orders>
  <Offers><Offer Id="OFF-1"><CurrencyCode>HUF</CurrencyCode><Status>Elfogadásra vár</Status>
    <Products><Product Id="P-11"><Name>Asztal</Name><PriceNet>50000</PriceNet><Quantity>1</Quantity></Product></Products></Offer>
    <Offer Id="OFF-2"><CurrencyCode>HUF</CurrencyCode></Offer></Offers>
</Project></Projects>`
	}
	e.upload(order("4"))
	o := e.waitFeeds()[0]
	if o.Created != 1 || o.Documents != 2 || len(o.DocumentIds) != 2 || len(o.Failures) != 1 || !strings.Contains(o.Failures[0].Reason, `Offer "OFF-2"`) {
		t.Fatalf("outcome %+v", o)
	}
	doc := e.mustGet(fmt.Sprintf("/Api/Order/%d", o.DocumentIds[0].Document))
	sbMatch(t, "order", doc, sbParse(t, `{"Number":"W-1","CurrencyCode":"HUF","Performance":"2026-01-02","AmountNet":"40000",
		"Customer":{"Name":"Kiss János","PostalCode":"1111","City":"Budapest","Address":"Fő utca 1."},
		"Items":[{"SKU":"P-10","Name":"Szék","PriceNet":"10000.00","Quantity":"4.00","Unit":"db","VAT":"27%"}],
		"Project":{"SzallitasExtraInfo":"Kapucsengő: 12"}}`))
	orderCard := e.mustGet(fmt.Sprintf("/Api/R3/Project/%d", o.DocumentIds[0].ProjectId))
	if orderCard["StatusId"] != "Folyamatban" {
		t.Errorf("order status (Issued): %v", orderCard["StatusId"])
	}
	offerCard := e.mustGet(fmt.Sprintf("/Api/R3/Project/%d", o.DocumentIds[1].ProjectId))
	if offerCard["StatusId"] != "Elfogadásra vár" {
		t.Errorf("offer status: %v", offerCard["StatusId"])
	}

	// The same order with another quantity updates the same document.
	e.upload(order("5"))
	o = e.waitFeeds()[1]
	if o.Documents != 1 || o.Unchanged != 1 {
		t.Errorf("second feed %+v", o)
	}
	doc = e.mustGet(fmt.Sprintf("/Api/Order/%s", doc["Id"]))
	if doc["AmountNet"] != "50000" {
		t.Errorf("updated order: %v", doc["AmountNet"])
	}
	var raw []map[string]any
	if err := json.Unmarshal(e.get("/_sandbox/feeds").Body, &raw); err != nil || len(raw) != 2 {
		t.Errorf("feeds hook: %v %v", raw, err)
	}
}

// TestSyncFeedBusinessByVat: a <Business> whose VatNumber matches no
// company is a new company, even when a company of the same name (or the
// same name without accents) exists; only a <Business> without a VAT
// number is found by its name.
func TestSyncFeedBusinessByVat(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Now: newSBClock().Now, Dataset: sandbox.EmptyDataset()})
	card := func(id, name, vat, email string) string {
		v := ""
		if vat != "" {
			v = "<VatNumber>" + vat + "</VatNumber>"
		}
		return `<Project Id="` + id + `"><Name>` + id + `</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId>` +
			`<Business><Name>` + name + `</Name>` + v + `</Business>` +
			`<Contacts><Contact Id="` + email + `"><FirstName>X</FirstName><LastName>Y</LastName><Email>` + email + `</Email></Contact></Contacts></Project>`
	}
	feed := "<Projects>" + card("C-1", "Kovács 2000 Bt.", "11111111-1-11", "a@x.hu") +
		card("C-2", "Kovacs 2000 Bt.", "22222222-2-22", "b@x.hu") +
		card("C-3", "Kovács 2000 Bt.", "11111111111", "c@x.hu") +
		card("C-4", "KOVÁCS 2000 BT.", "", "d@x.hu") + "</Projects>"
	if r := e.upload(feed); r.Status != 200 {
		t.Fatalf("upload: %s", r)
	}
	o := e.waitFeeds()[0]
	if o.Created != 4 || o.BusinessesCreated != 2 {
		t.Fatalf("outcome %+v: want 4 cards on 2 companies", o)
	}
	biz := func(ref string) any { return e.mustGet("/Api/R3/Project?ReferenceId=" + ref)["BusinessId"] }
	if biz("C-1") == biz("C-2") {
		t.Errorf("C-2 (another VAT number) landed on C-1's company")
	}
	if biz("C-3") != biz("C-1") {
		t.Errorf("C-3 (the same VAT number written otherwise) is not on C-1's company")
	}
	if biz("C-4") != biz("C-1") {
		t.Errorf("C-4 (no VAT number, the same name) is not on the first company of that name")
	}
}

// TestSyncFeedAddresses: a feed's addresses under <Business> and <Contact>
// are the contacts' addresses, upserted by Type; a bad Type fails the card
// and changes nothing.
func TestSyncFeedAddresses(t *testing.T) {
	clk := newSBClock()
	e := newSBEnv(t, sandbox.Config{Now: clk.Now, Dataset: sandbox.EmptyDataset()})
	feed := func(postcode, typ string) string {
		return `<Projects><Project Id="A-1"><Name>Cím Kft. – 1</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId>
  <Business><Name>Cím Kft.</Name><VatNumber>11111111-2-42</VatNumber>
    <Addresses><Address><Type>` + typ + `</Type><Name>Székhely</Name><CountryId>Magyarország</CountryId><PostalCode>` + postcode +
			`</PostalCode><City>Szeged</City><Address>Fő utca 1.</Address></Address></Addresses></Business>
  <Contacts><Contact Id="P-1"><FirstName>Ede</FirstName><LastName>Kis</LastName><Email>ede@cim.hu</Email>
    <Addresses><Address><Type>Levelezési cím</Type><Name>Posta</Name><City>Pécs</City><Default>1</Default></Address></Addresses></Contact></Contacts>
</Project></Projects>`
	}
	e.upload(feed("6720", "Székhely"))
	if o := e.waitFeeds()[0]; o.Failed != 0 || o.Created != 1 {
		t.Fatalf("outcome %+v", o)
	}
	card := e.mustGet("/Api/R3/Project?ReferenceId=A-1")
	detail := func(contact any) map[string]any {
		t.Helper()
		list := e.mustGet(fmt.Sprintf("/Api/R3/AddressList/%v", contact))
		if list["Count"] != float64(1) {
			t.Fatalf("contact %v has addresses %v, want 1", contact, list)
		}
		for id := range list["Results"].(map[string]any) {
			return e.mustGet("/Api/R3/Address/" + id)
		}
		return nil
	}
	sbMatch(t, "business address", detail(card["BusinessId"]), sbParse(t, `{"Type":"Székhely","Name":"Székhely","CountryId":"Hungary",`+
		`"PostalCode":"6720","City":"Szeged","Address":"Fő utca 1.","Default":1}`))
	sbMatch(t, "person address", detail(card["ContactId"]), sbParse(t, `{"Type":"Levelezési cím","Name":"Posta","City":"Pécs","Default":1}`))

	// A new postcode updates the Székhely address; nothing is added.
	clk.Add(time.Hour)
	e.upload(feed("6721", "Székhely"))
	if o := e.waitFeeds()[1]; o.Failed != 0 {
		t.Fatalf("outcome %+v", o)
	}
	if a := detail(card["BusinessId"]); a["PostalCode"] != "6721" {
		t.Errorf("after a new postcode: %v", a)
	}
	// A Type that is not in the schema fails the card; nothing changes.
	clk.Add(time.Hour)
	e.upload(feed("9999", "Kastély"))
	if o := e.waitFeeds()[2]; o.Failed != 1 || len(o.Failures) != 1 || !strings.Contains(o.Failures[0].Reason, "Kastély") {
		t.Errorf("a bad Type: %+v", o)
	}
	if a := detail(card["BusinessId"]); a["PostalCode"] != "6721" {
		t.Errorf("a failed card changed the address: %v", a)
	}
}

// TestSyncFeedSameCardTwice: a card a feed creates is found by its
// ReferenceId later in the same feed, so the second <Project> with that Id
// updates it instead of creating another.
func TestSyncFeedSameCardTwice(t *testing.T) {
	e := newSBEnv(t, sandbox.Config{Dataset: sandbox.EmptyDataset()})
	project := func(status string) string {
		return `<Project Id="TWICE-1"><Name>Kétszer</Name><CategoryId>10</CategoryId><StatusId>` + status + `</StatusId>` +
			`<Contacts><Contact Id="U-9"><FirstName>Ede</FirstName><LastName>Két</LastName></Contact></Contacts></Project>`
	}
	e.upload(`<?xml version="1.0" encoding="UTF-8"?><Projects>` + project("2620") + project("Tárgyalás") + `</Projects>`)
	o := e.waitFeeds()[0]
	if o.Status != "applied" || o.Cards != 2 || o.Created != 1 || o.Updated != 1 || o.Failed != 0 || o.PersonsCreated != 1 {
		t.Fatalf("outcome %+v, want one card created and then updated", o)
	}
	if ids := sbIDs(t, e.get("/Api/R3/Project?CategoryId=10")); len(ids) != 1 {
		t.Fatalf("cards of module 10: %v, want one", ids)
	}
	if card := e.mustGet("/Api/R3/Project?ReferenceId=TWICE-1"); card["StatusId"] != "Tárgyalás" {
		t.Errorf("card status %v, want the second <Project>'s Tárgyalás", card["StatusId"])
	}
}
