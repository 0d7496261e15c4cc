package state

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the database file inside the state directory.
const FileName = "state.db"

// ErrLocked means another process has the state directory open: two imports
// must not share one journal.
var ErrLocked = errors.New("the state directory is in use by another minicrm-bulk process")

// Bucket names. Journal and pending hold one sub-bucket per job, mirror one
// per system.
var (
	bucketRuns    = []byte("runs")
	bucketJournal = []byte("journal")
	bucketPending = []byte("pending")
	bucketMirror  = []byte("mirror")
	bucketRecords = []byte("records")
	bucketMeta    = []byte("meta")
)

// Run statuses.
const (
	StatusRunning  = "running"
	StatusFinished = "finished"
)

// DB is an open state directory. It is safe for concurrent use.
type DB struct {
	db   *bolt.DB
	path string
}

// Open opens (creating when needed) the state database in dir. It fails with
// ErrLocked when another process has it open, and with a *DamagedError
// (errors.Is ErrDamaged) when the file is damaged: a consistency check (check) runs
// on every open, before anything is sent to MiniCRM.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	d := &DB{path: path}
	if err := d.open(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *DB) open() (err error) {
	defer d.recovered(&err, true)
	defer faultsPanic()()
	db, err := bolt.Open(d.path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("%s: %w", d.path, ErrLocked)
	}
	if err != nil {
		if de := d.damaged(err, true); de != err {
			return de
		}
		if strings.Contains(err.Error(), "file size too small") || strings.Contains(err.Error(), "invalid database") {
			return &DamagedError{Path: d.path, What: err.Error(), Opening: true}
		}
		return fmt.Errorf("opening %s: %w", d.path, err)
	}
	d.db = db
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if err := d.check(); err != nil {
		return err
	}
	err = d.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRuns, bucketJournal, bucketPending, bucketMirror} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var de *DamagedError
		if errors.As(err, &de) {
			de.Opening = true
			return de
		}
		return fmt.Errorf("initializing %s: %w", d.path, err)
	}
	return nil
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Run is one import job's latest run. A job is a mapping file, a source file
// and a MiniCRM system; Job is a digest of the three.
type Run struct {
	Job         string `json:"job"`
	System      string `json:"system"`
	MappingPath string `json:"mapping_path"`
	// MappingHash and SourceHash are SHA-256 digests of the files' bytes.
	MappingHash   string    `json:"mapping_hash"`
	SourcePath    string    `json:"source_path"`
	SourceHash    string    `json:"source_hash"`
	SourceSize    int64     `json:"source_size"`
	SourceModTime time.Time `json:"source_mtime"`
	// Status is StatusRunning from the start of a run until it ends without
	// interruption (StatusFinished).
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Resumes counts the times the run was resumed.
	Resumes int `json:"resumes,omitempty"`
}

// SameInput reports whether r ran on the same mapping and source bytes as o.
func (r *Run) SameInput(o *Run) bool {
	return r.MappingHash == o.MappingHash && r.SourceHash == o.SourceHash && r.SourceSize == o.SourceSize
}

// EntityOutcome is what happened to one record of a row.
type EntityOutcome struct {
	Kind string `json:"kind"`
	// Action is created, updated, unchanged or error.
	Action  string   `json:"action"`
	Id      int      `json:"id,omitempty"`
	Changed []string `json:"changed,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// RowOutcome is a source row's entry in the journal. A row is journaled when
// a record of it is created (Done false: the row is under way) and when it is
// finished (Done true).
type RowOutcome struct {
	Line int  `json:"line"`
	Done bool `json:"done"`
	// Status is ok, error or skipped (when Done).
	Status   string          `json:"status,omitempty"`
	Entities []EntityOutcome `json:"entities,omitempty"`
	// Column, Field and Reason say why a row failed or was skipped.
	Column string `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// PendingCreate is a create about to be sent: enough to find the record in
// MiniCRM if the run dies before it learns the answer.
type PendingCreate struct {
	Line int    `json:"line"`
	Kind string `json:"kind"`
	// Fields is the body of the create, as sent.
	Fields map[string]any `json:"fields"`
	// Match is the mapping's match order for the entity, ExternalIDField the
	// field holding the external id.
	Match           []string  `json:"match"`
	ExternalIDField string    `json:"external_id_field,omitempty"`
	CategoryId      int       `json:"category_id,omitempty"`
	At              time.Time `json:"at"`
}

// Key identifies the entry within its job.
func (p *PendingCreate) Key() string { return fmt.Sprintf("%012d/%s", p.Line, p.Kind) }

// MirrorRecord is a contact or card as the importer knows it: the summary the
// list endpoints give, plus the fields known from a detail record or from our
// own writes.
type MirrorRecord struct {
	Id   int    `json:"id"`
	Kind string `json:"kind"` // Business, Person or Project
	// CategoryId is a card's module.
	CategoryId int `json:"cat,omitempty"`
	// Name, Email and Phone are as the list shows them (Email and Phone are
	// the default ones).
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	BusinessId int    `json:"business,omitempty"`
	ContactId  int    `json:"contact,omitempty"`
	StatusId   int    `json:"status,omitempty"`
	UserId     int    `json:"user,omitempty"`
	// Fields are canonical values (the mapping package's form, as text) of
	// the fields known; Detail says every field of the record is known.
	Fields map[string]string `json:"fields,omitempty"`
	Detail bool              `json:"detail,omitempty"`
	// Addresses are a contact's addresses as minicrm-bulk wrote or read
	// them, when AddressesKnown (all of them are known: the contact was
	// created by minicrm-bulk, or its AddressList was read).
	Addresses      []MirrorAddress `json:"addresses,omitempty"`
	AddressesKnown bool            `json:"addresses_known,omitempty"`
	// UpdatedAt is the record's UpdatedAt from its last detail record.
	UpdatedAt string `json:"updated_at,omitempty"`
	// WrittenAt is when minicrm-bulk last wrote the record.
	WrittenAt time.Time `json:"written_at,omitzero"`
	// ConfirmedAt is the listing (its start, MiniCRM's clock) that showed
	// the record after minicrm-bulk wrote it: the run's closing refresh. A
	// later listing that shows it again only because its window overlaps
	// that one does not make the mirror forget what it knows.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// MirrorAddress is one address of a contact. Fields are by API name (Type,
// Name, CountryId, PostalCode, City, County, Address), as written or read.
// Id is 0 for an address an XML feed created: its values are known, its Id
// is looked up when it must be written.
type MirrorAddress struct {
	Id      int               `json:"id,omitempty"`
	Default bool              `json:"default,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Scope is the part of the mirror the record belongs to: "contacts" or
// "cards/<CategoryId>".
func (r *MirrorRecord) Scope() string {
	if r.Kind == "Project" {
		return CardScope(r.CategoryId)
	}
	return ContactScope
}

// ContactScope is the mirror scope of businesses and persons.
const ContactScope = "contacts"

// CardScope is the mirror scope of one module's cards.
func CardScope(categoryID int) string { return "cards/" + strconv.Itoa(categoryID) }

func mirrorKey(scope string, id int) []byte { return fmt.Appendf(nil, "%s/%012d", scope, id) }

// Batch is a set of changes committed in one transaction: journal entries,
// mirror records, the pending creates they settle, and watermarks.
type Batch struct {
	Journal []RowOutcome
	Mirror  []MirrorRecord
	// Removed are mirror records found deleted in MiniCRM.
	Removed []MirrorRecord
	// PendingDone are keys of pending creates settled by this batch.
	PendingDone []string
	// ReplaceScopes are mirror scopes emptied before Mirror is written
	// (a full refresh).
	ReplaceScopes []string
	// Watermarks set times by name: a scope's next UpdatedSince, and when
	// it was last listed (see pipeline).
	Watermarks map[string]time.Time
}

// Empty reports whether the batch holds nothing.
func (b *Batch) Empty() bool {
	return len(b.Journal) == 0 && len(b.Mirror) == 0 && len(b.Removed) == 0 && len(b.PendingDone) == 0 &&
		len(b.ReplaceScopes) == 0 && len(b.Watermarks) == 0
}

// Commit writes a batch for a job (journal, pending) and a system (mirror)
// in one transaction. job or system may be empty when the batch has nothing
// for it.
func (d *DB) Commit(job, system string, b *Batch) error {
	if b.Empty() {
		return nil
	}
	return d.update(func(tx *bolt.Tx) error {
		if len(b.Journal) > 0 {
			jb, err := sub(tx, bucketJournal, job)
			if err != nil {
				return err
			}
			for _, o := range b.Journal {
				v, err := json.Marshal(o)
				if err != nil {
					return err
				}
				if err := jb.Put(lineKey(o.Line), v); err != nil {
					return err
				}
			}
		}
		if len(b.PendingDone) > 0 {
			pb, err := sub(tx, bucketPending, job)
			if err != nil {
				return err
			}
			for _, k := range b.PendingDone {
				if err := pb.Delete([]byte(k)); err != nil {
					return err
				}
			}
		}
		if len(b.Mirror) == 0 && len(b.Removed) == 0 && len(b.ReplaceScopes) == 0 && len(b.Watermarks) == 0 {
			return nil
		}
		sb, err := sub(tx, bucketMirror, system)
		if err != nil {
			return err
		}
		rb, err := sb.CreateBucketIfNotExists(bucketRecords)
		if err != nil {
			return err
		}
		for _, scope := range b.ReplaceScopes {
			prefix := []byte(scope + "/")
			c := rb.Cursor()
			for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Seek(prefix) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		for _, r := range b.Removed {
			if err := rb.Delete(mirrorKey(r.Scope(), r.Id)); err != nil {
				return err
			}
		}
		for _, r := range b.Mirror {
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := rb.Put(mirrorKey(r.Scope(), r.Id), v); err != nil {
				return err
			}
		}
		if len(b.Watermarks) > 0 {
			mb, err := sb.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			for scope, t := range b.Watermarks {
				if err := mb.Put([]byte("watermark/"+scope), []byte(t.UTC().Format(time.RFC3339Nano))); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// sub returns (creating) the sub-bucket name of the top-level bucket top.
func sub(tx *bolt.Tx, top []byte, name string) (*bolt.Bucket, error) {
	if name == "" {
		return nil, fmt.Errorf("state: empty %s name", top)
	}
	return tx.Bucket(top).CreateBucketIfNotExists([]byte(name))
}

func lineKey(line int) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(line))
	return k
}

// LastRun returns the job's latest run; nil when it never ran.
func (d *DB) LastRun(job string) (*Run, error) {
	var r *Run
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRuns).Get([]byte(job))
		if v == nil {
			return nil
		}
		r = &Run{}
		return json.Unmarshal(v, r)
	})
	return r, err
}

// StartRun records the start of a run. Unless resuming, the job's journal
// is cleared: a fresh run diffs every row again.
func (d *DB) StartRun(r *Run, resume bool) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return d.update(func(tx *bolt.Tx) error {
		if !resume {
			jb := tx.Bucket(bucketJournal)
			if jb.Bucket([]byte(r.Job)) != nil {
				if err := jb.DeleteBucket([]byte(r.Job)); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketRuns).Put([]byte(r.Job), v)
	})
}

// FinishRun marks the job's run finished.
func (d *DB) FinishRun(job string, at time.Time) error {
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns)
		v := b.Get([]byte(job))
		if v == nil {
			return fmt.Errorf("state: no run of job %s", job)
		}
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		r.Status, r.FinishedAt = StatusFinished, at
		nv, err := json.Marshal(&r)
		if err != nil {
			return err
		}
		return b.Put([]byte(job), nv)
	})
}

// Journal returns the job's journal by source line.
func (d *DB) Journal(job string) (map[int]RowOutcome, error) {
	out := map[int]RowOutcome{}
	err := d.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJournal).Bucket([]byte(job))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var o RowOutcome
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("journal entry %x: %w", k, err)
			}
			out[o.Line] = o
			return nil
		})
	})
	return out, err
}

// PutPending records a create about to be sent. It returns once the entry is
// on disk (fsync'd); concurrent calls share one transaction.
func (d *DB) PutPending(job string, p *PendingCreate) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.batch(func(tx *bolt.Tx) error {
		b, err := sub(tx, bucketPending, job)
		if err != nil {
			return err
		}
		return b.Put([]byte(p.Key()), v)
	})
}

// Pending returns the job's unsettled creates, oldest row first.
func (d *DB) Pending(job string) ([]PendingCreate, error) {
	var out []PendingCreate
	err := d.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPending).Bucket([]byte(job))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p PendingCreate
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("pending entry %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// Mirror returns a system's mirror records of the given scopes and every
// watermark of the system (by the names Batch.Watermarks gave them).
func (d *DB) Mirror(system string, scopes ...string) ([]MirrorRecord, map[string]time.Time, error) {
	var recs []MirrorRecord
	marks := map[string]time.Time{}
	err := d.view(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketMirror).Bucket([]byte(system))
		if sb == nil {
			return nil
		}
		if mb := sb.Bucket(bucketMeta); mb != nil {
			prefix := []byte("watermark/")
			c := mb.Cursor()
			for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
				t, err := time.Parse(time.RFC3339Nano, string(v))
				if err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
				marks[strings.TrimPrefix(string(k), string(prefix))] = t
			}
		}
		rb := sb.Bucket(bucketRecords)
		if rb == nil {
			return nil
		}
		c := rb.Cursor()
		for _, scope := range scopes {
			prefix := []byte(scope + "/")
			for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
				var r MirrorRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("mirror record %s: %w", k, err)
				}
				recs = append(recs, r)
			}
		}
		return nil
	})
	return recs, marks, err
}
