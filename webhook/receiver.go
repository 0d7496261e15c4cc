package webhook

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// Defaults of Config.
const (
	// DefaultMaxBody is the largest notification accepted: a payload holds
	// one record with its Schema (every option of every enum), well under
	// this.
	DefaultMaxBody = 4 << 20
	// DefaultBodyTimeout bounds the reading of a notification's body: a
	// client that sends its body a byte a minute must not hold a
	// connection (and a goroutine) for good.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultDedupeWindow is how far back the change log is read at start
	// to recognise retries. MiniCRM retries for 1 h 51 min 10 s.
	DefaultDedupeWindow = 7 * 24 * time.Hour
)

// Config sets up a Receiver.
type Config struct {
	// Dir is the change log directory; it is created (mode 0700: the log
	// holds personal data) when missing.
	Dir string
	// User and Password are the basic-auth credentials of the endpoint's
	// address, as configured in MiniCRM (https://User:Password@host/path).
	// Both are required.
	User, Password string
	// MaxBodyBytes limits a notification's size (413 above it);
	// DefaultMaxBody when 0.
	MaxBodyBytes int64
	// CSV also writes one CSV per kind of record, enum ids as labels.
	CSV bool
	// Rules, when set, decide the write-back answers.
	Rules *Rules
	// BodyTimeout bounds the reading of a request's body (408 past it);
	// DefaultBodyTimeout when 0. It holds whatever server runs the
	// Receiver: the handler sets the connection's read deadline.
	BodyTimeout time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is the time zone of the log's days and of the rules'
	// {today} and {now}; time.Local when nil. MiniCRM itself works in
	// Hungarian time (Europe/Budapest).
	Location *time.Location
	// DedupeWindow is how many days of the log are read at start to know
	// the changes already recorded; DefaultDedupeWindow when 0.
	DedupeWindow time.Duration
	// Logger receives a line per notification (type, id and changed fields;
	// never the credentials nor the record's data) and every refusal; nil
	// discards.
	Logger *slog.Logger
}

// Stats counts what a Receiver did.
type Stats struct {
	Recorded     int `json:"recorded"`     // new changes appended to the log
	Duplicates   int `json:"duplicates"`   // retries of changes already recorded
	Answered     int `json:"answered"`     // answers carrying a write-back
	Unauthorized int `json:"unauthorized"` // 401s
	Malformed    int `json:"malformed"`    // 400s
	TooLarge     int `json:"too_large"`    // 413s
	Failed       int `json:"failed"`       // 500s: the log could not be written
	CSVErrors    int `json:"csv_errors"`   // CSV rows that could not be written (the log has them)
}

// Receiver is an http.Handler for MiniCRM's webhook notifications. Each new
// change is appended to the change log and synced to disk before the 200
// answer; a retry of a recorded change is answered 200 (with the same
// write-back) and not recorded again, across restarts too. It is safe for
// concurrent use.
type Receiver struct {
	dir     string
	maxBody int64
	// bodyTimeout bounds the reading of a body.
	bodyTimeout time.Duration
	rules       *Rules
	now         func() time.Time
	loc         *time.Location
	log         *slog.Logger
	userHash    [32]byte
	passHash    [32]byte

	mu     sync.Mutex // guards everything below
	clog   *changeLog
	csv    *csvSet
	seen   map[string]map[string]string // key → the answer given
	stats  Stats
	closed bool
}

// NewReceiver opens (or starts) the change log in cfg.Dir and reads its
// recent days to recognise retries. A line cut short by a crash is removed.
func NewReceiver(cfg Config) (*Receiver, error) {
	if cfg.Dir == "" {
		return nil, errors.New("webhook: the change log directory is required")
	}
	if cfg.User == "" || cfg.Password == "" {
		return nil, errors.New("webhook: a user and a password are required (MiniCRM sends them from the endpoint's address)")
	}
	rc := &Receiver{dir: cfg.Dir, maxBody: cfg.MaxBodyBytes, rules: cfg.Rules, now: cfg.Now, loc: cfg.Location, log: cfg.Logger,
		userHash: sha256.Sum256([]byte(cfg.User)), passHash: sha256.Sum256([]byte(cfg.Password)),
		seen: map[string]map[string]string{}}
	if rc.maxBody <= 0 {
		rc.maxBody = DefaultMaxBody
	}
	rc.bodyTimeout = cfg.BodyTimeout
	if rc.bodyTimeout <= 0 {
		rc.bodyTimeout = DefaultBodyTimeout
	}
	if rc.now == nil {
		rc.now = time.Now
	}
	if rc.loc == nil {
		rc.loc = time.Local
	}
	if rc.log == nil {
		rc.log = slog.New(slog.DiscardHandler)
	}
	window := cfg.DedupeWindow
	if window <= 0 {
		window = DefaultDedupeWindow
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if err := rc.loadSeen(window); err != nil {
		return nil, err
	}
	rc.clog = &changeLog{dir: cfg.Dir, loc: rc.loc}
	if cfg.CSV {
		rc.csv = &csvSet{dir: cfg.Dir, files: map[string]*csvFile{}}
	}
	return rc, nil
}

// loadSeen reads the keys of the log files of the last window, repairing a
// torn last line. A bad line is logged and skipped: refusing to start would
// lose every notification to come.
func (rc *Receiver) loadSeen(window time.Duration) error {
	files, days, err := logFiles(rc.dir)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	today := rc.now().In(rc.loc)
	from := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC).Add(-window)
	for i, path := range files {
		if days[i].Before(from) {
			continue
		}
		cut, err := truncateTornTail(path)
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		if cut {
			rc.log.Warn("removed a change log line cut short (never acknowledged; MiniCRM sends it again)", "file", path)
		}
		if err := rc.readKeys(path); err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
	}
	return nil
}

func (rc *Receiver) readKeys(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e struct {
			Key    string            `json:"key"`
			Answer map[string]string `json:"answer"`
		}
		if err := json.Unmarshal(line, &e); err != nil || e.Key == "" {
			rc.log.Warn("change log line is not an entry; skipped", "file", path, "line", n)
			continue
		}
		rc.seen[e.Key] = e.Answer
	}
}

// Stats returns a copy of the counters.
func (rc *Receiver) Stats() Stats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.stats
}

// Close closes the log files. Notifications arriving after it are answered
// 503, so MiniCRM retries them.
func (rc *Receiver) Close() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.closed {
		return nil
	}
	rc.closed = true
	err := rc.clog.close()
	if rc.csv != nil {
		err = errors.Join(err, rc.csv.close())
	}
	return err
}

// ServeHTTP receives one notification.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !rc.authorized(r) {
		rc.count(func(s *Stats) { s.Unauthorized++ })
		rc.log.Warn("webhook refused: bad or missing credentials", "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Basic realm="minicrm-bulk webhook", charset="UTF-8"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a MiniCRM webhook notification here", http.StatusMethodNotAllowed)
		return
	}
	// Not every server has a ReadTimeout (httptest's has none): the
	// deadline is set here. ErrNotSupported (a recorder) leaves none.
	// It is taken off once the body is read: left behind, it would end
	// net/http's background read, which cancels the request's context.
	ctl := http.NewResponseController(w)
	deadline := ctl.SetReadDeadline(time.Now().Add(rc.bodyTimeout)) == nil
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rc.maxBody))
	switch {
	case err != nil:
		w.Header().Set("Connection", "close") // net/http would wait for the rest of the body
	case deadline:
		_ = ctl.SetReadDeadline(time.Time{})
	}
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			rc.count(func(s *Stats) { s.Malformed++ })
			rc.log.Warn("webhook refused: the body was not sent in time", "remote", r.RemoteAddr, "timeout", rc.bodyTimeout)
			http.Error(w, "the body was not sent in time", http.StatusRequestTimeout)
			return
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rc.count(func(s *Stats) { s.TooLarge++ })
			rc.log.Warn("webhook refused: body too large", "remote", r.RemoteAddr, "limit", rc.maxBody)
			http.Error(w, fmt.Sprintf("body larger than %d bytes", rc.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		rc.count(func(s *Stats) { s.Malformed++ })
		rc.log.Warn("webhook refused: body could not be read", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "body could not be read", http.StatusBadRequest)
		return
	}
	p, err := ParsePayload(body)
	if err != nil {
		rc.count(func(s *Stats) { s.Malformed++ })
		rc.log.Warn("webhook refused: malformed notification", "remote", r.RemoteAddr, "bytes", len(body), "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	answer, err := rc.record(p)
	if errors.Is(err, errClosed) {
		http.Error(w, "shutting down; send it again later", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		rc.log.Error("webhook not recorded; MiniCRM will retry", "type", p.Type, "id", p.ID, "err", err)
		http.Error(w, "the change could not be recorded", http.StatusInternalServerError)
		return
	}
	if answer == nil {
		answer = map[string]string{}
	}
	b, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

var errClosed = errors.New("webhook: receiver closed")

// record appends a new change to the log (synced) and returns the
// write-back to answer with; a change already recorded gets the answer it
// got then.
func (rc *Receiver) record(p *Payload) (map[string]string, error) {
	key := p.Key()
	now := rc.now().In(rc.loc)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.closed {
		return nil, errClosed
	}
	if answer, dup := rc.seen[key]; dup {
		rc.stats.Duplicates++
		if len(answer) > 0 {
			rc.stats.Answered++
		}
		rc.log.Info("webhook retry of a recorded change", "type", p.Type, "id", p.ID, "key", key)
		return answer, nil
	}
	a := rc.rules.Evaluate(p, now)
	e := Entry{ReceivedAt: now, Key: key, Payload: p.Raw(), Answer: a.Set}
	if err := rc.clog.append(e); err != nil {
		rc.stats.Failed++
		return nil, err
	}
	rc.seen[key] = a.Set
	rc.stats.Recorded++
	if len(a.Set) > 0 {
		rc.stats.Answered++
	}
	// The CSV is a view of the log for people. Its failure (a file open in
	// Excel, a header someone edited) must not make MiniCRM retry and, two
	// hours later, give up on a change the log already holds.
	if rc.csv != nil {
		if err := rc.csv.write(e, p); err != nil {
			rc.stats.CSVErrors++
			rc.log.Error("CSV row not written (the change log has the change)", "type", p.Type, "id", p.ID, "err", err)
		}
	}
	attrs := []any{"type", p.Type, "id", p.ID, "changed", p.Changed, "key", key}
	if rc.rules.Len() > 0 {
		attrs = append(attrs, "rules", a.Fired, "write_back", slices.Sorted(maps.Keys(a.Set)))
	}
	rc.log.Info("webhook recorded", attrs...)
	return a.Set, nil
}

// authorized checks basic auth in constant time: both parts are compared
// as hashes, so neither their contents nor their lengths show in timing.
func (rc *Receiver) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	match := subtle.ConstantTimeCompare(u[:], rc.userHash[:]) & subtle.ConstantTimeCompare(p[:], rc.passHash[:])
	return ok && match == 1
}

func (rc *Receiver) count(f func(*Stats)) {
	rc.mu.Lock()
	f(&rc.stats)
	rc.mu.Unlock()
}
