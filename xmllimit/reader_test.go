package xmllimit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// tokens decodes doc through a Reader with the given limit: the text runs
// (as decoded) and the first error.
func tokens(doc string, limit int) ([]string, error) {
	dec := xml.NewDecoder(NewReader(strings.NewReader(doc), limit))
	dec.Strict = true
	var texts []string
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return texts, nil
		}
		if err != nil {
			return texts, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			texts = append(texts, string(t))
		case xml.ProcInst:
			if t.Target == CutTarget {
				texts = append(texts, "<cut>")
			}
		case xml.StartElement:
			for _, a := range t.Attr {
				texts = append(texts, "@"+a.Value)
			}
		}
	}
}

func TestReader(t *testing.T) {
	const limit = 16
	long := strings.Repeat("a", 100)
	cases := []struct {
		name, doc string
		want      []string // the text runs; "" entries are not compared
		err       string   // a substring of the error, "" for none
	}{
		{"short text passes", `<r><c a="x>y">hello &amp; bye</c></r>`, []string{"@x>y", "hello & bye"}, ""},
		{"long text is cut and marked", "<r><c>" + long + "</c><d>ok</d></r>", []string{strings.Repeat("a", limit), "<cut>", "ok"}, ""},
		{"a run of exactly the limit is not cut", "<r>" + long[:limit] + "</r>", []string{long[:limit]}, ""},
		{"cut never inside an entity", "<r>" + strings.Repeat("a", limit-2) + "&amp;&amp;" + long + "</r>", []string{strings.Repeat("a", limit-2) + "&", "<cut>"}, ""},
		{"cut at a character boundary", "<r>" + strings.Repeat("é", 100) + "</r>", []string{strings.Repeat("é", limit/2), "<cut>"}, ""},
		{"CR LF", "<r>" + strings.Repeat("\r\n", 100) + "</r>", []string{strings.Repeat("\n", limit/2), "<cut>"}, ""},
		{"many short runs pass", "<r>" + strings.Repeat("<c>"+strings.Repeat("b", limit)+"</c>", 50) + "</r>", nil, ""},
		{"long CDATA", "<r><![CDATA[" + long + "]]></r>", nil, "a CDATA section at byte 3 is longer than 16 bytes"},
		{"short CDATA", "<r><![CDATA[<x>]]></r>", []string{"<x>"}, ""},
		{"long attribute", `<r><c a="` + long + `"/></r>`, nil, "a tag at byte 3 is longer than 16 bytes"},
		{"long comment", "<r><!--" + long + "--></r>", nil, "a comment at byte 3"},
		{"long PI", "<?x " + long + "?><r/>", nil, "a processing instruction at byte 0"},
		{"long DOCTYPE", "<!DOCTYPE r [" + long + "]><r/>", nil, "a DOCTYPE at byte 0"},
		{"comment with > inside", "<r><!-- a>b --><c>x</c></r>", []string{"x"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := tokens(c.doc, limit)
			if c.err != "" {
				var tl *TooLongError
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.As(err, &tl) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			for _, g := range got {
				if len(g) > limit+4 {
					t.Errorf("a run of %d characters got through: %q", len(g), g)
				}
			}
			if c.want != nil && strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("runs %q, want %q", got, c.want)
			}
		})
	}
}

// TestReaderBound reads a 64 MiB text run and checks that the decoder's
// token stays small.
func TestReaderBound(t *testing.T) {
	body := io.MultiReader(strings.NewReader("<r><c>"), io.LimitReader(repeat('x'), 64<<20), strings.NewReader("</c></r>"))
	dec := xml.NewDecoder(NewReader(body, 1<<20))
	biggest, cut := 0, false
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			biggest = max(biggest, len(tok))
		case xml.ProcInst:
			cut = cut || tok.Target == CutTarget
		}
	}
	if biggest != 1<<20 || !cut {
		t.Errorf("the largest token is %d bytes, want %d, and the cut marked (%v)", biggest, 1<<20, cut)
	}
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// FuzzReader: with a limit above the input's size the document passes
// unchanged; with a small one, no text run the decoder gives is longer
// than the limit allows, and nothing panics.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`<r a="1">x &amp; y</r>`, "<r><![CDATA[x]]><!--c--><?p?></r>", "<!DOCTYPE r [<!ENTITY a 'b'>]><r/>", "<r>\r\nééé</r>"} {
		f.Add([]byte(s), uint8(4))
	}
	f.Fuzz(func(t *testing.T, doc []byte, lim uint8) {
		out, err := io.ReadAll(NewReader(bytes.NewReader(doc), len(doc)+1))
		if err != nil || !bytes.Equal(out, doc) {
			t.Fatalf("with a large limit the document changed (%v)", err)
		}
		limit := int(lim%64) + 1
		dec := xml.NewDecoder(NewReader(bytes.NewReader(doc), limit))
		for range 10000 {
			tok, err := dec.RawToken()
			if err != nil {
				return
			}
			if cd, ok := tok.(xml.CharData); ok && len(cd) > limit+50 {
				t.Fatalf("a text token of %d bytes with limit %d", len(cd), limit)
			}
		}
	})
}
