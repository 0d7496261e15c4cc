package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// The paths an import's creates can take (Config.Via).
const (
	ViaREST = "rest"
	ViaFeed = "feed"
	ViaAuto = "auto"
)

// An import via the feed moves the rows whose card, company and person are
// all new to MiniCRM in XML sync feeds: one upload per FeedCardsPerCall
// cards, at 180 calls an hour, instead of a REST write per record at 60 a
// minute. It runs in four steps, each safe to cut short:
//
//  1. A dry run over the rows matches them against the mirror, as a REST
//     import would, and notes the lines whose records are all new.
//  2. Those rows are written as feed parts under the state directory, and
//     the list of parts and lines is saved (via-feed/<job>.json).
//  3. Each part is uploaded; the file notes each upload as soon as MiniCRM
//     took it, so a run killed after it never pushes the part again. Then
//     the run waits, with a list page now and then, until the new cards
//     show in MiniCRM.
//  4. The import runs over REST. The mirror's refresh lists the records the
//     feed created; the feed's rows take them (a person by e-mail or phone,
//     its company by the person's BusinessId, the card by its contact and
//     name) as created with the row's values, without a request, and
//     success.csv, errors.csv, the journal and the mirror end as after a
//     REST import. Everything the feed cannot do (updates of existing
//     records, re-links, rows with an existing company) is written over
//     REST in the same pass.
//
// A row the feed did not create (MiniCRM refused the card, or had not
// applied the feed when the wait ended) is an error row that says so; it
// is never created over REST in the same run, which could make a duplicate
// of a card applied late. The next run matches it like any other row.

// viaFeedState is what step 2 saves: enough to go on after a crash.
type viaFeedState struct {
	Mapping string        `json:"mapping"`
	Source  string        `json:"source_sha256"`
	Lines   []int         `json:"lines"`
	Parts   []viaFeedPart `json:"parts"`
	Pushed  time.Time     `json:"pushed_at,omitzero"` // MiniCRM's clock before the first upload
	// Answers keep MiniCRM's answer to each part's upload, for whoever
	// looks into the state directory after a crash.
	Answers map[int]string `json:"answers,omitempty"`
}

type viaFeedPart struct {
	File   string `json:"file"`
	Cards  int    `json:"cards"`
	SHA256 string `json:"sha256"`
	Pushed bool   `json:"pushed"`
}

// FeedTotals are what an import via the feed sent (Summary.Feed).
type FeedTotals struct {
	Calls   int  `json:"calls"`
	Cards   int  `json:"cards"`
	Resumed bool `json:"resumed,omitempty"` // the parts were pushed by an earlier run
	// Waited is how long MiniCRM took to show the cards.
	WaitedSeconds float64 `json:"waited_seconds"`
	// Missing are cards of the feed that did not show before FeedWait.
	Missing int `json:"missing,omitempty"`
}

func importViaFeed(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.DryRun {
		return importOnce(ctx, cfg) // the plan compares the two paths
	}
	if cfg.Client == nil || cfg.StateDir == "" || cfg.OutDir == "" || (cfg.MappingPath == "" && cfg.Mapping == nil) {
		return importOnce(ctx, cfg) // let it say what is missing
	}
	if cfg.FeedWait <= 0 {
		cfg.FeedWait = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := cfg.loadMapping()
	if err != nil {
		return nil, err
	}
	cfg.Mapping = m
	statsStart := cfg.Client.Stats()
	if why := feedUnfit(m, cfg.FeedID); why != "" {
		if cfg.Via == ViaAuto {
			return overREST(ctx, cfg, log, "the XML feed does not fit this job", "why", why)
		}
		return nil, fmt.Errorf("import via the XML feed: %s", why)
	}
	if cfg.Schemas, err = cfg.schemas(ctx, m); err != nil {
		return nil, err
	}
	fj, vf, err := openFeedJob(cfg, log)
	if err != nil {
		return nil, err
	}
	fs := &FeedTotals{Resumed: vf != nil && !vf.Pushed.IsZero()}
	if vf == nil {
		var planSum *Summary
		var rest string
		if vf, planSum, rest, err = fj.plan(ctx, cfg); err != nil || rest != "" {
			if err != nil {
				return planSum, err
			}
			return overREST(ctx, cfg, log, rest)
		}
	}
	if err := fj.push(ctx, cfg, vf, fs); err != nil {
		return nil, err
	}
	if err := waitForCards(ctx, cfg, m, vf, fs, log); err != nil {
		return nil, err
	}
	return fj.adopt(ctx, cfg, vf, fs, statsStart)
}

// overREST imports over REST after all, saying why.
func overREST(ctx context.Context, cfg Config, log *slog.Logger, why string, args ...any) (*Summary, error) {
	log.Info("importing over REST: "+why, args...)
	cfg.Via = ViaREST
	return importOnce(ctx, cfg)
}

// feedJob is where an import via the feed keeps its files: the via-feed
// folder of the state directory, the job's key, and the source.
type feedJob struct {
	dir, key         string
	srcPath, srcHash string
	log              *slog.Logger
}

// openFeedJob finds the job's saved feed state, if a run left one for the
// same source and mapping.
func openFeedJob(cfg Config, log *slog.Logger) (*feedJob, *viaFeedState, error) {
	fj := &feedJob{dir: filepath.Join(cfg.StateDir, "via-feed"), srcPath: cfg.sourcePath(cfg.Mapping), log: log}
	var err error
	if fj.srcHash, _, _, err = hashFile(fj.srcPath); err != nil {
		return nil, nil, err
	}
	fj.key = feedJobKey(cfg, fj.srcPath)
	vf, err := loadViaFeed(fj.dir, fj.key)
	if err != nil {
		return nil, nil, err
	}
	if vf != nil && (vf.Source != fj.srcHash || vf.Mapping != mappingHash(cfg.Mapping)) {
		log.Info("the source or the mapping changed since the feed was built: building it again")
		vf = nil
	}
	return fj, vf, nil
}

// plan is steps 1 and 2: which rows can the feed create (a dry run says),
// and their feed parts. rest says why the import goes over REST instead.
func (fj *feedJob) plan(ctx context.Context, cfg Config) (vf *viaFeedState, planSum *Summary, rest string, err error) {
	var mu sync.Mutex
	lines := map[int]bool{}
	dry := cfg
	dry.DryRun, dry.Resume, dry.Progress = true, false, nil
	dry.OutDir = filepath.Join(fj.dir, fj.key+"-plan")
	dry.collect = func(line int) {
		mu.Lock()
		lines[line] = true
		mu.Unlock()
	}
	if planSum, err = importOnce(ctx, dry); err != nil {
		return nil, planSum, "", err
	}
	if cfg.Via == ViaAuto && (planSum.Plan == nil || planSum.Plan.Advice == "") {
		return nil, planSum, "the plan says REST takes less than an hour, or no less than the feed", nil
	}
	if len(lines) == 0 {
		return nil, planSum, "no row has a new card with a new company and person for the feed to create", nil
	}
	vf = &viaFeedState{Mapping: mappingHash(cfg.Mapping), Source: fj.srcHash}
	for l := range lines {
		vf.Lines = append(vf.Lines, l)
	}
	sort.Ints(vf.Lines)
	if vf.Parts, err = buildFeedParts(ctx, cfg, fj.srcPath, lines, fj.dir, fj.key); err != nil {
		return nil, nil, "", fmt.Errorf("building the feed: %w", err)
	}
	if err := saveViaFeed(fj.dir, fj.key, vf); err != nil {
		return nil, nil, "", err
	}
	return vf, planSum, "", nil
}

// push is step 3: each part not pushed yet is uploaded, and noted as
// pushed as soon as MiniCRM took it.
func (fj *feedJob) push(ctx context.Context, cfg Config, vf *viaFeedState, fs *FeedTotals) error {
	for i := range vf.Parts {
		p := &vf.Parts[i]
		fs.Cards += p.Cards
		if p.Pushed {
			continue
		}
		body, err := os.ReadFile(p.File)
		if err != nil {
			return err
		}
		if vf.Pushed.IsZero() {
			vf.Pushed = cfg.Now()
		}
		ans, err := cfg.Client.SyncFeed.Upload(ctx, cfg.FeedID, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("pushing feed part %s: %w", filepath.Base(p.File), err)
		}
		fs.Calls++
		p.Pushed = true
		if vf.Answers == nil {
			vf.Answers = map[int]string{}
		}
		vf.Answers[i] = ans.String()
		if err := saveViaFeed(fj.dir, fj.key, vf); err != nil {
			return err
		}
		fj.log.Info("feed part pushed", "file", filepath.Base(p.File), "cards", p.Cards, "answer", ans.String())
	}
	return nil
}

// adopt is step 4: the import, taking the feed's records as its creates.
func (fj *feedJob) adopt(ctx context.Context, cfg Config, vf *viaFeedState, fs *FeedTotals, statsStart restapi.Stats) (*Summary, error) {
	cfg.adopt = make(map[int]bool, len(vf.Lines))
	for _, l := range vf.Lines {
		cfg.adopt[l] = true
	}
	sum, err := importOnce(ctx, cfg)
	if sum == nil {
		return sum, err
	}
	sum.Via = ViaFeed
	sum.Feed = fs
	sum.setRequests(statsStart, cfg.Client.Stats())
	if sum.Status == StatusFinished {
		if rerr := removeViaFeed(fj.dir, fj.key, vf); rerr != nil && err == nil {
			err = rerr
		}
	}
	if sum.Status != "" && cfg.OutDir != "" {
		if werr := writeSummaryFile(cfg.OutDir, sum); werr != nil && err == nil {
			err = werr
		}
	}
	return sum, err
}

// feedUnfit says why the job cannot go through a feed ("" when it can).
func feedUnfit(m *mapping.Mapping, feedID int) string {
	switch {
	case m.Project == nil:
		return "a feed is made of cards, and the mapping has no project"
	case m.Project.ExternalID == "":
		return "a feed keys each card by the source's id: set project.external_id"
	case !m.Project.Creates():
		return "the mapping does not create cards (create: false)"
	case m.Person != nil && !slicesContainsAny(m.Person.Match, "email", "phone"):
		return "the people a feed creates are found afterwards by e-mail or phone: add email or phone to person.match"
	case m.Person == nil && m.Business != nil && !slicesContainsAny(m.Business.Match, "name"):
		return "without a person, the companies a feed creates are found afterwards by name: add name to business.match"
	case feedID <= 0:
		return "the system's SyncFeed id is needed (--feed-id, or MINICRM_FEED_ID): ask MiniCRM's support for it"
	}
	return ""
}

func slicesContainsAny(list []string, want ...string) bool {
	for _, x := range list {
		for _, w := range want {
			if x == w {
				return true
			}
		}
	}
	return false
}

// waitForCards waits until the module lists, changed since the first
// upload, at least as many cards as the feed holds: a list page now and
// then, sooner at first. MiniCRM applies a feed after answering the upload
// and has no status endpoint; the REST lists are the only way to know.
func waitForCards(ctx context.Context, cfg Config, m *mapping.Mapping, vf *viaFeedState, fs *FeedTotals, log *slog.Logger) error {
	cat, ok := cfg.Schemas.CategoryID(m.Project.Category)
	if !ok {
		return fmt.Errorf("module %q does not exist", m.Project.Category)
	}
	since := vf.Pushed.Add(-cfg.overlap())
	start := time.Now()
	pause := 500 * time.Millisecond
	for {
		page, err := cfg.Client.Projects.SearchPage(ctx, restapi.ProjectSearchOptions{CategoryId: cat, UpdatedSince: since}, 0)
		if err != nil {
			return fmt.Errorf("waiting for MiniCRM to apply the feed: %w", err)
		}
		if page.Count >= fs.Cards {
			fs.WaitedSeconds = time.Since(start).Seconds()
			// The import's refresh lists the feed's records next; the
			// refresh after it reaches back Overlap before that listing.
			// Waiting that long first keeps the next run from listing them
			// all again.
			return sleepCtx(ctx, cfg.overlap()+time.Second)
		}
		if time.Since(start) >= cfg.FeedWait {
			fs.Missing = fs.Cards - page.Count
			fs.WaitedSeconds = time.Since(start).Seconds()
			log.Info("MiniCRM has not shown every card of the feed yet; their rows are errors this time and the next run matches them", "missing", fs.Missing)
			return nil
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return err
		}
		pause = min(pause*2, 30*time.Second)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (cfg Config) overlap() time.Duration {
	if cfg.Overlap > 0 {
		return cfg.Overlap
	}
	return 5 * time.Second
}

// feedJobKey names a job's via-feed files: the mapping, the source and the
// system, as the journal's job does.
func feedJobKey(cfg Config, srcPath string) string {
	absM, _ := filepath.Abs(cfg.MappingPath)
	absS, _ := filepath.Abs(srcPath)
	d := sha256.Sum256([]byte(absM + "\x00" + absS + "\x00" + cfg.Client.BaseURL() + "#" + cfg.Client.SystemID()))
	return hex.EncodeToString(d[:8])
}

func mappingHash(m *mapping.Mapping) string {
	b, _ := json.Marshal(m)
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}

func loadViaFeed(dir, key string) (*viaFeedState, error) {
	b, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var vf viaFeedState
	if err := json.Unmarshal(b, &vf); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v): move it aside; the feed is then built again (MiniCRM applies a card pushed twice once)", filepath.Join(dir, key+".json"), err)
	}
	return &vf, nil
}

// saveViaFeed writes the state atomically (a crash leaves the old or the
// new file, never half of one).
func saveViaFeed(dir, key string, vf *viaFeedState) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(vf, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, key+".json.tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, key+".json"))
}

func removeViaFeed(dir, key string, vf *viaFeedState) error {
	for _, p := range vf.Parts {
		if err := os.Remove(p.File); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	_ = os.RemoveAll(filepath.Join(dir, key+"-plan"))
	err := os.Remove(filepath.Join(dir, key+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
