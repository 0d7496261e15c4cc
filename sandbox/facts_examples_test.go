package sandbox_test

// The endpoints the seed documents do not show, replayed like the seed
// examples (seed_examples_test.go) from what MiniCRM's Integrations Manual
// (2025) and live answers say about them: Address and AddressList,
// TemplateList and Template, EmailList, Product, closing a to-do with POST,
// card search by Query, Invited, card connections, and a search by a
// schema's system field.

import (
	"net/http"
	"testing"
)

func TestFactsExamples(t *testing.T) { sbReplay(t, sbFactsExamples()) }

func sbFactsExamples() []sbSeedExample {
	return []sbSeedExample{
		{doc: "AddressList: display strings, Results before Count", path: "/Api/R3/AddressList/7505", status: 200, shape: "object",
			want: `{"Results":{"8002":"Központi iroda (1123 Budapest, Példa utca 1., Hungary)",` +
				`"8003":"Számlázás (1123 Budapest, Példa utca 1. 3. em., Hungary)"},"Count":2}`},
		{doc: "AddressList?Structured=1", path: "/Api/R3/AddressList/225?Structured=1", status: 200, shape: "list", ids: []int{8001},
			want: `{"Count":1,"Results":{"8001":{"Id":8001,"Address":"9245 Mosonszolnok, Alkotás u. 49., Győr-Moson-Sopron, Hungary",` +
				`"Url":"{base}/Api/R3/Address/8001"}}}`},
		{doc: "Address detail: CountryId is a country name", path: "/Api/R3/Address/8001", status: 200, shape: "object",
			want: `{"Id":8001,"ContactId":225,"Type":"Székhely","Name":"Székhely","CountryId":"Hungary","PostalCode":"9245",` +
				`"City":"Mosonszolnok","County":"Győr-Moson-Sopron","Address":"Alkotás u. 49.","Default":1,"CreatedBy":"Leskó Norbert"}`},
		{doc: "Address create (ContactId and Name required)", method: http.MethodPut, path: "/Api/R3/Address",
			body:   `{"ContactId":7507,"Name":"Iroda","Type":"HQ","CountryId":"Románia","City":"Kolozsvár"}`,
			status: 200, shape: "object", save: "address"},
		{doc: "The contact's first address is its default", path: "/Api/R3/Address/{address}", status: 200, shape: "object",
			want: `{"ContactId":7507,"Type":"Székhely","CountryId":"Romania","City":"Kolozsvár","Default":1}`},
		{doc: "Address update: ContactId cannot change", method: http.MethodPut, path: "/Api/R3/Address/{address}",
			body: `{"ContactId":7506}`, status: 400, shape: "text", text: "Address (PUT): A(z) ContactId mező nem módosítható."},
		{doc: "Address create without ContactId", method: http.MethodPut, path: "/Api/R3/Address",
			body: `{"Name":"Iroda"}`, status: 400, shape: "text", text: "Address (PUT): Kötelező mező hiányzik: ContactId"},
		{doc: "TemplateList: an array", path: "/Api/R3/TemplateList/10", status: 200, shape: "array",
			want: `{"Count":2,"Results":[{"Id":8113,"Type":"Email","Name":"Értékesítés: üdvözlő levél","Url":"{base}/Api/R3/Template/8113"},` +
				`{"Id":8114,"Type":"Todo","Name":"Értékesítés: visszahívás","Url":"{base}/Api/R3/Template/8114"}]}`},
		{doc: "TemplateList?CreatedAt", path: "/Api/R3/TemplateList/10?CreatedAt=2019-01-01", status: 200, shape: "array",
			want: `{"Count":1,"Results":[{"Id":8114}]}`},
		{doc: "Template detail", path: "/Api/R3/Template/8114", status: 200, shape: "object",
			want: `{"Id":8114,"CategoryId":10,"Type":"To do","Name":"Értékesítés: visszahívás","Subject":"Visszahívás (Értékesítés)",` +
				`"Content":"Hívja vissza az ügyfelet.","FolderId":9010,"Folders":[9010]}`},
		{doc: "Templates are read-only", method: http.MethodPut, path: "/Api/R3/Template/8114", body: `{"Name":"x"}`,
			status: 405, shape: "text", text: "Template (PUT): A metódus nem engedélyezett!"},
		{doc: "EmailList", path: "/Api/R3/EmailList/2056", status: 200, shape: "list", ids: []int{8201, 8202},
			want: `{"Count":2,"Results":{"8201":{"Id":8201,"TemplateId":0,"From":"norbert@minicrm.hu","To":"norbert@minicrm.hu",` +
				`"Subject":"Ajánlatunk","Status":"Opened","CreatedAt":"2018-02-15 09:30:00","OpenedAt":"2018-02-15 10:02:11","ClickedAt":"",` +
				`"UnsubscribedDate":""}}}`},
		{doc: "Product create", method: http.MethodPut, path: "/Api/R3/Product/", body: `{"Name":"Teszt termék","SKU":"T-1","PriceNet":100}`,
			status: 200, shape: "object", save: "product"},
		{doc: "Product create with an existing SKU updates it", method: http.MethodPut, path: "/Api/R3/Product",
			body: `{"SKU":"T-1","PriceNet":120}`, status: 200, shape: "object", want: `{"Id":{product}}`},
		{doc: "Product update", method: http.MethodPut, path: "/Api/R3/Product/{product}", body: `{"Deleted":1}`,
			status: 200, shape: "object", want: `{"Id":{product}}`},
		{doc: "ToDo closed by POST at a given time", method: http.MethodPost, path: "/Api/R3/ToDo/1111",
			body: `{"Status":"Closed","ClosedAt":"2009-01-09"}`, status: 200, shape: "object", want: `{"Id":1111}`},
		{doc: "The to-do's close time", path: "/Api/R3/ToDo/1111", status: 200, shape: "object",
			want: `{"Status":"Closed","ClosedBy":"Leskó Norbert","ClosedAt":"2009-01-09 00:00:00"}`},
		{doc: "ToDo create by POST is still 405 (live)", method: http.MethodPost, path: "/Api/R3/ToDo/", body: `{"ProjectId":2056}`,
			status: 405, shape: "text", text: "ToDo (POST): A metódus nem engedélyezett!"},
		{doc: "Project search by Query (PHP client's Project::Search)", path: "/Api/R3/Project?Query=lesko", status: 200, shape: "list",
			ids: []int{2056}},
		{doc: "Project detail has Invited", path: "/Api/R3/Project/2056", status: 200, shape: "object", want: `{"Invited":[]}`},
		{doc: "Project schema lists Invited", path: "/Api/R3/Schema/Project/10", status: 200, shape: "object",
			want: `{"Invited":"Text(65535)"}`},
		{doc: "CreateProjectConnection answers the connected card", method: http.MethodPut, path: "/Api/R3/CreateProjectConnection",
			body: `{"FromProjectId":2054,"ToProjectId":2056}`, status: 200, shape: "object",
			want: `{"ProjectId":2056,"ProjectName":"MiniCRM Zrt. (Leskó Norbert)","Description":"","CategoryId":10,"StatusId":2622,"MainContactId":7506}`},
		{doc: "ListProjectConnection: a paging envelope of its own", path: "/Api/R3/ListProjectConnection?FromProjectId=2054", status: 200,
			shape: "object", want: `{"TotalCount":1,"Page":0,"ItemPerPage":100,"Connections":{"0":{"ProjectId":2056}}}`},
		{doc: "UpdateProjectConnection", method: http.MethodPut, path: "/Api/R3/UpdateProjectConnection",
			body: `{"FromProjectId":2054,"ToProjectId":2056,"Description":"Ugyanaz az ügyfél"}`, status: 200, shape: "object",
			want: `{"ProjectId":2056,"Description":"Ugyanaz az ügyfél"}`},
		{doc: "DeleteProjectConnection", method: http.MethodPut, path: "/Api/R3/DeleteProjectConnection",
			body: `{"FromProjectId":2054,"ToProjectId":2056}`, status: 200, shape: "object", want: `{"ProjectId":2056}`},
		{doc: "Person schema's CreatedBy is searchable", path: "/Api/R3/Contact?CreatedBy=22404&Type=Person", status: 200,
			shape: "list", ids: []int{351, 7461, 7506, 7507}},
	}
}
