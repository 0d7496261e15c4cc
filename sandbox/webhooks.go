package sandbox

// Webhooks: MiniCRM's change notifications, as the "Webhook" sections of
// both editions of the documentation describe them (the Hungarian one adds
// Config, Schema and the write-back of the answer).
//
//   - A webhook has a Type (Project, or Contact for persons and companies
//     alike), optionally a module (CategoryId, cards only) and fields
//     (notify only when one of them changed; none: any change), and a URL
//     whose user and password become HTTP basic auth.
//   - After every change of a matching record the sandbox POSTs
//     {"Id", "Type", "Data", "Changed", "Config", "Schema"} (and "Head" for a
//     card with an order or offer) as JSON. Data holds raw values as the
//     documentation's example shows them: ids as strings ("StatusId":
//     "11684"), enums as option ids; custom Int and Float fields go as JSON
//     numbers and a custom field never set as null (PEN's production
//     receiver relies on both; the documentation shows no custom field).
//   - Only a 200 answer counts. Otherwise the sandbox tries again 10 s,
//     1 min, 5 min, 15 min, 30 min and 1 h later. The English edition says
//     the delays are "calculated from the first attempt", the Hungarian one
//     "from the previous attempt"; both say the receiver has 1 h 51 min
//     10 s in all, which is the sum of the delays, so each delay counts from
//     the previous try. Config.WebhookScale shrinks the schedule for tests.
//   - A JSON object in a 200 answer is written to the same record as an R3
//     PUT would write it (same checks), and that write notifies no webhook.
//
// Deliveries run in goroutines of their own, never under the server's
// mutex; Close (Serve calls it) cancels the ones still waiting.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

// WebhookConfig is one webhook of the system. In a data file:
//
//	webhooks:
//	  - {type: Project, category_id: 10, fields: [StatusId], url: "http://hook:secret@127.0.0.1:8090/"}
type WebhookConfig struct {
	// Type is Project or Contact (persons and companies).
	Type string `json:"type" yaml:"type"`
	// CategoryId limits a Project webhook to one module; 0: every module.
	CategoryId int `json:"category_id,omitempty" yaml:"category_id,omitempty"`
	// Fields limits notifications to changes of these fields; none: any.
	Fields []string `json:"fields,omitempty" yaml:"fields,omitempty"`
	// URL is the endpoint; user and password in it become basic auth.
	URL string `json:"url" yaml:"url"`
	// Config is sent as the payload's Config ("anything the endpoint can
	// use", says the documentation); [] when empty.
	Config any `json:"config,omitempty" yaml:"config,omitempty"`
}

// DefaultWebhookSchedule is the documented wait before each retry, counted
// from the previous try: six retries after the first try.
var DefaultWebhookSchedule = []time.Duration{
	10 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
}

// ParseWebhookFlag reads the --webhook flag's TYPE[:CategoryId][:Field,...]=URL,
// e.g. "Project:10:StatusId=http://hook:secret@127.0.0.1:8090/",
// "Contact=http://…" or "Project::StatusId,UserId=http://…".
func ParseWebhookFlag(spec string) (WebhookConfig, error) {
	var wc WebhookConfig
	left, rawURL, ok := strings.Cut(spec, "=")
	if !ok {
		return wc, fmt.Errorf("webhook %q: want TYPE[:CategoryId][:Field,...]=URL", redactSpec(spec))
	}
	parts := strings.Split(left, ":")
	wc.Type, wc.URL = strings.TrimSpace(parts[0]), strings.TrimSpace(rawURL)
	rest := parts[1:]
	if len(rest) > 0 {
		if n, err := strconv.Atoi(rest[0]); err == nil {
			wc.CategoryId = n
			rest = rest[1:]
		} else if rest[0] == "" && len(rest) > 1 {
			rest = rest[1:]
		}
	}
	if len(rest) > 1 {
		return wc, fmt.Errorf("webhook %q: want TYPE[:CategoryId][:Field,...]=URL", redactSpec(spec))
	}
	if len(rest) == 1 {
		for _, f := range strings.Split(rest[0], ",") {
			if f = strings.TrimSpace(f); f != "" {
				wc.Fields = append(wc.Fields, f)
			}
		}
	}
	if err := wc.check(nil); err != nil {
		return wc, err
	}
	return wc, nil
}

// DescribeWebhook is a webhook for people, its password hidden:
// "Project, module 10, fields StatusId → http://[redacted]@host/".
func DescribeWebhook(wc WebhookConfig) string {
	s := wc.Type
	if wc.CategoryId > 0 {
		s += fmt.Sprintf(", module %d", wc.CategoryId)
	}
	if len(wc.Fields) > 0 {
		s += ", fields " + strings.Join(wc.Fields, ",")
	}
	return s + " → " + redact.String(wc.URL)
}

// redactSpec hides a password in a flag value quoted in an error.
func redactSpec(spec string) string {
	left, rawURL, ok := strings.Cut(spec, "=")
	if !ok {
		return spec
	}
	return left + "=" + redact.String(rawURL)
}

// check validates a webhook; categories, when not nil, are the modules it
// may name.
func (wc WebhookConfig) check(categories map[int]bool) error {
	var u *url.URL
	var err error
	if u, err = url.Parse(wc.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook %s: url %q: want an http:// or https:// address", wc.Type, redact.String(wc.URL))
	}
	switch wc.Type {
	case "Project", "Contact":
	default:
		return fmt.Errorf("webhook %s: type %q: want Project or Contact", redact.URL(u), wc.Type)
	}
	if wc.CategoryId < 0 || wc.CategoryId > 0 && wc.Type != "Project" {
		return fmt.Errorf("webhook %s: a module (CategoryId) is only for Project webhooks", redact.URL(u))
	}
	if categories != nil && wc.CategoryId > 0 && !categories[wc.CategoryId] {
		return fmt.Errorf("webhook %s: category %d is not a module of this system", redact.URL(u), wc.CategoryId)
	}
	for _, f := range wc.Fields {
		if strings.TrimSpace(f) == "" || strings.ContainsAny(f, " ,:=") {
			return fmt.Errorf("webhook %s: field %q is not a field name", redact.URL(u), f)
		}
	}
	return nil
}

// WebhookDelivery is one notification and what became of it; GET
// /_sandbox/webhooks lists them.
type WebhookDelivery struct {
	ID int `json:"id"`
	// URL is the endpoint, its password redacted.
	URL      string   `json:"url"`
	Type     string   `json:"type"`
	RecordID int      `json:"record_id"`
	Changed  []string `json:"changed"`
	// Status is pending (trying or waiting to try again), delivered (a 200
	// came), failed (no 200 after the last retry) or cancelled (the server
	// stopped first).
	Status   string           `json:"status"`
	Attempts []WebhookAttempt `json:"attempts"`
	// WriteBack is the answer written to the record; WriteBackError says
	// why an answer was not written (the record is unchanged then).
	WriteBack      map[string]any  `json:"write_back,omitempty"`
	WriteBackError string          `json:"write_back_error,omitempty"`
	Payload        json.RawMessage `json:"payload"`
}

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status,omitempty"` // the HTTP status; 0 when none came
	Error  string    `json:"error,omitempty"`
}

const (
	deliveryPending   = "pending"
	deliveryDelivered = "delivered"
	deliveryFailed    = "failed"
	deliveryCancelled = "cancelled"

	webhookTimeout   = 30 * time.Second // per try
	maxWebhookAnswer = 1 << 20
)

// webhooks is the delivery machinery. Its mutex is taken after the
// server's, never before.
type webhooks struct {
	schedule  []time.Duration // already scaled
	client    *http.Client
	transport *http.Transport
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	log     []*WebhookDelivery
	nextID  int
	pending int
}

func newWebhooks(cfg Config) (*webhooks, error) {
	sched := cfg.WebhookSchedule
	if sched == nil {
		sched = DefaultWebhookSchedule
	}
	scale := cfg.WebhookScale
	if scale < 0 {
		return nil, errors.New("sandbox: WebhookScale must not be negative")
	}
	if scale == 0 {
		scale = 1
	}
	w := &webhooks{}
	for _, d := range sched {
		if d < 0 {
			return nil, errors.New("sandbox: WebhookSchedule: delays must not be negative")
		}
		w.schedule = append(w.schedule, time.Duration(float64(d)*scale))
	}
	cats := map[int]bool{}
	if cfg.Dataset != nil {
		for _, c := range cfg.Dataset.Categories {
			cats[c.Id] = true
		}
	}
	for _, wc := range cfg.Webhooks {
		if err := wc.check(cats); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	w.transport = http.DefaultTransport.(*http.Transport).Clone()
	w.client = &http.Client{Transport: w.transport,
		// A redirect is not a 200: the notification is tried again later.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w, nil
}

// Close stops webhook deliveries: those waiting for a retry are cancelled,
// a POST under way is aborted. It waits for them to end. The server still
// answers requests; changes after Close are logged as cancelled.
func (s *Server) Close() error {
	w := s.wh
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
	w.transport.CloseIdleConnections()
	return nil
}

// WebhookLog returns every notification sent so far (copies), oldest first.
func (s *Server) WebhookLog() []WebhookDelivery {
	w := s.wh
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]WebhookDelivery, len(w.log))
	for i, d := range w.log {
		out[i] = *d
		out[i].Changed = slices.Clone(d.Changed)
		out[i].Attempts = slices.Clone(d.Attempts)
	}
	return out
}

// FlushWebhooks waits until no delivery is pending (delivered, failed or
// cancelled, every one), or ctx ends.
func (s *Server) FlushWebhooks(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		s.wh.mu.Lock()
		n := s.wh.pending
		s.wh.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// serveWebhookHook answers /_sandbox/webhooks: GET lists the deliveries,
// DELETE forgets the finished ones.
func (s *Server) serveWebhookHook(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		log := s.WebhookLog()
		counts := map[string]int{}
		for _, d := range log {
			counts[d.Status]++
		}
		s.answerJSON(w, r, map[string]any{"count": len(log), "by_status": counts, "deliveries": log})
	case http.MethodDelete:
		s.wh.mu.Lock()
		s.wh.log = slices.DeleteFunc(s.wh.log, func(d *WebhookDelivery) bool { return d.Status != deliveryPending })
		s.wh.mu.Unlock()
		s.answerJSON(w, r, map[string]string{"Message": "webhook log cleared"})
	default:
		s.answer(w, r, http.StatusMethodNotAllowed, "Sandbox ("+r.Method+"): method not allowed")
	}
}

// webhookConfigsLocked is every webhook of the system: the server's and the
// data set's. Called with s.mu held.
func (s *Server) webhookConfigsLocked() []WebhookConfig {
	if len(s.cfg.Webhooks) == 0 {
		return s.st.ds.Webhooks
	}
	return append(slices.Clone(s.cfg.Webhooks), s.st.ds.Webhooks...)
}

// projectChanged notifies the webhooks of a card's creation (old == nil) or
// change. Called by the handlers with s.mu held, after a successful write
// and before old is overwritten; it only queues the deliveries.
func (s *Server) projectChanged(base string, old, p *project) {
	hooks := s.webhookConfigsLocked()
	if len(hooks) == 0 {
		return
	}
	st := s.st
	data := projectData(st, p, base, s.cfg.SystemID)
	var before *object
	if old != nil {
		before = projectData(st, old, base, s.cfg.SystemID)
	}
	changed := changedFields(before, data)
	var schema any
	if sc, err := getProjectSchema(s, &request{ids: []int{p.CategoryId}, query: url.Values{}}); err == nil {
		schema = sc
	}
	var head any
	if c := st.categories[p.CategoryId]; c != nil && (c.Type == docOrder || c.Type == docOffer) {
		for _, id := range sortedIDs(st.docs) {
			if d := st.docs[id]; d.ProjectId == p.Id && d.Kind == c.Type {
				head = s.documentDetail(&request{base: base}, d)
				break
			}
		}
	}
	for _, wc := range hooks {
		if wc.Type != "Project" || wc.CategoryId != 0 && wc.CategoryId != p.CategoryId || !fieldsMatch(wc.Fields, changed) {
			continue
		}
		s.enqueueLocked(wc, "Project", p.Id, data, changed, schema, head)
	}
}

// contactChanged is projectChanged for persons and companies.
func (s *Server) contactChanged(base string, old, c *contact) {
	hooks := s.webhookConfigsLocked()
	if len(hooks) == 0 {
		return
	}
	st := s.st
	data := contactData(st, c, base, s.cfg.SystemID)
	var before *object
	if old != nil {
		before = contactData(st, old, base, s.cfg.SystemID)
	}
	changed := changedFields(before, data)
	var schema any
	if sc, err := getContactSchema(c.Type)(s, &request{query: url.Values{}}); err == nil {
		schema = sc
	}
	for _, wc := range hooks {
		if wc.Type != "Contact" || !fieldsMatch(wc.Fields, changed) {
			continue
		}
		s.enqueueLocked(wc, "Contact", c.Id, data, changed, schema, nil)
	}
}

func fieldsMatch(filter, changed []string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if slices.Contains(changed, f) {
			return true
		}
	}
	return false
}

// projectData is a card as a notification's Data holds it.
func projectData(st *store, p *project, base string, systemID int) *object {
	main := p.BusinessId
	if main == 0 {
		main = p.ContactId
	}
	o := newObject().set("CategoryId", idText(p.CategoryId)).set("ContactId", idText(p.ContactId)).
		set("MainContactId", idText(main)).set("BusinessId", idText(p.BusinessId)).set("StatusId", idText(p.StatusId)).
		set("UserId", idText(p.UserId)).set("Name", p.name()).set("StatusUpdatedAt", formatTime(p.StatusUpdatedAt)).
		set("IsPrivate", scalarString(valueOr(p.Values["IsPrivate"], int64(0)))).set("Deleted", strconv.Itoa(p.Deleted)).
		set("ReferenceId", scalarString(p.Values["ReferenceId"]))
	defs := st.projectFields[p.CategoryId]
	if c := st.categories[p.CategoryId]; c != nil {
		for _, f := range c.Fields {
			o.set(f.Name, hookValue(defs[f.Name], p.Values))
		}
	}
	return o.set("CreatedBy", idText(p.CreatedBy)).set("CreatedAt", formatTime(p.CreatedAt)).
		set("UpdatedBy", idText(p.UpdatedBy)).set("UpdatedAt", formatTime(p.UpdatedAt)).
		set("InternalUrl", fmt.Sprintf("%s/%d/#Project-%d/%d", base, systemID, p.CategoryId, p.Id))
}

// contactData is a person or a company as a notification's Data holds it.
func contactData(st *store, c *contact, base string, systemID int) *object {
	o := newObject().set("Type", c.Type).set("Name", c.name())
	builtIn, custom := personSystemFields, st.ds.PersonFields
	if c.Type == "Business" {
		builtIn, custom = businessSystemFields, st.ds.BusinessFields
	}
	for _, f := range builtIn {
		switch f.Name {
		case "Email":
			o.set("Email", c.email())
		case "Phone":
			o.set("Phone", c.phone())
		default:
			o.set(f.Name, scalarString(c.Values[f.Name]))
		}
	}
	if c.Type == "Person" {
		o.set("BusinessId", idText(c.BusinessId))
	}
	o.set("Deleted", strconv.Itoa(c.Deleted))
	defs := st.contactFields(c.Type)
	for _, f := range custom {
		o.set(f.Name, hookValue(defs[f.Name], c.Values))
	}
	// MiniCRM's contact addresses are not in the documentation; this one
	// follows the card's InternalUrl.
	return o.set("CreatedBy", idText(c.CreatedBy)).set("CreatedAt", formatTime(c.CreatedAt)).
		set("UpdatedBy", idText(c.UpdatedBy)).set("UpdatedAt", formatTime(c.UpdatedAt)).
		set("InternalUrl", fmt.Sprintf("%s/%d/#Contact/%d", base, systemID, c.Id))
}

// idText is an id as the documentation's example writes it: a string, ""
// for none.
func idText(id int) string {
	if id == 0 {
		return ""
	}
	return strconv.Itoa(id)
}

// hookValue is a custom field's raw value: an enum's option id as a string,
// Int and Float as numbers, the rest as strings; null when never set.
func hookValue(d fieldDef, values map[string]any) any {
	v, ok := values[d.Name]
	if !ok {
		return nil
	}
	switch d.Kind {
	case kindEnum:
		id, _ := v.(int)
		return idText(id)
	case kindInt, kindFloat:
		return v
	}
	return scalarString(v)
}

// changedFields lists the fields whose values differ, in Data's order; for
// a new record (before == nil) every field with a value. UpdatedAt is
// always in it, as in the documentation's example, even when the change
// fell in the same second as the previous one.
func changedFields(before, after *object) []string {
	var out []string
	for _, k := range after.keys {
		if k == "InternalUrl" {
			continue
		}
		v := after.vals[k]
		if before == nil {
			if !emptyHookValue(v) {
				out = append(out, k)
			}
			continue
		}
		a, _ := json.Marshal(before.vals[k])
		b, _ := json.Marshal(v)
		if !bytes.Equal(a, b) {
			out = append(out, k)
		}
	}
	if !slices.Contains(out, "UpdatedAt") {
		out = append(out, "UpdatedAt")
	}
	return out
}

func emptyHookValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "0"
	case int64:
		return x == 0
	case float64:
		return x == 0
	}
	return false
}

// enqueueLocked records a delivery and starts its goroutine. Called with
// s.mu held: it builds the body now, so the notification shows the record
// as this change left it.
func (s *Server) enqueueLocked(wc WebhookConfig, kind string, id int, data *object, changed []string, schema, head any) {
	cfgVal := wc.Config
	if cfgVal == nil {
		cfgVal = []any{} // PHP's empty array
	}
	body := newObject().set("Id", strconv.Itoa(id)).set("Type", kind).set("Data", data).set("Changed", changed).
		set("Config", cfgVal).set("Schema", schema)
	if head != nil {
		body.set("Head", head)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		s.log.Error("webhook payload", "err", err)
		return
	}
	target, _ := url.Parse(wc.URL) // checked when configured
	d := &WebhookDelivery{URL: redact.URL(target), Type: kind, RecordID: id, Changed: slices.Clone(changed),
		Status: deliveryPending, Payload: raw}
	w := s.wh
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nextID++
	d.ID = w.nextID
	w.log = append(w.log, d)
	if w.closed {
		d.Status = deliveryCancelled
		return
	}
	w.pending++
	w.wg.Add(1)
	go s.deliver(d, target, kind, id, raw)
}

// deliver POSTs a notification until a 200 comes or the schedule runs out,
// then writes a JSON answer back to the record.
func (s *Server) deliver(d *WebhookDelivery, target *url.URL, kind string, id int, body []byte) {
	w := s.wh
	defer w.wg.Done()
	finish := func(status string, writeBack map[string]any, wbErr error) {
		w.mu.Lock()
		d.Status = status
		d.WriteBack = writeBack
		if wbErr != nil {
			d.WriteBackError = wbErr.Error()
		}
		w.pending--
		w.mu.Unlock()
	}
	for try := 0; ; try++ {
		start := time.Now()
		status, answer, err := w.post(target, body)
		a := WebhookAttempt{At: start, Status: status}
		if err != nil {
			a.Error = err.Error()
		}
		w.mu.Lock()
		d.Attempts = append(d.Attempts, a)
		w.mu.Unlock()
		if err == nil && status == http.StatusOK {
			wb, wbErr := s.writeBack(kind, id, answer)
			finish(deliveryDelivered, wb, wbErr)
			return
		}
		if w.ctx.Err() != nil {
			finish(deliveryCancelled, nil, nil)
			return
		}
		if try >= len(w.schedule) {
			finish(deliveryFailed, nil, nil)
			return
		}
		t := time.NewTimer(w.schedule[try] - time.Since(start))
		select {
		case <-w.ctx.Done():
			t.Stop()
			finish(deliveryCancelled, nil, nil)
			return
		case <-t.C:
		}
	}
}

// post sends one try: basic auth from the URL's user and password (and
// the URL without them), JSON both ways.
func (w *webhooks) post(target *url.URL, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(w.ctx, webhookTimeout)
	defer cancel()
	u := *target
	u.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "MiniCRM-sandbox-webhook/1")
	if target.User != nil {
		pass, _ := target.User.Password()
		req.SetBasicAuth(target.User.Username(), pass)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, nil, errors.New(strings.ReplaceAll(err.Error(), target.String(), redact.URL(target)))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, answer, nil
}

// writeBack applies a 200 answer's JSON object to the record the way an R3
// PUT of it would (same checks: a refused answer changes nothing), without
// notifying any webhook. An empty answer, {} or [] writes nothing.
func (s *Server) writeBack(kind string, id int, answer []byte) (map[string]any, error) {
	answer = bytes.TrimSpace(bytes.TrimPrefix(answer, []byte("\xef\xbb\xbf")))
	if len(answer) == 0 || bytes.Equal(answer, []byte("[]")) {
		return nil, nil
	}
	if len(answer) > maxWebhookAnswer {
		return nil, fmt.Errorf("the answer is larger than %d bytes; nothing written back", maxWebhookAnswer)
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(answer))
	if err := dec.Decode(&body); err != nil || body == nil || dec.More() {
		return nil, errors.New("the answer is not a JSON object; nothing written back")
	}
	if len(body) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	switch kind {
	case "Project":
		err = s.writeBackProjectLocked(id, body)
	case "Contact":
		err = s.writeBackContactLocked(id, body)
	}
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return body, fmt.Errorf("%s (PUT): %s", kind, ae.msg)
		}
		return body, err
	}
	return body, nil
}

// writeBackProjectLocked is updateProject without the request and without
// the notification.
func (s *Server) writeBackProjectLocked(id int, body map[string]any) error {
	st := s.st
	p, ok := st.projects[id]
	if !ok {
		return errf(http.StatusNotFound, msgf(st.lang, "no_such_id", id))
	}
	if v, has := body["CategoryId"]; has {
		if cat, ok := st.categoryByValue(v); !ok || cat != p.CategoryId {
			return errf(http.StatusBadRequest, msgf(st.lang, "immutable", "CategoryId"))
		}
	}
	cp := *p
	cp.Values = cloneValues(p.Values)
	changed, statusChanged, err := applyProject(st, &cp, body)
	if err != nil || !changed {
		return err
	}
	now := s.clock()
	cp.UpdatedAt, cp.UpdatedBy = now, st.apiUser()
	if statusChanged {
		cp.StatusUpdatedAt = now
		st.addHistory(p.Id, st.apiUser(), p.StatusId, cp.StatusId, now)
	}
	*p = cp
	s.stats.Writes++
	s.dirty = true
	return nil
}

// writeBackContactLocked is updateContact without the request and without
// the notification.
func (s *Server) writeBackContactLocked(id int, body map[string]any) error {
	st := s.st
	c, ok := st.contacts[id]
	if !ok {
		return errf(http.StatusNotFound, msgf(st.lang, "no_such_id", id))
	}
	if t, has := body["Type"]; has && t != c.Type && t != contactTypeLabel(st.lang, c.Type) {
		return errf(http.StatusBadRequest, msgf(st.lang, "immutable", "Type"))
	}
	cp := *c
	cp.Values = cloneValues(c.Values)
	cp.Emails, cp.Phones = slices.Clone(c.Emails), slices.Clone(c.Phones)
	changed, err := applyContact(st, &cp, body, false)
	if err != nil || !changed {
		return err
	}
	cp.UpdatedAt, cp.UpdatedBy = s.clock(), st.apiUser()
	*c = cp
	s.stats.Writes++
	s.dirty = true
	return nil
}
