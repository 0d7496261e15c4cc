package xmlfeed_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// FuzzReader: any bytes read as a feed end in cards, io.EOF or an error,
// never a panic or an endless loop; Inspect and Count agree on a good feed.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"cards.golden.xml", "full.golden.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "xmlfeed", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><Projects><Project Id="1"><Name>x</Name></Project></Projects>`))
	f.Add([]byte(`<Projects><Project Id="1"><Name>x</Name>`))
	f.Add([]byte(`<Projects><Project><Project Id="2"/></Project></Projects>`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := xmlfeed.NewReader(bytes.NewReader(b))
		n := 0
		for i := 0; ; i++ {
			if i > len(b)+1 {
				t.Fatalf("more cards than bytes: the reader does not advance")
			}
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				n = -1
				break
			}
			n++
		}
		rep, err := xmlfeed.Inspect(bytes.NewReader(b), xmlfeed.InspectOptions{})
		if err != nil || rep == nil {
			t.Fatalf("Inspect: %v", err)
		}
		if c, err := xmlfeed.Count(bytes.NewReader(b)); err == nil && n >= 0 && c != n {
			t.Fatalf("Count %d, the reader read %d cards", c, n)
		}
	})
}
