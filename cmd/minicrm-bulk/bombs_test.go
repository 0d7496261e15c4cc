package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// maxBombRSS is the most memory (peak RSS) a command may take on any
// input: the XLSX bombs of the bad-input corpus decompress to 64 MiB and
// more, and are refused well within it.
const maxBombRSS = 200 << 20

// TestMain lets this test binary, started with rssLauncher set, run a
// command and print its peak RSS: see measuredRun.
func TestMain(m *testing.M) {
	if os.Getenv(rssLauncher) != "" {
		os.Exit(launch(os.Args[1:]))
	}
	os.Exit(m.Run())
}

const rssLauncher = "MINICRM_BULK_TEST_RSS_LAUNCHER"

// launch runs args, passes its output on, and prints "rss=N" (KiB) last.
func launch(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		fmt.Println(err)
		return 99
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Printf("\nrss=%d\n", ru.Maxrss)
	}
	return code
}

// measuredRun runs the command and gives its exit code, its output and its
// peak RSS in bytes (0 when the system does not say). On Linux a child's
// ru_maxrss counts the memory of the process that started it, as it was at
// the exec: this test binary, running other tests, can be large. So a
// fresh copy of the binary (small at start) starts the command and reports
// its ru_maxrss.
func measuredRun(t *testing.T, args ...string) (int, string, int64) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), rssLauncher+"=1")
	b, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	var rss int64
	if i := strings.LastIndex(out, "\nrss="); i >= 0 {
		kib, _ := strconv.ParseInt(strings.TrimSpace(out[i+len("\nrss="):]), 10, 64)
		rss, out = kib<<10, out[:i]
	}
	return code, out, rss
}

// TestXLSXBombMemory runs the built command on the XLSX bombs (and a feed
// with a huge attribute) and reads its peak RSS from the kernel
// (getrusage's ru_maxrss).
func TestXLSXBombMemory(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	feed := filepath.Join(t.TempDir(), "attribute.xml")
	f, err := os.Create(feed)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "<Projects>\n<Project Id=\"1\">\n<Name x=\"")
	chunk := strings.Repeat("A", 1<<20)
	for range 64 {
		f.WriteString(chunk)
	}
	fmt.Fprint(f, "\">n</Name></Project></Projects>\n")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
		max  int64 // peak RSS
	}{
		// A 64 MiB cell is never held: less than the cell is enough.
		{"check a 64 MiB cell", []string{"mapping", "check", "--source", "cell-bomb.xlsx"}, exitRejected, "cell D3 holds more text than the 1 MiB a cell may hold", 64 << 20},
		{"import a 64 MiB cell", []string{"import", "--dry-run", "--progress", "none", "--source", "cell-bomb.xlsx"}, exitRejected, "rows rejected", 64 << 20},
		{"check 80 MiB of shared strings", []string{"mapping", "check", "--source", "shared-strings-bomb.xlsx"}, exitFatal, "xl/sharedStrings.xml holds more text than this program keeps in memory", maxBombRSS},
		// A feed with an attribute of 64 MiB (written below).
		{"inspect a feed with a 64 MiB attribute", []string{"feed", "inspect", "attribute.xml"}, exitRejected, "a tag of the document (at byte 28) is longer than 1 MiB", 64 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{c.args[0]}, "--sandbox", "--rpm", "100000", "--mapping", filepath.Join(badDir, "person.yaml"))
			if c.args[0] == "feed" {
				args = []string{"feed"}
			}
			args = append(args, c.args[1:]...)
			for i, a := range args {
				switch {
				case strings.HasSuffix(a, ".xlsx"):
					args[i] = filepath.Join(badDir, a)
				case a == "attribute.xml":
					args[i] = feed
				}
			}
			if c.args[0] == "import" {
				args = append(args, "--out", t.TempDir())
			}
			code, out, rss := measuredRun(t, append([]string{bin}, args...)...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want %d and a message saying %q:\n%s", code, c.code, c.want, out)
			}
			if rss == 0 {
				t.Skip("the system does not give the peak RSS of a process")
			}
			t.Logf("peak RSS %d MiB (bound %d MiB)", rss>>20, c.max>>20)
			if rss > c.max {
				t.Errorf("peak RSS %d MiB, more than %d MiB", rss>>20, c.max>>20)
			}
		})
	}
}
