package sandbox_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// BenchmarkListPage serves contact list pages from systems of 10,000 and
// 100,000 contacts and prints the time a page takes in each and their
// ratio: a page should cost about the same whatever the system's size, so
// that 1M-record rehearsals work (make bench).
func BenchmarkListPage(b *testing.B) {
	perPage := map[int]time.Duration{}
	for _, n := range []int{10_000, 100_000} {
		ds := sandbox.EmptyDataset()
		for i := range n {
			ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 1_000_000 + i, Type: "Person",
				Emails: []string{fmt.Sprintf("p%d@example.hu", i)}, Fields: map[string]any{"FirstName": "P", "LastName": fmt.Sprint(i)}})
		}
		srv, err := sandbox.New(sandbox.Config{SystemID: 77, APIKey: "k", RPM: 0, Dataset: ds})
		if err != nil {
			b.Fatal(err)
		}
		page := func(p int) {
			req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/Api/R3/Contact?Page=%d", p), nil)
			req.SetBasicAuth("77", "k")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("page %d: %d %s", p, w.Code, w.Body)
			}
		}
		page(0) // the first page builds the index
		const pages = 200
		start := time.Now()
		for i := range pages {
			page(i % (n / 100))
		}
		perPage[n] = time.Since(start) / pages
	}
	b.ReportMetric(float64(perPage[100_000].Microseconds()), "µs/page@100k")
	ratio := float64(perPage[100_000]) / float64(perPage[10_000])
	fmt.Printf("list page: %v at 10k contacts, %v at 100k: ratio %.2f (10× the records)\n", perPage[10_000], perPage[100_000], ratio)
}
