package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// memRun is one measured read of a whole file.
type memRun struct {
	rows     int
	elapsed  time.Duration
	alloc    uint64 // bytes allocated in total
	peakLive uint64 // highest live heap (after a GC) while reading, above the heap before opening
	peakUsed uint64 // highest HeapInuse (garbage included) while reading, above the heap before opening
}

// measureRead reads path to the end twice: once timed, once sampling the
// heap every 1000 rows (HeapInuse as it is, then the live heap after a
// forced GC: the garbage between collections makes the first noisy).
func measureRead(b *testing.B, path string) memRun {
	b.Helper()
	var run memRun
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, alloc0 := ms.HeapInuse, ms.TotalAlloc
	start := time.Now()
	run.rows = readRows(b, path, nil)
	run.elapsed = time.Since(start)
	runtime.ReadMemStats(&ms)
	run.alloc = ms.TotalAlloc - alloc0

	runtime.GC()
	runtime.ReadMemStats(&ms)
	base = ms.HeapInuse
	above := func(x uint64) uint64 {
		if x > base {
			return x - base
		}
		return 0
	}
	readRows(b, path, func() {
		runtime.ReadMemStats(&ms)
		run.peakUsed = max(run.peakUsed, above(ms.HeapInuse))
		runtime.GC()
		runtime.ReadMemStats(&ms)
		run.peakLive = max(run.peakLive, above(ms.HeapInuse))
	})
	return run
}

// readRows reads path to the end, calling sample every 1000 rows.
func readRows(b *testing.B, path string, sample func()) int {
	r, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next(b.Context())
		if err == io.EOF {
			return n
		}
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			b.Fatal(err)
		}
		n++
		if sample != nil && n%1000 == 0 {
			sample()
		}
	}
}

// reportMemory reads the small and the large file and reports rows/s,
// peak heap and the ratio of the peaks: about 1 when memory is flat.
func reportMemory(b *testing.B, small, large string, nSmall, nLarge int) {
	var s, l memRun
	for b.Loop() {
		s = measureRead(b, small)
		l = measureRead(b, large)
	}
	if s.rows != nSmall || l.rows != nLarge {
		b.Fatalf("read %d and %d rows, want %d and %d", s.rows, l.rows, nSmall, nLarge)
	}
	mib := func(x uint64) float64 { return float64(x) / (1 << 20) }
	ratio := float64(l.peakLive) / float64(max(s.peakLive, 1))
	b.ReportMetric(float64(l.rows)/l.elapsed.Seconds(), "rows/s")
	b.ReportMetric(mib(s.peakLive), "peakMiB-small")
	b.ReportMetric(mib(l.peakLive), "peakMiB-large")
	b.ReportMetric(ratio, "peak-ratio")
	b.ReportMetric(float64(l.alloc)/float64(l.rows), "allocB/row")
	for _, r := range []memRun{s, l} {
		b.Logf("%6d rows: %.0f rows/s, %.0f B allocated per row, peak live heap %.2f MiB (HeapInuse with garbage %.2f MiB)",
			r.rows, float64(r.rows)/r.elapsed.Seconds(), float64(r.alloc)/float64(r.rows), mib(r.peakLive), mib(r.peakUsed))
	}
	b.Logf("peak live heap %d rows / %d rows = %.2f (flat memory: about 1); with garbage %.2f",
		nLarge, nSmall, ratio, float64(l.peakUsed)/float64(max(s.peakUsed, 1)))
	checkFlat(b, s.peakLive, l.peakLive)
}

// Memory limits of a streaming read (measured: about 0.1 MiB of live heap
// for 10k and for 100k rows, CSV and XLSX alike). The large files are
// several megabytes, so a reader that kept them fails the first limit; one
// that kept a little per row fails the second.
const (
	maxPeakLive  = 8 << 20 // bytes of live heap at the large file
	maxPeakRatio = 2.0     // large file's peak / small file's peak…
	ratioFloor   = 1 << 20 // …once the growth is above this (noise below)
)

// checkFlat fails the benchmark when memory grows with the rows.
func checkFlat(b *testing.B, small, large uint64) {
	b.Helper()
	if large > maxPeakLive {
		b.Errorf("peak live heap %.1f MiB at the large file; the limit is %d MiB", float64(large)/(1<<20), maxPeakLive>>20)
	}
	if large > small+ratioFloor && float64(large) > maxPeakRatio*float64(small) {
		b.Errorf("peak live heap grows with the rows: %.2f MiB for 10× the rows of %.2f MiB (limit: ×%.0f)",
			float64(large)/(1<<20), float64(small)/(1<<20), maxPeakRatio)
	}
}

// BenchmarkCSVMemory reads a generated 10k-row and 100k-row windows-1250
// CSV (the detection and decoding path) in one run.
func BenchmarkCSVMemory(b *testing.B) {
	dir := b.TempDir()
	write := func(n int) string {
		path := filepath.Join(dir, fmt.Sprintf("rows%d.csv", n))
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		enc := encodeFunc(b)
		w.Write(enc("Név;Email;Telefon;Cím;Megjegyzés\r\n"))
		for i := range n {
			w.Write(enc(fmt.Sprintf("Kovács Őrs %d;ors%d@example.hu;+36 20 %07d;\"Győr, Fő utca %d.\r\n2. emelet\";ű–ő „%d”\r\n", i, i, i, i%200, i)))
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		return path
	}
	reportMemory(b, write(10_000), write(100_000), 10_000, 100_000)
}

func encodeFunc(b *testing.B) func(string) []byte {
	e := charmap.Windows1250.NewEncoder()
	return func(s string) []byte {
		out, err := e.Bytes([]byte(s))
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
}

// BenchmarkXLSXMemory does the same for workbooks written with excelize's
// StreamWriter (inline strings, numbers, dates).
func BenchmarkXLSXMemory(b *testing.B) {
	dir := b.TempDir()
	write := func(n int) string {
		path := filepath.Join(dir, fmt.Sprintf("rows%d.xlsx", n))
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		sw.SetRow("A1", []any{"Név", "Email", "Azonosító", "Összeg", "Dátum", "Aktív"})
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{
				fmt.Sprintf("Kovács Őrs %d", i), fmt.Sprintf("ors%d@example.hu", i), 36200000000 + i, float64(i) * 1.5,
				excelize.Cell{StyleID: date, Value: day.AddDate(0, 0, i%365)}, i%2 == 0,
			}); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.SaveAs(path); err != nil {
			b.Fatal(err)
		}
		return path
	}
	reportMemory(b, write(10_000), write(100_000), 10_000, 100_000)
}
