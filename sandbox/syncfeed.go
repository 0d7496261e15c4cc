package sandbox

// XML sync ("SyncFeed"): the two ways MiniCRM takes a feed, and what it does
// with one, as far as the public material on the feed knows it (docs/feed-reference.md).
//
//   - GET /Api/SyncFeed/<SystemId>?Source=<url>: MiniCRM downloads the file
//     (giving up after about 120 s) and answers only once it has it; then
//     it applies the feed asynchronously [C-doc: XMLHELP, WOO]. The sandbox
//     downloads from loopback addresses only (127.0.0.0/8, ::1, localhost):
//     it must never be a way to make requests elsewhere.
//   - POST /Api/SyncFeed/<FeedId>/Upload: the file in the body [C-code: PEN].
//     The FeedId is assigned by MiniCRM's support; the sandbox takes any.
//     Bodies are read up to 8 MiB, like every sandbox request; larger feeds
//     go through Source or are split (feed build --split).
//   - Both answer 200 with a JSON body whose keys MiniCRM does not document;
//     the sandbox answers {"Id": <n>, "Status": "Queued", "Bytes": <size>},
//     n being the feed's number under /_sandbox/feeds.
//   - 180 calls per sliding hour (MAN25), apart from the REST limit
//     (Config.SyncFeedPerHour); 429 above it, and the call is not processed.
//
// Applying a feed (one at a time, in the order received, each card under the
// server mutex, never the download):
//   - A file that is not well-formed XML with a <Projects> root is refused
//     whole, nothing applied [I: MiniCRM's PHP parser reads whole documents].
//   - Project@Id is the card's ReferenceId: a card of the same module
//     (CategoryId) with that ReferenceId is updated, else one is created
//     [C-doc: WEBSHOP]. Without CategoryId the card is found in any module,
//     and cannot be created. Creating needs Name and StatusId; the owner
//     defaults to the API user (MAN25: MiniCRM picks someone) [I].
//   - <Business> with a VatNumber is matched by it, else created; one
//     without a VatNumber is matched by name, else created. How MiniCRM
//     itself matches <Business> is undocumented [?]; falling back to the
//     name when a VAT number matches nobody would put a company's cards on
//     another company of the same name, so the sandbox never does;
//     <Contact> by Contact@Id (kept as the person's ReferenceId), then by
//     email, else created, and put in the business when it has none. The
//     card's contact is the first Contact, else the Business [I].
//   - Values are checked as an R3 PUT checks them (dropdowns by id or label,
//     numbers, dates, lengths): a card with a bad value fails as a whole and
//     changes nothing; the feed goes on. An empty element clears the field
//     (undocumented [?]).
//   - <Orders>/<Offers> become documents of the Order/Offer modules for the
//     card's contact, with their items and card fields; Order@Id (Offer@Id)
//     finds the same document when it comes again. <Addresses> under
//     <Business> or <Contact> are stored as the contact's addresses
//     (feedaddress.go).
//   - A card written with the values it already has is unchanged: UpdatedAt
//     does not move and Stats.FeedCards does not count it.
//
// The outcome of each feed (cards created, updated, unchanged, failed with
// reasons) is under GET /_sandbox/feeds and /_sandbox/feeds/<n>; Server.Feeds
// and Server.WaitFeeds give the same to tests in the process.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

// maxFeedDownload bounds a downloaded feed (the sandbox holds it in memory).
const maxFeedDownload = 512 << 20

// maxFeedFailures bounds the failures kept per feed; the counts go on.
const maxFeedFailures = 1000

// feedState is the server's XML sync state, guarded by Server.mu.
type feedState struct {
	window []time.Time    // accepted SyncFeed calls of the last hour
	log    []*FeedOutcome // every feed received, in order
	last   chan struct{}  // closed when the last feed queued is done
	docs   map[string]int // "<kind>\x00<external id>" → document id, for st
	docsOf *store
}

// FeedOutcome is what became of one feed.
type FeedOutcome struct {
	// Id numbers the feeds from 1, in the order received.
	Id int `json:"id"`
	// Via is "source" (downloaded from Source) or "upload".
	Via string `json:"via"`
	// Source is the Source URL, without any password in it.
	Source     string `json:"source,omitempty"`
	FeedId     int    `json:"feed_id,omitempty"`
	Bytes      int    `json:"bytes"`
	ReceivedAt string `json:"received_at"`
	// Status is queued, applying, applied, failed (the file was refused:
	// Error says why; nothing was applied) or aborted (the system was reset
	// or reloaded while the feed was applied).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Cards counts the <Project> elements; each one is created, updated,
	// unchanged or failed.
	Cards     int `json:"cards"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	// Contacts and businesses created or changed by the feed.
	PersonsCreated    int `json:"persons_created"`
	PersonsUpdated    int `json:"persons_updated"`
	BusinessesCreated int `json:"businesses_created"`
	BusinessesUpdated int `json:"businesses_updated"`
	// Orders and offers created or changed; DocumentIds says which
	// document each Order@Id or Offer@Id is (at most 1000).
	Documents   int            `json:"documents"`
	DocumentIds []FeedDocument `json:"document_ids,omitempty"`
	// Failures say which card (or document) failed and why; at most 1000.
	Failures []FeedFailure `json:"failures,omitempty"`
	// Notes are what the sandbox left out on purpose (addresses…).
	Notes []string `json:"notes,omitempty"`

	done chan struct{}
}

// FeedDocument is the document an <Order> or <Offer> became.
type FeedDocument struct {
	Kind      string `json:"kind"` // Order or Offer
	Id        string `json:"external_id"`
	Document  int    `json:"id"`
	ProjectId int    `json:"project_id"` // the document's own card
}

// FeedFailure is one card (or an order or offer of a card) that could not
// be applied.
type FeedFailure struct {
	ProjectId string `json:"project_id"`
	Line      int    `json:"line"`
	Reason    string `json:"reason"`
}

func (o *FeedOutcome) fail(ref string, line int, reason string) {
	if len(o.Failures) < maxFeedFailures {
		o.Failures = append(o.Failures, FeedFailure{ProjectId: ref, Line: line, Reason: reason})
	}
}

func (o *FeedOutcome) note(n string) {
	if !slices.Contains(o.Notes, n) && len(o.Notes) < 20 {
		o.Notes = append(o.Notes, n)
	}
}

// Feeds returns copies of the outcomes of every feed received.
func (s *Server) Feeds() []FeedOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FeedOutcome, len(s.feeds.log))
	for i, o := range s.feeds.log {
		out[i] = o.copy()
	}
	return out
}

func (o *FeedOutcome) copy() FeedOutcome {
	c := *o
	c.Failures = slices.Clone(o.Failures)
	c.Notes = slices.Clone(o.Notes)
	c.DocumentIds = slices.Clone(o.DocumentIds)
	c.done = nil
	return c
}

// WaitFeeds waits until every feed received so far is applied (or failed).
func (s *Server) WaitFeeds(ctx context.Context) error {
	s.mu.Lock()
	last := s.feeds.last
	s.mu.Unlock()
	if last == nil {
		return nil
	}
	select {
	case <-last:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// syncFeedLimitedLocked applies the hourly limit of SyncFeed calls.
func (s *Server) syncFeedLimitedLocked() bool {
	n := s.cfg.SyncFeedPerHour
	if n == 0 {
		return false
	}
	now := s.now()
	f := &s.feeds
	cut := 0
	for cut < len(f.window) && now.Sub(f.window[cut]) >= time.Hour {
		cut++
	}
	f.window = f.window[cut:]
	if len(f.window) >= n {
		s.stats.RateLimited++
		return true
	}
	f.window = append(f.window, now)
	return false
}

// GET /Api/SyncFeed/<SystemId>?Source=<url>. Runs with s.mu held, like
// every handler, but lets go of it for the download: a slow feed host must
// not stop the whole system.
func pullFeed(s *Server, r *request) (any, error) {
	lang := s.st.lang
	if err := checkParams(r, lang, func(k string) bool { return k == "Source" }); err != nil {
		return nil, err
	}
	if r.ids[0] != s.cfg.SystemID {
		return nil, errf(http.StatusNotFound, msgf(lang, "not_found", r.URL.Path))
	}
	src := strings.TrimSpace(r.query.Get("Source"))
	if src == "" {
		return nil, errf(http.StatusBadRequest, msgf(lang, "required", "Source"))
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errf(http.StatusBadRequest, msgf(lang, "bad_param_value", "Source", truncateText(src)))
	}
	if !loopbackHost(u.Hostname()) {
		return nil, errf(http.StatusBadRequest, fmt.Sprintf("the sandbox downloads feeds from loopback addresses only "+
			"(127.0.0.1, ::1, localhost), not from %s; serve the file locally", u.Host))
	}
	if s.syncFeedLimitedLocked() {
		return nil, errf(http.StatusTooManyRequests, "Too Many Requests")
	}
	timeout := s.cfg.SyncFeedTimeout
	data, derr := func() ([]byte, error) {
		s.mu.Unlock()
		defer s.mu.Lock() // handle's deferred Unlock needs it held, even after a panic
		return download(r.Context(), u, timeout)
	}()
	if derr != nil {
		return nil, errf(http.StatusBadRequest, fmt.Sprintf("the feed could not be downloaded from %s: %v", redact.URL(u), derr))
	}
	return s.queueFeedLocked(&FeedOutcome{Via: "source", Source: redact.URL(u)}, data), nil
}

// POST /Api/SyncFeed/<FeedId>/Upload with the feed as the body.
func uploadFeed(s *Server, r *request) (any, error) {
	lang := s.st.lang
	if err := checkParams(r, lang, func(string) bool { return false }); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (XML)"))
	}
	if len(data) > maxBody {
		return nil, errf(http.StatusRequestEntityTooLarge, fmt.Sprintf("the sandbox takes uploads of at most %d MiB; "+
			"split the feed or let the sandbox download it (GET /Api/SyncFeed/<SystemId>?Source=<url>)", maxBody>>20))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errf(http.StatusBadRequest, msgf(lang, "unknown_param", "Data (XML)"))
	}
	if s.syncFeedLimitedLocked() {
		return nil, errf(http.StatusTooManyRequests, "Too Many Requests")
	}
	return s.queueFeedLocked(&FeedOutcome{Via: "upload", FeedId: r.ids[0]}, data), nil
}

// queueFeedLocked records a received feed and starts applying it once the
// feeds before it are done.
func (s *Server) queueFeedLocked(o *FeedOutcome, data []byte) map[string]any {
	f := &s.feeds
	o.Id = len(f.log) + 1
	o.Bytes = len(data)
	o.ReceivedAt = formatTime(s.clock())
	o.Status = "queued"
	o.done = make(chan struct{})
	f.log = append(f.log, o)
	prev := f.last
	f.last = o.done
	go s.applyFeed(o, data, prev)
	return map[string]any{"Id": o.Id, "Status": "Queued", "Bytes": len(data)}
}

func truncateText(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// download fetches a feed from a loopback address. The dialer checks the
// address actually connected to, and redirects are followed only to
// loopback hosts, so neither DNS nor a redirect can point it elsewhere.
func download(ctx context.Context, u *url.URL, timeout time.Duration) ([]byte, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", address)
		}
		return nil
	}}
	tr := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if !loopbackHost(req.URL.Hostname()) {
			return fmt.Errorf("redirected to %s, which is not a loopback address", req.URL.Host)
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, password included
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFeedDownload+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFeedDownload {
		return nil, fmt.Errorf("the file is larger than %d MiB", maxFeedDownload>>20)
	}
	return data, nil
}

// ---------------------------------------------------------------------------
// Applying a feed

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

// feedIndex finds records by the keys a feed matches on without scanning
// the store for every card.
type feedIndex struct {
	writes         int
	cards          map[string][]int // ReferenceId → card ids, ascending
	personByRef    map[string]int
	personByEmail  map[string]int
	businessByVat  map[string]int
	businessByName map[string]int
}

func newFeedIndex(st *store, writes int) *feedIndex {
	idx := &feedIndex{writes: writes, cards: map[string][]int{}, personByRef: map[string]int{}, personByEmail: map[string]int{},
		businessByVat: map[string]int{}, businessByName: map[string]int{}}
	for _, id := range sortedIDs(st.projects) {
		if ref, _ := st.projects[id].Values["ReferenceId"].(string); ref != "" {
			idx.cards[ref] = append(idx.cards[ref], id)
		}
	}
	for _, id := range sortedIDs(st.contacts) {
		idx.addContact(st.contacts[id])
	}
	return idx
}

// addContact indexes a contact; earlier (lower) ids win.
func (idx *feedIndex) addContact(c *contact) {
	if c.Deleted != 0 {
		return
	}
	put := func(m map[string]int, k string) {
		if _, ok := m[k]; !ok && k != "" {
			m[k] = c.Id
		}
	}
	if c.Type == "Business" {
		v, _ := c.Values["VatNumber"].(string)
		put(idx.businessByVat, vatKey(v))
		put(idx.businessByName, fold(strings.Join(strings.Fields(c.name()), " ")))
		return
	}
	ref, _ := c.Values["ReferenceId"].(string)
	put(idx.personByRef, ref)
	for _, e := range c.Emails {
		put(idx.personByEmail, strings.ToLower(strings.TrimSpace(e)))
	}
}

// vatKey reduces a VAT number to its letters and digits.
func vatKey(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s))
}

// contactPlan is a contact to write once nothing of the card can fail any
// more: a new one (orig nil) or an edited copy of an existing one.
type contactPlan struct {
	orig    *contact
	next    *contact
	changed bool
	// addrs are the contact's addresses of the feed (feedaddress.go).
	addrs []*addressPlan
}

// readContactNode splits a <Business> or <Contact> into a PUT body and its
// email addresses and phone numbers (flat <Email> or <Emails><Email><Value>).
func readContactNode(n *xnode, o *FeedOutcome) (body map[string]any, emails, phones []string, addrs []map[string]any, err error) {
	body = map[string]any{}
	for _, ch := range n.kids {
		switch {
		case ch.name == "Emails" || ch.name == "Phones":
			for _, item := range ch.kids {
				v := item.text
				for _, k := range item.kids {
					if k.name == "Value" {
						v = k.text
					}
				}
				if v = strings.TrimSpace(v); v == "" {
					continue
				}
				if ch.name == "Emails" {
					emails = append(emails, v)
				} else {
					phones = append(phones, v)
				}
			}
		case ch.name == "Addresses":
			as, err := readAddressNodes(ch)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			addrs = append(addrs, as...)
		case ch.name == "Email" && ch.simple():
			if v := strings.TrimSpace(ch.text); v != "" {
				emails = append(emails, v)
			}
		case ch.name == "Phone" && ch.simple():
			if v := strings.TrimSpace(ch.text); v != "" {
				phones = append(phones, v)
			}
		case !ch.simple():
			return nil, nil, nil, nil, fmt.Errorf("unknown element <%s> in <%s> (line %d)", ch.name, n.name, ch.line)
		default:
			body[ch.name] = ch.text
		}
	}
	return body, emails, phones, addrs, nil
}

// planContact matches or creates a contact (checked on a copy; nothing is
// stored yet).
func (s *Server) planContact(st *store, typ string, found *contact, body map[string]any, emails, phones []string, addrs []map[string]any) (*contactPlan, error) {
	now := s.clock()
	cp := &contactPlan{orig: found}
	if found == nil {
		cp.next = &contact{Type: typ, CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(), UpdatedAt: now, Values: map[string]any{}}
	} else {
		c := *found
		c.Values = cloneValues(found.Values)
		c.Emails, c.Phones = slices.Clone(found.Emails), slices.Clone(found.Phones)
		cp.next = &c
	}
	changed, err := applyContact(st, cp.next, body, found == nil)
	if err != nil {
		return nil, err
	}
	// Each address is written as an R3 PUT writes one (a new one becomes
	// the default). Addresses the contact has already, in any order, are no
	// change: a feed sent twice must not reorder them.
	for _, e := range emails {
		if _, err := applyContact(st, cp.next, map[string]any{"Email": e}, false); err != nil {
			return nil, err
		}
	}
	for _, p := range phones {
		if _, err := applyContact(st, cp.next, map[string]any{"Phone": p}, false); err != nil {
			return nil, err
		}
	}
	if found != nil {
		sameSet := func(a, b []string) bool {
			return len(a) == len(b) && !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
		}
		if sameSet(found.Emails, cp.next.Emails) {
			cp.next.Emails = found.Emails
		} else {
			changed = true
		}
		if sameSet(found.Phones, cp.next.Phones) {
			cp.next.Phones = found.Phones
		} else {
			changed = true
		}
	}
	cp.changed = changed
	if cp.addrs, err = s.planAddresses(st, found, addrs); err != nil {
		return nil, err
	}
	return cp, nil
}

// commit stores a planned contact and returns it.
func (s *Server) commitContact(st *store, idx *feedIndex, cp *contactPlan, now time.Time) (c *contact, created, updated bool) {
	defer func() {
		if s.commitAddresses(st, c, cp.addrs, now) {
			s.dirty = true
		}
	}()
	if cp.orig == nil {
		cp.next.Id = st.newID()
		st.contacts[cp.next.Id] = cp.next
		idx.addContact(cp.next)
		return cp.next, true, false
	}
	if cp.changed {
		cp.next.UpdatedAt, cp.next.UpdatedBy = now, st.apiUser()
		*cp.orig = *cp.next
		idx.addContact(cp.orig)
		return cp.orig, false, true
	}
	return cp.orig, false, false
}

// applyCardLocked applies one <Project>; s.mu is held.
func (s *Server) applyCardLocked(o *FeedOutcome, idx *feedIndex, n *xnode) {
	st := s.st
	lang := st.lang
	o.Cards++
	ref := strings.TrimSpace(n.attrs["Id"])
	failed := func(reason string) {
		o.Failed++
		o.fail(ref, n.line, reason)
	}
	if ref == "" {
		failed("the Project has no Id attribute")
		return
	}
	body := map[string]any{}
	var busNode *xnode
	var contactNodes, orderNodes, offerNodes []*xnode
	catValue, hasCat := "", false
	contactID := 0
	for _, ch := range n.kids {
		switch ch.name {
		case "Business":
			busNode = ch
		case "Contacts":
			for _, k := range ch.kids {
				if k.name != "Contact" {
					failed(fmt.Sprintf("unknown element <%s> in <Contacts> (line %d)", k.name, k.line))
					return
				}
				contactNodes = append(contactNodes, k)
			}
		case "Orders", "Offers":
			for _, k := range ch.kids {
				if k.name+"s" != ch.name {
					failed(fmt.Sprintf("unknown element <%s> in <%s> (line %d)", k.name, ch.name, k.line))
					return
				}
				if ch.name == "Orders" {
					orderNodes = append(orderNodes, k)
				} else {
					offerNodes = append(offerNodes, k)
				}
			}
		case "CategoryId":
			catValue, hasCat = strings.TrimSpace(ch.text), true
		case "ContactId": // PEN sends the card's contact by id
			id, err := strconv.Atoi(strings.TrimSpace(ch.text))
			if c, ok := st.contacts[id]; err != nil || !ok || c.Deleted != 0 {
				failed(msgf(lang, "not_contact", id))
				return
			}
			contactID = id
		case "ReferenceId":
			// Project@Id is the ReferenceId; an element cannot change it.
		default:
			if !ch.simple() {
				failed(fmt.Sprintf("unknown element <%s> (line %d)", ch.name, ch.line))
				return
			}
			body[ch.name] = ch.text
		}
	}
	catID := 0
	if hasCat {
		id, ok := st.categoryByValue(catValue)
		if !ok {
			failed(msgf(lang, "invalid_value", catValue, "CategoryId"))
			return
		}
		catID = id
	}
	var card *project
	for _, id := range idx.cards[ref] {
		if p, ok := st.projects[id]; ok && p.Values["ReferenceId"] == ref && (catID == 0 || p.CategoryId == catID) {
			card = p
			break
		}
	}
	now := s.clock()

	// Plan everything on copies: a card that fails changes nothing.
	var next *project
	if card == nil {
		if catID == 0 {
			failed("no card has this ReferenceId, and creating one needs CategoryId")
			return
		}
		for _, k := range []string{"Name", "StatusId"} {
			if v, _ := body[k].(string); strings.TrimSpace(v) == "" {
				failed(msgf(lang, "required", k) + " (a new card)")
				return
			}
		}
		next = &project{CategoryId: catID, UserId: st.apiUser(), CreatedBy: st.apiUser(), CreatedAt: now, UpdatedBy: st.apiUser(),
			UpdatedAt: now, StatusUpdatedAt: now, Values: map[string]any{"ReferenceId": ref}}
	} else {
		cp := *card
		cp.Values = cloneValues(card.Values)
		next = &cp
	}
	changed, statusChanged, err := applyProject(st, next, body)
	if err != nil {
		failed(err.Error())
		return
	}

	var busPlan *contactPlan
	if busNode != nil {
		b, emails, phones, addrs, err := readContactNode(busNode, o)
		if err != nil {
			failed(err.Error())
			return
		}
		var found *contact
		vat, _ := b["VatNumber"].(string)
		if vatKey(vat) != "" {
			found = st.contacts[idx.businessByVat[vatKey(vat)]]
		}
		name, _ := b["Name"].(string)
		if found == nil && vatKey(vat) == "" {
			found = st.contacts[idx.businessByName[fold(strings.Join(strings.Fields(name), " "))]]
			if found != nil {
				// Found by its name, spelled the same but for case, accents
				// or spacing: that spelling is no change to write (two
				// cards of a feed would otherwise rename it back and forth).
				delete(b, "Name")
			}
		}
		if found == nil && strings.TrimSpace(name) == "" {
			failed(msgf(lang, "required", "Business/Name"))
			return
		}
		if busPlan, err = s.planContact(st, "Business", found, b, emails, phones, addrs); err != nil {
			failed("Business: " + err.Error())
			return
		}
	}
	var personPlans []*contactPlan
	for _, cn := range contactNodes {
		b, emails, phones, addrs, err := readContactNode(cn, o)
		if err != nil {
			failed(err.Error())
			return
		}
		if t, ok := b["Type"]; ok {
			if t != "Person" && t != "Személy" {
				failed(fmt.Sprintf("Contact: Type %q: a <Contact> is a person", t))
				return
			}
			delete(b, "Type")
		}
		if v, ok := b["Name"]; ok { // PEN's minimal form: <Name> for the whole name
			if _, has := b["FirstName"]; !has {
				if _, has := b["LastName"]; !has {
					b["FirstName"] = v
				}
			}
			delete(b, "Name")
		}
		cref := strings.TrimSpace(cn.attrs["Id"])
		var found *contact
		if cref != "" {
			found = st.contacts[idx.personByRef[cref]]
		}
		for _, e := range emails {
			if found == nil {
				found = st.contacts[idx.personByEmail[strings.ToLower(e)]]
			}
		}
		if cref != "" {
			old := ""
			if found != nil {
				old, _ = found.Values["ReferenceId"].(string)
			}
			if old == "" { // a person matched by email keeps the id it has
				b["ReferenceId"] = cref
			}
		}
		if found == nil {
			first, _ := b["FirstName"].(string)
			last, _ := b["LastName"].(string)
			if strings.TrimSpace(first+last) == "" {
				failed(msgf(lang, "required", "Contact/FirstName"))
				return
			}
		}
		plan, err := s.planContact(st, "Person", found, b, emails, phones, addrs)
		if err != nil {
			failed("Contact: " + err.Error())
			return
		}
		personPlans = append(personPlans, plan)
	}
	if card == nil && contactID == 0 && busPlan == nil && len(personPlans) == 0 {
		failed("a new card needs its contact: <Contacts>, <Business> or <ContactId>")
		return
	}

	// Commit.
	dirty := false
	var bus *contact
	if busPlan != nil {
		var created, updated bool
		bus, created, updated = s.commitContact(st, idx, busPlan, now)
		o.BusinessesCreated += b2i(created)
		o.BusinessesUpdated += b2i(updated)
		dirty = dirty || created || updated
	}
	for i, pp := range personPlans {
		if bus != nil && pp.next.BusinessId == 0 {
			// A person is put in the card's company when in none yet
			// (contacts cannot move between companies through the API).
			pp.next.BusinessId = bus.Id
			pp.changed = true
		}
		c, created, updated := s.commitContact(st, idx, pp, now)
		o.PersonsCreated += b2i(created)
		o.PersonsUpdated += b2i(updated)
		dirty = dirty || created || updated
		if i == 0 && contactID == 0 {
			contactID = c.Id
		}
	}
	if contactID == 0 && bus != nil {
		contactID = bus.Id
	}
	if contactID != 0 && contactID != next.ContactId {
		next.ContactId, changed = contactID, true
	}
	if b := st.businessOf(next.ContactId); b != next.BusinessId {
		next.BusinessId, changed = b, true
	}
	switch {
	case card == nil:
		next.Id = st.newID()
		next.Hash = projectHash(next.Id)
		st.projects[next.Id] = next
		st.addHistory(next.Id, next.UserId, 0, next.StatusId, now)
		idx.cards[ref] = append(idx.cards[ref], next.Id)
		card = next
		o.Created++
		s.stats.FeedCards++
		dirty = true
	case changed:
		next.UpdatedAt, next.UpdatedBy = now, st.apiUser()
		if statusChanged {
			next.StatusUpdatedAt = now
			st.addHistory(card.Id, st.apiUser(), card.StatusId, next.StatusId, now)
		}
		*card = *next
		o.Updated++
		s.stats.FeedCards++
		dirty = true
	default:
		o.Unchanged++
	}
	for _, d := range orderNodes {
		dirty = s.applyFeedDocument(o, st, docOrder, ref, card, d, now) || dirty
	}
	for _, d := range offerNodes {
		dirty = s.applyFeedDocument(o, st, docOffer, ref, card, d, now) || dirty
	}
	if dirty {
		s.dirty = true
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// orderStates maps an <Order>'s Status to the order's state: WOO sends
// Issued, Completed, Failed; PEN Draft [C-doc: WOO, C-code: PEN]. Paid is
// the sandbox's addition for the Success group.
var orderStates = map[string]orderState{"draft": orderDraft, "issued": orderInProgress, "inprogress": orderInProgress,
	"completed": orderCompleted, "paid": orderPaid, "failed": orderFailed}

// applyFeedDocument creates or updates the order or offer of a card. A bad
// document fails alone (recorded); the card stays applied. It reports
// whether anything changed.
func (s *Server) applyFeedDocument(o *FeedOutcome, st *store, kind, ref string, card *project, n *xnode, now time.Time) bool {
	ext := strings.TrimSpace(n.attrs["Id"])
	failed := func(reason string) bool {
		o.fail(ref, n.line, kind+" "+strconv.Quote(ext)+": "+reason)
		return false
	}
	if ext == "" {
		return failed("the Id attribute is missing")
	}
	body := map[string]any{"CustomerId": float64(card.ContactId)}
	status := ""
	for _, ch := range n.kids {
		switch ch.name {
		case "Customer":
			m := map[string]any{}
			for _, k := range ch.kids {
				m[k.name] = k.text
			}
			body["Customer"] = m
		case "Project":
			m := map[string]any{}
			for _, k := range ch.kids {
				m[k.name] = k.text
			}
			body["Project"] = m
		case "Products":
			var items []any
			for _, p := range ch.kids {
				it := map[string]any{}
				for _, k := range p.kids {
					switch k.name {
					case "FolderName":
						o.note("product folders (FolderName) are not stored")
					default:
						it[k.name] = k.text
					}
				}
				if _, has := it["SKU"]; !has {
					it["SKU"] = p.attrs["Id"] // the external product id, to tell lines apart
				}
				items = append(items, it)
			}
			body["Items"] = items
		case "Status":
			status = strings.TrimSpace(ch.text)
		case "Language":
			if kind == docOffer {
				body["Language"] = strings.TrimPrefix(strings.TrimSpace(ch.text), "_")
			}
		default:
			if !docWritable[kind][ch.name] {
				o.note(fmt.Sprintf("%s/%s is not stored", kind, ch.name))
				continue
			}
			body[ch.name] = ch.text
		}
	}
	b, err := st.buildDocument(kind, body, now, false)
	if err != nil {
		return failed(err.Error())
	}
	cat := b.card.CategoryId
	statusID := 0
	if status != "" {
		var ok bool
		if kind == docOrder {
			state, known := orderStates[strings.ToLower(strings.ReplaceAll(status, " ", ""))]
			if statusID, ok = st.orderStatus(cat, state); !known || !ok {
				return failed(fmt.Sprintf("Status %q is not one of Draft, Issued, Completed, Paid, Failed", status))
			}
		} else if statusID, ok = st.statusByValue(cat, status); !ok {
			return failed(msgf(st.lang, "invalid_value", status, "Status"))
		}
	}
	f := &s.feeds
	if f.docsOf != st {
		f.docs, f.docsOf = map[string]int{}, st
	}
	key := kind + "\x00" + ext
	if id, ok := f.docs[key]; ok {
		if d, ok := st.docs[id]; ok && d.Kind == kind {
			return s.updateFeedDocument(o, st, d, b, body["Project"], statusID, now, failed)
		}
	}
	b.overwrite()
	st.addDocument(b.doc, b.card, now)
	if statusID != 0 {
		st.setCardStatus(st.projects[b.doc.ProjectId], statusID, now)
	}
	f.docs[key] = b.doc.Id
	o.Documents++
	if len(o.DocumentIds) < maxFeedFailures {
		o.DocumentIds = append(o.DocumentIds, FeedDocument{Kind: kind, Id: ext, Document: b.doc.Id, ProjectId: b.doc.ProjectId})
	}
	return true
}

// updateFeedDocument brings an existing document to what the feed says:
// its data and lines (replaced as a whole when they differ), its card's
// fields and status.
func (s *Server) updateFeedDocument(o *FeedOutcome, st *store, d *document, b *built, project any, statusID int, now time.Time,
	failed func(string) bool) bool {
	nd := b.doc
	same := func(x, y any) bool {
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		return bytes.Equal(bx, by)
	}
	lines := func(items []*docItem) []docItem {
		out := make([]docItem, len(items))
		for i, it := range items {
			out[i] = *it
			out[i].Id = 0
		}
		return out
	}
	changed := false
	if d.Subject != nd.Subject || d.Performance != nd.Performance || d.CurrencyCode != nd.CurrencyCode ||
		(nd.Number != "" && d.Number != nd.Number) || !same(d.Customer, nd.Customer) || !same(lines(d.Items), lines(nd.Items)) {
		d.Subject, d.Performance, d.CurrencyCode, d.Customer = nd.Subject, nd.Performance, nd.CurrencyCode, nd.Customer
		if nd.Number != "" {
			d.Number = nd.Number
		}
		for _, it := range nd.Items {
			it.Id = st.newID()
		}
		d.Items = nd.Items
		d.UpdatedAt = now
		changed = true
	}
	card := st.projects[d.ProjectId]
	if card == nil {
		return changed
	}
	if project != nil {
		cp := *card
		cp.Values = cloneValues(card.Values)
		ch, stCh, err := applyProject(st, &cp, project.(map[string]any))
		if err != nil {
			failed(err.Error())
		} else {
			st.commitCard(card, &cp, ch, stCh, now)
			changed = changed || ch
		}
	}
	if statusID != 0 && statusID != card.StatusId {
		st.setCardStatus(card, statusID, now)
		changed = true
	}
	if changed {
		b.overwrite()
		o.Documents++
	}
	return changed
}

// serveFeedsHook answers GET /_sandbox/feeds (every feed's outcome) and
// GET /_sandbox/feeds/<n>; ?wait=<duration> waits up to that long for the
// feeds to be applied first.
func (s *Server) serveFeedsHook(w http.ResponseWriter, r *http.Request, segs []string) {
	if r.Method != http.MethodGet {
		s.answer(w, r, http.StatusMethodNotAllowed, "Sandbox ("+r.Method+"): method not allowed")
		return
	}
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (GET): wait: want a duration up to 10m, such as 30s")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		err = s.WaitFeeds(ctx)
		cancel()
		if err != nil && r.Context().Err() != nil {
			return
		}
	}
	feeds := s.Feeds()
	if len(segs) == 0 {
		if feeds == nil {
			feeds = []FeedOutcome{}
		}
		s.answerJSON(w, r, feeds)
		return
	}
	n, err := strconv.Atoi(segs[0])
	if len(segs) != 1 || err != nil || n < 1 || n > len(feeds) {
		s.answer(w, r, http.StatusNotFound, "Sandbox (GET): no such feed: "+strings.Join(segs, "/"))
		return
	}
	s.answerJSON(w, r, feeds[n-1])
}
