package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// object is a JSON object that keeps its keys in the order they were added,
// so detail records and schemas read like the documentation's examples.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) *object {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// results is the Results member of a list: an object keyed by id, in id
// order; empty, it is [] as PHP serializes an empty array (seen live).
type results []*object

func (r results) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("[]"), nil
	}
	o := newObject()
	for _, item := range r {
		o.set(fmt.Sprint(item.vals["Id"]), item)
	}
	return o.MarshalJSON()
}

// list is the paging envelope of every search endpoint.
type list struct {
	Count   int     `json:"Count"`
	Results results `json:"Results"`
}

// pageSize is fixed by MiniCRM: 100 results a page, Page counted from 0.
const pageSize = 100

// page parses the Page parameter.
func page(r *request, lang string) (int, error) {
	v := r.query.Get("Page")
	if v == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 0 {
		return 0, errf(http.StatusBadRequest, msgf(lang, "bad_param_value", "Page", v))
	}
	return p, nil
}

// paginate cuts one page out of the sorted matches.
func paginate[T any](items []T, p int) []T {
	// Compare pages, not offsets: p*pageSize overflows for a huge Page.
	if p < 0 || p >= (len(items)+pageSize-1)/pageSize {
		return nil
	}
	lo := p * pageSize
	hi := min(lo+pageSize, len(items))
	return items[lo:hi]
}

// checkParams refuses query parameters the endpoint does not know, as
// MiniCRM does (400: "a parameter that couldn't be identified").
func checkParams(r *request, lang string, known func(string) bool) error {
	for k := range r.query {
		if !known(k) {
			return errf(http.StatusBadRequest, msgf(lang, "unknown_param", k))
		}
	}
	return nil
}

// sinceParam parses UpdatedSince; "2018-02-14+10:00:00" arrives with the +
// already decoded to a space.
func sinceParam(r *request, name, lang string) (time.Time, bool, error) {
	v := r.query.Get(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	t, ok := parseMiniCRMTime(strings.ReplaceAll(v, "+", " "))
	if !ok {
		return time.Time{}, false, errf(http.StatusBadRequest, msgf(lang, "bad_param_value", name, v))
	}
	return t, true, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(budapest).Format(dateTimeLayout)
}

// intParam parses a numeric query parameter.
func intParam(r *request, name, lang string) (int, bool, error) {
	v := r.query.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, errf(http.StatusBadRequest, msgf(lang, "bad_param_value", name, v))
	}
	return n, true, nil
}

// idOf reads an id from a JSON body value (number or numeric string).
func idOf(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) && x > 0 {
			return int(x), true
		}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}
