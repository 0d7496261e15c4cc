package webhook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

// docExample is the Hungarian documentation's "Példa üzenet", written as the
// JSON it stands for (the documentation prints Schema in PHP's notation).
const docExample = `{
 "Id": "10",
 "Type": "Project",
 "Data": {
  "CategoryId": "8", "ContactId": "16", "MainContactId": "15", "StatusId": "11684", "UserId": "2",
  "Name": "További kérdéseim vannak", "CreatedBy": "2", "CreatedAt": "2018-03-02 23:35:41",
  "UpdatedBy": "2", "UpdatedAt": "2018-03-02 23:55:42", "InternalUrl": "https://r3.minicrm.hu/123456/#Project-8/10"
 },
 "Changed": ["StatusId", "UserId", "Name", "UpdatedAt"],
 "Config": ["Bármi beállítható, amit a megadott végpont használhat"],
 "Schema": {
  "CategoryId": {"16": "Értékesítés", "20": "HelpDesk"},
  "ContactId": "Int", "MainContactId": "Int",
  "UserId": {"6553": "Olivér Gál", "2": "Norbert Leskó"},
  "Name": "Text(512)"
 }
}`

func TestParsePayloadDocExample(t *testing.T) {
	t.Parallel()
	p, err := webhook.ParsePayload([]byte("\ufeff" + docExample))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "10" || p.Type != "Project" || p.CategoryID() != "8" || p.UpdatedAt() != "2018-03-02 23:55:42" {
		t.Errorf("ID %q Type %q CategoryID %q UpdatedAt %q", p.ID, p.Type, p.CategoryID(), p.UpdatedAt())
	}
	if got := strings.Join(p.Changed, ","); got != "StatusId,UserId,Name,UpdatedAt" {
		t.Errorf("Changed = %s", got)
	}
	if got := strings.Join(p.Fields(), ","); !strings.HasPrefix(got, "CategoryId,ContactId,MainContactId,StatusId") {
		t.Errorf("Fields keep the order they came in: %s", got)
	}
	if p.Label("UserId") != "Norbert Leskó" || p.Value("UserId") != "2" {
		t.Errorf("UserId: value %q label %q", p.Value("UserId"), p.Label("UserId"))
	}
	if p.Label("StatusId") != "11684" {
		t.Errorf("a field Schema does not explain keeps its value: %q", p.Label("StatusId"))
	}
	if p.Label("Name") != "További kérdéseim vannak" || p.Label("Missing") != "" {
		t.Errorf("Name %q, Missing %q", p.Label("Name"), p.Label("Missing"))
	}
	if strings.Contains(string(p.Raw()), "\n") || !strings.HasPrefix(string(p.Raw()), `{"Id":"10"`) {
		t.Errorf("Raw is the compacted payload: %.60s", p.Raw())
	}
}

func TestParsePayloadRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, field string }{
		{``, ""},
		{`not json`, ""},
		{`[1,2]`, ""},
		{`null`, ""},
		{`{"Id":"1","Type":"Project","Data":{}} {"x":1}`, ""},
		{`{"Type":"Project","Data":{}}`, "Id"},
		{`{"Id":"abc","Type":"Project","Data":{}}`, "Id"},
		{`{"Id":-4,"Type":"Project","Data":{}}`, "Id"},
		{`{"Id":{"x":1},"Type":"Project","Data":{}}`, "Id"},
		{`{"Id":"1","Data":{}}`, "Type"},
		{`{"Id":"1","Type":"Pro ject","Data":{}}`, "Type"},
		{`{"Id":"1","Type":7,"Data":{}}`, "Type"},
		{`{"Id":"1","Type":"Project"}`, "Data"},
		{`{"Id":"1","Type":"Project","Data":[]}`, "Data"},
		{`{"Id":"1","Type":"Project","Data":{},"Changed":"StatusId"}`, "Changed"},
		{`{"Id":"1","Type":"Project","Data":{},"Changed":[1]}`, "Changed"},
		{`{"Id":"1","Type":"Project","Data":{},"Schema":"x"}`, "Schema"},
		{`{"Id":"1","Type":"Project","Data":{},"Head":[1]}`, "Head"},
	}
	for _, tt := range tests {
		_, err := webhook.ParsePayload([]byte(tt.body))
		var pe *webhook.PayloadError
		if !errors.As(err, &pe) || pe.Field != tt.field {
			t.Errorf("%s: error %v, want a PayloadError on %q", tt.body, err, tt.field)
		}
	}
	// What is accepted: a numeric Id, an empty Schema as PHP writes it, no
	// Changed, a Head, a Type MiniCRM may add later.
	for _, body := range []string{
		`{"Id":44,"Type":"Project","Data":{"StatusId":3121},"Schema":[],"Head":{"Id":"7"}}`,
		`{"Id":"7","Type":"Order","Data":{},"Changed":null,"Config":null}`,
	} {
		if _, err := webhook.ParsePayload([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	p, err := webhook.ParsePayload([]byte(`{"Id":"5","Type":"Project","Data":{
		"Jelenlet": 13, "Big": "34359738369", "Odd": 3, "Enum": "4031", "Empty": "", "Null": null, "Flag": true,
		"Unknown": "9999", "Nums": 12.50, "Obj": {"a": 1}},
	 "Schema":{
		"Jelenlet": {"1": "Hétfő", "2": "Kedd", "4": "Szerda", "8": "Csütörtök"},
		"Big": {"1": "Egy", "34359738368": "Nagy"},
		"Odd": {"1": "A", "3": "C", "5": "E"},
		"Enum": {"4031": "Weboldal", "4032": "Ajánlás"},
		"Empty": {"1": "X"}, "Null": {"1": "X"},
		"Unknown": {"1": "A", "2": "B"},
		"Nums": "Float"}}`))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"Jelenlet": "Hétfő, Szerda, Csütörtök", // 1+4+8: a multi-select's bitmask
		"Big":      "Egy, Nagy",                // keys past 2^32
		"Odd":      "C",                        // a plain enum whose key is the value
		"Enum":     "Weboldal",
		"Empty":    "", "Null": "", "Flag": "1",
		"Unknown": "9999", // bits 1 and 2 cannot make 9999: kept as it is
		"Nums":    "12.50",
		"Obj":     `{"a": 1}`,
	} {
		if got := p.Label(field); got != want {
			t.Errorf("Label(%s) = %q, want %q", field, got, want)
		}
	}
}

func TestKeyIdentifiesTheChange(t *testing.T) {
	t.Parallel()
	key := func(body string) string {
		t.Helper()
		p, err := webhook.ParsePayload([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return p.Key()
	}
	a := key(`{"Id":"1","Type":"Project","Data":{"A":"1","B":2,"UpdatedAt":"2026-01-02 03:04:05"},"Changed":["A","UpdatedAt"],"Config":[1]}`)
	// The same change with the keys in another order, another Config and
	// Schema, a numeric Id: a retry, the same key.
	b := key(`{"Id":1,"Type":"Project","Changed":["UpdatedAt","A"],"Data":{"B":2,"UpdatedAt":"2026-01-02 03:04:05","A":"1"},"Schema":{"A":"Int"}}`)
	if a != b {
		t.Errorf("keys differ for the same change:\n%s\n%s", a, b)
	}
	if !strings.HasPrefix(a, "Project/1/2026-01-02 03:04:05/") {
		t.Errorf("key = %s", a)
	}
	// Another change in the same second is another key.
	c := key(`{"Id":"1","Type":"Project","Data":{"A":"2","B":2,"UpdatedAt":"2026-01-02 03:04:05"},"Changed":["A","UpdatedAt"]}`)
	d := key(`{"Id":"1","Type":"Contact","Data":{"A":"1","B":2,"UpdatedAt":"2026-01-02 03:04:05"},"Changed":["A","UpdatedAt"]}`)
	e := key(`{"Id":"1","Type":"Project","Data":{"A":"1","B":"2","UpdatedAt":"2026-01-02 03:04:05"},"Changed":["A","UpdatedAt"]}`)
	for _, k := range []string{c, d, e} {
		if k == a {
			t.Errorf("a different change has the same key %s", k)
		}
	}
}
