package restapi

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
)

// fakeList is a list that changes between page requests, the way a live
// system does while a walk is under way. items is the current content in
// server order; before is called before each page is cut.
type fakeList struct {
	items  []int
	before func(page int, l *fakeList)
	calls  int
}

func (l *fakeList) fetch(_ context.Context, page int) (*Page[int], error) {
	l.calls++
	if l.before != nil {
		l.before(page, l)
	}
	p := &Page[int]{Number: page, Count: len(l.items)}
	lo := page * PageSize
	for i := lo; i < len(l.items) && i < lo+PageSize; i++ {
		p.Items = append(p.Items, l.items[i])
		p.keys = append(p.keys, strconv.Itoa(l.items[i]))
	}
	return p, nil
}

func ids(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func walkAll(t *testing.T, l *fakeList) []int {
	t.Helper()
	var out []int
	for v, err := range walk(context.Background(), l.fetch) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func assertUnique(t *testing.T, got []int) {
	t.Helper()
	seen := map[int]bool{}
	for _, v := range got {
		if seen[v] {
			t.Fatalf("item %d yielded twice", v)
		}
		seen[v] = true
	}
}

func TestWalkStable(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 99, 100, 101, 250, 300} {
		l := &fakeList{items: ids(1, n)}
		got := walkAll(t, l)
		if !slices.Equal(got, ids(1, n)) {
			t.Errorf("n=%d: got %d items", n, len(got))
		}
		// A short last page ends the walk; a full one needs one more (empty)
		// page to be sure nothing was added.
		want := n/PageSize + 1
		if l.calls != want {
			t.Errorf("n=%d: %d requests, want %d", n, l.calls, want)
		}
	}
}

func TestWalkGrowingCount(t *testing.T) {
	t.Parallel()
	// 150 items; before page 1 is cut, 20 are created at the end: page 1
	// comes back with 70 items and Count 170.
	l := &fakeList{items: ids(1, 150), before: func(page int, l *fakeList) {
		if page == 1 {
			l.items = append(l.items, ids(151, 170)...)
		}
	}}
	got := walkAll(t, l)
	assertUnique(t, got)
	if len(got) != 170 {
		t.Errorf("got %d items, want 170", len(got))
	}

	// Count and Results are not one snapshot: page 1 holds the 50 items
	// that were there when it was cut, but Count already says 160. A short
	// page must not end the walk while fewer than Count items were seen.
	calls := 0
	fetch := func(_ context.Context, page int) (*Page[int], error) {
		calls++
		var items []int
		count := 160
		switch page {
		case 0:
			items, count = ids(1, 100), 150
		case 1:
			items = ids(101, 150)
		case 2:
			items = ids(151, 160)
		}
		p := &Page[int]{Number: page, Count: count, Items: items}
		for _, v := range items {
			p.keys = append(p.keys, strconv.Itoa(v))
		}
		return p, nil
	}
	got = nil
	for v, err := range walk(context.Background(), fetch) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	assertUnique(t, got)
	if len(got) != 160 || calls != 3 {
		t.Errorf("got %d items in %d requests, want 160 in 3", len(got), calls)
	}
}

func TestWalkInsertionsAtTheFront(t *testing.T) {
	t.Parallel()
	// Items created before the walk's position push seen items onto the
	// next page: they are dropped, every original item is still yielded.
	l := &fakeList{items: ids(1000, 1249)}
	l.before = func(page int, l *fakeList) {
		if page > 0 {
			l.items = append(ids(10*page, 10*page+4), l.items...)
		}
	}
	got := walkAll(t, l)
	assertUnique(t, got)
	for _, want := range ids(1000, 1249) {
		if !slices.Contains(got, want) {
			t.Fatalf("item %d missed", want)
		}
	}
}

func TestWalkShrinkingCount(t *testing.T) {
	t.Parallel()
	// 300 items; after page 0 is read, the 100 items on it are deleted.
	// Items 101..200 move onto page 0 (already read: offset paging cannot
	// see them, as documented); the walk must end, not loop.
	l := &fakeList{items: ids(1, 300)}
	l.before = func(page int, l *fakeList) {
		if page == 1 {
			l.items = ids(101, 300)
		}
	}
	got := walkAll(t, l)
	assertUnique(t, got)
	if l.calls > 4 {
		t.Errorf("%d requests", l.calls)
	}
	for _, want := range append(ids(1, 100), ids(201, 300)...) {
		if !slices.Contains(got, want) {
			t.Errorf("item %d missed", want)
		}
	}
}

func TestWalkStalls(t *testing.T) {
	t.Parallel()
	// A server that ignores Page: the same full page every time.
	calls := 0
	fetch := func(_ context.Context, page int) (*Page[int], error) {
		calls++
		p := &Page[int]{Number: page, Count: 1000}
		for i := range PageSize {
			p.Items = append(p.Items, i)
			p.keys = append(p.keys, strconv.Itoa(i))
		}
		return p, nil
	}
	var err error
	n := 0
	for _, e := range walk(context.Background(), fetch) {
		if e != nil {
			err = e
			break
		}
		n++
	}
	if !errors.Is(err, ErrPagingStalled) || n != PageSize || calls != 3 {
		t.Errorf("err %v, %d items, %d calls", err, n, calls)
	}
}

func TestWalkEdgeCases(t *testing.T) {
	t.Parallel()
	// No Count: a short page ends it.
	calls := 0
	noCount := func(_ context.Context, page int) (*Page[int], error) {
		calls++
		return &Page[int]{Number: page, Count: -1, Items: []int{1, 2}, keys: []string{"1", "2"}}, nil
	}
	n := 0
	for range walk(context.Background(), noCount) {
		n++
	}
	if n != 2 || calls != 1 {
		t.Errorf("no Count: %d items, %d calls", n, calls)
	}

	// A page longer than PageSize: the endpoint does not page.
	calls = 0
	all := func(_ context.Context, page int) (*Page[int], error) {
		calls++
		p := &Page[int]{Count: 150}
		for i := range 150 {
			p.Items = append(p.Items, i)
			p.keys = append(p.keys, "")
		}
		return p, nil
	}
	n = 0
	for range walk(context.Background(), all) {
		n++
	}
	if n != 150 || calls != 1 {
		t.Errorf("unpaged: %d items, %d calls", n, calls)
	}

	// An error on page 1 comes after page 0's items, once.
	boom := errors.New("boom")
	failing := func(_ context.Context, page int) (*Page[int], error) {
		if page == 1 {
			return nil, boom
		}
		l := &fakeList{items: ids(1, 300)}
		return l.fetch(context.Background(), page)
	}
	n, errs := 0, 0
	for _, err := range walk(context.Background(), failing) {
		if err != nil {
			errs++
			if !errors.Is(err, boom) {
				t.Errorf("err %v", err)
			}
			continue
		}
		n++
	}
	if n != 100 || errs != 1 {
		t.Errorf("failing: %d items, %d errors", n, errs)
	}
}
