package xmlfeed_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// The benchmark's source is the practice sheet (testdata/xmlfeed/
// partnerek-sample.csv: 150 partner rows, and 5 of them again with the
// e-mail's case and the phone re-typed, as the user's real file has them)
// scaled up: copy k of the sample gets the ids "P-5000-k", an e-mail
// "…k@…" and phone numbers whose last four digits are moved by k, so
// every id, address and number is its own (no cache can remember a value)
// and each copy repeats 5 Project Ids, which the duplicate check must
// reject. The file keeps the sample's form: UTF-8 with BOM, ';', CRLF.
const sheetSample = "partnerek-sample.csv"

// scaleSheet writes n rows of the scaled-up sheet to path and returns how
// many of them repeat an earlier row's id.
func scaleSheet(tb testing.TB, path string, n int) (dups int) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, sheetSample))
	if err != nil {
		tb.Fatal(err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	if strings.Contains(string(raw), `"`) {
		tb.Fatal("the sample must stay unquoted: scaleSheet copies its fields as they are")
	}
	header := strings.Split(lines[0], ";")
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		tb.Fatalf("the sample has no column %q", name)
		return -1
	}
	idCol, emailCol, phoneCol := col("Azonosító"), col("Email cím"), col("Mobil")
	var rows [][]string
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, ";"))
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("\ufeff" + lines[0] + "\r\n")
	cells := make([]string, len(header))
	for i := 0; i < n; i++ {
		k, src := i/len(rows), rows[i%len(rows)]
		copy(cells, src)
		cells[idCol] = src[idCol] + "-" + strconv.Itoa(k)
		cells[emailCol] = strings.Replace(src[emailCol], "@", strconv.Itoa(k)+"@", 1)
		cells[phoneCol] = shiftLastDigits(src[phoneCol], k)
		w.WriteString(strings.Join(cells, ";"))
		w.WriteString("\r\n")
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	// Copies do not share ids: each whole copy repeats the sample's
	// repeated ids, the last (partial) copy those of its rows.
	repeats := func(rows [][]string) int {
		seen, n := map[string]bool{}, 0
		for _, r := range rows {
			if seen[r[idCol]] {
				n++
			}
			seen[r[idCol]] = true
		}
		return n
	}
	return n/len(rows)*repeats(rows) + repeats(rows[:n%len(rows)])
}

// shiftLastDigits adds k to the number the last four digits of s make
// (modulo 10,000), keeping every other character: a different number of
// the same shape, spelt the same way.
func shiftLastDigits(s string, k int) string {
	b := []byte(s)
	var pos []int
	for i := len(b) - 1; i >= 0 && len(pos) < 4; i-- {
		if b[i] >= '0' && b[i] <= '9' {
			pos = append(pos, i)
		}
	}
	v := 0
	for j := len(pos) - 1; j >= 0; j-- {
		v = v*10 + int(b[pos[j]]-'0')
	}
	v = (v + k) % 10000
	for _, p := range pos {
		b[p] = byte('0' + v%10)
		v /= 10
	}
	return string(b)
}

// feedRun is one `minicrm-bulk feed build` run.
type feedRun struct {
	elapsed  time.Duration
	maxRSS   int64 // bytes; 0 when the OS does not say
	rows     int
	written  int
	rejected int
}

var buildSummary = regexp.MustCompile(`rows: (\d+)  cards written: (\d+)  unchanged: \d+  rejected: (\d+)`)

// BenchmarkFeedBuild is the benchmark (make bench, or go test -run
// '^$' -bench FeedBuild -benchtime 1x ./xmlfeed/): the real `minicrm-bulk
// feed build` binary, as a user runs it, builds the whole practice-sheet
// mapping (testdata/xmlfeed/partnerek.yaml: company, person and card, a
// name template, an enum table, phones, grouped numbers, dates) from a
// 1,000,000-row scale-up of the sheet, with the duplicate check on, taking
// turns with Miller converting the same file to JSON (mlr --icsv --ifs ';'
// --ojson --no-auto-unflatten cat: without the last flag Miller 6 fails on
// the sheet's "Irsz." column, a dot meaning nesting to it), three rounds,
// best time of each. It prints both rates,
// their ratio, and the build's peak RSS (the child's maxrss) at 100,000 and
// at 1,000,000 rows. FEED_BENCH_ROWS=N runs N rows instead of a million.
func BenchmarkFeedBuild(b *testing.B) {
	big := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("FEED_BENCH_ROWS")); err == nil && n >= 100 {
		big = n
	}
	small := big / 10
	dir := b.TempDir()
	bin := filepath.Join(dir, "minicrm-bulk")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/minicrm-bulk").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	mappingFile := filepath.Join(dir, "partnerek.yaml")
	m, err := os.ReadFile(filepath.Join(testdata, "partnerek.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(mappingFile, m, 0o644); err != nil {
		b.Fatal(err)
	}
	schema := filepath.Join(dir, "schema.json")
	if out, err := exec.Command(bin, "mapping", "schemas", "--mapping", mappingFile, "-o", schema, "--sandbox").CombinedOutput(); err != nil {
		b.Fatalf("mapping schemas: %v\n%s", err, out)
	}
	bigCSV, smallCSV := filepath.Join(dir, "rows.csv"), filepath.Join(dir, "rows-small.csv")
	bigDups := scaleSheet(b, bigCSV, big)
	smallDups := scaleSheet(b, smallCSV, small)
	fi, err := os.Stat(bigCSV)
	if err != nil {
		b.Fatal(err)
	}

	// The child runs as `feed build` runs for a user: with its own GC
	// settings, not whatever this process was given.
	var childEnv []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			childEnv = append(childEnv, kv)
		}
	}
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		b.Fatal(err)
	}
	build := func(src string, rows, dups int, extra ...string) feedRun {
		args := append([]string{"feed", "build", "--mapping", mappingFile, "--source", src, "--schema", schema,
			"-o", filepath.Join(outDir, "feed.xml"), "--errors", filepath.Join(outDir, "errors.csv")}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = childEnv
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		// The last round's outputs go before the clock starts, as Miller's
		// output file is truncated before Miller starts: otherwise the
		// build's rename over the last 743 MB feed would free its pages in
		// the build's time (0.2 to 0.8 s of system time here).
		for _, f := range []string{"feed.xml", "errors.csv"} {
			if err := os.Remove(filepath.Join(outDir, f)); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
		start := time.Now()
		err := cmd.Run()
		r := feedRun{elapsed: time.Since(start), maxRSS: maxRSS(cmd.ProcessState)}
		sm := buildSummary.FindStringSubmatch(stdout.String())
		if sm == nil {
			b.Fatalf("feed build: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		r.rows, _ = strconv.Atoi(sm[1])
		r.written, _ = strconv.Atoi(sm[2])
		r.rejected, _ = strconv.Atoi(sm[3])
		// Exit code 1 means "some rows rejected": the repeated ids.
		wantRejected := dups
		if len(extra) > 0 && extra[0] == "--no-duplicate-check" {
			wantRejected = 0
		}
		if r.rows != rows || r.rejected != wantRejected || r.written != rows-wantRejected {
			b.Fatalf("feed build of %d rows (%d repeated ids): %+v\n%s%s", rows, dups, r, stdout.String(), stderr.String())
		}
		return r
	}
	mlr, mlrErr := exec.LookPath("mlr")
	miller := func() time.Duration {
		out, err := os.Create(filepath.Join(outDir, "rows.json"))
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		cmd := exec.Command(mlr, "--icsv", "--ifs", ";", "--ojson", "--no-auto-unflatten", "cat", bigCSV)
		cmd.Stdout = out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("mlr: %v", err)
		}
		return time.Since(start)
	}

	b.ResetTimer()
	best, mlrBest := time.Duration(1<<62), time.Duration(1<<62)
	var rssBig int64
	for i := 0; i < max(b.N, 3); i++ {
		r := build(bigCSV, big, bigDups)
		best = min(best, r.elapsed)
		rssBig = max(rssBig, r.maxRSS)
		if mlrErr == nil {
			mlrBest = min(mlrBest, miller())
		}
	}
	b.StopTimer()
	rssSmall := build(smallCSV, small, smallDups).maxRSS
	flat := build(bigCSV, big, bigDups, "--no-duplicate-check")
	feed, _ := os.Stat(filepath.Join(outDir, "feed.xml"))
	rate := float64(big) / best.Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(float64(rssBig)/1e6, "MB-peak-RSS")
	// Memory is flat in the rows: the 1M-row build may take 100 MB and at
	// most twice the 100k-row build's (the duplicate check's table grows
	// with the cards, outside the heap).
	if rssBig > 100<<20 || rssBig > 2*rssSmall {
		b.Errorf("peak RSS %s at %d rows (%s at %d): more than 100 MB or twice the smaller build's", mb(rssBig), big, mb(rssSmall), small)
	}

	fmt.Printf("source: %d rows of the practice sheet scaled up (%d MB; %d repeated ids, rejected by the duplicate check); %d cores\n",
		big, fi.Size()>>20, bigDups, runtime.NumCPU())
	fmt.Printf("feed build (the minicrm-bulk binary, whole-sheet mapping, duplicate check on): best of 3 %s = %.0f rows/s, feed %d MB\n",
		best.Round(time.Millisecond), rate, feed.Size()>>20)
	fmt.Printf("peak RSS of feed build: %s at %d rows, %s at %d rows (%s at %d rows with --no-duplicate-check)\n",
		mb(rssSmall), small, mb(rssBig), big, mb(flat.maxRSS), big)
	if mlrErr != nil {
		fmt.Println("Miller (mlr) is not installed: no comparison; install it (Debian: apt-get install miller) and run again")
	} else {
		mrate := float64(big) / mlrBest.Seconds()
		fmt.Printf("Miller (mlr --icsv --ifs ';' --ojson --no-auto-unflatten cat, same file, alternated): best of 3 %s = %.0f rows/s\n",
			mlrBest.Round(time.Millisecond), mrate)
		fmt.Printf("feed build rows/s / Miller rows/s = %.2f× (the goal: at least 2.0×); peak RSS at %d rows %s (the goal: at most 100 MB)\n",
			rate/mrate, big, mb(rssBig))
		b.ReportMetric(rate/mrate, "x-Miller")
	}

	// --changed-only over the same rows, in process: a first build records
	// every card; after its push an unchanged re-build writes none.
	e := newEnv(b, sandbox.Config{})
	snap, err := xmlfeed.OpenSnapshot(filepath.Join(dir, "state"))
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Close()
	changedOnly := func() (time.Duration, *xmlfeed.BuildSummary) {
		plan, r := e.plan(b, mappingFile, bigCSV)
		defer r.Close()
		start := time.Now()
		sum, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r,
			Output: filepath.Join(outDir, "feed.xml"), Snapshot: snap, Scope: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), sum
	}
	t0, sum := changedOnly()
	for _, f := range sum.Files {
		if _, _, err := snap.Promote(f.SHA256); err != nil {
			b.Fatal(err)
		}
	}
	t1, sum1 := changedOnly()
	if sum1.Written != 0 || sum1.Unchanged != sum.Written {
		b.Fatalf("unchanged re-build: %+v after %+v", sum1, sum)
	}
	fmt.Printf("--changed-only (in process): first build %s (%d written), unchanged re-build %s (%d written, %d unchanged)\n",
		t0.Round(time.Millisecond), sum.Written, t1.Round(time.Millisecond), sum1.Written, sum1.Unchanged)
}

func mb(n int64) string {
	if n == 0 {
		return "(not known on " + runtime.GOOS + ")"
	}
	return fmt.Sprintf("%.0f MB", float64(n)/1e6)
}

// BenchmarkBuildInProcess builds the scaled-up sheet (200,000 rows, or
// FEED_BENCH_ROWS) in this process, for profiles: go test -run '^$' -bench
// BuildInProcess -benchtime 1x -cpuprofile cpu.prof ./xmlfeed/.
func BenchmarkBuildInProcess(b *testing.B) {
	rows := 200_000
	if n, err := strconv.Atoi(os.Getenv("FEED_BENCH_ROWS")); err == nil && n >= 100 {
		rows = n
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "rows.csv")
	scaleSheet(b, src, rows)
	e := newEnv(b, sandbox.Config{})
	defer xmlfeed.TuneGC(os.Getenv)() // the GC settings of feed build
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		plan, r := e.plan(b, filepath.Join(testdata, "partnerek.yaml"), src)
		if _, err := xmlfeed.Build(context.Background(), xmlfeed.BuildOptions{Plan: plan, Source: r, Output: filepath.Join(dir, "feed.xml")}); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}
