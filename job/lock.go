package job

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrLocked: another run of the job holds its lock.
var ErrLocked = errors.New("the job is already running")

// Lock is a held job lock: an flock(2) on <state>/<name>.lock. The kernel
// drops it when the process ends, however it ends (SIGKILL, a crash, a
// reboot), so a stale lock cannot block the next night's run; the file's
// content (pid, start time) is for the message only. bbolt's own lock on
// state.db is not enough: a job opens and closes the database once per
// step, and two runs would interleave their steps between those.
type Lock struct{ f *os.File }

// Acquire takes the job's lock without waiting.
func Acquire(stateDir, name string) (*Lock, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(stateDir, name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(b))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%w: %s holds %s; this run does nothing (exit 2)", ErrLocked, who, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte("pid "+strconv.Itoa(os.Getpid())+", started "+time.Now().UTC().Format(time.RFC3339)+"\n"), 0)
	return &Lock{f: f}, nil
}

// Release drops the lock.
func (l *Lock) Release() error {
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}
