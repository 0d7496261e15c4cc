package xmlfeed

import (
	"reflect"
	"testing"
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
