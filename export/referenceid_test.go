package export_test

import (
	"slices"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
)

// TestReferenceIdHeader: with Hungarian headers the built-in ReferenceId
// (the SyncFeed's external id) is named so that it cannot be taken for a
// custom field labelled "Külső azonosító" (KulsoAzonosito on the demo
// system), which keeps its API name beside it.
func TestReferenceIdHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.DemoDataset())
	cfg := e.config("cegek.csv", export.Businesses)
	cfg.Details, cfg.Headers = true, export.HeadersHU
	e.export(cfg)
	header, _ := readCSV(t, cfg.Output, ',')
	if !slices.Contains(header, "Külső azonosító (ReferenceId)") || !slices.Contains(header, "KulsoAzonosito") ||
		slices.Contains(header, "Külső azonosító") {
		t.Errorf("header %q", header)
	}
}
