package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// CategoriesService reads the modules (MiniCRM calls them Category): Sales,
// Helpdesk… Each tab of the blue navigation bar is one.
type CategoriesService service

// Category is a module.
type Category struct {
	Id   int    `json:"Id"`
	Name string `json:"Name"`
}

// CategoryDetail is a module as Category?Detailed=1 describes it.
type CategoryDetail struct {
	Id int `json:"Id"`
	// OrderId is the module's position on the navigation bar.
	OrderId FlexInt `json:"OrderId"`
	Name    string  `json:"Name"`
	// Type is the kind of module: Generic, HelpDesk, Order, Invoice, Offer…
	Type        string `json:"Type"`
	SenderName  string `json:"SenderName"`
	SenderEmail string `json:"SenderEmail"`
	Phone       string `json:"Phone"`
}

// List returns the modules in the order the server sends them.
//
// GET /Api/R3/Category → {"<CategoryId>": "<Name>", …}
func (s *CategoriesService) List(ctx context.Context) ([]Category, error) {
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/Category", pattern: "/Api/R3/Category", safe: true}
	out := []Category{}
	err := s.each(ctx, r, func(id int, raw json.RawMessage) error {
		var name FlexString
		if err := json.Unmarshal(raw, &name); err != nil {
			return err
		}
		out = append(out, Category{Id: id, Name: name.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each calls f for every member of a Category answer, an object keyed by
// CategoryId, in the order the server sent them.
func (s *CategoriesService) each(ctx context.Context, r *apiRequest, f func(id int, raw json.RawMessage) error) error {
	data, err := s.client.do(ctx, r)
	if err != nil {
		return err
	}
	members, err := decodeObject(data)
	if err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", r.method, r.endpoint(), err)
	}
	for _, m := range members {
		id, err := strconv.Atoi(m.Key)
		if err != nil {
			return fmt.Errorf("%s %s: category key %q is not a number", r.method, r.endpoint(), truncate(m.Key, 40))
		}
		if err := f(id, m.Value); err != nil {
			return fmt.Errorf("%s %s: category %d: %w", r.method, r.endpoint(), id, err)
		}
	}
	return nil
}

// ListDetailed returns the modules with their type and sender details.
// The key of the answer is the CategoryId; the documentation's example shows
// an inner Id that differs from it, so Id is always set from the key.
//
// GET /Api/R3/Category?Detailed=1
func (s *CategoriesService) ListDetailed(ctx context.Context) ([]CategoryDetail, error) {
	r := &apiRequest{method: http.MethodGet, path: "Api/R3/Category", pattern: "/Api/R3/Category",
		query: url.Values{"Detailed": {"1"}}, safe: true}
	out := []CategoryDetail{}
	err := s.each(ctx, r, func(id int, raw json.RawMessage) error {
		var d struct {
			OrderId     FlexInt    `json:"OrderId"`
			Name        FlexString `json:"Name"`
			Type        FlexString `json:"Type"`
			SenderName  FlexString `json:"SenderName"`
			SenderEmail FlexString `json:"SenderEmail"`
			Phone       FlexString `json:"Phone"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			return err
		}
		out = append(out, CategoryDetail{Id: id, OrderId: d.OrderId, Name: d.Name.String(), Type: d.Type.String(),
			SenderName: d.SenderName.String(), SenderEmail: d.SenderEmail.String(), Phone: d.Phone.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
