package xmlfeed

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Drop reports characters left out of a value because XML 1.0 cannot carry
// them (control characters other than tab and line breaks, U+FFFE, U+FFFF,
// bytes that are not UTF-8). MiniCRM would refuse the whole file over one of
// them, so they are dropped from the value and reported, never written.
type Drop struct {
	// Loc and CardID say which card: the source location (Card.Loc) and
	// Project@Id.
	Loc    string
	CardID string
	// Element is the path of the value inside the card, e.g.
	// "Contacts/Contact/LastName" or "Project@Id".
	Element string
	// Count is how many characters (or stray bytes) were dropped.
	Count int
	// First is the first one dropped, as a Go quoted rune or byte ('\x00').
	First string
}

func (d Drop) String() string {
	where := d.Loc
	if where == "" {
		where = "card " + d.CardID
	}
	return fmt.Sprintf("%s: %s: dropped %d character(s) XML cannot carry (first %s)", where, d.Element, d.Count, d.First)
}

// NameError is an element name that is not a valid XML name (or clashes
// with the format's own structure); nothing of the card is written.
type NameError struct {
	CardID  string
	Element string
	Name    string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("card %q: %s: %q is not usable as an element name", e.CardID, e.Element, e.Name)
}

// ErrNoID is returned for a card (or a product) without its Id.
var ErrNoID = errors.New("the Id attribute is empty")

// Writer writes a SyncFeed document as a stream: the declaration and
// <Projects> at Begin, each card as it comes, </Projects> at Close. Memory
// holds one card at a time, never the document.
//
// Errors are sticky, as with encoding/csv's Writer: after the first one
// every call returns it, and Close reports it. A card refused by its own
// content (an empty Id, an element name that is not an XML name) is not
// written at all and does not poison the Writer: WriteProject returns the
// error and the document stays well-formed.
type Writer struct {
	bw     *bufio.Writer
	err    error
	began  bool
	closed bool
	cards  int
	drops  int
	onDrop func(Drop)

	buf     []byte // the card being encoded
	pending []Drop // drops of the card being encoded
	cur     *Card
}

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithDropHandler receives a report for every value that lost characters
// (one call per value, for written cards only).
func WithDropHandler(f func(Drop)) WriterOption { return func(w *Writer) { w.onDrop = f } }

// NewWriter returns a Writer on w, buffered: call Close to flush. Close does
// not close w.
func NewWriter(w io.Writer, opts ...WriterOption) *Writer {
	fw := &Writer{bw: bufio.NewWriterSize(w, 256<<10)}
	for _, o := range opts {
		o(fw)
	}
	return fw
}

const header = `<?xml version="1.0" encoding="UTF-8"?>` + "\n<Projects>\n"

// Begin writes the XML declaration and the <Projects> root.
func (w *Writer) Begin() error {
	if w.err != nil {
		return w.err
	}
	if w.began {
		return w.fail(errors.New("xmlfeed: Begin called twice"))
	}
	w.began = true
	_, err := w.bw.WriteString(header)
	return w.fail(err)
}

// WriteProject writes one card.
func (w *Writer) WriteProject(c *Card) error {
	_, err := w.WriteProjectIf(c, nil)
	return err
}

// WriteProjectIf encodes a card and writes it only if keep (when not nil)
// returns true for its encoded form: the exact bytes of <Project>…</Project>
// as the file will hold them, which --changed-only hashes. written says
// whether the card went into the file. Dropped characters are reported for
// written cards only.
func (w *Writer) WriteProjectIf(c *Card, keep func(encoded []byte) bool) (written bool, err error) {
	if w.err != nil {
		return false, w.err
	}
	if !w.began || w.closed {
		return false, w.fail(errors.New("xmlfeed: WriteProject outside Begin…Close"))
	}
	if err := w.encodeCard(c); err != nil {
		return false, err // the card's own fault: the Writer goes on
	}
	if keep != nil && !keep(w.buf) {
		return false, nil
	}
	if _, err := w.bw.Write(w.buf); err != nil {
		return false, w.fail(err)
	}
	w.cards++
	for _, d := range w.pending {
		w.drops += d.Count
		if w.onDrop != nil {
			w.onDrop(d)
		}
	}
	return true, nil
}

// Close writes </Projects> and flushes. It returns the first error the
// Writer met. The document is complete only when Close returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if !w.began {
		w.began = true
		if _, err := w.bw.WriteString(header); err != nil {
			return w.fail(err)
		}
	}
	if _, err := w.bw.WriteString("</Projects>\n"); err != nil {
		return w.fail(err)
	}
	return w.fail(w.bw.Flush())
}

// Err returns the sticky error, if any.
func (w *Writer) Err() error { return w.err }

// Cards is the number of cards written.
func (w *Writer) Cards() int { return w.cards }

// Dropped is the number of characters dropped from written cards.
func (w *Writer) Dropped() int { return w.drops }

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// Encoded is a card encoded by Encode, ready for WriteEncoded: escaping
// (and hashing, for --changed-only) can run on other goroutines than the
// one writing the file. Only Encode makes one, so a document written from
// Encoded cards is as well-formed as one written card by card.
type Encoded struct {
	id    string
	b     []byte
	drops []Drop
}

// Encode encodes a card: the exact bytes WriteProjectIf would write (and
// pass to keep), and the drops it would report. The error is that of a card
// that cannot be written (an empty Id, a bad element name).
func Encode(c *Card) (*Encoded, error) {
	w := Writer{buf: make([]byte, 0, encodedSize(c))}
	if err := w.encodeCard(c); err != nil {
		return nil, err
	}
	return &Encoded{id: c.ID, b: w.buf, drops: w.pending}, nil
}

// Bytes is the encoded card (do not modify it).
func (e *Encoded) Bytes() []byte { return e.b }

// ID is the card's Project Id.
func (e *Encoded) ID() string { return e.id }

// Drops are the values that lost characters.
func (e *Encoded) Drops() []Drop { return e.drops }

// WriteEncoded writes a card encoded by Encode.
func (w *Writer) WriteEncoded(e *Encoded) error {
	if w.err != nil {
		return w.err
	}
	if !w.began || w.closed {
		return w.fail(errors.New("xmlfeed: WriteEncoded outside Begin…Close"))
	}
	if _, err := w.bw.Write(e.b); err != nil {
		return w.fail(err)
	}
	w.cards++
	for _, d := range e.drops {
		w.drops += d.Count
		if w.onDrop != nil {
			w.onDrop(d)
		}
	}
	return nil
}

// encodedSize estimates a card's encoded size, so that Encode allocates
// its buffer once.
func encodedSize(c *Card) int {
	n := 64 + len(c.ID)
	fields := func(fs []Field, depth int) {
		for _, f := range fs {
			n += 2*len(f.Name) + len(f.Value) + depth + 8
		}
	}
	fields(c.Fields, 4)
	if b := c.Business; b != nil {
		n += 64
		fields(b.Fields, 6)
		for _, a := range b.Addresses {
			n += 48
			fields(a.Fields, 10)
		}
		n += 60 * (len(b.Emails) + len(b.Phones))
	}
	for _, ct := range c.Contacts {
		n += 64 + len(ct.ID)
		fields(ct.Fields, 8)
		for _, a := range ct.Addresses {
			n += 48
			fields(a.Fields, 12)
		}
	}
	for _, docs := range [2][]Document{c.Orders, c.Offers} {
		for _, d := range docs {
			n += 128 + len(d.ID)
			fields(d.Fields, 8)
			fields(d.Customer, 10)
			fields(d.Project, 10)
			for _, p := range d.Products {
				n += 64 + len(p.ID)
				fields(p.Fields, 12)
			}
		}
	}
	return n + n/8 // escapes
}

// encodeCard encodes c into w.buf, replacing its previous content.
func (w *Writer) encodeCard(c *Card) error {
	w.buf = w.buf[:0]
	return w.appendCard(c)
}

// appendCard encodes c at the end of w.buf, its drops in w.pending; a card
// refused by checkCard appends nothing.
func (w *Writer) appendCard(c *Card) error { return w.appendCardNames(c, true) }

// appendCardNames is appendCard, checking the card's element names only
// with check (the card's ID and content are always checked); a caller that
// knows them valid says so (CardBuilder.namesOK).
func (w *Writer) appendCardNames(c *Card, check bool) error {
	w.pending, w.cur = w.pending[:0], c
	if !check {
		if c == nil || !hasContent(c.ID) {
			return checkCard(c) // the error it gives
		}
	} else if err := checkCard(c); err != nil {
		return err
	}
	w.buf = append(w.buf, "  <Project Id=\""...)
	w.attr(c.ID, "Project@Id")
	w.buf = append(w.buf, "\">\n"...)
	w.fields(c.Fields, 4, "")
	if b := c.Business; b != nil {
		w.open(4, "Business")
		w.fields(b.Fields, 6, "Business/")
		w.addresses(6, b.Addresses, "Business/Addresses/Address/")
		w.valueList(6, "Emails", "Email", b.Emails, "Business/Emails/Email/Value")
		w.valueList(6, "Phones", "Phone", b.Phones, "Business/Phones/Phone/Value")
		w.close(4, "Business")
	}
	if len(c.Contacts) > 0 {
		w.open(4, "Contacts")
		for _, ct := range c.Contacts {
			w.startWithID(6, "Contact", ct.ID, "Contacts/Contact@Id")
			w.fields(ct.Fields, 8, "Contacts/Contact/")
			w.addresses(8, ct.Addresses, "Contacts/Contact/Addresses/Address/")
			w.close(6, "Contact")
		}
		w.close(4, "Contacts")
	}
	w.documents("Orders", "Order", c.Orders)
	w.documents("Offers", "Offer", c.Offers)
	w.buf = append(w.buf, "  </Project>\n"...)
	return nil
}

// addresses writes an <Addresses> list (nothing when empty).
func (w *Writer) addresses(depth int, as []Address, path string) {
	if len(as) == 0 {
		return
	}
	w.open(depth, "Addresses")
	for _, a := range as {
		w.open(depth+2, "Address")
		w.fields(a.Fields, depth+4, path)
		w.close(depth+2, "Address")
	}
	w.close(depth, "Addresses")
}

func (w *Writer) documents(list, elem string, docs []Document) {
	if len(docs) == 0 {
		return
	}
	w.open(4, list)
	for _, d := range docs {
		path := list + "/" + elem + "/"
		w.startWithID(6, elem, d.ID, list+"/"+elem+"@Id")
		w.fields(d.Fields, 8, path)
		if len(d.Customer) > 0 {
			w.open(8, "Customer")
			w.fields(d.Customer, 10, path+"Customer/")
			w.close(8, "Customer")
		}
		if len(d.Products) > 0 {
			w.open(8, "Products")
			for _, p := range d.Products {
				w.startWithID(10, "Product", p.ID, path+"Products/Product@Id")
				w.fields(p.Fields, 12, path+"Products/Product/")
				w.close(10, "Product")
			}
			w.close(8, "Products")
		}
		if len(d.Project) > 0 {
			w.open(8, "Project")
			w.fields(d.Project, 10, path+"Project/")
			w.close(8, "Project")
		}
		w.close(6, elem)
	}
	w.close(4, list)
}

const spaces = "                "

func (w *Writer) indent(n int) { w.buf = append(w.buf, spaces[:n]...) }

func (w *Writer) open(n int, name string) {
	w.indent(n)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ">\n"...)
}

func (w *Writer) close(n int, name string) {
	w.indent(n)
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ">\n"...)
}

// startWithID opens an element with an Id attribute, or without one when
// id is empty (a Contact may have none).
func (w *Writer) startWithID(n int, name, id, path string) {
	w.indent(n)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	if id != "" {
		w.buf = append(w.buf, ` Id="`...)
		w.attr(id, path)
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, ">\n"...)
}

func (w *Writer) fields(fs []Field, n int, path string) {
	for _, f := range fs {
		w.indent(n)
		w.element(f.Name, f.Value, path, f.Name)
		w.buf = append(w.buf, '\n')
	}
}

// element writes <name>value</name>, or <name/> for an empty value;
// path+leaf names the value in drop reports (joined only for a report).
func (w *Writer) element(name, value, path, leaf string) {
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, name...)
	if value == "" {
		w.buf = append(w.buf, "/>"...)
		return
	}
	w.buf = append(w.buf, '>')
	w.escape(value, false, path, leaf)
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '>')
}

func (w *Writer) valueList(n int, list, item string, values []string, path string) {
	if len(values) == 0 {
		return
	}
	w.open(n, list)
	for _, v := range values {
		w.indent(n + 2)
		w.buf = append(w.buf, '<')
		w.buf = append(w.buf, item...)
		w.buf = append(w.buf, '>')
		w.element("Value", v, path, "")
		w.buf = append(w.buf, "</"...)
		w.buf = append(w.buf, item...)
		w.buf = append(w.buf, ">\n"...)
	}
	w.close(n, list)
}

// attr appends s escaped for a double-quoted attribute value.
func (w *Writer) attr(s, path string) { w.escape(s, true, path, "") }

// checkCard refuses a card that cannot be written: an empty Project Id or
// Product Id, and element names that are not XML names or that clash with
// the structure around them.
func checkCard(c *Card) error {
	if c == nil {
		return errors.New("xmlfeed: nil card")
	}
	if !hasContent(c.ID) {
		return fmt.Errorf("card at %s: Project %w", orUnknown(c.Loc), ErrNoID)
	}
	bad := func(path, name string) error { return &NameError{CardID: c.ID, Element: path, Name: name} }
	check := func(fs []Field, path string, reserved func(string) bool) error {
		for _, f := range fs {
			if !validName(f.Name) || (reserved != nil && reserved(f.Name)) {
				return bad(path, f.Name)
			}
		}
		return nil
	}
	if err := check(c.Fields, "Project", isStructural); err != nil {
		return err
	}
	if b := c.Business; b != nil {
		if err := check(b.Fields, "Business", isContactList); err != nil {
			return err
		}
		for _, a := range b.Addresses {
			if err := check(a.Fields, "Business/Addresses/Address", nil); err != nil {
				return err
			}
		}
	}
	for _, ct := range c.Contacts {
		if err := check(ct.Fields, "Contacts/Contact", isContactList); err != nil {
			return err
		}
		for _, a := range ct.Addresses {
			if err := check(a.Fields, "Contacts/Contact/Addresses/Address", nil); err != nil {
				return err
			}
		}
	}
	for i, docs := range [2][]Document{c.Orders, c.Offers} {
		list := [2]string{"Orders/Order", "Offers/Offer"}[i]
		for _, d := range docs {
			if err := check(d.Fields, list, isDocumentPart); err != nil {
				return err
			}
			if err := check(d.Customer, list+"/Customer", nil); err != nil {
				return err
			}
			if err := check(d.Project, list+"/Project", nil); err != nil {
				return err
			}
			for _, p := range d.Products {
				if !hasContent(p.ID) {
					return fmt.Errorf("card %q: %s/Products/Product %w", c.ID, list, ErrNoID)
				}
				if err := check(p.Fields, list+"/Products/Product", nil); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// The element names a field must not have, by where it is (switches: a
// card is checked field by field, and a map lookup each was a tenth of
// encoding it).
func isStructural(name string) bool {
	switch name {
	case "Business", "Contacts", "Orders", "Offers":
		return true
	}
	return false
}

func isContactList(name string) bool {
	switch name {
	case "Addresses", "Emails", "Phones":
		return true
	}
	return false
}

func isDocumentPart(name string) bool {
	switch name {
	case "Customer", "Products", "Project":
		return true
	}
	return false
}

// hasContent reports whether s keeps something once the characters XML
// cannot carry are dropped: an Id made only of those would be written
// empty.
func hasContent(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r < 0x80) || allowedRune(r) {
			return true
		}
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown location)"
	}
	return s
}

// validName reports whether s can be an element name: MiniCRM's API names
// are ASCII identifiers (Enum1951, Webshop_Disabled, AutoSalesV3_IsHot), so
// names are held to [A-Za-z_][A-Za-z0-9_.-]*, a subset of XML names that
// every parser reads the same way.
func validName(s string) bool {
	if s == "" || !nameStart[s[0]] {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !nameByte[s[i]] {
			return false
		}
	}
	// "xml" in any case is reserved as a name prefix.
	if len(s) >= 3 && (s[0]|0x20) == 'x' && (s[1]|0x20) == 'm' && (s[2]|0x20) == 'l' {
		return false
	}
	return true
}

// nameStart and nameByte are the bytes validName allows first and after:
// a table, as every field of every card is checked.
var nameStart, nameByte = func() (start, rest [256]bool) {
	for c := 0; c < 256; c++ {
		start[c] = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		rest[c] = start[c] || c == '-' || c == '.' || (c >= '0' && c <= '9')
	}
	return start, rest
}()
