package restapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// ProductsService writes the product stock. MiniCRM documents no way to
// read products back through the REST API.
type ProductsService service

// Put creates a product, or updates the one that already has f["SKU"]
// (MiniCRM upserts by a non-empty SKU), and returns its Id. Fields: Name,
// SKU, EAN, FolderName, VAT ("27%"), PriceNet, CurrencyCode, UnitName,
// Quantity, Warehouse_Name, Description, Deleted. With a SKU it is retried
// like a read (sent twice, it updates the same product); without one it is
// a plain create, not retried after a 5xx or a lost connection
// (*UnknownOutcomeError).
//
// PUT /Api/R3/Product → {"Id": N}
func (s *ProductsService) Put(ctx context.Context, f Fields) (int, error) {
	sku := strings.TrimSpace(FieldText(f["SKU"]))
	if sku == "" {
		if _, ok := f["Name"]; !ok {
			return 0, errors.New("restapi: creating a product needs Name (or a SKU to update)")
		}
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Product", pattern: "/Api/R3/Product",
		body: f, safe: sku != ""})
}

// Update changes the given fields of a product; {"Deleted": 1} deletes it.
// Retried like a read.
//
// PUT /Api/R3/Product/<Id> → {"Id": N}
func (s *ProductsService) Update(ctx context.Context, id int, f Fields) (int, error) {
	if err := checkID("product Id", id); err != nil {
		return 0, err
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Product/" + itoa(id),
		pattern: "/Api/R3/Product/{id}", body: f, safe: true})
}
