package sandbox

// Applying a feed, the outer part: waiting for the feeds before it, checking
// the whole file, and reading each <Project> into a tree of xnodes for
// applyCardLocked (syncfeed_card.go).

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xnode is one element of a <Project> subtree.
type xnode struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*xnode
	line  int
}

func (n *xnode) simple() bool { return len(n.kids) == 0 }

// applyFeed runs in a goroutine of its own: it waits for the feed before
// it, checks the whole file, then applies its cards one by one, each under
// the server mutex.
func (s *Server) applyFeed(o *FeedOutcome, data []byte, prev chan struct{}) {
	defer close(o.done)
	if prev != nil {
		<-prev
	}
	s.mu.Lock()
	o.Status = "applying"
	st := s.st
	s.mu.Unlock()

	if err := checkFeedDocument(data); err != nil {
		s.mu.Lock()
		o.Status, o.Error = "failed", err.Error()
		s.mu.Unlock()
		return
	}
	var idx *feedIndex
	err := walkProjects(data, func(n *xnode) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.st != st {
			o.Status, o.Error = "aborted", "the system was reset or reloaded while the feed was applied"
			return false
		}
		if idx == nil || idx.writes != s.stats.Writes {
			// Built once, and again only when a REST write came in between.
			idx = newFeedIndex(st, s.stats.Writes)
		}
		s.applyCardLocked(o, idx, n)
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		o.Status, o.Error = "failed", err.Error()
	case o.Status == "applying":
		o.Status = "applied"
	}
}

// checkFeedDocument reads the whole document once: well-formed, with a
// <Projects> root holding <Project> elements.
func checkFeedDocument(data []byte) error {
	return walkProjects(data, func(*xnode) bool { return true })
}

// walkProjects parses the document and calls fn for each <Project> subtree
// until fn returns false.
func walkProjects(data []byte, fn func(*xnode) bool) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	line := func() int { l, _ := d.InputPos(); return l }
	syntax := func(err error) error {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("line %d: not well-formed XML: %s", se.Line, se.Msg)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("line %d: the document ends too soon", line())
		}
		return fmt.Errorf("line %d: %v", line(), err)
	}
	depth := 0
	rootSeen := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !rootSeen {
				return errors.New("no <Projects> element: not a feed")
			}
			if depth != 0 {
				return syntax(io.ErrUnexpectedEOF)
			}
			return nil
		}
		if err != nil {
			return syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if rootSeen {
					return fmt.Errorf("line %d: a second root element <%s>", line(), t.Name.Local)
				}
				if t.Name.Local != "Projects" {
					return fmt.Errorf("line %d: the root element is <%s>, not <Projects>", line(), t.Name.Local)
				}
				rootSeen = true
				depth = 1
				continue
			}
			if t.Name.Local != "Project" {
				return fmt.Errorf("line %d: <%s> inside <Projects>", line(), t.Name.Local)
			}
			n, err := readNode(d, t, line(), 1)
			if err != nil {
				return syntax(err)
			}
			if !fn(n) {
				return nil
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 && depth == 1 {
				return fmt.Errorf("line %d: text inside <Projects>", line())
			}
		}
	}
}

func readNode(d *xml.Decoder, start xml.StartElement, line, depth int) (*xnode, error) {
	if depth > 32 {
		return nil, fmt.Errorf("elements nested too deep")
	}
	n := &xnode{name: start.Name.Local, line: line}
	for _, a := range start.Attr {
		if n.attrs == nil {
			n.attrs = map[string]string{}
		}
		n.attrs[a.Name.Local] = a.Value
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			l, _ := d.InputPos()
			k, err := readNode(d, t, l, depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		case xml.EndElement:
			n.text = text.String()
			return n, nil
		case xml.CharData:
			text.Write(t)
		}
	}
}
