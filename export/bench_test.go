package export_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestMain also serves the benchmark's sandbox, in a process of its own
// (EXPORT_BENCH_SANDBOX=n), so that the benchmark's process holds the
// export alone: an in-process sandbox's memory, and the garbage each of its
// answers makes, grow with its data and would be measured with the export.
func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv("EXPORT_BENCH_SANDBOX")); err == nil && n > 0 {
		serveBenchSandbox(n)
		return
	}
	os.Exit(m.Run())
}

func serveBenchSandbox(n int) {
	key := sandbox.GenerateAPIKey()
	ds := bigDataset(n)
	if os.Getenv("EXPORT_BENCH_DOCS") != "" {
		ds = invoiceDataset(n)
	}
	srv, err := sandbox.New(sandbox.Config{SystemID: 12345, APIKey: key, RPM: 0, Dataset: ds})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(ln, srv)
	fmt.Printf("http://%s %s\n", ln.Addr(), key)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes it
}

// benchSandbox starts a sandbox of n persons in a child process and
// returns a client of it.
func benchSandbox(b *testing.B, n int, env ...string) *restapi.Client {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "EXPORT_BENCH_SANDBOX="+strconv.Itoa(n))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	var url, key string
	if _, err := fmt.Fscan(bufio.NewReader(stdout), &url, &key); err != nil {
		b.Fatalf("the sandbox process: %v", err)
	}
	c, err := restapi.NewClient(restapi.WithBaseURL(url), restapi.WithSystemID("12345"), restapi.WithAPIKey(key),
		restapi.WithRPM(600000), restapi.WithRetryPolicy(fastRetry))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// bigDataset is n persons in n/10 companies (list columns: name, email,
// phone, company), as issue 16 measured them: 100,000 persons in 10,000
// companies, all written just now (as right after an import, so that a
// listing UpdatedSince the run's start would show them all again).
func bigDataset(n int) *sandbox.Dataset {
	ds := sandbox.EmptyDataset()
	nb := max(n/10, 1)
	now := "2024-01-02 10:00:00"
	if loc, err := time.LoadLocation("Europe/Budapest"); err == nil {
		now = time.Now().In(loc).Format("2006-01-02 15:04:05")
	}
	ds.Contacts = make([]sandbox.SeedContact, 0, n+nb)
	for b := range nb {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 1_000_000 + b, Type: "Business", CreatedAt: now,
			Emails: []string{fmt.Sprintf("info%d@ceg.example", b)}, Fields: map[string]any{"Name": fmt.Sprintf("Cég %d Kft.", b)}})
	}
	for i := range n {
		ds.Contacts = append(ds.Contacts, sandbox.SeedContact{Id: 2_000_000 + i, Type: "Person", BusinessId: 1_000_000 + i%nb, CreatedAt: now,
			Emails: []string{fmt.Sprintf("szemely%d@pelda.example", i)}, Phones: []string{fmt.Sprintf("+36 30 %03d %04d", i%1000, i%10000)},
			Fields: map[string]any{"FirstName": "Árvíztűrő", "LastName": fmt.Sprintf("Tükörfúrógép %d", i)}})
	}
	return ds
}

// heapPeak samples the live heap while f runs (a GC every 20 ms, then the
// heap the GC found live) and returns the highest reading above the live
// heap before f. Live, not allocated: with the sandbox's data on the same
// heap, the garbage the GC lets pile up between collections grows with the
// sandbox, and would hide what the export itself holds.
func heapPeak(f func()) uint64 {
	heap, _ := memPeak(f)
	return heap
}

// rss is the process's resident memory from /proc/self/status: all of it,
// its anonymous part (heap, stacks: the process's own memory) and its
// file-backed part (mapped files: the state database bbolt maps, pages the
// kernel may drop at any time).
type rss struct{ total, anon, file uint64 }

func readRSS() rss {
	var r rss
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return r
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			r.total = n << 10
		case "RssAnon:":
			r.anon = n << 10
		case "RssFile:":
			r.file = n << 10
		}
	}
	return r
}

// memPeak is heapPeak that also samples the process's resident memory (the
// highest readings while f runs, after the heap was given back to the OS).
func memPeak(f func()) (uint64, rss) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { runtime.GC(); metrics.Read(sample); return sample[0].Value.Uint64() }
	debug.FreeOSMemory()
	base := read()
	var peak atomic.Uint64
	var mu sync.Mutex
	var top rss
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
				writePeakProfile()
			}
			m := readRSS()
			mu.Lock()
			top.total, top.anon, top.file = max(top.total, m.total), max(top.anon, m.anon), max(top.file, m.file)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base, top
	}
	return 0, top
}

// BenchmarkExportMemory exports n persons (list columns, with their
// company's name and email) from a sandbox (RPM 0, in a child process) to
// XLSX and to CSV, for n = 10,000 and 100,000 (EXPORT_BENCH_SIZES=…), and
// prints rows/s and the peak live heap the export added: memory must not
// grow with the rows (the 100k/10k ratio ≈ 1).
func BenchmarkExportMemory(b *testing.B) {
	sizes := []int{10_000, 50_000, 100_000}
	if s := os.Getenv("EXPORT_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	peaks := map[string][]uint64{}
	rsses := map[string][]rss{}
	rewrites := map[string][]rss{} // the incremental run's
	for range b.N {
		for _, n := range sizes {
			client := benchSandbox(b, n)
			dir := b.TempDir()
			for _, format := range []string{"xlsx", "csv"} {
				cfg := export.Config{Client: client, Entities: []export.Entity{export.Persons},
					Output: dir + "/persons." + format, StateDir: b.TempDir()}
				var sum *export.Summary
				var d time.Duration
				exp := func() {
					t0 := time.Now()
					var err error
					if sum, err = export.Export(context.Background(), cfg); err != nil {
						b.Fatal(err)
					}
					d = time.Since(t0)
				}
				peak, top := memPeak(exp)
				fi, _ := os.Stat(cfg.Output)
				b.Logf("%s %7d rows: %6.1fs, %8.0f rows/s, peak heap +%5.1f MiB, peak RSS %5.1f MiB (anon %5.1f, file %5.1f), file %5.1f MiB, %d requests (%d list pages)",
					format, sum.Rows(), d.Seconds(), float64(sum.Rows())/d.Seconds(), float64(peak)/(1<<20),
					mib(top.total), mib(top.anon), mib(top.file), float64(fi.Size())/(1<<20), sum.RequestsTotal,
					sum.Requests["GET /Api/R3/Contact"])
				rsses[format] = append(rsses[format], top)
				// The same export incremental: one empty page, then every
				// row written again from the snapshot. What the writing
				// itself costs, without the sandbox's listing.
				cfg.Incremental = true
				rpeak, rtop := memPeak(exp)
				b.Logf("%s %7d rows rewritten from the snapshot: %5.1fs, %8.0f rows/s, peak heap +%5.1f MiB, peak RSS %5.1f MiB (anon %5.1f, file %5.1f), %d requests",
					format, sum.Rows(), d.Seconds(), float64(sum.Rows())/d.Seconds(), float64(rpeak)/(1<<20),
					mib(rtop.total), mib(rtop.anon), mib(rtop.file), sum.RequestsTotal)
				peaks[format] = append(peaks[format], peak)
				rewrites[format] = append(rewrites[format], rtop)
			}
		}
	}
	// XLSX: excelize keeps up to 16 MB of a sheet's XML in memory before
	// moving it to a temporary file, so its heap grows up to that and then
	// stays: compare the largest size with the one before it too.
	for _, format := range []string{"xlsx", "csv"} {
		p := peaks[format]
		n := len(sizes)
		if len(p) < 2 || n < 2 {
			continue
		}
		for _, i := range []int{0, n - 2} {
			if p[i] > 0 && (i == 0 || i != n-2 || n > 2) {
				ratio := float64(p[n-1]) / float64(p[i])
				b.Logf("%s: peak heap at %d rows / at %d rows = %.2f", format, sizes[n-1], sizes[i], ratio)
				b.ReportMetric(ratio, fmt.Sprintf("%s-heap-%dk/%dk", format, sizes[n-1]/1000, sizes[i]/1000))
			}
			if n == 2 {
				break
			}
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		p := rsses[format]
		if n := len(p); n >= 2 && p[0].total > 0 {
			b.Logf("%s: peak RSS at %d rows / at %d rows = %.2f (anonymous %.2f, file-backed %.1f / %.1f MiB)", format,
				sizes[n-1], sizes[0], float64(p[n-1].total)/float64(p[0].total), float64(p[n-1].anon)/float64(p[0].anon),
				mib(p[n-1].file), mib(p[0].file))
			b.ReportMetric(float64(p[n-1].total)/float64(p[0].total), fmt.Sprintf("%s-rss-%dk/%dk", format, sizes[n-1]/1000, sizes[0]/1000))
		}
		if p := rewrites[format]; len(p) >= 2 && p[0].total > 0 {
			n := len(p)
			b.Logf("%s rewritten from the snapshot: peak RSS at %d rows / at %d rows = %.2f (anonymous %.2f, file-backed %.1f / %.1f MiB)", format,
				sizes[n-1], sizes[0], float64(p[n-1].total)/float64(p[0].total), float64(p[n-1].anon)/float64(p[0].anon),
				mib(p[n-1].file), mib(p[0].file))
			b.ReportMetric(float64(p[n-1].total)/float64(p[0].total), fmt.Sprintf("%s-rewrite-rss-%dk/%dk", format, sizes[n-1]/1000, sizes[0]/1000))
		}
	}
	checkExportMemory(b, sizes, peaks)
}

// writePeakProfile writes the heap profile (as of the GC just run: what is
// live at the new peak) to the file EXPORT_BENCH_PEAKPROF names, when set:
// `go tool pprof -sample_index=inuse_space` on it shows what the peak holds,
// which a -memprofile written at the end of the benchmark does not.
func writePeakProfile() {
	path := os.Getenv("EXPORT_BENCH_PEAKPROF")
	if path == "" {
		return
	}
	if f, err := os.Create(path); err == nil {
		_ = pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// Memory limits of an export, reported as failures (measured on 2 cores:
// CSV +2.2, +4.0 and +3.6 MiB of live heap at 10k, 50k and 100k rows; XLSX
// +9.4, +27 and +33 MiB, excelize holding up to 16 MB of sheet XML before it
// moves to a temporary file). The CSV export's peak may not double from the
// smallest size to the largest, the XLSX export's from the size before the
// largest (when that one already filled excelize's buffer), once the growth
// is above exportRatioFloor; and neither may pass its ceiling at the
// largest size.
const (
	maxExportRatio   = 2.0
	exportRatioFloor = 4 << 20
	maxCSVPeak       = 16 << 20
	maxXLSXPeak      = 64 << 20
	excelizeBuffer   = 16 << 20
)

func checkExportMemory(b *testing.B, sizes []int, peaks map[string][]uint64) {
	b.Helper()
	n := len(sizes)
	for format, from := range map[string]int{"csv": 0, "xlsx": n - 2} {
		p := peaks[format]
		if len(p) != n || n < 2 {
			continue
		}
		last, base := p[n-1], p[max(from, 0)]
		grows := last > base+exportRatioFloor && float64(last) > maxExportRatio*float64(base)
		if format == "xlsx" && base < excelizeBuffer {
			grows = false // still filling the buffer: growth expected
		}
		if grows {
			b.Errorf("%s: the peak heap grows with the rows: +%.1f MiB at %d rows, +%.1f MiB at %d (limit ×%.0f)",
				format, float64(last)/(1<<20), sizes[n-1], float64(base)/(1<<20), sizes[max(from, 0)], maxExportRatio)
		}
		ceiling := uint64(maxCSVPeak)
		if format == "xlsx" {
			ceiling = maxXLSXPeak
		}
		if last > ceiling {
			b.Errorf("%s: peak heap +%.1f MiB at %d rows; the limit is %d MiB", format, float64(last)/(1<<20), sizes[n-1], ceiling>>20)
		}
	}
}
