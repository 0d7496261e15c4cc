package export

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
)

// Writer writes an export's tables: a CSV file (a directory of them for
// several tables) or an XLSX workbook (a sheet per table). Tables come one
// after the other, each a header (Table) and rows (Row). Nothing is visible
// at the destination until Close, which puts every file in place atomically
// (a temporary file in the same directory, fsync'd, then renamed over the
// old one); Abort discards the temporary files and leaves the previous
// export as it was.
type Writer interface {
	// Table starts a table, finishing the previous one.
	Table(name string, cols []Column) error
	// Row writes a row of the current table; cells has one per column and
	// may be reused by the caller after Row returns.
	Row(cells []Cell) error
	// Close finishes the last table and puts the files in place.
	Close() error
	// Abort discards what was written. It is harmless after Close.
	Abort()
	// Paths are the files the writer writes.
	Paths() []string
}

// Format is an output format.
type Format string

// Output formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// FormatOf guesses the format from a path's extension: .xlsx is XLSX, the
// rest CSV.
func FormatOf(path string) Format {
	if ext := filepath.Ext(path); ext == ".xlsx" || ext == ".XLSX" {
		return XLSX
	}
	return CSV
}

// atomicFile is a file being written that replaces path only when
// committed.
type atomicFile struct {
	path string
	pf   *renameio.PendingFile
}

// createAtomic starts writing path: a temporary file in the same directory
// (so that the rename cannot cross file systems), readable by others as a
// spreadsheet usually is (0644 less the umask; an existing file keeps its
// permissions).
func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir), renameio.WithPermissions(0o644),
		renameio.WithExistingPermissions())
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &atomicFile{path: path, pf: pf}, nil
}

// commit fsyncs the temporary file and renames it over path.
func (a *atomicFile) commit() error {
	if err := a.pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("writing %s: %w", a.path, err)
	}
	return nil
}

// discard removes the temporary file.
func (a *atomicFile) discard() { _ = a.pf.Cleanup() }

// csvWriter makes the run's CSV writer. One table goes to Config.Output.
// Several go into the directory Config.Output, a file each named after its
// table (made safe for a file name); a document table with its lines table
// written to a file name ending in .csv goes to that file and the lines to
// the same name with "-items" ("-tetelek" with Hungarian headers) before
// the extension. nil: Config.Output is a file and the tables need a
// directory.
func (r *run) csvWriter(multi bool) Writer {
	out := r.cfg.Output
	if !multi {
		return NewCSVWriter(out, false, r.cfg.CSV)
	}
	fi, statErr := os.Stat(out)
	isDir := statErr == nil && fi.IsDir()
	var paths []string
	if len(r.tables) == 2 && r.tables[1].items && !isDir && strings.EqualFold(filepath.Ext(out), ".csv") {
		suffix := "-items"
		if r.cfg.Headers == HeadersHU {
			suffix = "-tetelek"
		}
		ext := filepath.Ext(out)
		paths = []string{out, strings.TrimSuffix(out, ext) + suffix + ext}
	} else {
		if statErr == nil && !isDir {
			return nil
		}
		used := map[string]bool{}
		for _, t := range r.tables {
			base := fileName(t.name)
			name := base
			for i := 2; used[strings.ToLower(name)]; i++ {
				name = fmt.Sprintf("%s (%d)", base, i)
			}
			used[strings.ToLower(name)] = true
			paths = append(paths, filepath.Join(out, name+".csv"))
		}
	}
	w := &csvWriter{path: out, multi: true, opts: r.cfg.CSV}
	next := 0 // tables come in order
	w.pathOf = func(string) string {
		p := paths[min(next, len(paths)-1)]
		next++
		return p
	}
	return w
}

// fileName makes a table name safe as a file name on every system.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimRight(s, ". ")
	if s == "" {
		s = "table"
	}
	return s
}
