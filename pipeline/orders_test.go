package pipeline_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// TestImportRefusesOrders: a mapping with an order block is for feed
// build; import (over REST or through its own feed) would write the
// customers and drop the orders, so it refuses before writing anything.
func TestImportRefusesOrders(t *testing.T) {
	t.Parallel()
	for _, via := range []string{pipeline.ViaREST, pipeline.ViaFeed} {
		e := newEnv(t, nil)
		cfg := e.config(filepath.Join("..", "examples", "webshop-orders.yaml"), "")
		cfg.Via, cfg.FeedID = via, 119
		_, err := pipeline.Import(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "webshop-orders.yaml:") || !strings.Contains(err.Error(), "orders go to MiniCRM in a feed") {
			t.Errorf("via %s: %v", via, err)
		}
		if w := e.writes(); w != 0 {
			t.Errorf("via %s: %d writes", via, w)
		}
	}
}
