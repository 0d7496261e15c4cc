package mapping

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
)

// TestCheckRows checks a whole source through the row flow: every row
// counted once (ok, skipped with its reason, rejected by field), the
// rejections in source order with their original values, and a row the
// source cannot read rejected in its place (no column: the whole row).
func TestCheckRows(t *testing.T) {
	m, err := Load(filepath.Join("..", "testdata", "mapping", "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// clients.csv, a row with a cell too many after its third row.
	b, err := os.ReadFile(filepath.Join("..", "testdata", "mapping", "clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	ragged := "Extra Kft.;;Kis;Ede;ede@extra.hu;;;;;Aktív;P-009;túl sok\n"
	src := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(src, []byte(strings.Join(lines[:4], "")+ragged+strings.Join(lines[4:], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := m.OpenSource(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan, err := Compile(m, sandboxSchemas(t), r.Header())
	if err != nil {
		t.Fatal(err)
	}
	var rejected []*Rejected
	sum, err := CheckRows(context.Background(), plan, r, func(rej *Rejected) error {
		rejected = append(rejected, rej)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 6 || sum.OK != 2 || sum.Skipped != 1 || sum.Rejected != 3 {
		t.Errorf("rows %d: ok %d, skipped %d, rejected %d; want 6: 2, 1, 3", sum.Rows, sum.OK, sum.Skipped, sum.Rejected)
	}
	if want := map[string]int{`filter: Státusz is "Törölt"`: 1}; !reflect.DeepEqual(sum.SkipReasons, want) {
		t.Errorf("skip reasons %v, want %v", sum.SkipReasons, want)
	}
	if sum.ByField["(source)"] != 1 || sum.ByField["Person.Email"] != 1 {
		t.Errorf("by field: %v", sum.ByField)
	}
	var got []string
	for _, rej := range rejected {
		got = append(got, rej.Loc.String())
	}
	base := src
	if want := []string{base + ":4", base + ":5", base + ":7"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rejected rows %v, want %v in source order", got, want)
	}
	if v := rejected[0].Values; len(v) != 11 || v[4] != "nem-email" {
		t.Errorf("row 4's values: %q", v)
	}
	if src := rejected[1]; src.Fields() != "(source)" || src.Columns() != "" || !strings.Contains(src.Reasons(), "cells") {
		t.Errorf("the ragged row: column %q, field %q, reason %q", src.Columns(), src.Fields(), src.Reasons())
	}
}

// TestMapRowAgreesWithMap: the flow's classification is Plan.Map's.
func TestMapRowAgreesWithMap(t *testing.T) {
	plan, r := planAndReader(t, filepath.Join("..", "testdata", "mapping", "good.yaml"))
	var scratch Bundle
	for {
		row, err := r.Next(context.Background())
		if err != nil {
			break
		}
		b, mapErr := plan.Map(row)
		o := plan.MapRow(&rowflow.Row{Seq: 1, Row: row}, &scratch)
		switch {
		case mapErr == nil:
			if o.Bundle == nil || !reflect.DeepEqual(o.Bundle.Records(), b.Records()) {
				t.Errorf("%s: MapRow %+v, Map %+v", row.Loc, o, b)
			}
		case o.Skipped != nil:
			if o.Skipped.Error() != mapErr.Error() {
				t.Errorf("%s: skipped %v, Map %v", row.Loc, o.Skipped, mapErr)
			}
		case o.Rejected != nil:
			if RowErrors(o.Rejected.Problems).Error() != mapErr.Error() {
				t.Errorf("%s: rejected %v, Map %v", row.Loc, o.Rejected.Problems, mapErr)
			}
		default:
			t.Errorf("%s: MapRow %+v, Map %v", row.Loc, o, mapErr)
		}
	}
}
