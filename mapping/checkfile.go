package mapping

import (
	"context"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/report"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// CheckFileOptions are a row-by-row check of a mapping against its source
// and the schemas, writing nothing to MiniCRM ('mapping check', 'mapping
// init' and the demo).
type CheckFileOptions struct {
	// Mapping is the loaded mapping (with any source overrides applied);
	// SourcePath overrides the source file it names.
	Mapping    *Mapping
	SourcePath string
	// Schemas gives the schemas; called once the source is open.
	Schemas func(context.Context, *Mapping) (*Schemas, error)
	// RejectsPath, when set, receives the rejected rows (file, row,
	// column, field, reason and the original values).
	RejectsPath string
	// Opened, when set, is told what the source is as soon as it is open
	// (before the schemas are read), so that a wrong header shows at once.
	Opened func(source string)
	// OrderRows checks the rows of a mapping with an order block, grouping
	// order lines as the feed build does (xmlfeed.CheckOrders; this package
	// cannot import it). Without it such a mapping is checked row by row.
	OrderRows func(ctx context.Context, p *Plan, r source.Reader, reject func(*Rejected) error) (*CheckSummary, error)
}

// CheckFileResult is what a check found: Compiled says the mapping itself
// fits the schemas and the header (Summary holds the rows' outcomes).
type CheckFileResult struct {
	// Source names the source file and how it was read (Detected).
	Source, Detected string
	Compiled         bool
	Summary          *CheckSummary
}

// CheckFile opens the mapping's source, reads the schemas, compiles the
// mapping against the header and maps every row (CheckRows). An error means
// the mapping or the source cannot be used at all; rejected rows are in the
// summary.
func CheckFile(ctx context.Context, o CheckFileOptions) (*CheckFileResult, error) {
	m := o.Mapping
	r, err := m.OpenSource(o.SourcePath)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res := &CheckFileResult{Source: o.SourcePath}
	if res.Source == "" {
		res.Source = m.SourcePath()
	}
	res.Detected = r.Detected().String()
	res.Source += ": " + res.Detected
	if o.Opened != nil {
		o.Opened(res.Source)
	}
	schemas, err := o.Schemas(ctx, m)
	if err != nil {
		return res, err
	}
	plan, err := Compile(m, schemas, r.Header())
	if err != nil {
		return res, err
	}
	res.Compiled = true
	var rw *report.RejectWriter
	if o.RejectsPath != "" {
		if rw, err = report.CreateRejects(o.RejectsPath, r.Header()); err != nil {
			return res, err
		}
	}
	check := CheckRows
	if plan.HasOrders() && o.OrderRows != nil {
		check = o.OrderRows
	}
	res.Summary, err = check(ctx, plan, r, func(rej *Rejected) error {
		if rw == nil {
			return nil
		}
		return rw.Add(rej)
	})
	if rw != nil {
		if cerr := rw.Close(); err == nil {
			err = cerr
		}
	}
	return res, err
}

// EntityList names the mapping's records in lower case: "business, person,
// project".
func (m *Mapping) EntityList() string {
	var names []string
	for _, k := range m.Entities() {
		names = append(names, strings.ToLower(string(k)))
	}
	return strings.Join(names, ", ")
}
