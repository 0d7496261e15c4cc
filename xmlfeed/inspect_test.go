package xmlfeed_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi/crm"
	"github.com/minicrm-bulk/minicrm-bulk/sandbox"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

const problemFeed = `<?xml version="1.0" encoding="UTF-8"?>
<Projects>
  <Project Id="A-1">
    <Name>Jó kártya</Name><CategoryId>10</CategoryId><StatusId>Érdeklődő</StatusId><UserId>53602</UserId>
    <HolTalaltRank>4031</HolTalaltRank>
    <Contacts><Contact Id="P-1"><FirstName>Jó</FirstName><Emails><Email><Value>jo@pelda.hu</Value></Email></Emails></Contact></Contacts>
  </Project>
  <Project Id="A-1">
    <Name>Ugyanaz az Id</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId>
  </Project>
  <Project>
    <Name>Nincs Id</Name><CategoryId>10</CategoryId><StatusId>2620</StatusId>
  </Project>
  <Project Id="A-3">
    <StatusId>2621</StatusId>
    <Nemletezo>x</Nemletezo>
    <HolTalaltRank>Plakát</HolTalaltRank>
    <Business><Name>Cég</Name><Szinonima>y</Szinonima></Business>
    <Furcsa><Al>z</Al></Furcsa>
    <Orders><Order><Products><Product><Name>p</Name></Product></Products></Order></Orders>
  </Project>
</Projects>
`

func TestInspect(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	m, err := mapping.Load(cardsMapping)
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := crm.FetchSchemas(context.Background(), e.client, m.SchemaNeeds())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := xmlfeed.Inspect(strings.NewReader(problemFeed), xmlfeed.InspectOptions{Schemas: schemas})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cards != 4 || rep.Duplicates != 1 || rep.Complete != 3 || rep.Contacts != 1 || rep.Businesses != 1 ||
		rep.Orders != 1 || rep.Products != 1 || rep.Categories["10"] != 3 || rep.Format != nil || rep.OK() {
		t.Errorf("report %+v", rep)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	want := []string{
		`line 8: Project "A-1": error: the same Project Id as the card on line 3: one card would be written twice`,
		`line 11: error: the Project has no Id attribute: MiniCRM keys cards by it (it becomes the card's ReferenceId)`,
		`line 14: Project "A-3": warning: no Name, CategoryId: the card can update an existing card but not create one`,
		`line 14: Project "A-3": error: unknown element Furcsa (line 19)`,
		`line 14: Project "A-3": error: an Order without its Id attribute`,
		`line 14: Project "A-3": error: a Product of Order "" without its Id attribute`,
		`line 14: Project "A-3": error: the module's card schema (Project/10) has no field "Nemletezo" (Project)`,
		`line 14: Project "A-3": error: Project/HolTalaltRank: "Plakát" is neither an option id nor a label of the field`,
		`line 14: Project "A-3": error: the Business schema has no field "Szinonima" (Business)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The golden feed of the mapping is clean.
	f, err := os.Open(filepath.Join(testdata, "cards.golden.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err = xmlfeed.Inspect(f, xmlfeed.InspectOptions{Schemas: schemas})
	if err != nil || !rep.OK() || rep.Warnings != 0 || rep.Cards != 4 {
		t.Errorf("golden feed: %+v %v", rep, err)
	}
}

func TestInspectMalformed(t *testing.T) {
	for name, doc := range map[string]string{
		"broken":    "<Projects>\n<Project Id=\"1\"><Name>a</Project>\n</Projects>",
		"wrongroot": `<Cards><Project Id="1"/></Cards>`,
		"empty":     "",
		"truncated": "<?xml version=\"1.0\"?>\n<Projects>\n<Project Id=\"1\"><Name>a</Name></Project>\n",
		"text":      "hello",
		"latin2":    `<?xml version="1.0" encoding="ISO-8859-2"?><Projects/>`,
		"tworoots":  `<Projects></Projects><Projects></Projects>`,
		"notproj":   `<Projects><Card/></Projects>`,
	} {
		t.Run(name, func(t *testing.T) {
			rep, err := xmlfeed.Inspect(strings.NewReader(doc), xmlfeed.InspectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Format == nil || rep.OK() {
				t.Errorf("accepted: %+v", rep)
			}
		})
	}
	rep, _ := xmlfeed.Inspect(strings.NewReader("<Projects>\n<Project Id=\"1\"/>\n<Project Id=\"2\"><Name>a</Project>\n</Projects>"), xmlfeed.InspectOptions{})
	if rep.Cards != 1 || rep.Format == nil || rep.Format.Line != 3 {
		t.Errorf("report %+v, format %v", rep, rep.Format)
	}
}

// TestReaderOtherForms reads the shapes other feed writers use: CDATA
// values (PEN), contact emails as lists (WOO), a BOM.
func TestReaderOtherForms(t *testing.T) {
	doc := "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Projects><Project Id=\"7\"><Enum1951><![CDATA[a < b & c]]></Enum1951>" +
		"<Contacts><Contact><Name>Teszt Elek</Name><Type>Person</Type><Emails><Email><Value>t@e.hu</Value></Email></Emails>" +
		"<Phones><Phone><Value>+36 1 234 5678</Value></Phone></Phones></Contact></Contacts></Project></Projects>"
	cards := readAll(t, []byte(doc))
	if len(cards) != 1 {
		t.Fatalf("%d cards", len(cards))
	}
	c := cards[0]
	if v, _ := c.Field("Enum1951"); v != "a < b & c" {
		t.Errorf("CDATA value %q", v)
	}
	want := []xmlfeed.Field{{Name: "Name", Value: "Teszt Elek"}, {Name: "Type", Value: "Person"}, {Name: "Email", Value: "t@e.hu"}, {Name: "Phone", Value: "+36 1 234 5678"}}
	if got := c.Contacts[0].Fields; len(got) != len(want) || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("contact fields %v", got)
	}
}

// TestInspectHugeValues: a 64 MiB attribute or value, or a card of many
// elements, is a format error naming its line, and Inspect allocates far
// less than the value (encoding/xml alone would hold it whole, twice).
func TestInspectHugeValues(t *testing.T) {
	huge := func(head, tail string) io.Reader {
		return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatByte('A'), 64<<20), strings.NewReader(tail))
	}
	many := func() io.Reader {
		return io.MultiReader(strings.NewReader("<Projects>\n<Project Id=\"1\">"),
			io.LimitReader(repeatString("<Name>abcdefghijklmnopqrstuvwxyz</Name>"), 64<<20), strings.NewReader("</Project></Projects>"))
	}
	for _, c := range []struct {
		name  string
		in    io.Reader
		want  string
		alloc uint64 // the most Inspect may allocate, all told
	}{
		{"attribute", huge("<Projects>\n<Project Id=\"1\">\n<Name x=\"", "\">n</Name></Project></Projects>"), "line 3: a tag of the document (at byte 28) is longer than 1 MiB", 8 << 20},
		{"value", huge("<Projects>\n<Project Id=\"1\">\n<Name>", "</Name></Project></Projects>"), "line 3: the value of <Name> is longer than 1 MiB", 8 << 20},
		{"card", many(), "line 2: the card is larger than 16 MiB", 64 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rep, err := xmlfeed.Inspect(c.in, xmlfeed.InspectOptions{})
			runtime.ReadMemStats(&after)
			if err != nil || rep.Format == nil || !strings.Contains(rep.Format.Error(), c.want) {
				t.Fatalf("report %+v, %v; want a format error saying %q", rep.Format, err, c.want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d MiB", alloc>>20)
			if alloc > c.alloc {
				t.Errorf("Inspect allocated %d MiB reading 64 MiB, more than %d MiB", alloc>>20, c.alloc>>20)
			}
		})
	}
}

type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

type repeatString string

func (r repeatString) Read(p []byte) (int, error) {
	n := 0
	for n+len(r) <= len(p) {
		n += copy(p[n:], r)
	}
	if n == 0 {
		return copy(p, r), nil
	}
	return n, nil
}
