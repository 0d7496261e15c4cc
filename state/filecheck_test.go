package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// healthy writes a state database of every shape bbolt gives a page: the
// import's buckets, an export snapshot of a few thousand records, values
// over several pages (overflow), nested buckets stored inline and on pages
// of their own, an empty bucket, and deletions (a freelist with ids in
// it). It gives the file's bytes.
func healthy(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for chunk := range 4 {
		b := &ExportBatch{}
		for i := range 1000 {
			id := chunk*1000 + i + 1
			b.Add("contacts", ExportRecord{Id: id, Kind: "Person", Values: map[string]string{"Name": fmt.Sprintf("Személy %d", id)}})
		}
		if err := db.CommitExport("t", b); err != nil {
			t.Fatal(err)
		}
	}
	b := &ExportBatch{}
	for id := 1; id <= 4000; id += 3 {
		b.Remove("contacts", id)
	}
	if err := db.CommitExport("t", b); err != nil {
		t.Fatal(err)
	}
	err = db.update(func(tx *bolt.Tx) error {
		big, err := tx.CreateBucketIfNotExists([]byte("big"))
		if err != nil {
			return err
		}
		for i := range 20 {
			if err := big.Put(fmt.Appendf(nil, "v%02d", i), bytes.Repeat([]byte{byte('a' + i)}, 1000*(i+1))); err != nil {
				return err
			}
		}
		if _, err := big.CreateBucketIfNotExists([]byte("empty")); err != nil {
			return err
		}
		small, err := big.CreateBucketIfNotExists([]byte("inline"))
		if err != nil {
			return err
		}
		return small.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("big")).Delete([]byte("v07")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// bboltCheck is the check Open ran before: every key and value read
// through bbolt's memory map, then bbolt's Tx.Check. A fault or a panic is
// an error.
func bboltCheck(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	defer faultsPanic()()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var sum byte
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return readAll(b, &sum) }); err != nil {
			return err
		}
		for e := range tx.Check() {
			if err == nil {
				err = e
			}
		}
		return err
	})
}

// readAll reads every key and value of b and its nested buckets, down to
// the last byte of each.
func readAll(b *bolt.Bucket, sum *byte) error {
	return b.ForEach(func(k, v []byte) error {
		if len(k) > 0 {
			*sum ^= k[len(k)-1]
		}
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return readAll(nb, sum)
			}
			return nil
		}
		if len(v) > 0 {
			*sum ^= v[len(v)-1]
		}
		return nil
	})
}

func writeState(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// layout reads the chosen meta page of a healthy file.
func layout(t *testing.T, data []byte) fileMeta {
	t.Helper()
	c := &fileChecker{f: mustOpen(t, writeState(t, data))}
	m, err := c.meta()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestCheckAgreesWithBbolt: the check Open runs (checkFile, from disk)
// passes healthy files, finds what bbolt's own check finds, and what it
// lets through of randomly damaged files, bbolt reads through its map
// without a fault and its check finds nothing in.
func TestCheckAgreesWithBbolt(t *testing.T) {
	t.Parallel()
	good := healthy(t)
	if err := checkFile(writeState(t, good)); err != nil {
		t.Fatalf("a healthy file: %v", err)
	}
	if err := bboltCheck(writeState(t, good)); err != nil {
		t.Fatalf("bbolt on a healthy file: %v", err)
	}
	m := layout(t, good)
	ps := int(m.pageSize)
	pg := func(b []byte, id uint64) []byte { return b[int(id)*ps : int(id+1)*ps] }
	freeIDs := func(b []byte) (count []byte, ids []byte) {
		p := pg(b, m.freelist)
		n := int(binary.NativeEndian.Uint16(p[10:]))
		if n < 3 || n == 0xFFFF {
			t.Fatalf("the healthy file's freelist holds %d ids; the test wants a few", n)
		}
		return p[10:12], p[16 : 16+8*n]
	}
	c := &fileChecker{f: mustOpen(t, writeState(t, good)), size: int64(len(good))}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	// A leaf page in use of the snapshot's records, two keys of one length.
	leaf := func(b []byte) []byte {
		for id := uint64(2); id < m.pgid; id++ {
			if !has(c.used, id) {
				continue
			}
			p := pg(b, id)
			if binary.NativeEndian.Uint16(p[8:]) != leafFlag || binary.NativeEndian.Uint16(p[10:]) < 2 {
				continue
			}
			k0, k1 := leafKey(p, 0), leafKey(p, 1)
			if bytes.HasPrefix(k0, []byte("contacts/")) && len(k0) == len(k1) {
				return p
			}
		}
		t.Fatal("no leaf page of records")
		return nil
	}
	aimed := []struct {
		name, want string
		damage     func(b []byte)
	}{
		{"keys out of order", "is not after the key before it", func(b []byte) {
			p := leaf(b)
			copy(leafKey(p, 0), leafKey(p, 1))
		}},
		{"a free page left out of the freelist", "neither in use nor free", func(b []byte) {
			n, _ := freeIDs(b)
			binary.NativeEndian.PutUint16(n, binary.NativeEndian.Uint16(n)-1)
		}},
		{"a page in use listed as free", "in use, yet listed as free", func(b []byte) {
			_, ids := freeIDs(b)
			binary.NativeEndian.PutUint64(ids, m.root)
		}},
		{"a page freed twice", "as free twice", func(b []byte) {
			_, ids := freeIDs(b)
			copy(ids[8:16], ids[:8])
		}},
	}
	for _, a := range aimed {
		b := bytes.Clone(good)
		a.damage(b)
		err := checkFile(writeState(t, b))
		if err == nil || !strings.Contains(err.Error(), a.want) {
			t.Errorf("%s: checkFile says %v, want %q", a.name, err, a.want)
		}
		if err := bboltCheck(writeState(t, b)); err == nil {
			t.Errorf("%s: bbolt's check finds nothing: the test damages the file wrongly", a.name)
		}
	}
	// Random damage: wherever checkFile finds nothing, bbolt reads the
	// file safely and its check agrees.
	found, passed := 0, 0
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 15))
		b := bytes.Clone(good)
		for range 1 + rng.IntN(20) {
			i := 2*ps + rng.IntN(len(b)-2*ps)
			b[i] ^= 1 << rng.IntN(8)
		}
		path := writeState(t, b)
		if err := checkFile(path); err != nil {
			found++
			continue
		}
		passed++
		if err := bboltCheck(path); err != nil {
			t.Errorf("seed %d: checkFile finds nothing, bbolt's check finds: %v", seed, err)
		}
	}
	t.Logf("random damage: %d files found damaged, %d passed (flips in values bbolt cannot tell)", found, passed)
	if found == 0 {
		t.Error("no randomly damaged file was found damaged")
	}
}

func leafKey(p []byte, i int) []byte {
	e := p[16+16*i:]
	pos, ks := int(binary.NativeEndian.Uint32(e[4:])), int(binary.NativeEndian.Uint32(e[8:]))
	at := 16 + 16*i + pos
	return p[at : at+ks]
}
