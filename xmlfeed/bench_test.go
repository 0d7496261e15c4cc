package xmlfeed_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// benchMapping maps the 10 columns of benchCSV: a card per row with its
// company and contact person, one phone number each.
const benchMapping = `source:
  file: rows.csv
phone_region: HU
business:
  match: [vat_number, name]
  fields:
    Name: {column: company}
    VatNumber: {column: vat}
person:
  match: [email]
  link: business
  fields:
    LastName: {column: last}
    FirstName: {column: first}
    Email: {column: email}
    Phone: {column: phone}
project:
  category: Értékesítés
  match: [external_id]
  external_id: KulsoAzonosito
  fields:
    Name: {template: "{company} – {opportunity}"}
    StatusId: {const: Érdeklődő}
    UserId: {const: Kovács Anna}
    KulsoAzonosito: {column: id}
    VarhatoArbevetel: {column: amount}
    HolTalaltRank: {column: source}
`

// writeBenchCSV writes n rows of 10 columns, comma-separated (so that
// Miller reads it with plain --icsv), every row with its own phone number.
func writeBenchCSV(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,company,vat,last,first,email,phone,opportunity,amount,source")
	sources := []string{"Weboldal", "Ajánlás", "Hirdetés", "Rendezvény"}
	lasts := []string{"Kiss", "Nagy", "Kovács", "Szabó", "Tóth", "Horváth", "Varga", "Molnár"}
	firsts := []string{"János", "Éva", "Ödön", "Gergő", "Anna", "Péter", "Zsófia", "Ábel"}
	for i := 0; i < n; i++ {
		// Mobile numbers 06 20/30/70 + 7 digits, spelt the ways people
		// type them; all distinct, so no cache can help.
		phone := fmt.Sprintf("06 %d %03d %04d", []int{20, 30, 70}[i%3], (i/10000)%1000, i%10000)
		if i%2 == 1 {
			phone = fmt.Sprintf("+36-%d-%03d-%04d", []int{20, 30, 70}[i%3], (i/10000)%1000, i%10000)
		}
		fmt.Fprintf(w, "B-%07d,Cég %d Kft.,%08d-2-41,%s,%s,p%d@ceg%d.hu,%s,Lehetőség %d,%d,%s\n",
			i, i%5000, 10000000+i%5000, lasts[i%8], firsts[(i/8)%8], i, i%5000, phone, i, (i%997)*1000, sources[i%4])
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// peakHeap samples the live heap while fn runs and returns the largest
// value seen (after a GC before the start, so garbage of earlier work does
// not count).
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// BenchmarkFeedBuild is the benchmark (go test -run '^$' -bench
// FeedBuild -benchtime 1x ./xmlfeed/, or make bench): a 1,000,000-row CSV
// (10 mapped columns, one phone) → feed, printing rows/s, the peak heap at
// 100k and at 1M rows, and the time against Miller converting the same CSV
// to JSON (mlr --icsv --ojson cat) in the same run, when mlr is installed
// (Debian: apt-get install miller).
func BenchmarkFeedBuild(b *testing.B) {
	big, small := 1_000_000, 100_000
	if n, err := strconv.Atoi(os.Getenv("FEED_BENCH_ROWS")); err == nil && n >= 10 { // a quicker run while profiling
		big, small = n, n/10
	}
	e := newEnv(b, sandbox.Config{})
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bench.yaml"), []byte(benchMapping), 0o644); err != nil {
		b.Fatal(err)
	}
	bigCSV, smallCSV := filepath.Join(dir, "rows.csv"), filepath.Join(dir, "rows-100k.csv")
	writeBenchCSV(b, bigCSV, big)
	writeBenchCSV(b, smallCSV, small)

	run := func(src string, rows int, snap *xmlfeed.Snapshot, noDupCheck ...bool) (time.Duration, uint64, *xmlfeed.BuildSummary) {
		plan, r := e.plan(b, filepath.Join(dir, "bench.yaml"), src)
		var sum *xmlfeed.BuildSummary
		var err error
		start := time.Now()
		peak := peakHeap(func() {
			sum, err = xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: filepath.Join(dir, "feed.xml"),
				Snapshot: snap, Scope: "bench", SkipDuplicateCheck: len(noDupCheck) > 0})
		})
		elapsed := time.Since(start)
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Written+sum.Unchanged != rows {
			b.Fatalf("summary %+v", sum)
		}
		return elapsed, peak, sum
	}

	// The build and Miller take turns, three rounds, and the best time of
	// each counts: on a shared machine that is the fairest comparison.
	mlr, mlrErr := exec.LookPath("mlr")
	runMiller := func() time.Duration {
		out, err := os.Create(filepath.Join(dir, "rows.json"))
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		cmd := exec.Command(mlr, "--icsv", "--ojson", "cat", bigCSV)
		cmd.Stdout = out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("mlr: %v", err)
		}
		return time.Since(start)
	}
	// Timed as `feed build` runs: with GOGC=400 (cmd/minicrm-bulk/feed.go).
	// The memory figures below are taken with the default GOGC=100.
	gc := debug.SetGCPercent(400)
	b.ResetTimer()
	elapsed, mlrTime := time.Duration(1<<62), time.Duration(1<<62)
	for i := 0; i < max(b.N, 3); i++ {
		t, _, _ := run(bigCSV, big, nil)
		elapsed = min(elapsed, t)
		if mlrErr == nil {
			mlrTime = min(mlrTime, runMiller())
		}
	}
	b.StopTimer()
	debug.SetGCPercent(gc)
	_, peakSmall, _ := run(smallCSV, small, nil)
	_, peakBig, _ := run(bigCSV, big, nil)
	fi, _ := os.Stat(filepath.Join(dir, "feed.xml"))
	rate := float64(big) / elapsed.Seconds()
	b.ReportMetric(rate, "rows/s")
	fmt.Printf("feed build (GOGC=400, as the command runs): %d rows in %s = %.0f rows/s (best of 3), feed %d MB\n", big, elapsed.Round(time.Millisecond), rate, fi.Size()>>20)
	_, flatSmall, _ := run(smallCSV, small, nil, true)
	_, flatBig, _ := run(bigCSV, big, nil, true)
	fmt.Printf("peak heap (HeapAlloc, garbage included): %.1f MB at %d rows, %.1f MB at %d rows (ratio %.2f): the duplicate-Id check's index grows with the cards;\n"+
		"  without it (SkipDuplicateCheck) %.1f MB and %.1f MB (ratio %.2f): the streaming itself is flat\n",
		float64(peakSmall)/1e6, small, float64(peakBig)/1e6, big, float64(peakBig)/float64(peakSmall),
		float64(flatSmall)/1e6, float64(flatBig)/1e6, float64(flatBig)/float64(flatSmall))
	checkFeedMemory(b, small, big, peakSmall, peakBig, flatSmall, flatBig)

	// --changed-only against a snapshot of the same rows: every card is
	// looked up, none written.
	snap, err := xmlfeed.OpenSnapshot(filepath.Join(dir, "state"))
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	t0, _, sum := run(bigCSV, big, snap)
	for _, f := range sum.Files {
		if _, _, err := snap.Promote(f.SHA256); err != nil {
			b.Fatal(err)
		}
	}
	t1, _, sum := run(bigCSV, big, snap)
	fmt.Printf("--changed-only: first build %s (%d written), unchanged re-build %s (%d written, %d unchanged)\n",
		t0.Round(time.Millisecond), big, t1.Round(time.Millisecond), sum.Written, sum.Unchanged)

	if mlrErr != nil {
		fmt.Println("Miller (mlr) is not installed: no comparison (Debian: apt-get install miller)")
		return
	}
	fmt.Printf("Miller (mlr --icsv --ojson cat, %d cores): %s = %.0f rows/s; feed build / Miller time = %.2f (below 1: faster than Miller; best of 3 each)\n",
		runtime.NumCPU(), mlrTime.Round(time.Millisecond), float64(big)/mlrTime.Seconds(), elapsed.Seconds()/mlrTime.Seconds())
}

// Memory limits of a feed build, reported as failures. The streaming
// itself (without the duplicate-Id check) must stay flat: ten times the
// rows may not double its peak once the growth is above the noise of a
// heap with garbage. The duplicate-Id check keeps one index entry a card:
// at most maxIndexBytesPerRow of heap a row more than the flat build.
const (
	maxFeedRatio        = 2.0
	feedRatioFloor      = 16 << 20
	maxIndexBytesPerRow = 256
)

func checkFeedMemory(b *testing.B, small, big int, peakSmall, peakBig, flatSmall, flatBig uint64) {
	b.Helper()
	if flatBig > flatSmall+feedRatioFloor && float64(flatBig) > maxFeedRatio*float64(flatSmall) {
		b.Errorf("the streaming build's peak heap grows with the rows: %.1f MB at %d rows, %.1f MB at %d (limit ×%.0f)",
			float64(flatBig)/1e6, big, float64(flatSmall)/1e6, small, maxFeedRatio)
	}
	if peakBig > flatBig {
		if per := float64(peakBig-flatBig) / float64(big); per > maxIndexBytesPerRow {
			b.Errorf("the duplicate-Id check holds %.0f bytes a row at %d rows (limit %d)", per, big, maxIndexBytesPerRow)
		}
	}
}
