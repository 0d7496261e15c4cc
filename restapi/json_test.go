package restapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFlexInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    FlexInt
		wantErr bool
	}{
		{`6`, 6, false},
		{`"6"`, 6, false},
		{`" 2519 "`, 2519, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`-3`, -3, false},
		{`15.00`, 15, false},
		{`"15.00"`, 15, false},
		{`1e3`, 1000, false},
		{`true`, 1, false},
		{`false`, 0, false},
		{`34359738368`, 34359738368, false},
		{`1.5`, 0, true},
		{`"abc"`, 0, true},
		{`[]`, 0, true},
		{`{}`, 0, true},
		{`"1e400"`, 0, true},
	}
	for _, tt := range tests {
		var n FlexInt
		err := json.Unmarshal([]byte(tt.in), &n)
		if (err != nil) != tt.wantErr || (!tt.wantErr && n != tt.want) {
			t.Errorf("FlexInt(%s) = %d, %v; want %d, error %v", tt.in, n, err, tt.want, tt.wantErr)
		}
	}
}

func TestFlexString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`"abc"`, "abc"},
		{`7500`, "7500"},
		{`"500.00"`, "500.00"},
		{`2.50`, "2.50"},
		{`null`, ""},
		{`true`, "1"},
		{`false`, "0"},
		{`[]`, ""},
		{`{}`, ""},
		{`[1, 2]`, "[1,2]"},
		{`{"a": 1}`, `{"a":1}`},
	}
	for _, tt := range tests {
		var s FlexString
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil || string(s) != tt.want {
			t.Errorf("FlexString(%s) = %q, %v; want %q", tt.in, s, err, tt.want)
		}
	}
}

func TestDecodeList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		count int
		keys  []string
		err   bool
	}{
		{"keyed object", `{"Count":2,"Results":{"7506":{"Id":7506},"7507":{"Id":7507}}}`, 2, []string{"7506", "7507"}, false},
		{"keyed object keeps order", `{"Count":2,"Results":{"9":{},"10":{}}}`, 2, []string{"9", "10"}, false},
		{"array", `{"Count":"2","Results":[{"Id":"1111"},{"Id":"2222"}]}`, 2, []string{"", ""}, false},
		{"empty array", `{"Count":0,"Results":[]}`, 0, nil, false},
		{"empty object", `{"Count":0,"Results":{}}`, 0, nil, false},
		{"null results", `{"Count":0,"Results":null}`, 0, nil, false},
		{"results first", `{"Results":{"1":{}},"Count":"1"}`, 1, []string{"1"}, false},
		{"no count", `{"Results":[{}]}`, -1, []string{""}, false},
		{"BOM", "\xef\xbb\xbf\xef\xbb\xbf " + `{"Count":1,"Results":{"5":{}}}`, 1, []string{"5"}, false},
		{"detail record", `{"Id":2056,"Name":"x"}`, 0, nil, true},
		{"array at the top", `[{"Id":1}]`, 0, nil, true},
		{"results a string", `{"Count":1,"Results":"x"}`, 0, nil, true},
		{"negative count", `{"Count":-1,"Results":[]}`, 0, nil, true},
		{"trailing data", `{"Count":0,"Results":[]} {}`, 0, nil, true},
		{"truncated", `{"Count":1,"Results":{"1":{"Id":`, 0, nil, true},
		{"empty", ``, 0, nil, true},
	}
	for _, tt := range tests {
		l, err := decodeList([]byte(tt.in))
		if (err != nil) != tt.err {
			t.Errorf("%s: err %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		var keys []string
		for _, m := range l.Items {
			keys = append(keys, m.Key)
		}
		if l.Count != tt.count || strings.Join(keys, ",") != strings.Join(tt.keys, ",") || len(keys) != len(tt.keys) {
			t.Errorf("%s: Count %d keys %q; want %d %q", tt.name, l.Count, keys, tt.count, tt.keys)
		}
	}
}

func TestPHPEmpties(t *testing.T) {
	t.Parallel()
	var d Document
	in := `{"Id":"44","Customer":[],"Vendor":[],"Project":[],"Items":{"0":{"Id":"54","Name":"A"},"1":{"Id":"55","Name":"B"}}}`
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.Id != 44 || len(d.Items) != 2 || d.Items[1].Id != 55 || d.Project == nil && d.Fields["Project"] == nil {
		t.Errorf("document: %+v", d)
	}
	if b, _ := json.Marshal(d); string(b) != in {
		t.Errorf("MarshalJSON is not the document as received: %s", b)
	}
}

// FuzzDecodeList checks that the tolerant decoding never panics, whatever
// the server sends: the list envelope, every list item type, the detail
// types and the schema parser.
func FuzzDecodeList(f *testing.F) {
	seeds := []string{
		`{"Count":2,"Results":{"7506":{"Id":7506,"Name":"Leskó Norbert","Type":"Person","BusinessId":7505}}}`,
		`{"Count":"1","Results":{"30027":{"Id":"30027","ProjectId":"29592","Status_Old_Id":"","Status_New_Id":"2876"}}}`,
		`{"Count":2,"Results":[{"Id":"1111","Status":"Open","UserId":"3200","Type":"0"}]}`,
		`{"Count":0,"Results":[]}`,
		"\xef\xbb\xbf{\"Count\":\"x\",\"Results\":{}}",
		`{"Id":"44","Items":{"0":{"Id":"54"}},"Customer":[],"AmountNet":7500}`,
		`{"Id":"Int","Type":{"Business":"Cég"},"KedvencEtele":{"2001":"Alma"},"Email":"Text(128)"}`,
		`{"Count":1e999,"Results":{"1":null}}`,
		`{"Results":{"1":[1,2,3]},"Count":[]}`,
		`{`, `[]`, `null`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := decodeList(data); err == nil {
			if l.Count < -1 {
				t.Fatalf("Count %d", l.Count)
			}
			for _, m := range l.Items {
				var c ContactItem
				_ = json.Unmarshal(m.Value, &c)
				var p ProjectItem
				_ = json.Unmarshal(m.Value, &p)
				var td ToDoItem
				_ = json.Unmarshal(m.Value, &td)
				var h StatusChange
				_ = json.Unmarshal(m.Value, &h)
				var d DocumentSummary
				_ = json.Unmarshal(m.Value, &d)
			}
		}
		var c Contact
		_ = json.Unmarshal(data, &c)
		var p Project
		_ = json.Unmarshal(data, &p)
		var td ToDo
		_ = json.Unmarshal(data, &td)
		var d Document
		_ = json.Unmarshal(data, &d)
		_, _ = ParseSchema("Person", data)
		_ = phpEmpties(data, []string{"Customer"}, []string{"Items"})
	})
}
