package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// Payload is one notification as MiniCRM POSTs it. Values are kept as the
// JSON that came, so nothing is lost or reformatted; Value and Label read
// them.
type Payload struct {
	// ID is the record's id ("Id"), a string in the documentation's example;
	// a JSON number is accepted too. It is always a positive integer.
	ID string
	// Type is "Project" (a card) or "Contact" (a person or a company).
	// Other names are accepted and logged as they are, so that a kind of
	// notification MiniCRM adds later is not refused and lost.
	Type string
	// Data is every field of the record: raw ids for enums, bitmask sums for
	// multi-select fields, strings or numbers for the rest.
	Data map[string]json.RawMessage
	// Changed names the fields that changed (UpdatedAt included).
	Changed []string
	// Config is whatever the webhook's configuration holds for the endpoint.
	Config json.RawMessage
	// Schema maps fields to their type ("Text(512)") or, for enums, to an
	// id → label object, as the Schema endpoint does.
	Schema map[string]json.RawMessage
	// Head is the order or offer, for cards of those modules.
	Head json.RawMessage

	dataKeys   []string // Data's keys in the order they came
	schemaKeys []string
	raw        []byte // the whole payload, compacted
}

// PayloadError is a body that is not a usable notification: not JSON, not
// an object, or a member with the wrong type.
type PayloadError struct {
	Field string // "" for the body as a whole
	Msg   string
}

func (e *PayloadError) Error() string {
	if e.Field == "" {
		return "webhook payload: " + e.Msg
	}
	return "webhook payload: " + e.Field + ": " + e.Msg
}

// ParsePayload validates a notification body and returns it. A leading UTF-8
// BOM is ignored (MiniCRM's own client strips one from API answers).
func ParsePayload(body []byte) (*Payload, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil, &PayloadError{Msg: "empty body"}
	}
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&top); err != nil {
		return nil, &PayloadError{Msg: "not a JSON object: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &PayloadError{Msg: "data after the JSON object"}
	}
	if top == nil {
		return nil, &PayloadError{Msg: "not a JSON object"}
	}
	p := &Payload{}
	var err error
	if p.ID, err = parseID(top["Id"]); err != nil {
		return nil, &PayloadError{Field: "Id", Msg: err.Error()}
	}
	if err := json.Unmarshal(top["Type"], &p.Type); err != nil || !isName(p.Type) {
		return nil, &PayloadError{Field: "Type", Msg: "want a name such as Project or Contact"}
	}
	if !isObject(top["Data"]) {
		return nil, &PayloadError{Field: "Data", Msg: "want an object"}
	}
	if err := json.Unmarshal(top["Data"], &p.Data); err != nil {
		return nil, &PayloadError{Field: "Data", Msg: err.Error()}
	}
	p.dataKeys = objectKeys(top["Data"])
	if raw, ok := top["Changed"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &p.Changed); err != nil {
			return nil, &PayloadError{Field: "Changed", Msg: "want a list of field names"}
		}
	}
	if raw, ok := top["Schema"]; ok && !isNull(raw) {
		// PHP writes an empty array for an empty map.
		if !isObject(raw) && !bytes.Equal(bytes.TrimSpace(raw), []byte("[]")) {
			return nil, &PayloadError{Field: "Schema", Msg: "want an object"}
		}
		if isObject(raw) {
			if err := json.Unmarshal(raw, &p.Schema); err != nil {
				return nil, &PayloadError{Field: "Schema", Msg: err.Error()}
			}
			p.schemaKeys = objectKeys(raw)
		}
	}
	if raw, ok := top["Head"]; ok && !isNull(raw) {
		if !isObject(raw) {
			return nil, &PayloadError{Field: "Head", Msg: "want an object"}
		}
		p.Head = raw
	}
	p.Config = top["Config"]
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return nil, &PayloadError{Msg: err.Error()}
	}
	p.raw = buf.Bytes()
	return p, nil
}

func parseID(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", errors.New("missing")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", errors.New("want a number or a string of digits")
		}
		s = n.String()
	}
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return "", fmt.Errorf("%q is not a positive integer", s)
	}
	return strconv.FormatInt(id, 10), nil
}

func isName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// objectKeys lists a JSON object's keys in their order (the first time each
// appears).
func objectKeys(raw json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// Raw is the payload as received, compacted.
func (p *Payload) Raw() json.RawMessage { return p.raw }

// Fields lists the fields of Data in the order they came.
func (p *Payload) Fields() []string { return slices.Clone(p.dataKeys) }

// Value is a Data field as text: a string as it is, a number as written,
// true/false as 1/0, null or a missing field as "", an object or a list as
// its JSON.
func (p *Payload) Value(field string) string {
	raw, ok := p.Data[field]
	if !ok {
		return ""
	}
	return rawText(raw)
}

func rawText(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return ""
	}
	switch t[0] {
	case '"':
		var s string
		if json.Unmarshal(t, &s) == nil {
			return s
		}
	case 'n':
		return ""
	case 't':
		return "1"
	case 'f':
		return "0"
	}
	return string(t)
}

// UpdatedAt is Data.UpdatedAt ("2018-03-02 23:55:42"), or "".
func (p *Payload) UpdatedAt() string { return p.Value("UpdatedAt") }

// CategoryID is a card's module id (Data.CategoryId), or "".
func (p *Payload) CategoryID() string { return p.Value("CategoryId") }

// Options returns an enum field's id → label map from Schema; ok is false
// when Schema gives the field a type string or does not know it.
func (p *Payload) Options(field string) (map[string]string, bool) {
	raw, ok := p.Schema[field]
	if !ok {
		return nil, false
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil, false
	}
	switch t[0] {
	case '{':
		var m map[string]any
		if json.Unmarshal(t, &m) != nil {
			return nil, false
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = rawText(mustJSON(v))
		}
		return out, true
	case '[':
		// PHP writes a map with keys 0, 1, 2… as a list.
		var l []any
		if json.Unmarshal(t, &l) != nil {
			return nil, false
		}
		out := make(map[string]string, len(l))
		for i, v := range l {
			out[strconv.Itoa(i)] = rawText(mustJSON(v))
		}
		return out, true
	}
	return nil, false
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// Label is a Data field for people: an enum's option id becomes its label
// through Schema, a multi-select bitmask the labels of its options joined by
// ", " (as MiniCRM's detail records write them). Values Schema cannot
// explain are returned as they are, so nothing is lost.
func (p *Payload) Label(field string) string {
	v := p.Value(field)
	f, ok := p.field(field)
	t := strings.TrimSpace(v)
	if !ok || t == "" {
		return v
	}
	if l := crm.Label(f, t); l != t {
		return l
	}
	return v
}

// field is an enum field of Schema in crm's terms (options in key order,
// so that a label two options share always finds the same one); ok is
// false when Schema gives the field a type string or does not know it.
func (p *Payload) field(name string) (restapi.SchemaField, bool) {
	opts, ok := p.Options(name)
	if !ok {
		return restapi.SchemaField{Name: name}, false
	}
	f := restapi.SchemaField{Name: name, Type: "Enum", Kind: restapi.KindEnum}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		id, _ := strconv.ParseInt(k, 10, 64)
		f.Options = append(f.Options, restapi.EnumOption{Key: k, Id: id, Label: opts[k]})
	}
	return f, true
}

// Key identifies the change the payload reports: Type, Id, Data.UpdatedAt
// and a hash of Changed and Data. MiniCRM's retries of one notification
// share it; UpdatedAt alone would merge two changes made in the same second.
func (p *Payload) Key() string {
	changed := slices.Clone(p.Changed)
	sort.Strings(changed)
	b, _ := json.Marshal(struct {
		C []string       `json:"c"`
		D map[string]any `json:"d"`
	}{changed, p.canonicalData()})
	sum := sha256.Sum256(b)
	at := p.UpdatedAt()
	if at == "" {
		at = "-"
	}
	return p.Type + "/" + p.ID + "/" + at + "/" + hex.EncodeToString(sum[:8])
}

// canonicalData is Data decoded for hashing: numbers keep their text, and
// json.Marshal sorts the keys, so the same data gives the same bytes
// whatever order and spacing it came in.
func (p *Payload) canonicalData() map[string]any {
	data := make(map[string]any, len(p.Data))
	for k, raw := range p.Data {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			v = string(raw)
		}
		data[k] = v
	}
	return data
}

// sameData reports whether two payloads carry the same Data.
func (p *Payload) sameData(q *Payload) bool {
	a, _ := json.Marshal(p.canonicalData())
	b, _ := json.Marshal(q.canonicalData())
	return bytes.Equal(a, b)
}

// hasChanged reports whether field is in Changed.
func (p *Payload) hasChanged(field string) bool { return slices.Contains(p.Changed, field) }
