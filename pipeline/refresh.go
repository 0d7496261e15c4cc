package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The mirror's request budget. A first run lists every contact (and every
// card of the mapped module): ⌈records/100⌉ requests, plus one more page
// when the walk took several pages (UpdatedSince the walk's start, to catch
// what changed during it). Later runs list only what changed since the last
// refresh (UpdatedSince the watermark): ⌈changed/100⌉ requests, one when
// nothing changed, plus one for the module's trashed cards. A run that wrote
// anything refreshes once more at its end, so that its own writes are not
// listed again next time.

// scopes are the mirror scopes the run needs.
func (r *run) scopes() []string {
	s := []string{state.ContactScope}
	if cat := r.plan.CategoryID(); cat != 0 {
		s = append(s, state.CardScope(cat))
	}
	return s
}

// openMirror loads the mirror and brings it up to date.
func (r *run) openMirror(ctx context.Context) error {
	recs, marks, err := r.db.Mirror(r.system, r.scopes()...)
	if err != nil {
		return err
	}
	r.marks = marks
	full := map[string]bool{}
	for _, sc := range r.scopes() {
		_, has := marks[sc]
		full[sc] = r.cfg.FullRefresh || !has
	}
	for _, rec := range recs {
		if !full[rec.Scope()] {
			r.mir.add(rec)
		}
	}
	if err := r.refresh(ctx, false); err != nil {
		return fmt.Errorf("refreshing the mirror of MiniCRM: %w", err)
	}
	return nil
}

// refresh brings the mirror up to date: a full listing of a scope never
// listed (or with FullRefresh), otherwise the records changed since its
// watermark. closing is the refresh after the run's writes.
//
// A scope keeps two times: when it was last listed (listed), and the next
// listing's UpdatedSince (the watermark: listed minus Config.Overlap, for
// clock skew and MiniCRM's one-second resolution). A record listed again
// changed since; the fields the mirror knows beyond the list summary are
// kept only when minicrm-bulk itself wrote the record after the last
// listing (and so knows what it holds); otherwise they are forgotten, and
// fetched again when a row needs them.
func (r *run) refresh(ctx context.Context, closing bool) error {
	b := &state.Batch{Watermarks: map[string]time.Time{}}
	for _, scope := range r.scopes() {
		mark, has := r.marks[scope]
		listed := r.marks[scope+listedSuffix]
		full := !closing && (r.cfg.FullRefresh || !has)
		t0 := r.now()
		isCards := scope != state.ContactScope
		var n int
		var err error
		if full {
			b.ReplaceScopes = append(b.ReplaceScopes, scope)
			n, err = r.walk(ctx, isCards, time.Time{}, false, func(rec state.MirrorRecord) {
				b.Mirror = append(b.Mirror, r.mir.add(rec).snapshot())
			})
			if err == nil && n > restapi.PageSize {
				// Offset paging has no snapshot: catch what changed while the
				// pages went by.
				_, err = r.walk(ctx, isCards, t0.Add(-r.cfg.Overlap), false, func(rec state.MirrorRecord) {
					out, _ := r.upsert(rec, t0, t0, false)
					b.Mirror = append(b.Mirror, out)
				})
			}
			r.sum.Mirror.Refresh = "full"
		} else {
			overlapOnly := map[int]bool{}
			n, err = r.walk(ctx, isCards, mark, false, func(rec state.MirrorRecord) {
				out, deferred := r.upsert(rec, listed, t0, closing)
				if deferred {
					overlapOnly[rec.Id] = true
				}
				b.Mirror = append(b.Mirror, out)
			})
			if err == nil && len(overlapOnly) > 0 {
				// Records the last run wrote and its closing listing showed
				// come again when the overlap reaches back before that
				// listing. Listing exactly since it tells which of them
				// changed after it: those are forgotten, the others keep
				// what the mirror knows (one page instead of a detail
				// record each).
				_, err = r.walk(ctx, isCards, listed, false, func(rec state.MirrorRecord) {
					if overlapOnly[rec.Id] {
						delete(overlapOnly, rec.Id)
						b.Mirror = append(b.Mirror, r.forget(rec.Id))
					}
				})
				// The rest did not change since: confirmed again, by this
				// listing, so that a next run within the overlap defers them
				// too instead of reading each one again.
				r.sum.Mirror.Confirmed += len(overlapOnly)
				for id := range overlapOnly {
					if e := r.mir.lookup(id); e != nil {
						b.Mirror = append(b.Mirror, e.update(func(cur *state.MirrorRecord) { cur.ConfirmedAt = t0 }))
					}
				}
			}
			if err == nil && isCards {
				_, err = r.walk(ctx, true, mark, true, func(rec state.MirrorRecord) {
					if e := r.mir.lookup(rec.Id); e != nil {
						r.mir.remove(e)
					}
					b.Removed = append(b.Removed, rec)
				})
			}
			if r.sum.Mirror.Refresh == "" {
				r.sum.Mirror.Refresh = "incremental"
			}
		}
		if err != nil {
			return err
		}
		if closing {
			r.sum.Mirror.ListedAfter += n
		} else {
			r.sum.Mirror.Listed += n
		}
		wm := t0.Add(-r.cfg.Overlap)
		b.Watermarks[scope], b.Watermarks[scope+listedSuffix] = wm, t0
		r.marks[scope], r.marks[scope+listedSuffix] = wm, t0
	}
	return r.db.Commit("", r.system, b)
}

// listedSuffix names a scope's "last listed" time among the watermarks.
const listedSuffix = "@listed"

// upsert applies a listed record to the mirror; see refresh for what is
// kept of what was known. listed is the last listing's time, now this
// one's. A record the run wrote since the last listing keeps its fields,
// and the closing listing confirms it (ConfirmedAt). A record that the last
// listing confirmed and that comes again with the same summary is deferred
// (true): the caller tells by an exact listing whether it changed since.
func (r *run) upsert(rec state.MirrorRecord, listed, now time.Time, closing bool) (state.MirrorRecord, bool) {
	e := r.mir.lookup(rec.Id)
	if e == nil {
		return r.mir.add(rec).snapshot(), false
	}
	deferred := false
	out := e.update(func(cur *state.MirrorRecord) {
		same := sameSummary(cur, &rec)
		setSummary(cur, rec)
		switch {
		case !cur.WrittenAt.Before(listed):
			if closing {
				cur.ConfirmedAt = now
			}
		case !closing && same && !cur.ConfirmedAt.IsZero() && cur.ConfirmedAt.Equal(listed):
			deferred = true
		default:
			cur.Fields, cur.Detail, cur.UpdatedAt = nil, false, ""
			cur.Addresses, cur.AddressesKnown = nil, false
		}
	})
	r.mir.reindex(e)
	return out, deferred
}

// forget drops what the mirror knows of a record beyond its list summary.
func (r *run) forget(id int) state.MirrorRecord {
	e := r.mir.lookup(id)
	if e == nil {
		return state.MirrorRecord{Id: id}
	}
	out := e.update(func(cur *state.MirrorRecord) {
		cur.Fields, cur.Detail, cur.UpdatedAt = nil, false, ""
		cur.Addresses, cur.AddressesKnown = nil, false
		cur.ConfirmedAt = time.Time{}
	})
	r.mir.reindex(e)
	return out
}

// sameSummary compares what a list page shows of two records.
func sameSummary(a, b *state.MirrorRecord) bool {
	return a.Name == b.Name && a.Email == b.Email && a.Phone == b.Phone && a.BusinessId == b.BusinessId &&
		a.ContactId == b.ContactId && a.StatusId == b.StatusId && a.UserId == b.UserId
}

// walk lists contacts, or the mapped module's cards (trashed ones with
// deleted), changed since since (all when zero).
func (r *run) walk(ctx context.Context, cards bool, since time.Time, deleted bool, f func(state.MirrorRecord)) (int, error) {
	n := 0
	if !cards {
		for it, err := range r.c.Contacts.Search(ctx, restapi.ContactSearchOptions{UpdatedSince: since}) {
			if err != nil {
				return n, err
			}
			if it.Type != string(mapping.KindPerson) && it.Type != string(mapping.KindBusiness) {
				continue
			}
			n++
			f(contactRecord(it))
		}
		return n, nil
	}
	cat := r.plan.CategoryID()
	for it, err := range r.c.Projects.Search(ctx, restapi.ProjectSearchOptions{CategoryId: cat, UpdatedSince: since, Deleted: deleted}) {
		if err != nil {
			return n, err
		}
		n++
		f(cardRecord(it, cat))
	}
	return n, nil
}

// settlePending looks up in MiniCRM every create a dead run left unsettled:
// its request may or may not have been carried out. A record found is put in
// the mirror (so the row matches it instead of creating it again); on resume
// its row reports it as created.
func (r *run) settlePending(ctx context.Context) error {
	pend, err := r.db.Pending(r.job)
	if err != nil || len(pend) == 0 {
		return err
	}
	b := &state.Batch{}
	for i := range pend {
		p := &pend[i]
		if isAddressKind(p.Kind) {
			// The contact's addresses are read again when its row comes:
			// the address is found there if the create was carried out.
			if e := r.mir.lookup(int(toInt(p.Fields["ContactId"]))); e != nil {
				b.Mirror = append(b.Mirror, e.update(func(c *state.MirrorRecord) { c.Addresses, c.AddressesKnown = nil, false }))
			}
			b.PendingDone = append(b.PendingDone, p.Key())
			continue
		}
		found, err := r.findCreated(ctx, p)
		if err != nil {
			return fmt.Errorf("looking up a create of row %d that a previous run left unsettled: %w", p.Line, err)
		}
		for _, rec := range found {
			b.Mirror = append(b.Mirror, r.adopt(rec, p))
		}
		if len(found) == 1 && r.resume {
			r.carryCreated(p.Line, mapping.EntityKind(p.Kind), found[0].Id)
			// Journal it as well, in the transaction that settles the
			// pending entry: should this run die too, the next resume
			// still knows which run created the record, and the final
			// success.csv says created, not unchanged.
			if o := r.journal[p.Line]; !o.Done {
				o.Line = p.Line
				o.Entities = append(slices.Clone(o.Entities), state.EntityOutcome{Kind: p.Kind, Action: ActionCreated, Id: found[0].Id})
				r.journal[p.Line] = o
				b.Journal = append(b.Journal, o)
			}
		}
		if len(found) > 0 {
			r.sum.PendingFound++
		} else {
			r.sum.PendingNotFound++
		}
		b.PendingDone = append(b.PendingDone, p.Key())
	}
	r.log.Info("settled the creates an interrupted run left unanswered", "found", r.sum.PendingFound, "not found", r.sum.PendingNotFound)
	if r.cfg.DryRun {
		return nil
	}
	return r.db.Commit(r.job, r.system, b)
}

// adopt puts a record found for a pending create into the mirror, with the
// fields the create sent as known.
func (r *run) adopt(found state.MirrorRecord, p *state.PendingCreate) state.MirrorRecord {
	e := r.mir.lookup(found.Id)
	if e == nil {
		e = r.mir.add(found)
	}
	kind := mapping.EntityKind(p.Kind)
	out := e.update(func(cur *state.MirrorRecord) {
		setSummary(cur, found)
		if cur.Fields == nil {
			cur.Fields = map[string]string{}
		}
		for f, v := range p.Fields {
			if recordField(f) {
				cur.Fields[f] = r.canon.remote(kind, f, v)
			}
		}
		cur.WrittenAt = p.At
	})
	r.mir.reindex(e)
	return out
}

// errNoSearchKey means a pending create had no key MiniCRM can be searched by.
var errNoSearchKey = errors.New("no match key to search MiniCRM by")

// findCreated searches MiniCRM for the record a create would have made, by
// the first of its match keys the create sent: an exact search, since the
// values are known to the letter. It returns every record found.
func (r *run) findCreated(ctx context.Context, p *state.PendingCreate) ([]state.MirrorRecord, error) {
	kind := mapping.EntityKind(p.Kind)
	val := func(f string) string { return mapping.ValueString(p.Fields[f]) }
	r.searches.Add(1)
	if kind == mapping.KindProject {
		cat := p.CategoryId
		for _, k := range p.Match {
			switch k {
			case "external_id":
				v := val(p.ExternalIDField)
				if v == "" {
					continue
				}
				if p.ExternalIDField == "ReferenceId" {
					d, err := r.c.Projects.GetByReferenceId(ctx, v)
					if errors.Is(err, restapi.ErrNotFound) {
						return nil, nil
					}
					if err != nil {
						return nil, err
					}
					rec := state.MirrorRecord{Id: d.Id, Kind: p.Kind, CategoryId: cat}
					r.canon.projectDetail(&rec, d)
					return []state.MirrorRecord{rec}, nil
				}
				return r.searchCards(ctx, restapi.ProjectSearchOptions{CategoryId: cat, Fields: map[string]string{p.ExternalIDField: v}}, nil)
			case "name":
				name := val("Name")
				if name == "" {
					continue
				}
				cid := int(toInt(p.Fields["ContactId"]))
				return r.searchCards(ctx, restapi.ProjectSearchOptions{CategoryId: cat, ContactId: cid, Name: name},
					func(it restapi.ProjectItem) bool { return mapping.NameKey(it.Name) == mapping.NameKey(name) })
			}
		}
		return nil, errNoSearchKey
	}
	opts := restapi.ContactSearchOptions{Type: p.Kind}
	var keep func(restapi.ContactItem) bool
	for _, k := range p.Match {
		switch k {
		case "email":
			if opts.Email = val("Email"); opts.Email == "" {
				continue
			}
		case "phone":
			if opts.Phone = val("Phone"); opts.Phone == "" {
				continue
			}
		case "external_id":
			v := val(p.ExternalIDField)
			if v == "" {
				continue
			}
			opts.Fields = map[string]string{p.ExternalIDField: v}
		case "vat_number":
			v := val("VatNumber")
			if v == "" {
				continue
			}
			opts.Fields = map[string]string{"VatNumber": v}
		case "name":
			name := val("Name")
			if kind == mapping.KindPerson {
				name = mapping.PersonName(val("FirstName"), val("LastName"))
			}
			if name == "" {
				continue
			}
			opts.Name = name
			keep = func(it restapi.ContactItem) bool { return mapping.NameKey(it.Name) == mapping.NameKey(name) }
		default:
			continue
		}
		return r.searchContacts(ctx, opts, keep)
	}
	return nil, errNoSearchKey
}

func (r *run) searchContacts(ctx context.Context, opts restapi.ContactSearchOptions, keep func(restapi.ContactItem) bool) ([]state.MirrorRecord, error) {
	var out []state.MirrorRecord
	for it, err := range r.c.Contacts.Search(ctx, opts) {
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(it) {
			out = append(out, contactRecord(it))
		}
	}
	return out, nil
}

func (r *run) searchCards(ctx context.Context, opts restapi.ProjectSearchOptions, keep func(restapi.ProjectItem) bool) ([]state.MirrorRecord, error) {
	var out []state.MirrorRecord
	for it, err := range r.c.Projects.Search(ctx, opts) {
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(it) {
			out = append(out, cardRecord(it, opts.CategoryId))
		}
	}
	return out, nil
}

// toInt reads an id from a create body (int, int64, or float64 after a JSON
// round trip).
func toInt(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}
