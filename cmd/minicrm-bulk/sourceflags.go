package main

import (
	"github.com/spf13/pflag"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
)

// sourceFlags pick the sheet and the header row of a source; they override
// the mapping's source: sheet and header_row.
type sourceFlags struct {
	sheet     *string
	headerRow *int
}

func addSourceFlags(fs *pflag.FlagSet) *sourceFlags {
	return &sourceFlags{
		sheet:     fs.String("sheet", "", "XLSX: the sheet to read, by name or 1-based position (default: the mapping's source: sheet, else the first visible sheet)"),
		headerRow: fs.Int("header-row", 0, "the header's row (XLSX) or line (CSV), 1-based (default: the mapping's source: header_row, else found: title, note and blank rows above it are skipped)"),
	}
}

func (f *sourceFlags) check() error {
	if *f.headerRow < 0 {
		return usagef("--header-row %d: want 1 or more (leave it out to find the header)", *f.headerRow)
	}
	return nil
}

// apply writes the flags over the mapping's source section.
func (f *sourceFlags) apply(m *mapping.Mapping) error {
	if err := f.check(); err != nil {
		return err
	}
	if *f.sheet != "" {
		m.Source.Sheet = *f.sheet
	}
	if *f.headerRow > 0 {
		m.Source.HeaderRow = *f.headerRow
	}
	return nil
}
