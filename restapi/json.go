package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// bom is the UTF-8 byte order mark some MiniCRM answers start with (the
// official PHP client strips it in a loop before json_decode).
var bom = []byte("\xef\xbb\xbf")

// stripBOM removes every leading UTF-8 BOM and surrounding white space.
func stripBOM(b []byte) []byte {
	b = bytes.TrimSpace(b)
	for bytes.HasPrefix(b, bom) {
		b = bytes.TrimSpace(b[len(bom):])
	}
	return b
}

// FlexInt is an integer as MiniCRM sends it: a JSON number (2519), a numeric
// string ("6", as Count and the ids of ProjectHistory are), an empty string
// or null (both 0). A number with a zero fraction ("15.00", 2.0) is accepted;
// any other fraction is an error. It encodes as a plain JSON number.
type FlexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("restapi: empty JSON value for an integer")
	}
	switch b[0] {
	case 'n':
		if string(b) == "null" {
			*n = 0
			return nil
		}
	case 't', 'f':
		// "Deleted": true has not been seen, but costs nothing to accept.
		switch string(b) {
		case "true":
			*n = 1
			return nil
		case "false":
			*n = 0
			return nil
		}
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
		return n.parse(s)
	}
	return n.parse(string(b))
}

func (n *FlexInt) parse(s string) error {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = FlexInt(i)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmt.Errorf("restapi: %q is not an integer", truncate(s, 40))
	}
	*n = FlexInt(f)
	return nil
}

// Int returns n as an int.
func (n FlexInt) Int() int { return int(n) }

// FlexString is a text value as MiniCRM sends it: usually a JSON string, but
// amounts and ids sometimes come as numbers ("AmountNet": 7500 or "7500"),
// and a text field may come back as [] (seen live for Invited). Numbers keep
// their literal text, null is "", true and false are "1" and "0", and an
// array or object keeps its compact JSON text ("[]" becomes "").
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("restapi: empty JSON value for a string")
	}
	switch b[0] {
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(v)
	case 'n':
		if string(b) != "null" {
			return fmt.Errorf("restapi: invalid JSON value %q", truncate(string(b), 40))
		}
		*s = ""
	case 't':
		*s = "1"
	case 'f':
		*s = "0"
	case '[', '{':
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return err
		}
		if c.String() == "[]" || c.String() == "{}" {
			*s = ""
			return nil
		}
		*s = FlexString(c.String())
	default:
		if !json.Valid(b) {
			return fmt.Errorf("restapi: invalid JSON value %q", truncate(string(b), 40))
		}
		*s = FlexString(b)
	}
	return nil
}

// String returns s as a string.
func (s FlexString) String() string { return string(s) }

// member is one name/value pair of a JSON object, in the order received.
type member struct {
	Key   string
	Value json.RawMessage
}

// decodeObject decodes a JSON object keeping the order of its members
// (MiniCRM sends lists and schemas in a meaningful order, which a Go map
// would lose). Anything but one object is an error.
func decodeObject(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errNotObject
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, member{Key: key, Value: raw})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("restapi: data after the JSON object")
	}
	return out, nil
}

var (
	errNotObject = errors.New("restapi: expected a JSON object")
	// errNotList is an answer without the Count/Results envelope.
	errNotList = errors.New("restapi: expected a list (an object with Count and Results)")
)

// rawList is one page of a list answer before its items are typed.
type rawList struct {
	// Count is the server's Count (the total number of matches), or -1
	// when the answer had none.
	Count int
	Items []member // Key is the id the item was keyed by, "" in an array
}

// decodeList reads MiniCRM's paging envelope in all the shapes it comes in:
// {"Count": 2, "Results": {"<id>": {...}, ...}} (keyed by id, in order),
// {"Count": "2", "Results": [{...}, ...]} (ToDoList), and an empty
// "Results": [] or {} or null. A leading BOM is ignored.
func decodeList(data []byte) (rawList, error) {
	data = stripBOM(data)
	top, err := decodeObject(data)
	if err != nil {
		if errors.Is(err, errNotObject) {
			return rawList{}, errNotList
		}
		return rawList{}, fmt.Errorf("restapi: decoding list: %w", err)
	}
	out := rawList{Count: -1}
	var results json.RawMessage
	haveResults := false
	for _, m := range top {
		switch m.Key {
		case "Count":
			var n FlexInt
			if err := json.Unmarshal(m.Value, &n); err != nil {
				return rawList{}, fmt.Errorf("restapi: decoding list Count: %w", err)
			}
			if n < 0 {
				return rawList{}, fmt.Errorf("restapi: negative list Count %d", n)
			}
			out.Count = int(min(n, math.MaxInt32))
		case "Results":
			results, haveResults = m.Value, true
		}
	}
	if !haveResults {
		return rawList{}, errNotList
	}
	results = bytes.TrimSpace(results)
	switch {
	case len(results) == 0 || string(results) == "null":
	case results[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(results, &items); err != nil {
			return rawList{}, fmt.Errorf("restapi: decoding list Results: %w", err)
		}
		for _, it := range items {
			out.Items = append(out.Items, member{Value: it})
		}
	case results[0] == '{':
		items, err := decodeObject(results)
		if err != nil {
			return rawList{}, fmt.Errorf("restapi: decoding list Results: %w", err)
		}
		out.Items = items
	default:
		return rawList{}, fmt.Errorf("restapi: list Results is neither an object nor an array")
	}
	return out, nil
}

// decodeFields decodes a JSON object into a map that keeps every member,
// numbers as json.Number so that nothing is rounded.
func decodeFields(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errNotObject
	}
	return m, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// FieldText renders a value of a record's Fields (as decoded from MiniCRM's
// JSON: string, json.Number, bool, nil, array or object) as text, the way a
// person or a comparison wants it: numbers without an exponent, booleans as
// 1 and 0, nil and empty arrays or objects (PHP's [] for "nothing") as "",
// other arrays and objects as JSON.
func FieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []any:
		if len(x) == 0 {
			return ""
		}
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
