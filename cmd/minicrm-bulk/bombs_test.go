package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// maxBombRSS is the most memory (peak RSS) a command may take on any
// input: the XLSX bombs of the bad-input corpus decompress to 64 MiB and
// more, and are refused well within it.
const maxBombRSS = 200 << 20

// TestXLSXBombMemory runs the built command (not this test binary, whose
// memory the other tests share) on the XLSX bombs and reads its peak RSS
// from the kernel (getrusage's ru_maxrss, in KiB on Linux).
func TestXLSXBombMemory(t *testing.T) {
	t.Parallel()
	bin := binary(t)
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{c.args[0]}, "--sandbox", "--rpm", "100000", "--mapping", filepath.Join(badDir, "person.yaml"))
			args = append(args, c.args[1:]...)
			for i, a := range args {
				if strings.HasSuffix(a, ".xlsx") {
					args[i] = filepath.Join(badDir, a)
				}
			}
			if c.args[0] == "import" {
				args = append(args, "--out", t.TempDir())
			}
			cmd := exec.Command(bin, args...)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code || !strings.Contains(string(out), c.want) {
				t.Errorf("exit %d, want %d and a message saying %q:\n%s", code, c.code, c.want, out)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Skip("no rusage on this system")
			}
			rss := int64(ru.Maxrss) << 10
			t.Logf("peak RSS %d MiB (bound %d MiB)", rss>>20, c.max>>20)
			if rss > c.max {
				t.Errorf("peak RSS %d MiB, more than %d MiB", rss>>20, c.max>>20)
			}
		})
	}
}
