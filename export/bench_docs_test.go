package export_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// invoiceDataset is n invoices of two lines each, for n/100 companies,
// numbered in advance (the sandbox numbers an unnumbered invoice by looking
// at every other one).
func invoiceDataset(n int) *sandbox.Dataset {
	ds := sandbox.EmptyDataset()
	nb := max(n/100, 1)
	for b := range nb {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 1_000_000 + b, Type: "Business", CreatedAt: "2024-01-02 10:00:00",
			Fields: map[string]any{"Name": fmt.Sprintf("Cég %d Kft.", b), "VatNumber": fmt.Sprintf("1%07d-2-41", b)}})
	}
	ds.Invoices = make([]map[string]any, 0, n)
	for i := range n {
		ds.Invoices = append(ds.Invoices, map[string]any{"Id": 3_000_000 + i, "Number": fmt.Sprintf("2025-E/%06d", i+1),
			"CustomerId": 1_000_000 + i%nb, "Issued": fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28),
			"CurrencyCode": []string{"HUF", "EUR"}[i%2], "Items": []any{
				map[string]any{"Name": "Árvíztűrő tükörfúrógép", "PriceNet": "12 900,00", "Quantity": "2", "VAT": "27%"},
				map[string]any{"Name": "Szakkönyv", "PriceNet": strconv.Itoa(1000 + i%5000), "Quantity": "1", "VAT": "5%"}}})
	}
	return ds
}

// BenchmarkExportDocumentsMemory exports n invoices with their lines (two
// each) from a sandbox in a child process to XLSX and to Excel CSV, for
// n = 5,000 and 50,000 (EXPORT_BENCH_DOC_SIZES=…; 50,000 invoices are
// 100,000 lines), and prints rows/s and the peak live heap the export
// added: memory must not grow with the documents (the ratio ≈ 1; XLSX up
// to excelize's 16 MB of a sheet held before it spills to a file).
func BenchmarkExportDocumentsMemory(b *testing.B) {
	sizes := []int{5_000, 50_000}
	if s := os.Getenv("EXPORT_BENCH_DOC_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	peaks := map[string][]uint64{}
	for range b.N {
		for _, n := range sizes {
			client := benchSandbox(b, n, "EXPORT_BENCH_DOCS=1")
			dir := b.TempDir()
			for _, format := range []string{"xlsx", "csv"} {
				cfg := export.Config{Client: client, Entities: []export.Entity{export.Invoices}, Items: true,
					Output: dir + "/invoices." + format, StateDir: b.TempDir(), Workers: 8, CSV: export.CSVOptions{Excel: true}}
				if format == "xlsx" {
					cfg.CSV = export.CSVOptions{}
				}
				var sum *export.Summary
				var d time.Duration
				peak := heapPeak(func() {
					t0 := time.Now()
					var err error
					if sum, err = export.Export(context.Background(), cfg); err != nil {
						b.Fatal(err)
					}
					d = time.Since(t0)
				})
				b.Logf("%s %7d invoices, %7d lines: %6.1fs, %8.0f rows/s, peak heap +%5.1f MiB, %d requests",
					format, sum.Tables[0].Rows, sum.Tables[1].Rows, d.Seconds(), float64(sum.Rows())/d.Seconds(),
					float64(peak)/(1<<20), sum.RequestsTotal)
				peaks[format] = append(peaks[format], peak)
			}
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		p := peaks[format]
		if len(p) >= 2 && p[0] > 0 {
			ratio := float64(p[len(p)-1]) / float64(p[0])
			b.Logf("%s: peak heap at %d invoices / at %d = %.2f", format, sizes[len(sizes)-1], sizes[0], ratio)
			b.ReportMetric(ratio, fmt.Sprintf("%s-heap-%dk/%dk", format, sizes[len(sizes)-1]/1000, sizes[0]/1000))
		}
	}
}
