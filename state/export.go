package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Export snapshots. An export keeps the rows it exported, so that the next
// run can merge what changed into them instead of listing everything again,
// and so that an interrupted run can go on without fetching again the
// detail records it already has. Each export target (a system and an output
// file) has a sub-bucket of "exports" holding its records, keyed by scope and
// Id, and its ExportMeta.

var (
	bucketExports = []byte("exports")
	keyExportMeta = []byte("meta")
)

// ExportRecord is one record of an export snapshot.
type ExportRecord struct {
	Id int `json:"id"`
	// Kind is Business, Person, Project or ToDo.
	Kind string `json:"kind"`
	// CategoryId is a card's module; ProjectId a to-do's card.
	CategoryId int `json:"cat,omitempty"`
	ProjectId  int `json:"project,omitempty"`
	// Values are the record's fields as text, dropdowns as option ids (the
	// export package's canonical form).
	Values map[string]string `json:"v"`
	// Detail says Values hold the whole record (a detail record or a
	// webhook notification), not only the list summary.
	Detail bool `json:"detail,omitempty"`
	// ListedRun is the run that last listed the record (or applied a change to
	// it); DetailRun the run
	// that read its detail.
	ListedRun int `json:"listed,omitempty"`
	DetailRun int `json:"detail_run,omitempty"`
}

// ExportMeta is an export target's state between runs.
type ExportMeta struct {
	// Options fingerprints what shapes the snapshot (entities, module,
	// details): a run with other options starts a new snapshot.
	Options string `json:"options"`
	// Run numbers the runs of the target; Status is StatusRunning until
	// the run finished.
	Run        int       `json:"run"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Watermarks are each scope's next UpdatedSince (MiniCRM's clock); a
	// scope without one has never been listed completely.
	Watermarks map[string]time.Time `json:"watermarks,omitempty"`
	// ChangesSince is where the next --from-changes run reads the webhook
	// change log from (the receiver's clock).
	ChangesSince time.Time `json:"changes_since,omitzero"`
	// Cursors checkpoint, within a run, listings that take a request per
	// card (the to-dos): the last card Id done.
	Cursors map[string]int `json:"cursors,omitempty"`
	// Populated are the modules the snapshot held cards of when the last
	// run finished (nil: not known): only their trashed cards can leave it.
	Populated []int `json:"populated"`
}

// ExportSweep removes a scope's records of one kind (and, for cards, one
// module) that the given run did not list: what a complete listing no
// longer shows was deleted.
type ExportSweep struct {
	Scope      string
	Kind       string // "" for any
	CategoryId int    // 0 for any
	KeepRun    int
}

// ExportBatch is a set of changes to an export snapshot committed in one
// transaction.
type ExportBatch struct {
	// Scope of Put and Delete records.
	Put    map[string][]ExportRecord
	Delete map[string][]int
	Sweep  []ExportSweep
	// Meta, when set, replaces the target's meta.
	Meta *ExportMeta
}

// Add queues a record to write in scope.
func (b *ExportBatch) Add(scope string, r ExportRecord) {
	if b.Put == nil {
		b.Put = map[string][]ExportRecord{}
	}
	b.Put[scope] = append(b.Put[scope], r)
}

// Remove queues a record to delete from scope.
func (b *ExportBatch) Remove(scope string, id int) {
	if b.Delete == nil {
		b.Delete = map[string][]int{}
	}
	b.Delete[scope] = append(b.Delete[scope], id)
}

// Len is the number of records the batch writes or deletes.
func (b *ExportBatch) Len() int {
	n := 0
	for _, rs := range b.Put {
		n += len(rs)
	}
	for _, ids := range b.Delete {
		n += len(ids)
	}
	return n
}

func exportKey(scope string, id int) []byte { return fmt.Appendf(nil, "%s/%012d", scope, id) }

// exportBucket returns the target's bucket (nil in a read transaction when
// it does not exist).
func exportBucket(tx *bolt.Tx, target string, create bool) (*bolt.Bucket, error) {
	if target == "" {
		return nil, fmt.Errorf("state: empty export target")
	}
	if !create {
		top := tx.Bucket(bucketExports)
		if top == nil {
			return nil, nil
		}
		return top.Bucket([]byte(target)), nil
	}
	top, err := tx.CreateBucketIfNotExists(bucketExports)
	if err != nil {
		return nil, err
	}
	return top.CreateBucketIfNotExists([]byte(target))
}

// ExportMeta returns the target's meta; nil when the target never ran.
func (d *DB) ExportMeta(target string) (*ExportMeta, error) {
	var m *ExportMeta
	err := d.view(func(tx *bolt.Tx) error {
		b, err := exportBucket(tx, target, false)
		if b == nil || err != nil {
			return err
		}
		v := b.Get(keyExportMeta)
		if v == nil {
			return nil
		}
		m = &ExportMeta{}
		return json.Unmarshal(v, m)
	})
	return m, err
}

// DropExport forgets a target's snapshot and meta.
func (d *DB) DropExport(target string) error {
	return d.update(func(tx *bolt.Tx) error {
		top := tx.Bucket(bucketExports)
		if top == nil || top.Bucket([]byte(target)) == nil {
			return nil
		}
		return top.DeleteBucket([]byte(target))
	})
}

// CommitExport applies a batch to the target's snapshot in one transaction:
// sweeps first, then deletions, then records written, then the meta.
func (d *DB) CommitExport(target string, b *ExportBatch) error {
	return d.update(func(tx *bolt.Tx) error {
		tb, err := exportBucket(tx, target, true)
		if err != nil {
			return err
		}
		for _, sw := range b.Sweep {
			prefix := []byte(sw.Scope + "/")
			c := tb.Cursor()
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
				var r ExportRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("export record %s: %w", k, err)
				}
				if r.ListedRun != sw.KeepRun && (sw.Kind == "" || r.Kind == sw.Kind) &&
					(sw.CategoryId == 0 || r.CategoryId == sw.CategoryId) {
					if err := c.Delete(); err != nil {
						return err
					}
					// After Delete the cursor sits on the next item.
					k, v = c.Seek(k)
					continue
				}
				k, v = c.Next()
			}
		}
		for scope, ids := range b.Delete {
			for _, id := range ids {
				if err := tb.Delete(exportKey(scope, id)); err != nil {
					return err
				}
			}
		}
		for scope, recs := range b.Put {
			for _, r := range recs {
				v, err := json.Marshal(r)
				if err != nil {
					return err
				}
				if err := tb.Put(exportKey(scope, r.Id), v); err != nil {
					return err
				}
			}
		}
		if b.Meta != nil {
			v, err := json.Marshal(b.Meta)
			if err != nil {
				return err
			}
			return tb.Put(keyExportMeta, v)
		}
		return nil
	})
}

// ExportRecord returns one record of a scope; nil when it is not there.
func (d *DB) ExportRecord(target, scope string, id int) (*ExportRecord, error) {
	var r *ExportRecord
	err := d.view(func(tx *bolt.Tx) error {
		b, err := exportBucket(tx, target, false)
		if b == nil || err != nil {
			return err
		}
		v := b.Get(exportKey(scope, id))
		if v == nil {
			return nil
		}
		r = &ExportRecord{}
		return json.Unmarshal(v, r)
	})
	return r, err
}

// ExportView is a read-only view of a target's snapshot, valid inside
// ViewExport's function.
type ExportView struct{ b *bolt.Bucket }

// Get returns a record of a scope, nil when it is not there.
func (v *ExportView) Get(scope string, id int) (*ExportRecord, error) {
	if v.b == nil {
		return nil, nil
	}
	raw := v.b.Get(exportKey(scope, id))
	if raw == nil {
		return nil, nil
	}
	var r ExportRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("export record %s/%d: %w", scope, id, err)
	}
	return &r, nil
}

// Each calls fn with the records of a scope in Id order, starting after the
// Id after (0 for all); an error from fn stops it and is returned.
func (v *ExportView) Each(scope string, after int, fn func(*ExportRecord) error) error {
	if v.b == nil {
		return nil
	}
	prefix := []byte(scope + "/")
	c := v.b.Cursor()
	k, raw := c.Seek(exportKey(scope, after+1))
	for ; k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
		var r ExportRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("export record %s: %w", k, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

// ViewExport calls fn with a read-only view of the target's snapshot, in
// one read transaction (a consistent picture, however long fn takes).
func (d *DB) ViewExport(target string, fn func(*ExportView) error) error {
	return d.view(func(tx *bolt.Tx) error {
		b, err := exportBucket(tx, target, false)
		if err != nil {
			return err
		}
		return fn(&ExportView{b: b})
	})
}
