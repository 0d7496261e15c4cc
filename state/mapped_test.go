package state

import (
	"fmt"
	"testing"
)

// TestReleaseMapped: releasing the mapped pages in the middle of a read
// transaction, and between writes, loses nothing: every record reads back.
func TestReleaseMapped(t *testing.T) {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for chunk := range 5 {
		b := &ExportBatch{}
		for i := range 1000 {
			id := chunk*1000 + i + 1
			b.Add("contacts", ExportRecord{Id: id, Kind: "Person", Values: map[string]string{"Name": fmt.Sprintf("Személy %d", id)}})
		}
		if err := db.CommitExport("t", b); err != nil {
			t.Fatal(err)
		}
		db.ReleaseMapped()
	}
	n := 0
	err = db.ViewExport("t", func(v *ExportView) error {
		return v.Each("contacts", 0, func(r *ExportRecord) error {
			n++
			if r.Id != n || r.Values["Name"] != fmt.Sprintf("Személy %d", n) {
				return fmt.Errorf("record %d: %+v", n, r)
			}
			if n%500 == 0 {
				db.ReleaseMapped()
			}
			return nil
		})
	})
	if err != nil || n != 5000 {
		t.Fatalf("read %d records: %v", n, err)
	}
}
