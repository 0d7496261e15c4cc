package xmlfeed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/source"
)

// CardBuilder turns the records a mapping makes of a row into a card.
type CardBuilder struct {
	plan       *mapping.Plan
	categoryID string
	extField   string // the project field holding the external id
	extColumn  string
	// namesOK says that every element name a card of this builder can
	// have was checked once (namesChecked), so its cards are encoded
	// without checking their names again.
	namesOK bool
}

// NewCardBuilder checks that the plan can make feed cards: it maps a
// project, and names the project field holding the source's id
// (project.external_id), which becomes Project@Id.
func NewCardBuilder(p *mapping.Plan) (*CardBuilder, error) {
	m := p.Mapping()
	if m.Project == nil {
		return nil, mapping.Problems{{File: m.Path, Line: 1, Path: "project",
			Msg: "a feed is made of cards: map a project (with its category and external_id)"}}
	}
	if m.Project.ExternalID == "" {
		return nil, mapping.Problems{{File: m.Path, Line: m.Line("project"), Path: "project.external_id",
			Msg: "a feed keys each card by the source's own id (MiniCRM keeps it as the card's ReferenceId and " +
				"updates that card when the id comes again): name the field holding it, e.g. external_id: KulsoAzonosito, " +
				"and map that field to the id column"}}
	}
	cb := &CardBuilder{plan: p, categoryID: fmt.Sprint(p.CategoryID()), extField: m.Project.ExternalID}
	if spec := m.Project.Fields[cb.extField]; spec != nil {
		cb.extColumn = spec.Column
		if spec.Template != "" {
			cb.extColumn = spec.Template
		}
	}
	cb.namesOK = namesChecked(m)
	return cb, nil
}

// namesChecked tells whether checkCard passes a card holding every element
// name fill can give a card of mapping m: the leading fields, the
// entities' mapped fields (a record's fields are the mapping's, by their
// names in it) and the address fields. Then no card of m needs its names
// checked again, which was a twentieth of a build's time.
func namesChecked(m *mapping.Mapping) bool {
	fields := func(names ...[]string) []Field {
		var fs []Field
		for _, list := range names {
			for _, n := range list {
				fs = append(fs, Field{Name: n, Value: "x"})
			}
		}
		return fs
	}
	addr := []Address{{Fields: fields(mapping.AddressFields, []string{"CountryId", "Default"})}}
	probe := &Card{ID: "x", Fields: fields(leading, m.Project.FieldNames())}
	if m.Business != nil {
		probe.Business = &Business{Fields: fields(m.Business.FieldNames()), Addresses: addr}
	}
	if m.Person != nil {
		probe.Contacts = []Contact{{Fields: fields(m.Person.FieldNames()), Addresses: addr}}
	}
	return checkCard(probe) == nil
}

// leading are the card fields written first, in this order; CategoryId
// comes from the mapping's category.
var leading = []string{"Name", "CategoryId", "StatusId", "UserId"}

// Card builds the card of a bundle. Enum fields carry option ids (the
// mapping resolves labels to ids; MiniCRM accepts either, and ids survive a
// renamed option); dates are "2006-01-02", date-times "2006-01-02
// 15:04:05"; a field the mapping clears (if_empty: clear) is an empty
// element. A row without an external id is a RowErrors, like any other row
// that cannot be imported.
func (cb *CardBuilder) Card(b *mapping.Bundle) (*Card, error) {
	c, err := cb.fill(b, &cardScratch{})
	if err != nil {
		return nil, err
	}
	c.Loc = b.Loc.String()
	return c, nil
}

// cardScratch is the memory of the card a worker builds, used again for
// each row: a build makes millions of cards, and the allocations of each
// were a good part of its time.
type cardScratch struct {
	card Card
	bus  Business
}

// fill makes the card of a bundle in sc (its Loc left empty), as Card
// does.
func (cb *CardBuilder) fill(b *mapping.Bundle, sc *cardScratch) (*Card, error) {
	proj := b.Project
	if proj == nil {
		return nil, errors.New("xmlfeed: the bundle has no project")
	}
	id := proj.Keys.ExternalID
	if id == "" {
		return nil, mapping.RowErrors{{Loc: b.Loc, Column: cb.extColumn, Field: "Project." + cb.extField,
			Reason: "is empty; a feed card needs the external id (it becomes Project Id, the card's ReferenceId)"}}
	}
	c := &sc.card
	c.ID, c.Loc, c.Fields, c.Business = id, "", c.Fields[:0], nil
	for _, name := range leading {
		if name == "CategoryId" {
			c.Fields = append(c.Fields, Field{Name: name, Value: cb.categoryID})
			continue
		}
		if v, ok := proj.Text(name); ok {
			c.Fields = append(c.Fields, Field{Name: name, Value: v})
		}
	}
	for i, name := range proj.Order {
		if name == "Name" || name == "StatusId" || name == "UserId" {
			continue
		}
		c.Fields = append(c.Fields, Field{Name: name, Value: proj.TextAt(i)})
	}
	if bus := b.Business; bus != nil {
		c.Business = &sc.bus
		c.Business.Fields, c.Business.Emails, c.Business.Phones = c.Business.Fields[:0], c.Business.Emails[:0], c.Business.Phones[:0]
		for i, name := range bus.Order {
			v := bus.TextAt(i)
			switch name {
			case "Email":
				if v != "" {
					c.Business.Emails = append(c.Business.Emails, v)
				}
			case "Phone":
				if v != "" {
					c.Business.Phones = append(c.Business.Phones, v)
				}
			default:
				c.Business.Fields = append(c.Business.Fields, Field{Name: name, Value: v})
			}
		}
		c.Business.Addresses = feedAddresses(bus.Address)
	}
	var fields []Field // the previous card's contact fields, to fill again
	if len(c.Contacts) > 0 {
		fields = c.Contacts[0].Fields[:0]
	}
	c.Contacts = c.Contacts[:0]
	if p := b.Person; p != nil {
		ct := Contact{ID: p.Keys.ExternalID, Fields: fields}
		for i, name := range p.Order {
			ct.Fields = append(ct.Fields, Field{Name: name, Value: p.TextAt(i)})
		}
		ct.Addresses = feedAddresses(p.Address)
		c.Contacts = append(c.Contacts, ct)
	}
	return c, nil
}

// feedAddresses is a contact's address as the feed's <Addresses>: the
// fields a REST create would send (a Name of the Type when none is
// mapped), in the mapping's field order, and Default 1 when the mapping
// asks for it.
func feedAddresses(a *mapping.AddressRecord) []Address {
	if a == nil {
		return nil
	}
	body := a.CreateBody()
	var out Address
	for _, f := range mapping.AddressFields {
		if f == "Country" {
			f = "CountryId"
		}
		if v, ok := body[f]; ok {
			out.Fields = append(out.Fields, Field{Name: f, Value: v})
		}
	}
	if a.Default {
		out.Fields = append(out.Fields, Field{Name: "Default", Value: "1"})
	}
	return []Address{out}
}

// BuildOptions say what Build reads and writes.
type BuildOptions struct {
	// Plan is the compiled mapping; Source its rows (Build does not close
	// it).
	Plan   *mapping.Plan
	Source source.Reader
	// Output is the feed file. With Split > 0 the parts are named after it:
	// feed.xml → feed-0001.xml, feed-0002.xml… Files are written under a
	// temporary name and renamed when complete, so a failed build leaves no
	// half feed that could be pushed.
	Output string
	// Split is the most cards per file (0: one file).
	Split int
	// Snapshot, when set, makes the feed partial (--changed-only): only
	// cards whose content differs from what the last successful push of
	// Scope contained are written, and what is written is recorded as
	// pending until that file is pushed (Snapshot.Promote).
	Snapshot *Snapshot
	Scope    string
	// Reject receives each row that cannot go into the feed (mapping
	// errors, source errors, duplicate Project Ids), with its original
	// values: the errors.csv.
	Reject func(*mapping.Rejected) error
	// OnDrop receives a report for each value that lost characters XML
	// cannot carry.
	OnDrop func(Drop)
	// SkipDuplicateCheck leaves out the check for Project Ids that appear
	// twice, and what it takes (8 to 16 bytes of memory a card, and a
	// temporary file of the Ids beside the output): for sources
	// whose ids are known to be unique (a database's primary key). A
	// duplicate is then written twice, MiniCRM applying the later one over
	// the earlier [I]; Inspect still finds them.
	SkipDuplicateCheck bool
	// ExpectedRows is about how many rows the source has, when known (a
	// CSV's Detected().Lines): the duplicate check's table is made that
	// large from the start instead of growing into it, which re-reads
	// every Id each time. 0: not known.
	ExpectedRows int
}

// FeedFile is one file Build wrote.
type FeedFile struct {
	Path  string
	Cards int
	// SHA256 is the hex digest of the whole file, for a build with a
	// Snapshot (which keys the file's pending cards by it); "" otherwise.
	SHA256 string
}

// BuildSummary counts what Build did. Every source row is exactly one of
// Written, Unchanged, Skipped or Rejected.
type BuildSummary struct {
	Rows      int
	Written   int // cards written to the feed
	Unchanged int // cards left out by --changed-only: the last push had them as they are
	Skipped   int // rows left out on purpose by the mapping's filters
	Rejected  int // rows that failed validation (in the errors output)
	// Duplicates counts rejected rows whose Project Id an earlier row of
	// the same source already had.
	Duplicates int
	// Dropped is the number of characters dropped from written values.
	Dropped int
	Files   []FeedFile
	// SkipReasons and ByField are as in mapping.CheckSummary.
	SkipReasons map[string]int
	ByField     map[string]int
	// SharedNames counts the companies of the feed whose name (ignoring
	// case and accents) an earlier company of the feed with another VAT
	// number has; SharedNameCards the cards on them; SharedNameRows shows
	// the first few. How MiniCRM matches <Business> is undocumented: should
	// it fall back to the name, such cards would land on the other company.
	// They are written (each with its VAT number); the build says so, so
	// that a person checks them after the push.
	SharedNames     int
	SharedNameCards int
	SharedNameRows  []string
	// Orders is set for a mapping with an order block (orders.go): then
	// every row is one of Orders.Rows, Skipped or Rejected, and Written
	// and Unchanged count customers' cards.
	Orders *OrderSummary
}

// maxSharedNameRows bounds BuildSummary.SharedNameRows.
const maxSharedNameRows = 10

// Build maps every row of the source and writes the valid ones as cards:
// the feed build command. Rows are validated against the Schema by the
// plan first; a row that fails goes to Reject, never into the feed.
//
// The rows go through the one row flow (package rowflow): read by one
// goroutine, mapped and encoded in batches by one worker per CPU
// (cardStage), and written in source order by the calling goroutine
// (feedSink), so the output (files, rejects, drops) is the same as a
// sequential build's. Reject and OnDrop are called from the calling
// goroutine.
//
// Memory stays flat with the number of rows, but for the duplicate check
// (idSet): a table of 8 to 16 bytes a card, outside the Go heap where the
// OS allows, whose fingerprint matches are checked against the Ids kept in
// a temporary file, so a duplicate is never reported falsely.
func Build(ctx context.Context, o BuildOptions) (*BuildSummary, error) {
	if o.Plan == nil || o.Source == nil || o.Output == "" {
		return nil, errors.New("xmlfeed: Build needs a plan, a source and an output")
	}
	if o.Split < 0 {
		return nil, errors.New("xmlfeed: Split must not be negative")
	}
	cb, err := NewCardBuilder(o.Plan)
	if err != nil {
		return nil, err
	}
	if o.Plan.HasOrders() {
		return buildOrders(ctx, o, cb) // orders.go: rows grouped by order
	}
	sum := &BuildSummary{SkipReasons: map[string]int{}, ByField: map[string]int{}}
	s := &feedSink{o: o, cb: cb, sum: sum, tally: mapping.NewCheckSummary()}
	s.tally.SkipReasons, s.tally.ByField = sum.SkipReasons, sum.ByField
	defer func() { sum.Rows, sum.Skipped, sum.Rejected = s.tally.Rows, s.tally.Skipped, s.tally.Rejected }()
	if o.Snapshot != nil {
		if s.snap, err = o.Snapshot.StartBuild(o.Scope); err != nil {
			return sum, err
		}
	}
	s.out = &partWriter{base: o.Output, split: o.Split, onDrop: o.OnDrop, snap: s.snap}
	defer s.out.abort()
	if !o.SkipDuplicateCheck {
		if s.ids, err = newIDSetSize(filepath.Dir(o.Output), slotsFor(o.ExpectedRows)); err != nil {
			return sum, err
		}
		defer s.ids.Close()
	}
	stage := func() rowflow.Stage[rowResult] { return &cardStage{plan: o.Plan, cb: cb, snap: s.snap, dup: s.ids} }
	if err := rowflow.Run(ctx, o.Source, rowflow.Options{ReuseCells: true}, stage, s); err != nil {
		return sum, err
	}
	if err := s.out.finish(); err != nil {
		return sum, err
	}
	sum.Files = s.out.files
	sum.Dropped = s.out.dropped
	return sum, nil
}

// rowResult is what the card stage made of one source row.
type rowResult struct {
	// Outcome is the mapping's (its Bundle is the worker's, gone by the
	// time the sink sees the row).
	mapping.Outcome
	id string
	// enc is the encoded card (when encoded): its bytes are a piece of the
	// batch's arena.
	enc     Encoded
	encoded bool
	encErr  error
	// With a snapshot: the card's digest, and whether the last push had it.
	hash      [16]byte
	unchanged bool
	lookupErr error
	// The card's company: its name and VAT number key, when the mapping
	// gives both.
	bizName, bizVat string
	// idHash is the Project Id's hash for the duplicate check (idSet.Hash).
	idHash uint64
}

// feedSink is the end of a build's flow: it counts each row, checks the
// Project Ids for duplicates, and writes the cards in source order.
type feedSink struct {
	o     BuildOptions
	cb    *CardBuilder
	sum   *BuildSummary
	tally *mapping.CheckSummary // Rows, Skipped, Rejected: copied into sum
	snap  *SnapshotBuild
	out   *partWriter
	ids   *idSet
	names sharedNames
	// touched keeps the slots read ahead (Write) from being optimized away.
	touched uint64
}

// Write takes a batch of rows in source order.
func (s *feedSink) Write(ctx context.Context, b *rowflow.Batch[rowResult]) error {
	if s.ids != nil {
		// The duplicate check's slots of the whole batch, fetched at once.
		var sum uint64
		for i := range b.Items {
			if it := &b.Items[i]; it.encoded || it.encErr != nil {
				sum += s.ids.Touch(it.idHash)
			}
		}
		s.touched += sum
	}
	for i := range b.Items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.row(&b.Rows[i], &b.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

// row puts one row in exactly one of: the feed, unchanged, skipped or
// rejected.
func (s *feedSink) row(r *rowflow.Row, it *rowResult) error {
	switch {
	case it.Err != nil:
		return it.Err
	case it.Skipped != nil:
		s.tally.Skip(it.Skipped.Reason)
		return nil
	case it.Rejected != nil:
		return s.reject(it.Rejected)
	}
	if s.ids != nil {
		first, dup, err := s.ids.AddHashed(it.id, it.idHash, r.Row.Loc.Line)
		if err != nil {
			return err
		}
		if dup {
			s.sum.Duplicates++
			return s.reject(mapping.Reject(r, &mapping.CellError{Loc: r.Row.Loc, Column: s.cb.extColumn,
				Field: "Project." + s.cb.extField, Value: it.id,
				Reason: fmt.Sprintf("duplicate Project Id %q: line %d has it already, and a feed keys cards by it", it.id, first)}))
		}
	}
	if it.encErr != nil {
		// The card's own content cannot be written (a field name the
		// schema check let through but XML cannot carry).
		return s.reject(mapping.Reject(r, &mapping.CellError{Loc: r.Row.Loc, Field: "Project", Reason: it.encErr.Error()}))
	}
	if it.lookupErr != nil {
		return it.lookupErr
	}
	s.tally.Pass()
	if it.unchanged {
		s.sum.Unchanged++
		return nil
	}
	s.names.check(s.sum, r.Row.Loc, it.bizName, it.bizVat)
	if s.snap != nil {
		if err := s.snap.Record(it.id, it.hash); err != nil {
			return err
		}
	}
	if err := s.out.write(&it.enc); err != nil {
		return err
	}
	s.sum.Written++
	return nil
}

func (s *feedSink) reject(rej *mapping.Rejected) error {
	s.tally.Reject(rej)
	if s.o.Reject != nil {
		return s.o.Reject(rej)
	}
	return nil
}

// sharedNames remembers, per folded company name, the first VAT number and
// line the feed gave it, and per VAT number whether its company shares a
// name: one entry a company, not a row, and a name folded once a company.
type sharedNames struct {
	byName map[string]sharedName
	byVat  map[string]bool // VAT number → its company has an earlier company's name
}

type sharedName struct {
	vat  string
	line int
}

func (n *sharedNames) check(sum *BuildSummary, loc source.Location, name, vat string) {
	if name == "" || vat == "" {
		return
	}
	if shared, seen := n.byVat[vat]; seen {
		if shared {
			sum.SharedNameCards++
		}
		return
	}
	if n.byName == nil {
		n.byName, n.byVat = map[string]sharedName{}, map[string]bool{}
	}
	key := mapping.NameKey(name)
	// Kept for the rest of the build, one entry a company: copies, not
	// pieces of the row's text, which would keep the whole line alive.
	vat = strings.Clone(vat)
	first, ok := n.byName[key]
	if !ok {
		n.byName[strings.Clone(key)] = sharedName{vat: vat, line: loc.Line}
		n.byVat[vat] = false
		return
	}
	n.byVat[vat] = true
	sum.SharedNames++
	sum.SharedNameCards++
	if len(sum.SharedNameRows) < maxSharedNameRows {
		sum.SharedNameRows = append(sum.SharedNameRows, fmt.Sprintf("%s: the company has line %d's name (ignoring case and accents) but another VAT number", loc, first.line))
	}
}

// cardStage maps, builds and encodes the rows of a batch on a worker
// goroutine, and looks their cards up in the snapshot in one read. What it
// keeps from one row to the next (the bundle, the card, the encoder) is
// its worker's own.
type cardStage struct {
	plan   *mapping.Plan
	cb     *CardBuilder
	snap   *SnapshotBuild
	bundle mapping.Bundle
	card   cardScratch
	w      Writer // encodes cards into the batch's arena
	ids    []string
	idx    []int
	dup    *idSet // the duplicate check, whose hash of each Id the stage works out
}

// Work fills the batch's items.
func (s *cardStage) Work(b *rowflow.Batch[rowResult]) {
	s.w.buf = b.Arena[:0]
	for i := range b.Rows {
		s.process(&b.Rows[i], &b.Items[i])
	}
	b.Arena = s.w.buf
	if s.snap != nil {
		s.lookup(b.Items)
	}
}

// lookup asks the snapshot for the batch's encoded cards at once.
func (s *cardStage) lookup(items []rowResult) {
	s.ids, s.idx = s.ids[:0], s.idx[:0]
	for i := range items {
		if it := &items[i]; it.encoded {
			it.hash = CardHash(it.enc.b)
			s.ids = append(s.ids, it.id)
			s.idx = append(s.idx, i)
		}
	}
	err := s.snap.LookupAll(s.ids, func(i int, h [16]byte, ok bool) {
		it := &items[s.idx[i]]
		it.unchanged = ok && h == it.hash
	})
	if err != nil {
		for _, i := range s.idx {
			items[i].lookupErr = err
		}
	}
}

// process maps, builds and encodes one row, appending the card to the
// batch's arena.
func (s *cardStage) process(r *rowflow.Row, it *rowResult) {
	it.Outcome = s.plan.MapRowText(r, &s.bundle)
	b := it.Bundle
	if b == nil {
		return
	}
	it.Bundle = nil
	card, err := s.cb.fill(b, &s.card)
	if err != nil {
		it.Outcome = s.outcome(r, err)
		return
	}
	it.id = card.ID
	if s.dup != nil {
		it.idHash = s.dup.Hash(card.ID)
	}
	w := &s.w
	start := len(w.buf)
	if err := w.appendCardNames(card, !s.cb.namesOK); err != nil || len(w.pending) > 0 {
		// A card refused, or losing characters: its location goes into
		// the messages (worked out only for these few).
		w.buf = w.buf[:start]
		card.Loc = b.Loc.String()
		if it.encErr = w.appendCard(card); it.encErr != nil {
			return
		}
	}
	end := len(w.buf)
	it.enc = Encoded{id: card.ID, b: w.buf[start:end:end]}
	if len(w.pending) > 0 {
		it.enc.drops = append([]Drop(nil), w.pending...)
	}
	it.encoded = true
	if bus := b.Business; bus != nil && bus.Keys.VatNumber != "" {
		it.bizName, _ = bus.Text("Name")
		it.bizVat = bus.Keys.VatNumber
	}
}

// outcome is a card the builder refused: a row error (no external id) or
// a fatal one.
func (s *cardStage) outcome(r *rowflow.Row, err error) mapping.Outcome {
	var errs mapping.RowErrors
	if errors.As(err, &errs) {
		return mapping.Outcome{Rejected: mapping.Reject(r, errs...)}
	}
	return mapping.Outcome{Err: err}
}

// PartName is the name of part n (from 1) of a split feed: feed.xml →
// feed-0001.xml.
func PartName(base string, n int) string {
	ext := filepath.Ext(base)
	return fmt.Sprintf("%s-%04d%s", strings.TrimSuffix(base, ext), n, ext)
}

// partWriter writes the cards into one file or into parts of at most split
// cards, each under a temporary name until complete.
type partWriter struct {
	base    string
	split   int
	onDrop  func(Drop)
	snap    *SnapshotBuild
	files   []FeedFile
	dropped int

	f      *os.File
	tmp    string
	path   string
	w      *Writer
	h      hash.Hash
	n      int // cards in the current part
	failed error
}

func (p *partWriter) open() error {
	p.path = p.base
	if p.split > 0 {
		p.path = PartName(p.base, len(p.files)+1)
	}
	dir := filepath.Dir(p.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(p.path)+".tmp-*")
	if err != nil {
		return err
	}
	p.f, p.tmp, p.n = f, f.Name(), 0
	var out io.Writer = f
	p.h = nil
	if p.snap != nil {
		// Only a snapshot needs the file's digest (pushing the file
		// promotes its cards): hashing 700 MB of feed was a twentieth of
		// a build's time.
		p.h = sha256.New()
		out = io.MultiWriter(f, p.h)
	}
	p.w = NewWriter(out, WithDropHandler(func(d Drop) {
		p.dropped += d.Count
		if p.onDrop != nil {
			p.onDrop(d)
		}
	}))
	return p.w.Begin()
}

// write writes an encoded card, closing the part when it is full.
func (p *partWriter) write(e *Encoded) error {
	if p.f == nil {
		if err := p.open(); err != nil {
			return err
		}
	}
	if err := p.w.WriteEncoded(e); err != nil {
		return err
	}
	p.n++
	if p.split > 0 && p.n >= p.split {
		return p.closePart()
	}
	return nil
}

func (p *partWriter) closePart() error {
	// No fsync: it made the build wait for the disk (seconds for a
	// million cards), and a feed is rebuilt from its source at will. A part
	// appears under its name only once complete (the rename), so a failed
	// build leaves nothing to push; after a power loss a file the disk did
	// not get whole is not well-formed, and push refuses it.
	err := p.w.Close()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(p.tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(p.tmp, p.path)
	}
	if err != nil {
		os.Remove(p.tmp)
		p.f = nil
		return err
	}
	file := FeedFile{Path: p.path, Cards: p.n}
	if p.h != nil {
		file.SHA256 = hex.EncodeToString(p.h.Sum(nil))
	}
	p.files = append(p.files, file)
	p.f = nil
	if p.snap != nil {
		return p.snap.FinishPart(file)
	}
	return nil
}

// finish closes the last part; a build that wrote no card still writes
// one (empty) feed, so that scripts find the file they named.
func (p *partWriter) finish() error {
	if p.f == nil && len(p.files) == 0 {
		if err := p.open(); err != nil {
			return err
		}
	}
	if p.f != nil {
		if err := p.closePart(); err != nil {
			return err
		}
	}
	if p.snap != nil {
		return p.snap.Close()
	}
	return nil
}

// abort removes a part left unfinished by an error.
func (p *partWriter) abort() {
	if p.f != nil {
		p.f.Close()
		os.Remove(p.tmp)
		p.f = nil
	}
	if p.snap != nil {
		p.snap.Close()
	}
}

// CardHash is what --changed-only compares: a digest (SHA-256, first 16
// bytes) of the card exactly as encoded in the file. A new version of this
// package that encodes a card differently makes every card "changed" once.
func CardHash(encoded []byte) [16]byte {
	sum := sha256.Sum256(encoded)
	var h [16]byte
	copy(h[:], sum[:16])
	return h
}
