package webhook

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/csvsafe"
)

// CSVFixedColumns start every CSV the Receiver writes; the record's fields
// follow, then CSVOtherColumn.
var CSVFixedColumns = []string{"received_at", "key", "Id", "Changed"}

// CSVOtherColumn is the last column: the fields a file's header does not
// have (a field added to the module after the file was started), as a JSON
// object of their labels.
const CSVOtherColumn = "Other"

// csvSet keeps one CSV file per kind of record. Its header is fixed when
// the file is created: the fixed columns, the first notification's fields
// (in Schema's order, then the rest of Data's), and Other.
type csvSet struct {
	dir   string
	files map[string]*csvFile
}

type csvFile struct {
	f      *os.File
	header []string
	col    map[string]int
}

// csvName is the file for a payload's kind of record.
func csvName(p *Payload) string {
	switch p.Type {
	case "Project":
		if c := p.CategoryID(); c != "" && isName(c) {
			return "Project-" + c + ".csv"
		}
	case "Contact":
		switch strings.ToLower(p.Value("Type")) {
		case "person", "személy":
			return "Person.csv"
		case "business", "cég":
			return "Business.csv"
		}
	}
	return p.Type + ".csv"
}

// write appends the entry's row to its file and syncs it.
func (s *csvSet) write(e Entry, p *Payload) error {
	name := csvName(p)
	cf, ok := s.files[name]
	if !ok {
		var err error
		if cf, err = openCSV(filepath.Join(s.dir, name), p); err != nil {
			return err
		}
		s.files[name] = cf
	}
	row := make([]string, len(cf.header))
	row[0] = e.ReceivedAt.Format(time.RFC3339)
	row[1] = e.Key
	row[2] = p.ID
	row[3] = strings.Join(p.Changed, ", ")
	other := map[string]string{}
	for _, f := range p.dataKeys {
		if i, ok := cf.col[csvsafe.Neutralize(f)]; ok {
			row[i] = p.Label(f)
		} else {
			other[f] = p.Label(f)
		}
	}
	if len(other) > 0 {
		b, _ := json.Marshal(other)
		row[len(row)-1] = string(b)
	}
	// The CSV is for people to open: a value sent as =HYPERLINK(...) must
	// not run (the changelog keeps it exact).
	for i := range row {
		row[i] = csvsafe.Neutralize(row[i])
	}
	bw := bufio.NewWriter(cf.f)
	w := csv.NewWriter(bw)
	w.UseCRLF = true // opened most often in Excel
	if err := w.Write(row); err != nil {
		return err
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		return fmt.Errorf("%s: %w", cf.f.Name(), err)
	}
	return cf.f.Sync()
}

// openCSV opens a CSV for appending, creating it with a header built from
// p when it does not exist, or reading the header an earlier run wrote.
func openCSV(path string, p *Payload) (*csvFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var header []string
	if fi.Size() > 0 {
		header, err = csv.NewReader(io.NewSectionReader(f, 0, fi.Size())).Read()
		if err != nil || len(header) < len(CSVFixedColumns)+1 || !slices.Equal(header[:len(CSVFixedColumns)], CSVFixedColumns) ||
			header[len(header)-1] != CSVOtherColumn {
			f.Close()
			return nil, fmt.Errorf("%s: not a change CSV of this program (its header was changed?); move it away and a new one is started", path)
		}
	} else {
		header = csvHeader(p)
		for i := range header {
			header[i] = csvsafe.Neutralize(header[i]) // field names come from the sender too
		}
		w := csv.NewWriter(f)
		w.UseCRLF = true
		if err := w.Write(header); err != nil {
			f.Close()
			return nil, err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			f.Close()
			return nil, err
		}
		syncDir(filepath.Dir(path))
	}
	cf := &csvFile{f: f, header: header, col: map[string]int{}}
	for i, h := range header[len(CSVFixedColumns) : len(header)-1] {
		cf.col[h] = i + len(CSVFixedColumns)
	}
	return cf, nil
}

func csvHeader(p *Payload) []string {
	h := slices.Clone(CSVFixedColumns)
	seen := map[string]bool{}
	for _, c := range h {
		seen[c] = true
	}
	seen[CSVOtherColumn] = true
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			h = append(h, f)
		}
	}
	// Schema's order reads like MiniCRM's screens; fields Data does not
	// carry (ProjectHash…) would only be empty columns.
	for _, f := range p.schemaKeys {
		if _, inData := p.Data[f]; inData {
			add(f)
		}
	}
	for _, f := range p.dataKeys {
		add(f)
	}
	return append(h, CSVOtherColumn)
}

func (s *csvSet) close() error {
	var errs []error
	for _, cf := range s.files {
		errs = append(errs, cf.f.Close())
	}
	s.files = map[string]*csvFile{}
	return errors.Join(errs...)
}
