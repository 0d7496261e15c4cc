package export

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// doneKey marks, in a run's cursors, a scope listed completely by the run
// (so that a resumed run does not list it again).
func doneKey(scope string) string { return "done:" + scope }

// doneKey's values: how the scope was listed.
const (
	doneIncremental = 1
	doneFull        = 2
)

// refresh brings the snapshot up to date: each scope listed in full (the
// first time, without Incremental, or with FullRefresh), or what changed
// since its watermark, or the webhook change log applied.
//
// Every list is walked once: the contacts once, the cards of a full run a
// module at a time (a list item does not say its module), the cards of an
// incremental run in one UpdatedSince listing across the modules, whose
// items are put in their module by the snapshot (a card new to it: by its
// detail, or, when there are more of those than modules, by a listing per
// module).
func (r *run) refresh(ctx context.Context) error {
	fromChanges := r.cfg.FromChanges != ""
	cm, err := r.cacheMeta()
	if err != nil {
		return err
	}
	r.cmeta = cm
	full := func(mark string) bool {
		_, has := r.meta.Watermarks[mark]
		return r.cfg.FullRefresh || !has || !(r.cfg.Incremental || fromChanges)
	}
	if r.needContacts {
		if err := r.refreshContacts(ctx, full(scopeContacts), fromChanges); err != nil {
			return err
		}
	}
	cats := []int{}
	if r.needCards {
		for _, c := range r.sch.categories {
			cats = append(cats, c.Id)
		}
	}
	for _, c := range r.docCats {
		if !slices.Contains(cats, c) {
			cats = append(cats, c) // the document modules' cards, for the company of each document
		}
	}
	r.listedCats = cats
	var fullCats, incCats []int
	for _, c := range cats {
		if r.listedBefore(cardsMark(c)) {
			continue
		}
		if full(cardsMark(c)) {
			fullCats = append(fullCats, c)
		} else if fromChanges {
			r.sum.mode(cardsMark(c), "changes")
		} else {
			incCats = append(incCats, c)
		}
	}
	if len(fullCats) > 0 {
		t0, err := r.invalidateSince(ctx, fullCats)
		if err != nil {
			return err
		}
		for _, cat := range fullCats {
			list := func(ctx context.Context, since time.Time) (int, error) {
				return r.listCards(ctx, cat, since, pagerMerge)
			}
			if err := r.refreshScope(ctx, cardsMark(cat), true, list); err != nil {
				return err
			}
			if err := r.advanceCache(cardsMark(cat), t0, true); err != nil {
				return err
			}
		}
	}
	if len(incCats) > 0 {
		if err := r.refreshCards(ctx, incCats); err != nil {
			return err
		}
	}
	for _, e := range r.cfg.Entities {
		kind, ok := docKinds[e]
		if !ok {
			continue
		}
		// Webhooks do not tell of documents: they are listed even with
		// --from-changes.
		list := func(ctx context.Context, since time.Time) (int, error) { return r.listDocs(ctx, kind, since) }
		fullDocs := r.cfg.FullRefresh || !(r.cfg.Incremental || fromChanges)
		if _, has := r.meta.Watermarks[docScope(kind)]; !has {
			fullDocs = true
		}
		if r.listedBefore(docScope(kind)) {
			continue
		}
		if err := r.refreshScope(ctx, docScope(kind), fullDocs, list); err != nil {
			return err
		}
	}
	if fromChanges {
		if err := r.applyChanges(ctx); err != nil {
			return err
		}
	}
	if r.needToDos {
		r.sum.mode(scopeToDos, "of the cards listed")
		if err := r.listToDos(ctx); err != nil {
			return err
		}
	}
	return nil
}

// listedBefore reports whether the interrupted run this one resumes listed
// the scope completely already.
func (r *run) listedBefore(mark string) bool {
	switch r.meta.Cursors[doneKey(mark)] {
	case doneFull:
		r.fullScopes[mark] = true
		fallthrough
	case doneIncremental:
		r.sum.mode(mark, "listed before the resume")
		return true
	}
	return false
}

// refreshContacts lists the contacts: in full (after dropping from the
// system cache the details of those changed since its watermark), or what
// changed since the snapshot's (or the cache's, when older) watermark.
func (r *run) refreshContacts(ctx context.Context, full, fromChanges bool) error {
	if r.listedBefore(scopeContacts) {
		return nil
	}
	if !full && fromChanges {
		r.sum.mode(scopeContacts, "changes")
		return nil
	}
	t0 := r.now()
	if full {
		if f := r.cmeta.Watermarks[scopeContacts]; !f.IsZero() && r.usesCache(scopeContacts) {
			n, err := r.listContacts(ctx, f, pagerInvalidateOnly)
			r.sum.Checked += n
			if err != nil {
				return err
			}
		}
		list := func(ctx context.Context, since time.Time) (int, error) {
			return r.listContacts(ctx, since, pagerMerge)
		}
		if err := r.refreshScope(ctx, scopeContacts, true, list); err != nil {
			return err
		}
		return r.advanceCache(scopeContacts, t0, true)
	}
	list := func(ctx context.Context, since time.Time) (int, error) {
		if f := r.cmeta.Watermarks[scopeContacts]; !f.IsZero() && f.Before(since) {
			since = f // the cache has not seen the changes since then yet
		}
		return r.listContacts(ctx, since, pagerInvalidate)
	}
	if err := r.refreshScope(ctx, scopeContacts, false, list); err != nil {
		return err
	}
	return r.advanceCache(scopeContacts, t0, false)
}

// usesCache reports whether this run reads details of the cache scope
// ("contacts", "cards/<CategoryId>") that the system cache may give.
func (r *run) usesCache(scope string) bool {
	if scope == scopeContacts {
		return r.detailKinds[kindBusiness] || r.detailKinds[kindPerson] || r.joinCompanies || r.needDocs
	}
	return r.detailKinds[kindProject]
}

// advanceCache moves the system cache's watermark of a scope to the start
// of a listing that dropped from it everything changed since the old one
// (an incremental listing that reached back to it, or a full run's listing
// of what changed since it), or that found it never kept (no watermark, so
// no details: the cache starts now). A full run that does not read the
// scope's details leaves it.
func (r *run) advanceCache(scope string, t0 time.Time, full bool) error {
	f := r.cmeta.Watermarks[scope]
	if full && !r.usesCache(scope) || f.IsZero() && !r.usesCache(scope) {
		return nil
	}
	r.cmeta.Watermarks[scope] = t0.Add(-r.cfg.Overlap)
	return r.db.CommitExport(r.cacheTarget(), &state.ExportBatch{Meta: r.cmeta})
}

// invalidateSince drops from the system cache the cards changed since the
// oldest cache watermark of the modules a full run lists (one listing
// across the modules), and returns when it started.
func (r *run) invalidateSince(ctx context.Context, cats []int) (time.Time, error) {
	t0 := r.now()
	var since time.Time
	for _, c := range cats {
		f := r.cmeta.Watermarks[cardsMark(c)]
		if !f.IsZero() && r.usesCache(cardsMark(c)) && (since.IsZero() || f.Before(since)) {
			since = f
		}
	}
	if since.IsZero() {
		return t0, nil
	}
	opts := restapi.ProjectSearchOptions{UpdatedSince: since}
	if len(r.listedCats) == 1 {
		opts.CategoryId = r.listedCats[0]
	}
	p := &pager{r: r, scope: scopeCards, mode: pagerInvalidateOnly}
	err := pages(ctx, func(ctx context.Context, page int) (*restapi.Page[restapi.ProjectItem], error) {
		return r.c.Projects.SearchPage(ctx, opts, page)
	}, func(it restapi.ProjectItem) int { return it.Id }, func(it restapi.ProjectItem) error {
		r.sum.Checked++
		return p.add(state.ExportRecord{Id: it.Id, Kind: kindProject})
	})
	return t0, errors.Join(err, p.flush())
}

// refreshScope lists one scope (the contacts, a module's cards, a kind of
// document) in full or since its watermark, and commits the new watermark
// with the sweep of what a full listing no longer shows.
//
// A full listing is not followed by a second one for what changed while
// its pages went by: a record changed after its page was read shows its
// earlier values until the next run, whose UpdatedSince (this listing's
// start minus Overlap) lists it. Listing again would read every record
// twice whenever they were all written just before (an import).
func (r *run) refreshScope(ctx context.Context, mark string, full bool,
	list func(context.Context, time.Time) (int, error)) error {
	t0 := r.now()
	since := time.Time{}
	if !full {
		since = r.meta.Watermarks[mark]
	}
	n, err := list(ctx, since)
	r.sum.Listed += n
	if err != nil {
		return err
	}
	b := &state.ExportBatch{}
	if full {
		sw := state.ExportSweep{Scope: scopeContacts, KeepRun: r.runID}
		if strings.HasPrefix(mark, "doc/") {
			sw = state.ExportSweep{Scope: mark, KeepRun: r.runID}
		} else if mark != scopeContacts {
			cat := r.markCategory(mark)
			sw = state.ExportSweep{Scope: scopeCards, Kind: kindProject, CategoryId: cat, KeepRun: r.runID}
		}
		if err := r.sweep(sw); err != nil {
			return err
		}
		r.fullScopes[mark] = true
		r.sum.mode(mark, "full")
		r.setCursor(doneKey(mark), doneFull)
	} else {
		r.sum.mode(mark, "incremental")
		r.setCursor(doneKey(mark), doneIncremental)
	}
	r.meta.Watermarks[mark] = t0.Add(-r.cfg.Overlap)
	b.Meta = r.meta
	return r.db.CommitExport(r.target, b)
}

// sweep drops from the snapshot the records of a scope (of a kind and
// module) that this run did not list, a chunk at a time: what a complete
// listing no longer shows was deleted. Done here rather than in one
// transaction (state.ExportSweep), so that the scan of a large scope reads
// it through touch and the process does not keep all of it resident.
func (r *run) sweep(sw state.ExportSweep) error {
	after := 0
	for {
		b := &state.ExportBatch{}
		stop := errors.New("stop")
		last := after
		err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
			return v.Each(sw.Scope, after, func(rec *state.ExportRecord) error {
				r.touch(1)
				last = rec.Id
				if rec.ListedRun != sw.KeepRun && (sw.Kind == "" || rec.Kind == sw.Kind) &&
					(sw.CategoryId == 0 || rec.CategoryId == sw.CategoryId) {
					b.Remove(sw.Scope, rec.Id)
				}
				if b.Len() >= 1000 {
					return stop
				}
				return nil
			})
		})
		if err != nil && !errors.Is(err, stop) {
			return err
		}
		if b.Len() > 0 {
			if err := r.db.CommitExport(r.target, b); err != nil {
				return err
			}
		}
		if err == nil {
			return nil
		}
		after = last
	}
}

// markCategory is the module of a "cards/<CategoryId>" watermark name.
func (r *run) markCategory(mark string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(mark, scopeCards+"/"))
	return n
}

// refreshCards lists the cards changed since the modules' watermarks in one
// listing across the modules (with CategoryId when the run lists one
// module), drops the cards trashed since then from the modules the
// snapshot has cards of, and moves the watermarks.
func (r *run) refreshCards(ctx context.Context, cats []int) error {
	t0 := r.now()
	var since time.Time
	for _, c := range cats {
		s := r.meta.Watermarks[cardsMark(c)]
		if f := r.cmeta.Watermarks[cardsMark(c)]; !f.IsZero() && f.Before(s) {
			s = f
		}
		if since.IsZero() || s.Before(since) {
			since = s
		}
	}
	n, err := r.listCardsAcross(ctx, cats, since)
	r.sum.Listed += n
	if err != nil {
		return err
	}
	for _, c := range cats {
		if r.meta.Populated == nil || slices.Contains(r.meta.Populated, c) {
			removed, err := r.removeTrashedCards(ctx, c, since)
			r.sum.Removed += removed
			if err != nil {
				return err
			}
		}
	}
	for _, c := range cats {
		r.sum.mode(cardsMark(c), "incremental")
		r.meta.Watermarks[cardsMark(c)] = t0.Add(-r.cfg.Overlap)
		r.setCursor(doneKey(cardsMark(c)), doneIncremental)
	}
	if err := r.db.CommitExport(r.target, &state.ExportBatch{Meta: r.meta}); err != nil {
		return err
	}
	for _, c := range cats {
		if err := r.advanceCache(cardsMark(c), t0, false); err != nil {
			return err
		}
	}
	return nil
}

// listCardsAcross lists the cards changed since since across the modules
// and merges those of the modules cats. A card the snapshot (and the
// system cache) does not know is new: its module is read from its detail,
// a request each, or, when there are more new cards than modules, from a
// listing of each module's changed cards.
func (r *run) listCardsAcross(ctx context.Context, cats []int, since time.Time) (int, error) {
	opts := restapi.ProjectSearchOptions{UpdatedSince: since}
	if len(r.listedCats) == 1 {
		opts.CategoryId = r.listedCats[0]
	}
	p := &pager{r: r, scope: scopeCards, mode: pagerInvalidate}
	var unknown []restapi.ProjectItem
	overflow := false
	n := 0
	err := pages(ctx, func(ctx context.Context, page int) (*restapi.Page[restapi.ProjectItem], error) {
		return r.c.Projects.SearchPage(ctx, opts, page)
	}, func(it restapi.ProjectItem) int { return it.Id }, func(it restapi.ProjectItem) error {
		cat := opts.CategoryId
		if cat == 0 {
			var err error
			if cat, err = r.cardModule(it.Id); err != nil {
				return err
			}
		}
		switch {
		case cat == 0 && len(unknown) < len(cats):
			unknown = append(unknown, it)
			return nil
		case cat == 0:
			overflow = true
			return nil
		case !slices.Contains(cats, cat):
			return nil // a module listed in full by this run, or not exported
		}
		n++
		return p.add(cardRecord(it, cat))
	})
	if err := errors.Join(err, p.flush()); err != nil {
		return n, err
	}
	if overflow {
		for _, c := range cats {
			m, err := r.listCards(ctx, c, since, pagerInvalidate)
			n += m
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	for _, it := range unknown {
		d, err := r.c.Projects.Get(ctx, it.Id)
		if errors.Is(err, restapi.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		if !slices.Contains(r.listedCats, d.CategoryId) && r.needCards && r.cfg.Category == 0 {
			r.missed.Store(true) // a module the cached list lacks: read it again
		}
		if !slices.Contains(cats, d.CategoryId) || d.Deleted == 1 {
			continue
		}
		rec := cardRecord(it, d.CategoryId)
		nr := r.cardFromDetail(&rec, d)
		maps.Copy(nr.Values, rec.Values)
		r.sum.Details++
		n++
		if err := p.add(*nr); err != nil {
			return n, err
		}
	}
	return n, p.flush()
}

// cardModule is the module of a card the snapshot or the system cache
// knows; 0 for a card new to both.
func (r *run) cardModule(id int) (int, error) {
	for _, target := range []string{r.target, r.cacheTarget()} {
		rec, err := r.db.ExportRecord(target, scopeCards, id)
		if err != nil {
			return 0, err
		}
		if rec != nil && rec.CategoryId > 0 {
			return rec.CategoryId, nil
		}
	}
	return 0, nil
}

func (r *run) setCursor(k string, v int) {
	if r.meta.Cursors == nil {
		r.meta.Cursors = map[string]int{}
	}
	r.meta.Cursors[k] = v
}

// pagerMode says what a pager does with the records listed.
type pagerMode int

const (
	// pagerMerge merges them into the snapshot (a full listing).
	pagerMerge pagerMode = iota
	// pagerInvalidate also drops their details from the system cache
	// (a listing of what changed).
	pagerInvalidate
	// pagerInvalidateOnly only drops their details from the cache (a full
	// run's listing of what changed since the cache's watermark).
	pagerInvalidateOnly
)

// pager collects listed records and commits them a page at a time, merged
// with what the snapshot has.
type pager struct {
	r     *run
	scope string
	mode  pagerMode
	recs  []state.ExportRecord
}

func (p *pager) add(rec state.ExportRecord) error {
	p.recs = append(p.recs, rec)
	if p.mode != pagerInvalidateOnly {
		p.r.done.Add(1)
		p.r.checkListed(&rec)
	}
	if len(p.recs) >= restapi.PageSize {
		return p.flush()
	}
	return nil
}

func (p *pager) flush() error {
	if len(p.recs) == 0 {
		return nil
	}
	defer func() { p.recs = p.recs[:0] }()
	if p.mode != pagerMerge {
		if err := p.r.invalidate(p.recs); err != nil {
			return err
		}
		if p.mode == pagerInvalidateOnly {
			return nil
		}
	}
	b := &state.ExportBatch{}
	if err := p.r.mergeListed(p.scope, p.recs, b); err != nil {
		return err
	}
	p.r.touch(len(p.recs))
	return p.r.db.CommitExport(p.r.target, b)
}

// mergeListed merges list records with the snapshot's: a record whose
// detail this run already read keeps it (the list summary goes over it);
// otherwise the list summary replaces the record, and its detail is read
// again (from the system cache when it did not change).
func (r *run) mergeListed(scope string, recs []state.ExportRecord, b *state.ExportBatch) error {
	return r.db.ViewExport(r.target, func(v *state.ExportView) error {
		for _, rec := range recs {
			old, err := v.Get(scope, rec.Id)
			if err != nil {
				return err
			}
			rec.ListedRun = r.runID
			if old != nil && old.Detail && old.DetailRun == r.runID && !rec.Detail {
				vals := maps.Clone(old.Values)
				maps.Copy(vals, rec.Values)
				rec.Values, rec.Detail, rec.DetailRun = vals, true, old.DetailRun
			}
			b.Add(scope, rec)
		}
		return nil
	})
}

// listContacts lists businesses and persons (changed since since, or all).
func (r *run) listContacts(ctx context.Context, since time.Time, mode pagerMode) (int, error) {
	p := &pager{r: r, scope: scopeContacts, mode: mode}
	n := 0
	opts := restapi.ContactSearchOptions{UpdatedSince: since}
	err := pages(ctx, func(ctx context.Context, page int) (*restapi.Page[restapi.ContactItem], error) {
		return r.c.Contacts.SearchPage(ctx, opts, page)
	}, func(it restapi.ContactItem) int { return it.Id }, func(it restapi.ContactItem) error {
		if it.Type != kindPerson && it.Type != kindBusiness {
			return nil
		}
		n++
		return p.add(contactRecord(it))
	})
	return n, errors.Join(err, p.flush())
}

// listCards lists a module's cards (changed since since, or all).
func (r *run) listCards(ctx context.Context, cat int, since time.Time, mode pagerMode) (int, error) {
	p := &pager{r: r, scope: scopeCards, mode: mode}
	n := 0
	opts := restapi.ProjectSearchOptions{CategoryId: cat, UpdatedSince: since}
	err := pages(ctx, func(ctx context.Context, page int) (*restapi.Page[restapi.ProjectItem], error) {
		return r.c.Projects.SearchPage(ctx, opts, page)
	}, func(it restapi.ProjectItem) int { return it.Id }, func(it restapi.ProjectItem) error {
		n++
		return p.add(cardRecord(it, cat))
	})
	return n, errors.Join(err, p.flush())
}
