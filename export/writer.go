package export

import (
	"fmt"
	"os"
	"path/filepath"

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
