package mapping

import (
	"context"
	"fmt"
	"path/filepath"
)

// InitOptions are a starter mapping for a source file ('mapping init').
type InitOptions struct {
	// SourcePath is the source; OutPath where the mapping will be written
	// ("" for stdout): the mapping names its source relative to it.
	SourcePath, OutPath string
	// Sheet, HeaderRow, Category and Only are as in SheetOptions.
	Sheet     string
	HeaderRow int
	Category  string
	Only      EntityKind
	// Schemas gives the schemas; called once the source is open.
	Schemas func(context.Context, *Mapping) (*Schemas, error)
	// Opened, when set, is told how the source is read as soon as it is
	// open.
	Opened func(detected string)
}

// InitResult is a starter mapping and what a check of every row with it
// found (CheckErr: why the check could not run).
type InitResult struct {
	Text     string
	Entities string
	Check    *CheckSummary
	CheckErr error
}

// Init writes a starter mapping for the source (SuggestSheet over a sample
// of its rows), then maps every row with it, without writing anything, so
// that a mapping that rejects rows shows as such at once.
func Init(ctx context.Context, o InitOptions) (*InitResult, error) {
	src := Source{File: o.SourcePath, Sheet: o.Sheet, HeaderRow: o.HeaderRow}
	m := &Mapping{Source: src}
	if o.Category != "" {
		m.Project = &Entity{Category: o.Category}
	}
	r, err := m.OpenSource(o.SourcePath)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if o.Opened != nil {
		o.Opened(r.Detected().String())
	}
	s, err := o.Schemas(ctx, m)
	if err != nil {
		return nil, err
	}
	smp, err := ReadSample(ctx, r, SampleRows)
	if err != nil {
		return nil, err
	}
	text, err := SuggestSheet(smp, SheetOptions{SourceFile: SourceRef(o.SourcePath, o.OutPath), Sheet: o.Sheet,
		HeaderRow: o.HeaderRow, Category: o.Category, Only: o.Only}, s)
	if err != nil {
		return nil, err
	}
	res := &InitResult{Text: text}
	path := o.OutPath
	if path == "" {
		path = "the mapping"
	}
	written, err := Parse(path, []byte(text))
	if err != nil {
		res.CheckErr = fmt.Errorf("the mapping written does not parse (please report this): %w", err)
		return res, nil
	}
	if o.Sheet != "" {
		written.Source.Sheet = o.Sheet
	}
	if o.HeaderRow > 0 {
		written.Source.HeaderRow = o.HeaderRow
	}
	res.Entities = written.EntityList()
	chk, err := CheckFile(ctx, CheckFileOptions{Mapping: written, SourcePath: o.SourcePath,
		Schemas: func(context.Context, *Mapping) (*Schemas, error) { return s, nil }})
	if err != nil {
		res.CheckErr = fmt.Errorf("check: %w", err)
	} else {
		res.Check = chk.Summary
	}
	return res, nil
}

// SourceRef is how a mapping written to out names src: relative to out's
// folder (a mapping's relative source is read from there), or as given
// when the mapping goes to stdout.
func SourceRef(src, out string) string {
	if out == "" || filepath.IsAbs(src) {
		return src
	}
	absSrc, err1 := filepath.Abs(src)
	absDir, err2 := filepath.Abs(filepath.Dir(out))
	if err1 != nil || err2 != nil {
		return src
	}
	if rel, err := filepath.Rel(absDir, absSrc); err == nil {
		return filepath.ToSlash(rel)
	}
	return absSrc
}
