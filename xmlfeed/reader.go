package xmlfeed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/xmllimit"
)

// FormatError is a file that is not a well-formed SyncFeed document: not
// XML, broken XML, or a root other than <Projects>.
type FormatError struct {
	Line int
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// maxDepth bounds nesting inside one <Project>: the format needs 5 levels
// (Orders/Order/Products/Product/Name); a file nesting hundreds is broken
// or hostile.
const maxDepth = 32

// maxToken bounds one value, attribute or tag of a feed, and maxCard the
// memory one <Project> subtree may take (its text, attributes and
// elements): encoding/xml holds a token whole, and a feed of 1 MB can
// decompress, or simply be, a single value of gigabytes.
const (
	maxToken = 1 << 20
	maxCard  = 16 << 20
)

// Reader reads a SyncFeed document one card at a time with encoding/xml's
// token stream: memory holds one <Project> subtree, never the document.
type Reader struct {
	d       *xml.Decoder
	size    int // memory of the card being read, against maxCard
	started bool
	done    bool
	err     error
}

// NewReader returns a Reader on r. The document must be UTF-8 (with or
// without a declaration saying so).
func NewReader(r io.Reader) *Reader {
	d := xml.NewDecoder(xmllimit.NewReader(r, maxToken))
	d.Strict = true
	return &Reader{d: d}
}

// Next returns the next card, io.EOF after the last one, or a *FormatError
// (sticky) when the document is broken. A card missing parts the format
// needs (its Id, say) is still returned: judging it is Inspect's job.
func (r *Reader) Next() (*Card, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	if !r.started {
		if err := r.root(); err != nil {
			return nil, r.fail(err)
		}
		r.started = true
	}
	for {
		tok, err := r.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, r.fail(&FormatError{Line: r.line(), Msg: "the document ends inside <Projects>"})
			}
			return nil, r.fail(r.syntax(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line := r.line()
			r.size = 0
			n, err := r.subtree(t, line, 1)
			if err != nil {
				return nil, r.fail(err)
			}
			if t.Name.Local != "Project" {
				return nil, r.fail(&FormatError{Line: line, Msg: fmt.Sprintf("<%s> inside <Projects>: only <Project> elements belong there", t.Name.Local)})
			}
			return n.card(), nil
		case xml.EndElement: // </Projects>
			if err := r.trailer(); err != nil {
				return nil, r.fail(err)
			}
			r.done = true
			return nil, io.EOF
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, r.fail(&FormatError{Line: r.line(), Msg: "text directly inside <Projects>"})
			}
		}
	}
}

func (r *Reader) fail(err error) error {
	r.err = err
	return err
}

func (r *Reader) line() int {
	l, _ := r.d.InputPos()
	return l
}

func (r *Reader) syntax(err error) error {
	var tl *xmllimit.TooLongError
	if errors.As(err, &tl) {
		return &FormatError{Line: r.line(), Msg: fmt.Sprintf("%s of the document (at byte %d) is longer than %s; a feed has nothing like it: is this the right file?",
			tl.What, tl.Offset, xmllimit.Size(int64(tl.Limit)))}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &FormatError{Line: se.Line, Msg: "not well-formed XML: " + se.Msg}
	}
	if strings.Contains(err.Error(), "CharsetReader") {
		return &FormatError{Line: r.line(), Msg: "the declaration names an encoding other than UTF-8; a feed must be UTF-8"}
	}
	return &FormatError{Line: r.line(), Msg: err.Error()}
}

// root reads up to the <Projects> start tag.
func (r *Reader) root() error {
	for {
		tok, err := r.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return &FormatError{Line: r.line(), Msg: "no <Projects> element: the file is empty or not a feed"}
			}
			return r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "Projects" {
				return &FormatError{Line: r.line(), Msg: fmt.Sprintf("the root element is <%s>; a SyncFeed's is <Projects>", t.Name.Local)}
			}
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(bytes.TrimPrefix(t, []byte("\xef\xbb\xbf")))) > 0 {
				return &FormatError{Line: r.line(), Msg: "text before the root element: not an XML feed"}
			}
		}
	}
}

// trailer checks that nothing but comments and white space follows the
// root.
func (r *Reader) trailer() error {
	for {
		tok, err := r.d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &FormatError{Line: r.line(), Msg: fmt.Sprintf("<%s> after </Projects>: a document has one root", t.Name.Local)}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return &FormatError{Line: r.line(), Msg: "text after </Projects>"}
			}
		}
	}
}

// node is one element of a <Project> subtree.
type node struct {
	name     string
	attrs    []xml.Attr
	text     []byte
	children []*node
	line     int
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// subtree reads the element that start opened, up to its end tag.
func (r *Reader) subtree(start xml.StartElement, line, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &FormatError{Line: line, Msg: fmt.Sprintf("elements nested more than %d deep", maxDepth)}
	}
	n := &node{name: start.Name.Local, attrs: start.Copy().Attr, line: line}
	r.size += 100 + len(n.name)
	for _, a := range n.attrs {
		r.size += 50 + len(a.Name.Local) + len(a.Value)
	}
	for {
		if r.size > maxCard {
			return nil, &FormatError{Line: line, Msg: fmt.Sprintf("the card is larger than %s (in <%s>); a feed card holds far less: is this the right file?",
				xmllimit.Size(maxCard), n.name)}
		}
		tok, err := r.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &FormatError{Line: r.line(), Msg: fmt.Sprintf("the document ends inside <%s> (opened on line %d)", n.name, line)}
			}
			return nil, r.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			c, err := r.subtree(t, r.line(), depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, c)
		case xml.EndElement:
			return n, nil
		case xml.CharData:
			n.text = append(n.text, t...)
			r.size += len(t)
		case xml.ProcInst:
			if t.Target == xmllimit.CutTarget {
				return nil, &FormatError{Line: line, Msg: fmt.Sprintf("the value of <%s> is longer than %s; a feed value holds far less: is this the right file?",
					n.name, xmllimit.Size(maxToken))}
			}
		}
	}
}

func (n *node) value() string { return string(n.text) }

// simple reports whether n is a plain value element (no element children).
func (n *node) simple() bool { return len(n.children) == 0 }

func (n *node) card() *Card {
	c := &Card{Line: n.line}
	c.ID, _ = n.attr("Id")
	for _, ch := range n.children {
		switch {
		case ch.name == "Business":
			c.Business = ch.business(c)
		case ch.name == "Contacts":
			for _, ct := range ch.children {
				if ct.name != "Contact" {
					c.Unknown = append(c.Unknown, fmt.Sprintf("Contacts/%s (line %d)", ct.name, ct.line))
					continue
				}
				c.Contacts = append(c.Contacts, ct.contact(c))
			}
		case ch.name == "Orders" || ch.name == "Offers":
			item := strings.TrimSuffix(ch.name, "s")
			for _, d := range ch.children {
				if d.name != item {
					c.Unknown = append(c.Unknown, fmt.Sprintf("%s/%s (line %d)", ch.name, d.name, d.line))
					continue
				}
				doc := d.document(c, ch.name+"/"+item)
				if item == "Order" {
					c.Orders = append(c.Orders, doc)
				} else {
					c.Offers = append(c.Offers, doc)
				}
			}
		case ch.simple():
			c.Fields = append(c.Fields, Field{Name: ch.name, Value: ch.value()})
		default:
			c.Unknown = append(c.Unknown, fmt.Sprintf("%s (line %d)", ch.name, ch.line))
		}
	}
	return c
}

// values reads an <Emails><Email><Value>…</Value></Email></Emails> list.
func (n *node) values(c *Card, path string) []string {
	var out []string
	for _, item := range n.children {
		v, ok := "", false
		for _, ch := range item.children {
			if ch.name == "Value" && ch.simple() {
				v, ok = ch.value(), true
			}
		}
		if item.simple() { // <Emails><Email>a@b.hu</Email></Emails>
			v, ok = item.value(), true
		}
		if !ok {
			c.Unknown = append(c.Unknown, fmt.Sprintf("%s/%s (line %d)", path, item.name, item.line))
			continue
		}
		out = append(out, v)
	}
	return out
}

func (n *node) business(c *Card) *Business {
	b := &Business{}
	for _, ch := range n.children {
		switch {
		case ch.name == "Addresses":
			b.Addresses = append(b.Addresses, ch.addresses(c, "Business/Addresses")...)
		case ch.name == "Emails":
			b.Emails = append(b.Emails, ch.values(c, "Business/Emails")...)
		case ch.name == "Phones":
			b.Phones = append(b.Phones, ch.values(c, "Business/Phones")...)
		case ch.simple():
			b.Fields = append(b.Fields, Field{Name: ch.name, Value: ch.value()})
		default:
			c.Unknown = append(c.Unknown, fmt.Sprintf("Business/%s (line %d)", ch.name, ch.line))
		}
	}
	return b
}

// contact reads a <Contact>. The list forms <Emails>/<Phones> (WOO) come
// back as repeated Email/Phone fields, the flat form this package writes.
func (n *node) contact(c *Card) Contact {
	ct := Contact{}
	ct.ID, _ = n.attr("Id")
	for _, ch := range n.children {
		switch {
		case ch.name == "Emails":
			for _, v := range ch.values(c, "Contacts/Contact/Emails") {
				ct.Fields = append(ct.Fields, Field{Name: "Email", Value: v})
			}
		case ch.name == "Phones":
			for _, v := range ch.values(c, "Contacts/Contact/Phones") {
				ct.Fields = append(ct.Fields, Field{Name: "Phone", Value: v})
			}
		case ch.name == "Addresses":
			ct.Addresses = append(ct.Addresses, ch.addresses(c, "Contacts/Contact/Addresses")...)
		case ch.simple():
			ct.Fields = append(ct.Fields, Field{Name: ch.name, Value: ch.value()})
		default:
			c.Unknown = append(c.Unknown, fmt.Sprintf("Contacts/Contact/%s (line %d)", ch.name, ch.line))
		}
	}
	return ct
}

// addresses reads an <Addresses> list.
func (n *node) addresses(c *Card, path string) []Address {
	var out []Address
	for _, a := range n.children {
		addr := Address{}
		for _, f := range a.children {
			if f.simple() {
				addr.Fields = append(addr.Fields, Field{Name: f.name, Value: f.value()})
			} else {
				c.Unknown = append(c.Unknown, fmt.Sprintf("%s/%s/%s (line %d)", path, a.name, f.name, f.line))
			}
		}
		out = append(out, addr)
	}
	return out
}

func (n *node) document(c *Card, path string) Document {
	d := Document{}
	d.ID, _ = n.attr("Id")
	simpleFields := func(p *node, where string) []Field {
		var fs []Field
		for _, f := range p.children {
			if f.simple() {
				fs = append(fs, Field{Name: f.name, Value: f.value()})
			} else {
				c.Unknown = append(c.Unknown, fmt.Sprintf("%s/%s (line %d)", where, f.name, f.line))
			}
		}
		return fs
	}
	for _, ch := range n.children {
		switch {
		case ch.name == "Customer":
			d.Customer = append(d.Customer, simpleFields(ch, path+"/Customer")...)
		case ch.name == "Project":
			d.Project = append(d.Project, simpleFields(ch, path+"/Project")...)
		case ch.name == "Products":
			for _, p := range ch.children {
				if p.name != "Product" {
					c.Unknown = append(c.Unknown, fmt.Sprintf("%s/Products/%s (line %d)", path, p.name, p.line))
					continue
				}
				prod := Product{Fields: simpleFields(p, path+"/Products/Product")}
				prod.ID, _ = p.attr("Id")
				d.Products = append(d.Products, prod)
			}
		case ch.simple():
			d.Fields = append(d.Fields, Field{Name: ch.name, Value: ch.value()})
		default:
			c.Unknown = append(c.Unknown, fmt.Sprintf("%s/%s (line %d)", path, ch.name, ch.line))
		}
	}
	return d
}

// Count reads a whole document and returns its number of cards, or the
// first *FormatError: a quick check before a push.
func Count(r io.Reader) (int, error) {
	fr := NewReader(r)
	n := 0
	for {
		_, err := fr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
