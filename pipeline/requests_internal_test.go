package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// TestRequestsKeepTheWire: the typed requests the import sends carry the
// very bytes of the body it built as a map before (creates: the mapped
// fields with Type, BusinessId, CategoryId, ContactId; updates: the changes,
// a link change among them).
func TestRequestsKeepTheWire(t *testing.T) {
	t.Parallel()
	person := &mapping.Record{Kind: mapping.KindPerson, Fields: map[string]any{"FirstName": "Anna", "Email": "a@b.hu", "Position": nil}}
	card := &mapping.Record{Kind: mapping.KindProject, CategoryID: 10, Fields: map[string]any{"Name": "Ajánlat", "StatusId": int64(2620)}}
	biz := &mapping.Record{Kind: mapping.KindBusiness, Fields: map[string]any{"Name": "Példa Kft."}}
	for _, tc := range []struct {
		name string
		got  any
		want string
	}{
		{"person of a company", createBody(person, 7505), `{"BusinessId":7505,"Email":"a@b.hu","FirstName":"Anna","Type":"Person"}`},
		{"person of none", createBody(person, 0), `{"Email":"a@b.hu","FirstName":"Anna","Type":"Person"}`},
		{"business", createBody(biz, 0), `{"Name":"Példa Kft.","Type":"Business"}`},
		{"card", createBody(card, 7506), `{"CategoryId":10,"ContactId":7506,"Name":"Ajánlat","StatusId":2620}`},
		{"card of no contact yet", createBody(card, 0), `{"CategoryId":10,"Name":"Ajánlat","StatusId":2620}`},
		{"contact update moving it", contactUpdate(restapi.Fields{"Position": "Vezető", restapi.FieldBusinessId: 9}), `{"BusinessId":9,"Position":"Vezető"}`},
		{"contact update", contactUpdate(restapi.Fields{"Position": nil}), `{"Position":null}`},
		{"card update moving it", projectUpdate(restapi.Fields{"StatusId": int64(2623), restapi.FieldContactId: 8}), `{"ContactId":8,"StatusId":2623}`},
	} {
		b, err := json.Marshal(tc.got)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s: %s\nwant %s", tc.name, b, tc.want)
		}
	}
}
