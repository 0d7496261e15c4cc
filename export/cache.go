package export

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The system cache. Every export of a system shares, whatever its output
// file, format or tables, what it read that does not depend on them: the
// schemas and the module list, and the detail records of contacts and
// cards. It is an export snapshot of its own in the state directory
// (target "cache:<base URL>#<system>"), so it stays on disk, not in memory.
//
// Schemas are read again when they are older than schemaMaxAge, with
// Config.FullRefresh, or when a record shows a dropdown value the cached
// schema does not know (a new status, user or option: see schemaMiss).
// MiniCRM has no "schema changed" signal; a new custom field shows within
// a day.
//
// A cached detail record is valid as long as no listing has shown its
// record changed since it was read: every listing a run makes (UpdatedSince
// its watermark, or a full run's listing of what changed since the cache's
// own watermark) drops the records it shows from the cache, and the cache's
// watermark of the scope (contacts, or one module's cards) moves to the
// listing's start minus Overlap. A record not shown is unchanged since its
// detail was read: the detail is reused by any export of the system, and a
// second export to another format or file right after the first reads no
// detail. Config.FullRefresh ignores the cache (and refills it).

// schemaMaxAge is how long a cached schema is used without reading it again.
const schemaMaxAge = 24 * time.Hour

// Cache scopes besides the snapshot's contacts and cards.
const (
	cacheSchema = "schema/" // + Person, Business, Project (Id: the module), Category
	cacheAt     = "at"      // a cached schema's Values: when it was read (RFC 3339)
	cacheRaw    = "raw"     // and the answer as received
)

// cacheTarget is the system cache's snapshot name.
func (r *run) cacheTarget() string { return "cache:" + r.c.BaseURL() + "#" + r.c.SystemID() }

// cachedSchema returns a schema from the cache when it is fresh, else reads
// it (restapi.SchemasService.Get's entity form) and caches it.
func (r *run) cachedSchema(ctx context.Context, entity string, id int) (*restapi.Schema, error) {
	scope := cacheSchema + entity
	name := entity
	if entity == "Project" {
		name = "Project/" + strconv.Itoa(id)
	}
	if raw, ok := r.cachedRaw(scope, id); ok {
		if sch, err := restapi.ParseSchema(name, raw); err == nil {
			r.sum.SchemasCached++
			return sch, nil
		}
	}
	sch, err := r.c.Schemas.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	r.schemasRead = true
	return sch, r.cacheRaw(scope, id, sch.Raw)
}

// cachedCategories returns the modules from the cache when fresh, else
// reads and caches them.
func (r *run) cachedCategories(ctx context.Context) ([]restapi.Category, error) {
	scope := cacheSchema + "Category"
	if raw, ok := r.cachedRaw(scope, 0); ok {
		var cats []restapi.Category
		if err := json.Unmarshal(raw, &cats); err == nil {
			r.sum.SchemasCached++
			return cats, nil
		}
	}
	cats, err := r.c.Categories.List(ctx)
	if err != nil {
		return nil, err
	}
	r.schemasRead = true
	raw, err := json.Marshal(cats)
	if err != nil {
		return nil, err
	}
	return cats, r.cacheRaw(scope, 0, raw)
}

// cachedRaw is a cached answer younger than schemaMaxAge (never with
// FullRefresh, nor after a schema miss made the run read them again).
func (r *run) cachedRaw(scope string, id int) ([]byte, bool) {
	if r.cfg.FullRefresh || r.reloadSchemas {
		return nil, false
	}
	rec, err := r.db.ExportRecord(r.cacheTarget(), scope, id)
	if err != nil || rec == nil {
		return nil, false
	}
	at, err := time.Parse(time.RFC3339, rec.Values[cacheAt])
	if err != nil || time.Since(at) > schemaMaxAge || time.Since(at) < -time.Hour {
		return nil, false
	}
	return []byte(rec.Values[cacheRaw]), true
}

func (r *run) cacheRaw(scope string, id int, raw []byte) error {
	b := &state.ExportBatch{}
	b.Add(scope, state.ExportRecord{Id: id, Kind: "Schema",
		Values: map[string]string{cacheAt: time.Now().UTC().Format(time.RFC3339), cacheRaw: string(raw)}})
	return r.db.CommitExport(r.cacheTarget(), b)
}

// missSet holds the (field, value) pairs a run found missing from the cached
// schemas, a bounded number of them.
type missSet struct {
	mu    sync.Mutex
	pairs map[string]restapi.SchemaField
	known map[string]string // misses a fresh schema did not explain either (from the cache)
}

const maxMisses = 1000

func missKey(f restapi.SchemaField, v string) string { return f.Name + "\x00" + v }

// cacheMisses is the cache record of the values fresh schemas did not
// explain either: they do not make a later run read the schemas again.
const cacheMisses = "schema/unexplained"

// checkListed looks a listed card's dropdowns (ids) up in its schema.
func (r *run) checkListed(rec *state.ExportRecord) {
	if rec.Kind != kindProject {
		return
	}
	for _, name := range []string{"StatusId", "UserId"} {
		f := r.sch.field(rec.Kind, rec.CategoryId, name)
		r.schemaMiss(f, rec.Values[name], true)
	}
}

// rememberMisses keeps, after the schemas were read again, the values they
// do not explain either: a value the schema never lists (a removed user
// still named on old cards) must not make every run read the schemas.
func (r *run) rememberMisses() error {
	r.misses.mu.Lock()
	defer r.misses.mu.Unlock()
	vals := map[string]string{}
	for k, v := range r.misses.known {
		vals[k] = v
	}
	for k, f := range r.misses.pairs {
		name, v, _ := strings.Cut(k, "\x00")
		nf, ok := r.fieldByName(f, name)
		if ok && slices.ContainsFunc(nf.Options, func(o restapi.EnumOption) bool { return o.Key == v || o.Label == v }) {
			continue
		}
		vals[k] = "1"
	}
	b := &state.ExportBatch{}
	b.Add(cacheMisses, state.ExportRecord{Id: 0, Kind: "Schema", Values: vals})
	return r.db.CommitExport(r.cacheTarget(), b)
}

// fieldByName finds a field of the fresh schemas by name (any schema that
// has it), for rememberMisses.
func (r *run) fieldByName(old restapi.SchemaField, name string) (restapi.SchemaField, bool) {
	for _, sch := range append([]*restapi.Schema{r.sch.person, r.sch.business}, slices.Collect(maps.Values(r.sch.projects))...) {
		if sch == nil {
			continue
		}
		if f, ok := sch.Field(name); ok && f.Kind == old.Kind {
			return f, true
		}
	}
	return old, false
}

// schemaMiss reports whether a canonical dropdown value names an option
// the schema does not know (a new status, user or option). From a detail
// record (labels) that is a value canonical could not turn into an id; from
// a list (ids), an id the options lack. The run then reads the schemas
// again (once, and only when they came from the cache).
func (r *run) schemaMiss(f restapi.SchemaField, canon string, fromList bool) bool {
	if f.Kind != restapi.KindEnum || canon == "" || r.reloadSchemas || r.schemasRead && r.sum.SchemasCached == 0 {
		return false // the schemas are as fresh as they get
	}
	for _, o := range f.Options {
		if o.Key == canon {
			return false
		}
	}
	if _, err := strconv.ParseUint(canon, 10, 64); err == nil && !fromList {
		return false // a multi-select bitmask of known options
	}
	k := missKey(f, canon)
	r.misses.mu.Lock()
	defer r.misses.mu.Unlock()
	if r.misses.known == nil {
		r.misses.known = map[string]string{}
		if rec, err := r.db.ExportRecord(r.cacheTarget(), cacheMisses, 0); err == nil && rec != nil {
			r.misses.known = rec.Values
		}
	}
	if r.misses.known[k] != "" {
		return false
	}
	if r.misses.pairs == nil {
		r.misses.pairs = map[string]restapi.SchemaField{}
	}
	if len(r.misses.pairs) < maxMisses {
		r.misses.pairs[k] = f
	}
	r.missed.Store(true)
	return true
}

// cacheMeta returns the system cache's meta (its scopes' watermarks).
func (r *run) cacheMeta() (*state.ExportMeta, error) {
	m, err := r.db.ExportMeta(r.cacheTarget())
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = &state.ExportMeta{Options: "system cache", Status: state.StatusFinished}
	}
	if m.Watermarks == nil {
		m.Watermarks = map[string]time.Time{}
	}
	return m, nil
}

// cacheScope is the cache's scope (and watermark name) of a record's
// detail: "contacts" or "cards/<CategoryId>".
func cacheScope(kind string, cat int) string {
	if kind == kindProject {
		return cardsMark(cat)
	}
	return scopeContacts
}

// cachesDetails reports whether a record kind's details go through the
// system cache (contacts and cards; documents and to-dos have their own
// rules).
func cachesDetails(kind string) bool {
	return kind == kindBusiness || kind == kindPerson || kind == kindProject
}

// invalidate drops from the cache the details of records a listing showed
// changed.
func (r *run) invalidate(recs []state.ExportRecord) error {
	b := &state.ExportBatch{}
	for _, rec := range recs {
		if cachesDetails(rec.Kind) {
			b.Remove(scopeOfCache(rec.Kind), rec.Id)
		}
	}
	if b.Len() == 0 {
		return nil
	}
	return r.db.CommitExport(r.cacheTarget(), b)
}

// scopeOfCache is the cache's record scope: contacts and cards, as in the
// snapshot (the watermarks are per module, the records by Id).
func scopeOfCache(kind string) string {
	if kind == kindProject {
		return scopeCards
	}
	return scopeContacts
}

// cachedDetails looks records up in the cache: the ones found come back
// with their detail (the list summary over it), the others are left nil.
func (r *run) cachedDetails(recs []*state.ExportRecord) ([]*state.ExportRecord, error) {
	out := make([]*state.ExportRecord, len(recs))
	if r.cfg.FullRefresh {
		return out, nil
	}
	err := r.db.ViewExport(r.cacheTarget(), func(v *state.ExportView) error {
		for i, rec := range recs {
			if !cachesDetails(rec.Kind) || r.cmeta.Watermarks[cacheScope(rec.Kind, rec.CategoryId)].IsZero() {
				continue // a scope no listing keeps valid
			}
			c, err := v.Get(scopeOfCache(rec.Kind), rec.Id)
			if err != nil {
				return err
			}
			if c == nil || c.Kind != rec.Kind || rec.Kind == kindProject && c.CategoryId != rec.CategoryId || r.lacksAddress(c) {
				continue
			}
			nr := *c
			nr.Values = maps.Clone(c.Values)
			if rec.ListedRun == r.runID {
				maps.Copy(nr.Values, rec.Values) // the list summary, as a fresh listing shows it
			}
			nr.ProjectId, nr.ListedRun, nr.Detail, nr.DetailRun = rec.ProjectId, rec.ListedRun, true, r.runID
			out[i] = &nr
		}
		return nil
	})
	return out, err
}

// cacheDetails keeps details just read in the cache.
func (r *run) cacheDetails(recs []*state.ExportRecord) error {
	b := &state.ExportBatch{}
	for _, rec := range recs {
		// Only into a scope a listing keeps valid: its watermark was set
		// before the detail was read.
		if rec != nil && cachesDetails(rec.Kind) && !r.cmeta.Watermarks[cacheScope(rec.Kind, rec.CategoryId)].IsZero() {
			c := *rec
			c.ListedRun, c.DetailRun = 0, 0
			b.Add(scopeOfCache(rec.Kind), c)
		}
	}
	if b.Len() == 0 {
		return nil
	}
	if err := r.db.CommitExport(r.cacheTarget(), b); err != nil {
		return fmt.Errorf("the system cache: %w", err)
	}
	return nil
}

// populatedModules lists the modules the snapshot holds cards of (a scan of
// the cards, on disk).
func (r *run) populatedModules() ([]int, error) {
	out := []int{}
	if !r.needCards && len(r.docCats) == 0 {
		return out, nil
	}
	err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
		return v.Each(scopeCards, 0, func(rec *state.ExportRecord) error {
			r.touch(1)
			if rec.Kind == kindProject && !slices.Contains(out, rec.CategoryId) {
				out = append(out, rec.CategoryId)
			}
			return nil
		})
	})
	slices.Sort(out)
	return out, err
}
