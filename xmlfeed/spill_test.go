package xmlfeed

import (
	"github.com/minicrm-bulk/minicrm-bulk/source"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"
)

// TestSpillRoundTrip: cards and chained orders read back as written.
func TestSpillRoundTrip(t *testing.T) {
	s, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	cards := []*Card{
		{ID: "V-1", Fields: []Field{{"Name", "Kiss János"}, {"Empty", ""}},
			Business: &Business{Fields: []Field{{"Name", "Példa Kft."}}, Addresses: []Address{{Fields: []Field{{"City", "Győr"}}}},
				Emails: []string{"a@b.hu"}, Phones: []string{"+36 1", "+36 2"}},
			Contacts: []Contact{{ID: "P-1", Fields: []Field{{"Email", "x@y.hu"}}, Addresses: []Address{{Fields: []Field{{"Address", "Fő u. 1."}}}}}, {Fields: []Field{{"FirstName", "Éva"}}}}},
		{ID: "V-2 <&>"},
	}
	docs := []*Document{
		{ID: "O-1", Fields: []Field{{"Number", "1"}}, Customer: []Field{{"Name", "N"}},
			Products: []Product{{ID: "P", Fields: []Field{{"Quantity", "2.5"}}}, {ID: "Q"}}, Project: []Field{{"X", "y"}}},
		{ID: "O-2"},
		{ID: "O-3", Products: []Product{{ID: "Z", Fields: []Field{{"Name", string(make([]byte, 300))}}}}},
	}
	var refs []spillRef
	for _, c := range cards {
		r, err := s.putCard(c)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	last := noRef
	for _, d := range docs {
		if last, err = s.putOrder(last, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.done(); err != nil {
		t.Fatal(err)
	}
	for i, r := range refs {
		var c Card
		if err := s.getCard(r, &c); err != nil {
			t.Fatal(err)
		}
		want := *cards[i]
		if want.Contacts == nil {
			want.Contacts = []Contact{}
		}
		if !reflect.DeepEqual(&c, &want) {
			t.Errorf("card %d:\n got %+v\nwant %+v", i, c, want)
		}
	}
	for i := len(docs) - 1; i >= 0; i-- {
		var d Document
		if last, err = s.getOrder(last, &d); err != nil {
			t.Fatal(err)
		}
		want := *docs[i]
		if want.Products == nil {
			want.Products = []Product{}
		}
		if !reflect.DeepEqual(&d, &want) {
			t.Errorf("order %d:\n got %+v\nwant %+v", i, d, want)
		}
	}
	if last != noRef {
		t.Errorf("the first order links to %+v", last)
	}
}

// TestKeptKeysAreCopies: what a build keeps for its whole length, one entry
// a customer (orders) or a company (the shared-name check), is a copy of
// the Id, name or VAT number, not a piece of the row's text: a piece keeps
// its whole line alive (a million-row order file held every customer's
// line, and its garbage collector ran a thousand times).
func TestKeptKeysAreCopies(t *testing.T) {
	line := strings.Repeat("x", 1000) + ";V-1;acme kft;12345678241"
	piece := func(s string) string { i := strings.Index(line, s); return line[i : i+len(s)] }
	inLine := func(s string) bool {
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(line)))
		return p >= start && p < start+uintptr(len(line))
	}
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	ob := &orderBuild{customers: map[string]int{}, spill: sp, sum: &BuildSummary{Orders: &OrderSummary{}}}
	id := piece("V-1")
	if !inLine(id) {
		t.Fatal("the test's piece is not in its line")
	}
	if err := ob.keep(&Card{ID: id}, &Document{ID: "o-1"}, &orderGroup{rows: []heldRow{{}}}); err != nil {
		t.Fatal(err)
	}
	for k := range ob.customers {
		if inLine(k) {
			t.Error("the customer's Id keeps its line alive")
		}
	}
	var n sharedNames
	n.check(&BuildSummary{}, source.Location{Line: 2}, piece("acme kft"), piece("12345678241"))
	for k, v := range n.byName {
		if inLine(k) || inLine(v.vat) {
			t.Error("a company's name key or VAT number keeps its line alive")
		}
	}
	for k := range n.byVat {
		if inLine(k) {
			t.Error("a company's VAT number keeps its line alive")
		}
	}
}

// TestRoomForCustomers: under TuneGC's limit an order build raises it by
// its customers' entries; without it (GOMEMLIMIT set, a library caller)
// the limit is left alone.
func TestRoomForCustomers(t *testing.T) {
	restore := TuneGC(func(string) string { return "" })
	roomForCustomers(100000)
	if got, want := debug.SetMemoryLimit(-1), int64(buildMemoryLimit+100000*customerBytes); got != want {
		t.Errorf("limit %d under TuneGC, want %d", got, want)
	}
	restore()
	before := debug.SetMemoryLimit(-1)
	roomForCustomers(100000)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d without TuneGC, was %d", got, before)
	}
	restore = TuneGC(func(k string) string { return map[string]string{"GOMEMLIMIT": "1GiB"}[k] })
	defer restore()
	roomForCustomers(100000)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d with GOMEMLIMIT set, was %d", got, before)
	}
}
