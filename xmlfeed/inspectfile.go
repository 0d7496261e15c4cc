package xmlfeed

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
)

// InspectFile inspects the feed file at path (schemas nil: field names and
// dropdown values are not checked).
func InspectFile(path string, schemas *mapping.Schemas) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Inspect(f, InspectOptions{Schemas: schemas})
}

// Text is the inspection's report on the feed at path: counts, the first
// problems, and whether the schemas were checked.
func (r *Report) Text(path string, checkedSchemas bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d card(s) (%d complete enough to create a card), %d business(es), %d contact(s), %d order(s), %d offer(s), %d product line(s)\n",
		path, r.Cards, r.Complete, r.Businesses, r.Contacts, r.Orders, r.Offers, r.Products)
	if len(r.Categories) > 0 {
		fmt.Fprintf(&b, "cards by CategoryId: %s\n", r.CategoryList())
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	if n := r.Errors + r.Warnings - len(r.Problems); n > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", n)
	}
	if !checkedSchemas {
		fmt.Fprintf(&b, "(field names and dropdown values not checked: give --schema FILE or --online)\n")
	}
	if r.OK() {
		fmt.Fprintf(&b, "ok: %d warning(s)\n", r.Warnings)
	}
	return b.String()
}

// Problem is why the feed at path fails the inspection ("" when it passes).
func (r *Report) Problem(path string) string {
	switch {
	case r.Format != nil:
		return fmt.Sprintf("%s is not a well-formed feed: %v", path, r.Format)
	case r.Errors > 0:
		return fmt.Sprintf("%s has %d error(s), %d duplicate Project Id(s), %d warning(s)", path, r.Errors, r.Duplicates, r.Warnings)
	}
	return ""
}

// AllSchemas reads the modules and the schemas of Person, Business and every
// module's cards: what a feed from anywhere may need (inspect --online).
func AllSchemas(ctx context.Context, c *restapi.Client) (*mapping.Schemas, error) {
	s, err := crm.FetchSchemas(ctx, c, crm.SchemaNeeds{})
	if err != nil {
		return nil, err
	}
	for id := range s.Categories {
		if s.Projects[id], err = c.Schemas.Project(ctx, id); err != nil {
			return nil, fmt.Errorf("reading the schema of module %d: %w", id, err)
		}
	}
	return s, nil
}
