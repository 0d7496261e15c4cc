package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzCatalogWrites sends arbitrary bodies to the address and product
// writes: each answer is 200 JSON or a plain-text error, never a panic or a
// 500, and afterwards every contact with addresses has exactly one default
// and every record renders.
func FuzzCatalogWrites(f *testing.F) {
	for _, s := range []string{
		`{"ContactId":7507,"Name":"A"}`, `{"ContactId":"7507","Name":"B","Default":1,"Type":"HQ","CountryId":"36"}`,
		`{"Id":0,"ContactId":7505,"Name":"C","Default":"0"}`, `{"Default":0}`, `{"ContactId":7506}`, `{"Name":""}`,
		`{"Name":"Kábel","SKU":"K","PriceNet":"1e308","VAT":"27"}`, `{"SKU":"K","Quantity":-1,"Deleted":1}`,
		`{"SKU":"OPT-100","FolderName":null}`, `[]`, `{"Name":{"x":1}}`, `{"CountryId":["HU"]}`, "\xef\xbb\xbf{}",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(3))
	}
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string, target uint8) {
		srv, err := New(Config{SystemID: 1, APIKey: "k", Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{"/Api/R3/Address", "/Api/R3/Address/8002", "/Api/R3/Address/8003", "/Api/R3/Product",
			"/Api/R3/Product/8301", "/Api/R3/CreateProjectConnection"}
		path := paths[int(target)%len(paths)]
		req := httptest.NewRequest(http.MethodPut, path, strings.NewReader(body))
		req.SetBasicAuth("1", "k")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		ct := rec.Header().Get("Content-Type")
		switch {
		case rec.Code == http.StatusOK && strings.HasPrefix(ct, "application/json"):
		case rec.Code == http.StatusBadRequest || rec.Code == http.StatusNotFound || rec.Code == http.StatusRequestEntityTooLarge:
			if !strings.HasPrefix(ct, "text/plain") {
				t.Fatalf("%s %q: %d with %s", path, body, rec.Code, ct)
			}
		default:
			t.Fatalf("%s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		st := srv.st
		defaults := map[int]int{}
		for _, a := range st.cat.addresses {
			if _, err := json.Marshal(addressDetail(st, a)); err != nil {
				t.Fatalf("address %d does not render: %v", a.Id, err)
			}
			defaults[a.ContactId] += a.Default
		}
		for cid, n := range defaults {
			if n != 1 {
				t.Fatalf("after %s %q: contact %d has %d default addresses", path, body, cid, n)
			}
		}
		if _, err := json.Marshal(st.catalogSnapshot()); err != nil {
			t.Fatalf("after %s %q: the catalog does not save: %v", path, body, err)
		}
	})
}
