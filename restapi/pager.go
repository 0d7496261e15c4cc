package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Page is one page of a list: at most PageSize items.
type Page[T any] struct {
	// Number is the Page parameter it was fetched with (from 0).
	Number int
	// Count is the server's Count: every match at the time this page was
	// made, not the length of Items; -1 when the answer had none.
	Count int
	Items []T
	// keys identify the items for the walk's seen set ("" = unknown).
	keys []string
}

// keyed is a list item that knows its Id.
type keyed interface{ itemID() int }

// fetchPage gets one page of a list endpoint and types its items.
func fetchPage[T any](ctx context.Context, c *Client, r apiRequest, page int) (*Page[T], error) {
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if page > 0 || r.sendPage0 {
		q.Set("Page", strconv.Itoa(page))
	}
	r.query = q
	data, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	raw, err := decodeList(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s (Page %d): %w", r.method, r.endpoint(), page, err)
	}
	p := &Page[T]{Number: page, Count: raw.Count, Items: make([]T, 0, len(raw.Items)), keys: make([]string, 0, len(raw.Items))}
	for _, m := range raw.Items {
		var item T
		if err := json.Unmarshal(m.Value, &item); err != nil {
			return nil, fmt.Errorf("%s %s (Page %d): item %s: %w", r.method, r.endpoint(), page, truncate(m.Key, 20), err)
		}
		key := m.Key
		if k, ok := any(&item).(keyed); ok && k.itemID() > 0 {
			key = strconv.Itoa(k.itemID())
		}
		p.Items = append(p.Items, item)
		p.keys = append(p.keys, key)
	}
	return p, nil
}

// walk pages through a list from Page 0 and yields every item once.
//
// It stops when a page comes back empty, or when a page shorter than
// PageSize comes back and at least Count distinct items have been seen (Count
// as that page gave it). So a Count that grows during the walk does not end
// it early (the walk goes on to the next page), and one that shrinks cannot
// make it loop (an empty page always ends it). Items are told apart by Id;
// one already yielded is dropped when an insertion pushes it onto a later
// page. Two full pages in a row with nothing new end the walk with
// ErrPagingStalled (a server that ignores Page would otherwise loop); a page
// longer than PageSize means the endpoint does not page, and ends the walk.
//
// On an error walk yields (zero, err) once and stops.
func walk[T any](ctx context.Context, fetch func(ctx context.Context, page int) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]struct{}{}
		unique, stalled := 0, 0
		for page := 0; ; page++ {
			p, err := fetch(ctx, page)
			if err != nil {
				yield(zero, err)
				return
			}
			fresh := 0
			for i, item := range p.Items {
				if k := p.keys[i]; k != "" {
					if _, dup := seen[k]; dup {
						continue
					}
					seen[k] = struct{}{}
				}
				unique++
				fresh++
				if !yield(item, nil) {
					return
				}
			}
			switch {
			case len(p.Items) == 0:
				return
			case len(p.Items) < PageSize && (p.Count < 0 || unique >= p.Count):
				return
			case len(p.Items) > PageSize:
				// The endpoint does not page: it sent everything at once.
				return
			}
			if fresh == 0 {
				if stalled++; stalled >= 2 {
					yield(zero, fmt.Errorf("page %d: %w: the last two pages held only items already seen", page, ErrPagingStalled))
					return
				}
			} else {
				stalled = 0
			}
		}
	}
}

// collect gathers a walk into a slice.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for item, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, item)
	}
	return out, nil
}
