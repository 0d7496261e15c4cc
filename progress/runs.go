package progress

import (
	"fmt"
	"io"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// ForImport shows an import's progress (its rows phase and its end) on d;
// dryRun names it "dry run".
func ForImport(d *Display, dryRun bool) func(pipeline.Progress) {
	verb := "import"
	if dryRun {
		verb = "dry run"
	}
	return func(p pipeline.Progress) {
		if p.Phase != "rows" && p.Phase != "done" {
			return
		}
		d.Update(Update{Phase: verb, Done: p.Rows, Total: p.Total, Unit: "rows", Requests: p.Requests, Elapsed: p.Elapsed,
			RPM: p.RPM, DoneRequests: p.RowRequests, Final: p.Phase == "done"})
	}
}

var exportPhases = map[string]string{"list": "export listing", "details": "export reading details", "write": "export writing rows"}

// ForExport shows an export's phases (listing, reading details, writing
// rows) on d; the summary follows the last.
func ForExport(d *Display) func(export.Progress) {
	return func(p export.Progress) {
		if name, ok := exportPhases[p.Phase]; ok {
			d.Update(Update{Phase: name, Done: p.Done, Total: p.Total, Unit: "records", Requests: p.Requests, Elapsed: p.Elapsed})
		}
	}
}

// ForAddresses shows 'export addresses' reading its contacts on w: a line
// every tenth of them, and at the end; nil (nothing) in ModeNone.
func ForAddresses(w io.Writer, mode string) func(done, total int) {
	if mode == ModeNone {
		return nil
	}
	last := -1
	return func(done, total int) {
		if step := max(total/10, 1); done == total || done/step != last {
			last = done / step
			fmt.Fprintf(w, "addresses: %d/%d contacts read\n", done, total)
		}
	}
}
