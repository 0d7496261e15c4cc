package xmlfeed_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// BenchmarkOrdersBuild builds the order feed of ORDERS_BENCH_MAPPING (a
// mapping like examples/webshop-orders.yaml over a large export), for
// profiles; skipped without it.
func BenchmarkOrdersBuild(b *testing.B) {
	path := os.Getenv("ORDERS_BENCH_MAPPING")
	if path == "" {
		b.Skip("set ORDERS_BENCH_MAPPING to a mapping with an order block")
	}
	e := newEnv(b, sandbox.Config{})
	defer xmlfeed.TuneGC(os.Getenv)() // the GC settings of feed build
	for b.Loop() {
		plan, r := e.plan(b, path, "")
		sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: filepath.Join(b.TempDir(), "o.xml")})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Rows), "rows")
	}
}
