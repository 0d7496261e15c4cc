package xmlfeed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// spill keeps the orders of a build (and their customers' cards) in a
// temporary file until the source has been read, so that a customer's
// orders, wherever they are in the file, go under one <Project> without
// the build holding them in memory. A record is a link to an earlier
// record (a customer's previous order: its offset and size, or -1), then
// the card or the order in a compact binary form (codec below); a
// customer's orders are read back by following the links, one read each.
type spill struct {
	f    *os.File
	path string // still to remove at close (where an open file cannot be removed)
	w    *bufio.Writer
	size int64
	enc  []byte
	buf  []byte
}

// spillRef is where a record is: its offset and size (header included).
type spillRef struct {
	off int64
	n   uint32
}

var noRef = spillRef{off: -1}

const spillHeader = 12 // the link: offset (8 bytes) and size (4) of the record before

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, ".minicrm-bulk-orders-*")
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	s := &spill{f: f, path: f.Name(), w: bufio.NewWriterSize(f, 64<<10)}
	if os.Remove(f.Name()) == nil {
		s.path = ""
	}
	return s, nil
}

// putCard and putOrder append a record linked to prev and say where it is.
func (s *spill) putCard(c *Card) (spillRef, error) {
	return s.put(noRef, func(b []byte) []byte { return appendCardRec(b, c) })
}

func (s *spill) putOrder(prev spillRef, d *Document) (spillRef, error) {
	return s.put(prev, func(b []byte) []byte { return appendDocRec(b, d) })
}

func (s *spill) put(prev spillRef, body func([]byte) []byte) (spillRef, error) {
	b := binary.LittleEndian.AppendUint64(s.enc[:0], uint64(prev.off))
	b = binary.LittleEndian.AppendUint32(b, prev.n)
	b = body(b)
	s.enc = b
	if len(b) > 1<<31 {
		return noRef, errors.New("orders: an order too large to keep")
	}
	ref := spillRef{off: s.size, n: uint32(len(b))}
	if _, err := s.w.Write(b); err != nil {
		return noRef, fmt.Errorf("orders: %w", err)
	}
	s.size += int64(len(b))
	return ref, nil
}

// done ends the writing; the get methods may be called from then on.
func (s *spill) done() error { return s.w.Flush() }

// read reads a record; its body is valid until the next read.
func (s *spill) read(ref spillRef) (prev spillRef, body []byte, err error) {
	if cap(s.buf) < int(ref.n) {
		s.buf = make([]byte, ref.n)
	}
	b := s.buf[:ref.n]
	if _, err := s.f.ReadAt(b, ref.off); err != nil {
		return noRef, nil, fmt.Errorf("orders: reading back: %w", err)
	}
	prev = spillRef{off: int64(binary.LittleEndian.Uint64(b)), n: binary.LittleEndian.Uint32(b[8:])}
	return prev, b[spillHeader:], nil
}

func (s *spill) getCard(ref spillRef, c *Card) error {
	_, b, err := s.read(ref)
	if err != nil {
		return err
	}
	r := recReader{b: b}
	readCardRec(&r, c)
	return r.err
}

func (s *spill) getOrder(ref spillRef, d *Document) (prev spillRef, err error) {
	prev, b, err := s.read(ref)
	if err != nil {
		return noRef, err
	}
	r := recReader{b: b}
	readDocRec(&r, d)
	return prev, r.err
}

func (s *spill) close() error {
	err := s.f.Close()
	if s.path != "" {
		if rerr := os.Remove(s.path); err == nil {
			err = rerr
		}
	}
	return err
}

// The codec: strings as a length (uvarint) and bytes, lists as a count
// and their items. A card's record holds what the card builder fills (Id,
// fields, business, contacts), not its orders.

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendFields(b []byte, fs []Field) []byte {
	b = binary.AppendUvarint(b, uint64(len(fs)))
	for _, f := range fs {
		b = appendStr(appendStr(b, f.Name), f.Value)
	}
	return b
}

func appendAddresses(b []byte, as []Address) []byte {
	b = binary.AppendUvarint(b, uint64(len(as)))
	for _, a := range as {
		b = appendFields(b, a.Fields)
	}
	return b
}

func appendStrs(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendStr(b, s)
	}
	return b
}

func appendCardRec(b []byte, c *Card) []byte {
	b = appendFields(appendStr(b, c.ID), c.Fields)
	if c.Business == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendStrs(appendStrs(appendAddresses(appendFields(b, c.Business.Fields), c.Business.Addresses), c.Business.Emails), c.Business.Phones)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Contacts)))
	for _, ct := range c.Contacts {
		b = appendAddresses(appendFields(appendStr(b, ct.ID), ct.Fields), ct.Addresses)
	}
	return b
}

func appendDocRec(b []byte, d *Document) []byte {
	b = appendFields(appendFields(appendStr(b, d.ID), d.Fields), d.Customer)
	b = binary.AppendUvarint(b, uint64(len(d.Products)))
	for _, p := range d.Products {
		b = appendFields(appendStr(b, p.ID), p.Fields)
	}
	return appendFields(b, d.Project)
}

// recReader reads a record; the first problem sticks in err.
type recReader struct {
	b   []byte
	err error
}

func (r *recReader) count() int {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) {
		if r.err == nil {
			r.err = errors.New("orders: a damaged record in the temporary file")
		}
		r.b = nil
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *recReader) str() string {
	n := r.count()
	if n > len(r.b) {
		r.count() // records the damage
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *recReader) fields() []Field {
	n := r.count()
	if n == 0 {
		return nil
	}
	fs := make([]Field, n)
	for i := range fs {
		fs[i] = Field{Name: r.str(), Value: r.str()}
	}
	return fs
}

func (r *recReader) addresses() []Address {
	n := r.count()
	if n == 0 {
		return nil
	}
	as := make([]Address, n)
	for i := range as {
		as[i].Fields = r.fields()
	}
	return as
}

func (r *recReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func readCardRec(r *recReader, c *Card) {
	c.ID, c.Fields = r.str(), r.fields()
	if len(r.b) > 0 && r.b[0] == 1 {
		r.b = r.b[1:]
		bus := &Business{}
		bus.Fields, bus.Addresses, bus.Emails, bus.Phones = r.fields(), r.addresses(), r.strs(), r.strs()
		c.Business = bus
	} else if len(r.b) > 0 {
		r.b = r.b[1:]
	}
	c.Contacts = make([]Contact, r.count())
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		ct.ID, ct.Fields, ct.Addresses = r.str(), r.fields(), r.addresses()
	}
}

func readDocRec(r *recReader, d *Document) {
	d.ID, d.Fields, d.Customer = r.str(), r.fields(), r.fields()
	d.Products = make([]Product, r.count())
	for i := range d.Products {
		p := &d.Products[i]
		p.ID, p.Fields = r.str(), r.fields()
	}
	d.Project = r.fields()
}
