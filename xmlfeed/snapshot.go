package xmlfeed

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SnapshotFile is the snapshot's file inside the state directory.
const SnapshotFile = "feed-snapshot.db"

// Snapshot remembers, per scope (a mapping, by default) and per Project Id,
// a digest of each card as the last successful push sent it, so that
// --changed-only writes only new and changed cards.
//
// A build records what it writes as *pending*, per feed file; pushing that
// file successfully promotes its cards to *committed* (Promote, keyed by
// the file's SHA-256, so pushing any other file promotes nothing). A push
// that fails leaves the committed state as it was, and the next build sends
// the same cards again. A new build of a scope supersedes the pending
// entries of earlier unpushed builds of that scope: it is computed against
// the committed state, so it contains everything they did.
//
// The store is a bbolt file (go.etcd.io/bbolt: one file, ACID transactions,
// so a crash leaves either the old or the new state): buckets committed/
// <scope> and pending/<scope>\x00<build>\x00<part> map Project Id → 16-byte
// digest, and files maps a file's SHA-256 to its pending part. Lookups read
// the file through the OS page cache, not the Go heap, so a build's memory
// does not grow with the snapshot. It is kept here rather than in the
// import pipeline's state package to keep the two issues apart; it could
// move there (as one more set of buckets) once both exist.
type Snapshot struct {
	db *bolt.DB
}

var (
	bucketCommitted = []byte("committed")
	bucketPending   = []byte("pending")
	bucketFiles     = []byte("files")
)

// OpenSnapshot opens (creating) the snapshot in the state directory dir.
// Only one process can have it open: another one waits up to 2 seconds and
// then fails.
func OpenSnapshot(dir string) (*Snapshot, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(dir, SnapshotFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by another minicrm-bulk process; wait for it to finish", path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketCommitted, bucketPending, bucketFiles} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return &Snapshot{db: db}, nil
}

// Close closes the file.
func (s *Snapshot) Close() error { return s.db.Close() }

// PendingFile is a built feed file whose cards become committed when it is
// pushed.
type PendingFile struct {
	Scope string    `json:"scope"`
	Build string    `json:"build"`
	Part  int       `json:"part"`
	Path  string    `json:"path"`
	Cards int       `json:"cards"`
	Built time.Time `json:"built"`
}

func partKey(scope, build string, part int) []byte {
	return []byte(fmt.Sprintf("%s\x00%s\x00%06d", scope, build, part))
}

// SnapshotBuild is one build's view of the snapshot: lookups in the
// committed state and recording of what it writes. Not safe for concurrent
// use.
type SnapshotBuild struct {
	s      *Snapshot
	scope  string
	id     string
	part   int
	buf    map[string][16]byte
	closed bool
}

// StartBuild begins a build of scope, superseding the pending entries of
// earlier unpushed builds of the same scope.
func (s *Snapshot) StartBuild(scope string) (*SnapshotBuild, error) {
	if scope == "" || bytes.IndexByte([]byte(scope), 0) >= 0 {
		return nil, errors.New("xmlfeed: the snapshot scope must be a non-empty name")
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	b := &SnapshotBuild{s: s, scope: scope, id: time.Now().UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(rnd[:]),
		part: 1, buf: map[string][16]byte{}}
	err := s.db.Update(func(tx *bolt.Tx) error {
		prefix := []byte(scope + "\x00")
		pend := tx.Bucket(bucketPending)
		var stale [][]byte
		c := pend.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			stale = append(stale, bytes.Clone(k))
		}
		for _, k := range stale {
			if err := pend.DeleteBucket(k); err != nil {
				return err
			}
		}
		files := tx.Bucket(bucketFiles)
		var gone [][]byte
		if err := files.ForEach(func(k, v []byte) error {
			var pf PendingFile
			if json.Unmarshal(v, &pf) == nil && pf.Scope == scope {
				gone = append(gone, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range gone {
			if err := files.Delete(k); err != nil {
				return err
			}
		}
		_, err := tx.Bucket(bucketCommitted).CreateBucketIfNotExists([]byte(scope))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return b, nil
}

// Lookup returns the committed digest of a card. A card recorded earlier
// in this build (a duplicate Project Id) is not seen here.
func (b *SnapshotBuild) Lookup(id string) ([16]byte, bool, error) {
	var h [16]byte
	found := false
	err := b.s.db.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(bucketCommitted).Bucket([]byte(b.scope)); bk != nil {
			if v := bk.Get([]byte(id)); len(v) == len(h) {
				copy(h[:], v)
				found = true
			}
		}
		return nil
	})
	return h, found, err
}

// LookupAll looks up many cards in one read of the committed state,
// calling fn with each one's index in ids.
func (b *SnapshotBuild) LookupAll(ids []string, fn func(i int, h [16]byte, ok bool)) error {
	if len(ids) == 0 {
		return nil
	}
	return b.s.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketCommitted).Bucket([]byte(b.scope))
		for i, id := range ids {
			var h [16]byte
			ok := false
			if bk != nil {
				if v := bk.Get([]byte(id)); len(v) == len(h) {
					copy(h[:], v)
					ok = true
				}
			}
			fn(i, h, ok)
		}
		return nil
	})
}

// flushEvery bounds the entries buffered between two transactions.
const flushEvery = 20000

// Record notes that the current part holds the card with this digest.
func (b *SnapshotBuild) Record(id string, h [16]byte) error {
	b.buf[id] = h
	if len(b.buf) >= flushEvery {
		return b.flush()
	}
	return nil
}

func (b *SnapshotBuild) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	err := b.s.db.Update(func(tx *bolt.Tx) error {
		bk, err := tx.Bucket(bucketPending).CreateBucketIfNotExists(partKey(b.scope, b.id, b.part))
		if err != nil {
			return err
		}
		for id, h := range b.buf {
			if err := bk.Put([]byte(id), h[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	clear(b.buf)
	return nil
}

// FinishPart records a complete feed file: pushing a file with this
// SHA-256 promotes the part's cards. The next Record goes to a new part.
func (b *SnapshotBuild) FinishPart(f FeedFile) error {
	if err := b.flush(); err != nil {
		return err
	}
	pf := PendingFile{Scope: b.scope, Build: b.id, Part: b.part, Path: f.Path, Cards: f.Cards, Built: time.Now()}
	v, err := json.Marshal(pf)
	if err != nil {
		return err
	}
	err = b.s.db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.Bucket(bucketPending).CreateBucketIfNotExists(partKey(b.scope, b.id, b.part)); err != nil {
			return err
		}
		return tx.Bucket(bucketFiles).Put([]byte(f.SHA256), v)
	})
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	b.part++
	return nil
}

// Close ends the build. Entries of a part never finished (the build
// failed) stay pending without a file and are dropped by the next build of
// the scope.
func (b *SnapshotBuild) Close() error {
	b.closed = true
	return nil
}

// Pending returns the pending part of a feed file, by the file's SHA-256.
func (s *Snapshot) Pending(sha string) (*PendingFile, bool, error) {
	var pf *PendingFile
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFiles).Get([]byte(sha))
		if v == nil {
			return nil
		}
		pf = &PendingFile{}
		return json.Unmarshal(v, pf)
	})
	return pf, pf != nil, err
}

// Promote marks the cards of a pushed feed file as sent: they become the
// committed state of their scope, and the pending part is gone. ok is false
// when the file has no pending part (built without --changed-only, already
// promoted, or superseded by a later build).
func (s *Snapshot) Promote(sha string) (pf *PendingFile, ok bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		files := tx.Bucket(bucketFiles)
		v := files.Get([]byte(sha))
		if v == nil {
			return nil
		}
		pf = &PendingFile{}
		if err := json.Unmarshal(v, pf); err != nil {
			return err
		}
		key := partKey(pf.Scope, pf.Build, pf.Part)
		pend := tx.Bucket(bucketPending)
		committed, err := tx.Bucket(bucketCommitted).CreateBucketIfNotExists([]byte(pf.Scope))
		if err != nil {
			return err
		}
		if src := pend.Bucket(key); src != nil {
			if err := src.ForEach(func(k, v []byte) error { return committed.Put(bytes.Clone(k), bytes.Clone(v)) }); err != nil {
				return err
			}
			if err := pend.DeleteBucket(key); err != nil {
				return err
			}
		}
		ok = true
		return files.Delete([]byte(sha))
	})
	if err != nil {
		return nil, false, fmt.Errorf("snapshot: %w", err)
	}
	return pf, ok, nil
}

// Committed returns how many cards the committed state of a scope holds.
func (s *Snapshot) Committed(scope string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(bucketCommitted).Bucket([]byte(scope)); bk != nil {
			n = bk.Stats().KeyN
		}
		return nil
	})
	return n, err
}
