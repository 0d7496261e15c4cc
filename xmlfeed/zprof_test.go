package xmlfeed_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

func BenchmarkZProf(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "rows.csv")
	scaleSheet(b, src, 200000)
	e := newEnv(b, sandbox.Config{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plan, r := e.plan(b, filepath.Join(testdata, "partnerek.yaml"), src)
		_, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: filepath.Join(dir, "feed.xml")})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	os.Remove(src)
}
