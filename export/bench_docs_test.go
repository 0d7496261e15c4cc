package export_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
// added: memory must not grow with the documents (the ratio ≈ 1, in XLSX
// too: the writer streams each sheet into the zip file). It fails when the
// peak grows with the documents or passes its ceiling (checkFlat).
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
		checkFlat(b, format+" documents", sizes, peaks[format])
	}
}

// Memory limits of the documents' exports and of the XLSX writer, reported
// as failures: the peak at the largest size may not be twice the one at the
// smallest once the growth passes flatFloor (a few MiB move from run to run
// with the 20 ms sampling), nor pass flatCeiling. Measured: +2.7 to +5.4 MiB
// for 2,000 to 100,000 invoices with their lines, XLSX and CSV alike; the
// writer alone +3 to +4 MiB.
const (
	flatFloor   = 4 << 20
	flatCeiling = 16 << 20
)

func checkFlat(b *testing.B, what string, sizes []int, peaks []uint64) {
	b.Helper()
	n := len(peaks)
	if n < 2 || n != len(sizes) {
		return
	}
	first, last := peaks[0], peaks[n-1]
	if last > first+flatFloor && last > 2*first {
		b.Errorf("%s: the peak heap grows with the rows: +%.1f MiB at %d, +%.1f MiB at %d", what,
			float64(last)/(1<<20), sizes[n-1], float64(first)/(1<<20), sizes[0])
	}
	if last > flatCeiling {
		b.Errorf("%s: peak heap +%.1f MiB at %d; the limit is %d MiB", what, float64(last)/(1<<20), sizes[n-1], flatCeiling>>20)
	}
}

// BenchmarkXLSXWriterMemory writes n invoice-like rows (29 columns, with
// totals per currency) and 2n line rows (13 columns) through the XLSX
// writer alone, without a sandbox or a snapshot, for n = 10,000 and
// 100,000 (EXPORT_BENCH_DOC_SIZES=…), and reports the peak live heap the
// writer added: it must not grow with the rows (the ratio ≈ 1). Seconds,
// where the whole export takes minutes.
func BenchmarkXLSXWriterMemory(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if s := os.Getenv("EXPORT_BENCH_DOC_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	docCols := []export.Column{{Name: "Id", Kind: export.ColInt, IsID: true}, {Name: "Number"}, {Name: "Type"},
		{Name: "Status"}, {Name: "StatusGroup", NotSummed: "Failed"}, {Name: "Issued", Kind: export.ColDate},
		{Name: "Performance", Kind: export.ColDate}, {Name: "Prompt", Kind: export.ColDate}, {Name: "Paid", Kind: export.ColDate},
		{Name: "CurrencyCode", Group: true}, {Name: "AmountNet", Kind: export.ColFloat, Sum: true},
		{Name: "AmountVat", Kind: export.ColFloat, Sum: true}, {Name: "Amount", Kind: export.ColFloat, Sum: true}}
	for _, name := range []string{"PaymentMethod", "VATMode", "CustomerName", "CustomerVatNumber", "CustomerEUVatNumber",
		"CustomerCountry", "CustomerPostalCode", "CustomerCity", "CustomerAddress"} {
		docCols = append(docCols, export.Column{Name: name})
	}
	docCols = append(docCols, export.Column{Name: "StornedId", Kind: export.ColInt, IsID: true},
		export.Column{Name: "ProjectId", Kind: export.ColInt, IsID: true}, export.Column{Name: "Subject"},
		export.Column{Name: "DocumentUrl"}, export.Column{Name: "BusinessName"}, export.Column{Name: "BusinessVatNumber"},
		export.Column{Name: "BusinessRegistrationNumber"})
	itemCols := []export.Column{{Name: "DocumentId", Kind: export.ColInt, IsID: true}, {Name: "DocumentNumber"},
		{Name: "Issued", Kind: export.ColDate}, {Name: "CurrencyCode", Group: true}, {Name: "ItemId", Kind: export.ColInt, IsID: true},
		{Name: "Name"}, {Name: "SKU"}, {Name: "Quantity", Kind: export.ColFloat}, {Name: "Unit"},
		{Name: "PriceNet", Kind: export.ColFloat}, {Name: "VAT"}, {Name: "PriceNetTotal", Kind: export.ColFloat, Sum: true},
		{Name: "PriceTotal", Kind: export.ColFloat, Sum: true}}
	write := func(path string, n int) error {
		w, err := export.NewXLSXWriter(path)
		if err != nil {
			return err
		}
		defer w.Abort()
		cells := make([]export.Cell, len(docCols))
		if err := w.Table("Invoices", docCols); err != nil {
			return err
		}
		for i := range n {
			day := time.Date(2025, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			net := 25800 + i%5000
			for c, col := range docCols {
				switch col.Kind {
				case export.ColInt:
					cells[c] = export.Cell{Kind: export.CellInt, Int: int64(3_000_000 + i), Text: strconv.Itoa(3_000_000 + i)}
				case export.ColDate:
					cells[c] = export.Cell{Kind: export.CellDate, Time: day, Text: day.Format("2006-01-02")}
				case export.ColFloat:
					s := fmt.Sprintf("%d.%02d", net, i%100)
					f, _ := strconv.ParseFloat(s, 64)
					cells[c] = export.Cell{Kind: export.CellFloat, Float: f, Text: s}
				default:
					cells[c] = export.Cell{Kind: export.CellText, Text: fmt.Sprintf("%s %d Árvíztűrő", col.Name, i)}
				}
			}
			cells[4].Text, cells[9].Text = []string{"Open", "Success", "Failed"}[i%3], []string{"HUF", "EUR"}[i%2]
			if err := w.Row(cells); err != nil {
				return err
			}
		}
		cells = make([]export.Cell, len(itemCols))
		if err := w.Table("InvoiceItems", itemCols); err != nil {
			return err
		}
		for i := range 2 * n {
			for c, col := range itemCols {
				switch col.Kind {
				case export.ColInt:
					cells[c] = export.Cell{Kind: export.CellInt, Int: int64(i), Text: strconv.Itoa(i)}
				case export.ColDate:
					cells[c] = export.Cell{Kind: export.CellDate, Time: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Text: "2025-01-02"}
				case export.ColFloat:
					cells[c] = export.Cell{Kind: export.CellFloat, Float: 12900, Text: "12900"}
				default:
					cells[c] = export.Cell{Kind: export.CellText, Text: "Árvíztűrő tükörfúrógép"}
				}
			}
			cells[3].Text = []string{"HUF", "EUR"}[i%2]
			if err := w.Row(cells); err != nil {
				return err
			}
		}
		return w.Close()
	}
	var peaks []uint64
	for range b.N {
		peaks = peaks[:0]
		for _, n := range sizes {
			path := filepath.Join(b.TempDir(), "invoices.xlsx")
			var err error
			t0 := time.Now()
			peak := heapPeak(func() { err = write(path, n) })
			d := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			fi, _ := os.Stat(path)
			b.Logf("xlsx writer %7d invoices, %7d lines: %5.1fs, %8.0f rows/s, peak heap +%5.1f MiB, file %5.1f MiB",
				n, 2*n, d.Seconds(), float64(3*n)/d.Seconds(), float64(peak)/(1<<20), float64(fi.Size())/(1<<20))
			peaks = append(peaks, peak)
		}
	}
	if len(peaks) >= 2 && peaks[0] > 0 {
		ratio := float64(peaks[len(peaks)-1]) / float64(peaks[0])
		b.Logf("xlsx writer: peak heap at %d invoices / at %d = %.2f", sizes[len(sizes)-1], sizes[0], ratio)
		b.ReportMetric(ratio, fmt.Sprintf("xlsx-writer-heap-%dk/%dk", sizes[len(sizes)-1]/1000, sizes[0]/1000))
	}
	checkFlat(b, "xlsx writer", sizes, peaks)
}
