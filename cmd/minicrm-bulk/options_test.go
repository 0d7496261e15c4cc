package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/export"
	"github.com/minicrm-bulk/minicrm-bulk/pipeline"
)

// parse runs a command built with a capturing runF: the flags as the run
// function would get them, without doing anything.
func parse[O any](t *testing.T, newCmd func(func(context.Context, *env, *O) error) *command, environ map[string]string, args ...string) (*O, result) {
	t.Helper()
	var got *O
	c := newCmd(func(_ context.Context, _ *env, o *O) error { got = o; return nil })
	var out, errb syncBuffer
	code := execute(context.Background(), c, args, &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }})
	return got, result{code: code, stdout: out.String(), stderr: errb.String()}
}

// TestNewCmdImport: the import flags land in the run's pipeline.Config, the
// environment fills what the flags leave out, and bad flags never reach the
// run function.
func TestNewCmdImport(t *testing.T) {
	o, r := parse(t, newCmdImport, map[string]string{"MINICRM_FEED_ID": "119"},
		"--mapping", "m.yaml", "--source", "s.csv", "--dry-run", "--workers", "8", "--via", "feed", "--refresh-overlap", "2s")
	if r.code != exitOK || o == nil {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := pipeline.Config{MappingPath: "m.yaml", SourcePath: "s.csv", DryRun: true, Workers: 8, Via: pipeline.ViaFeed, FeedID: 119,
		Overlap: 2 * time.Second, StateDir: ".minicrm-bulk", OutDir: "import-out", FeedWait: 10 * time.Minute}
	c := o.cfg
	if c.MappingPath != want.MappingPath || c.SourcePath != want.SourcePath || c.DryRun != want.DryRun || c.Workers != want.Workers ||
		c.Via != want.Via || c.FeedID != want.FeedID || c.Overlap != want.Overlap || c.StateDir != want.StateDir ||
		c.OutDir != want.OutDir || c.FeedWait != want.FeedWait || o.progress != "auto" {
		t.Errorf("config %+v", c)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "--mapping is required"},
		{[]string{"--mapping", "m.yaml", "--via", "ftp"}, nil, "--via is rest, feed or auto"},
		{[]string{"--mapping", "m.yaml", "--workers", "0"}, nil, "--workers must be between 1 and 64"},
		{[]string{"--mapping", "m.yaml", "--progress", "fancy"}, nil, "--progress: want auto"},
		{[]string{"--mapping", "m.yaml"}, map[string]string{"MINICRM_FEED_ID": "x"}, "MINICRM_FEED_ID must be a positive number"},
	} {
		o, r := parse(t, newCmdImport, tc.env, tc.args...)
		if o != nil || r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, ran %v: %s", tc.args, r.code, o != nil, r.stderr)
		}
	}
}

// TestNewCmdExport: the export flags land in export.Config.
func TestNewCmdExport(t *testing.T) {
	o, r := parse(t, newCmdExport, nil, "all", "--todos", "-o", "x.xlsx", "--details", "--category", "10", "--headers", "hu")
	if r.code != exitOK || o == nil {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	c := o.cfg
	if c.Output != "x.xlsx" || c.Format != export.XLSX || !c.Details || c.Category != 10 || !c.PerModule ||
		c.Headers != export.HeadersHU || len(c.Entities) != len(export.WithToDos) {
		t.Errorf("config %+v", c)
	}
	o, r = parse(t, newCmdExport, nil, "invoices", "-o", "i.csv", "--since", "2024-01-01", "--until", "2024-01-31", "--excel")
	if r.code != exitOK || o.cfg.Since.Format("2006-01-02") != "2024-01-01" || !o.cfg.CSV.Excel || o.cfg.Format != export.CSV {
		t.Errorf("invoices: exit %d %+v %s", r.code, o, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"persons"}, "-o is required"},
		{[]string{"persons", "-o", "p.xlsx", "--excel"}, "--excel and --raw-formulas are for CSV"},
		{[]string{"persons", "-o", "p.csv", "--todos"}, "--todos is for 'export all'"},
		{[]string{"persons", "-o", "p.csv", "--since", "2024-01-01"}, "are for invoices, orders and offers"},
		{[]string{"invoices", "-o", "p.csv", "--since", "2024-02-01", "--until", "2024-01-01"}, "is before --since"},
	} {
		o, r := parse(t, newCmdExport, nil, tc.args...)
		if o != nil || r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, ran %v: %s", tc.args, r.code, o != nil, r.stderr)
		}
	}
}

// TestNewCmdFeed: build's flags land in xmlfeed.FileOptions, push's in
// PushOptions (sharing --state).
func TestNewCmdFeed(t *testing.T) {
	o, r := parse(t, newCmdFeed, nil, "build", "--mapping", "m.yaml", "-o", "f.xml", "--split", "100", "--changed-only", "--snapshot-name", "n")
	if r.code != exitOK || o.sub != "build" || o.build.MappingPath != "m.yaml" || o.build.Output != "f.xml" || o.build.Split != 100 ||
		!o.build.ChangedOnly || o.build.Scope != "n" || o.build.StateDir != defaultStateDir {
		t.Errorf("build: exit %d %+v %s", r.code, o, r.stderr)
	}
	o, r = parse(t, newCmdFeed, nil, "push", "--feed-id", "7", "--state", "st", "a.xml", "b.xml")
	if r.code != exitOK || o.push.FeedID != 7 || o.push.StateDir != "st" || strings.Join(o.push.Files, ",") != "a.xml,b.xml" {
		t.Errorf("push: exit %d %+v %s", r.code, o, r.stderr)
	}
}
