package export

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The request budget. A full listing reads ⌈records/100⌉ pages of the
// contacts and of each exported module's cards, each walked once. An
// incremental run reads ⌈changed/100⌉ pages of the contacts and of the
// cards across the modules (one each when nothing changed) plus one page of
// trashed cards for each module the snapshot has cards of. The schemas come
// from the system cache (cache.go). To-dos have no UpdatedSince: a run reads
// one ToDoList per card it listed (every card in a full run, the changed
// ones in an incremental one). Details cost a request per record whose
// detail neither the snapshot nor the system cache has unchanged (all of
// them the first time, those listed as changed later).

// cardsMark is the watermark name of a module's cards.
func cardsMark(cat int) string { return scopeCards + "/" + strconv.Itoa(cat) }

// pages walks a listing page by page from Page 0 without remembering what
// it yielded (restapi's Search keeps a set of the Ids seen, which grows with
// the listing): the snapshot is keyed by Id, so an item listed twice (an
// insertion during the walk pushed it onto the next page) is merged twice,
// harmlessly, and memory stays flat whatever the number of records. A page
// shorter than a full one ends the walk; a page holding the previous page's
// items means the server ignores Page (restapi.ErrPagingStalled).
func pages[T any](ctx context.Context, fetch func(context.Context, int) (*restapi.Page[T], error), id func(T) int,
	fn func(T) error) error {
	prevFirst, prevLast := -1, -1
	for page := 0; ; page++ {
		p, err := fetch(ctx, page)
		if err != nil {
			return err
		}
		if len(p.Items) == 0 {
			return nil
		}
		first, last := id(p.Items[0]), id(p.Items[len(p.Items)-1])
		if first == prevFirst && last == prevLast {
			return fmt.Errorf("page %d: %w: it holds the previous page's items", page, restapi.ErrPagingStalled)
		}
		for _, it := range p.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(p.Items) != restapi.PageSize {
			return nil
		}
		prevFirst, prevLast = first, last
	}
}

func contactRecord(it restapi.ContactItem) state.ExportRecord {
	v := map[string]string{"Id": itoa(it.Id), "Type": it.Type, "Name": it.Name, "Email": it.Email, "Phone": it.Phone}
	if it.Type == kindPerson && it.BusinessId > 0 {
		v["BusinessId"] = itoa(it.BusinessId)
	}
	return state.ExportRecord{Id: it.Id, Kind: it.Type, Values: v}
}

func cardRecord(it restapi.ProjectItem, cat int) state.ExportRecord {
	v := map[string]string{"Id": itoa(it.Id), "CategoryId": itoa(cat), "Name": it.Name, "StatusId": idText(it.StatusId),
		"UserId": idText(it.UserId), "ContactId": idText(it.ContactId), "BusinessId": idText(it.BusinessId)}
	return state.ExportRecord{Id: it.Id, Kind: kindProject, CategoryId: cat, Values: v}
}

func idText(id int) string {
	if id <= 0 {
		return ""
	}
	return strconv.Itoa(id)
}

// removeTrashedCards drops the module's cards trashed since since
// (Project?CategoryId=X&Deleted=1&UpdatedSince=…).
func (r *run) removeTrashedCards(ctx context.Context, cat int, since time.Time) (int, error) {
	b := &state.ExportBatch{}
	for it, err := range r.c.Projects.Search(ctx, restapi.ProjectSearchOptions{CategoryId: cat, UpdatedSince: since, Deleted: true}) {
		if err != nil {
			return 0, err
		}
		b.Remove(scopeCards, it.Id)
	}
	if b.Len() == 0 {
		return 0, nil
	}
	return b.Len(), r.db.CommitExport(r.target, b)
}

// exportedCategory reports whether cards of the module are exported.
func (r *run) exportedCategory(cat int) bool {
	_, ok := r.sch.projects[cat]
	return ok
}

// listToDos reads the to-dos of every exported card listed by this run
// (ToDoList has no UpdatedSince): all of them after a full listing, those
// listed as changed after an incremental one. It commits and checkpoints
// every few cards, then drops the to-dos their card no longer lists.
//
// An incremental run so assumes that a card whose to-dos changed was
// changed itself (its UpdatedAt moved): a to-do added to or closed on an
// unchanged card shows with the next --full-refresh (or full run).
func (r *run) listToDos(ctx context.Context) error {
	const chunk = 20
	after := r.meta.Cursors[scopeToDos]
	for {
		var cards []*state.ExportRecord
		stop := errors.New("stop")
		err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
			return v.Each(scopeCards, after, func(rec *state.ExportRecord) error {
				if rec.Kind == kindProject && r.exportedCategory(rec.CategoryId) && rec.ListedRun == r.runID {
					cards = append(cards, rec)
				}
				if len(cards) == chunk {
					return stop
				}
				return nil
			})
		})
		if err != nil && !errors.Is(err, stop) {
			return err
		}
		if len(cards) == 0 {
			break
		}
		p := &pager{r: r, scope: scopeToDos}
		for _, card := range cards {
			after = card.Id
			items, err := r.c.ToDos.List(ctx, card.Id, restapi.ToDoListOptions{})
			if errors.Is(err, restapi.ErrNotFound) {
				continue // deleted since it was listed
			}
			if err != nil {
				return errors.Join(err, p.flush())
			}
			for _, it := range items {
				r.sum.Listed++
				if err := p.add(toDoRecord(it, card)); err != nil {
					return err
				}
			}
		}
		if err := p.flush(); err != nil {
			return err
		}
		r.setCursor(scopeToDos, after)
		if err := r.db.CommitExport(r.target, &state.ExportBatch{Meta: r.meta}); err != nil {
			return err
		}
	}
	return r.sweepToDos()
}

// sweepToDos drops the to-dos of cards whose list this run read that it
// did not show, and those of cards no longer in the snapshot.
func (r *run) sweepToDos() error {
	b := &state.ExportBatch{}
	err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
		return v.Each(scopeToDos, 0, func(td *state.ExportRecord) error {
			if td.ListedRun == r.runID {
				return nil
			}
			card, err := v.Get(scopeCards, td.ProjectId)
			if err != nil {
				return err
			}
			if card == nil || card.ListedRun == r.runID {
				b.Remove(scopeToDos, td.Id)
			}
			return nil
		})
	})
	if err != nil || b.Len() == 0 {
		return err
	}
	return r.db.CommitExport(r.target, b)
}

func toDoRecord(it restapi.ToDoItem, card *state.ExportRecord) state.ExportRecord {
	v := map[string]string{"Id": itoa(it.Id), "ProjectId": itoa(card.Id), "Status": it.Status, "Type": idText(it.Type),
		"UserId": idText(it.UserId), "Deadline": canonical(restapi.SchemaField{Kind: restapi.KindDateTime}, it.Deadline),
		"Comment": it.Comment}
	return state.ExportRecord{Id: it.Id, Kind: kindToDo, CategoryId: card.CategoryId, ProjectId: card.Id, Values: v}
}

// needsDetail reports whether a record's detail is to be read.
func (r *run) needsDetail(rec *state.ExportRecord) bool {
	if rec.Detail && !r.lacksAddress(rec) || !r.detailKinds[rec.Kind] {
		return false
	}
	if isDocKind(rec.Kind) {
		return true
	}
	return rec.Kind != kindProject && rec.Kind != kindToDo || r.exportedCategory(rec.CategoryId)
}

// fetchDetails reads the detail record of every record that needs one,
// Workers at a time, committing every few records: an interrupted run
// keeps what it read, and a resumed or later one reads only the rest.
func (r *run) fetchDetails(ctx context.Context) error {
	scopes := []string{scopeContacts, scopeCards, scopeToDos}
	for _, e := range r.cfg.Entities {
		if k, ok := docKinds[e]; ok {
			scopes = append(scopes, docScope(k))
		}
	}
	total := 0
	err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
		for _, sc := range scopes {
			if err := v.Each(sc, 0, func(rec *state.ExportRecord) error {
				r.touch(1)
				if r.needsDetail(rec) {
					total++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.setPhase("details", total)
	chunk := max(4*r.cfg.Workers, 16)
	for _, sc := range scopes {
		after := 0
		for {
			var todo []*state.ExportRecord
			stop := errors.New("stop")
			err := r.db.ViewExport(r.target, func(v *state.ExportView) error {
				return v.Each(sc, after, func(rec *state.ExportRecord) error {
					after = rec.Id
					if r.needsDetail(rec) {
						todo = append(todo, rec)
					}
					if len(todo) == chunk {
						return stop
					}
					return nil
				})
			})
			if err != nil && !errors.Is(err, stop) {
				return err
			}
			if len(todo) == 0 {
				break
			}
			r.touch(len(todo))
			if err := r.detailChunk(ctx, sc, todo); err != nil {
				return err
			}
		}
	}
	return nil
}

// detailChunk reads the details of a few records and commits what was
// read, also when a read failed or ctx ended.
func (r *run) detailChunk(ctx context.Context, scope string, recs []*state.ExportRecord) error {
	out, err := r.cachedDetails(recs)
	if err != nil {
		return err
	}
	cached := make([]bool, len(recs))
	gone := make([]bool, len(recs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for i, rec := range recs {
		if out[i] != nil {
			cached[i] = true
			r.done.Add(1)
			continue
		}
		g.Go(func() error {
			nr, err := r.readDetail(gctx, rec)
			if errors.Is(err, restapi.ErrNotFound) {
				gone[i] = true
				return nil
			}
			if err != nil {
				return err
			}
			if nr == nil {
				gone[i] = true
			}
			out[i] = nr
			r.done.Add(1)
			return nil
		})
	}
	gerr := g.Wait()
	b := &state.ExportBatch{}
	var fresh []*state.ExportRecord
	for i, rec := range recs {
		switch {
		case gone[i]:
			b.Remove(scope, rec.Id)
			r.sum.Removed++
		case cached[i]:
			b.Add(scope, *out[i])
			r.sum.Reused++
		case out[i] != nil:
			b.Add(scope, *out[i])
			fresh = append(fresh, out[i])
			r.sum.Details++
		}
	}
	if b.Len() > 0 {
		if err := r.db.CommitExport(r.target, b); err != nil {
			return errors.Join(gerr, err)
		}
	}
	return errors.Join(gerr, r.cacheDetails(fresh))
}

// readDetail reads a record's detail and returns the record with it; nil
// when the record is deleted (Deleted 1).
func (r *run) readDetail(ctx context.Context, rec *state.ExportRecord) (*state.ExportRecord, error) {
	switch rec.Kind {
	case kindBusiness, kindPerson:
		d, err := r.c.Contacts.Get(ctx, rec.Id)
		if err != nil {
			return nil, err
		}
		nr := r.contactFromDetail(rec, d)
		if nr != nil && r.addrKinds[nr.Kind] {
			if err := r.defaultAddress(ctx, rec.Id, nr.Values); err != nil {
				return nil, err
			}
		}
		return nr, nil
	case kindProject:
		d, err := r.c.Projects.Get(ctx, rec.Id)
		if err != nil {
			return nil, err
		}
		return r.cardFromDetail(rec, d), nil
	case kindToDo:
		d, err := r.c.ToDos.Get(ctx, rec.Id)
		if err != nil {
			return nil, err
		}
		nr := r.withFields(rec, kindToDo, 0, d.Fields)
		nr.Values["ProjectId"] = itoa(rec.ProjectId)
		return nr, nil
	}
	if isDocKind(rec.Kind) {
		d, err := r.docService(rec.Kind).Get(ctx, rec.Id)
		if err != nil {
			return nil, err
		}
		return docFromDetail(rec, d, r.runID)
	}
	return nil, nil
}

// lacksAddress reports whether a contact's detail was read without the
// default address its table shows (by a run that did not need it).
func (r *run) lacksAddress(rec *state.ExportRecord) bool {
	return r.addrKinds[rec.Kind] && rec.Values[addrRead] == ""
}

// withFields returns rec with the schema's fields of a detail record (or a
// notification's Data) merged over its values.
func (r *run) withFields(rec *state.ExportRecord, kind string, cat int, fields map[string]any) *state.ExportRecord {
	nr := *rec
	nr.Kind, nr.Values = kind, maps.Clone(rec.Values)
	if nr.Values == nil {
		nr.Values = map[string]string{}
	}
	sch := r.sch.forRecord(kind, cat)
	for k, v := range fields {
		if sch == nil {
			continue
		}
		f, ok := sch.Field(k)
		if !ok {
			continue
		}
		nr.Values[k] = canonical(f, restapi.FieldText(v))
		r.schemaMiss(f, nr.Values[k], false)
	}
	nr.Values["Id"] = itoa(rec.Id)
	nr.Detail, nr.DetailRun = true, r.runID
	return &nr
}

func (r *run) contactFromDetail(rec *state.ExportRecord, d *restapi.Contact) *state.ExportRecord {
	if d.Deleted == 1 {
		return nil
	}
	kind := d.Kind()
	if kind == "" {
		kind = rec.Kind
	}
	nr := r.withFields(rec, kind, 0, d.Fields)
	nr.Values["Type"] = kind
	if nr.Values["Name"] == "" {
		if kind == kindPerson {
			nr.Values["Name"] = mapping.PersonName(d.FirstName, d.LastName)
		} else {
			nr.Values["Name"] = d.Name
		}
	}
	if kind == kindPerson && d.BusinessId > 0 {
		nr.Values["BusinessId"] = itoa(d.BusinessId)
	}
	return nr
}

func (r *run) cardFromDetail(rec *state.ExportRecord, d *restapi.Project) *state.ExportRecord {
	if d.Deleted == 1 {
		return nil
	}
	cat := rec.CategoryId
	if d.CategoryId > 0 {
		cat = d.CategoryId
	}
	nr := r.withFields(rec, kindProject, cat, d.Fields)
	nr.CategoryId = cat
	nr.Values["CategoryId"] = itoa(cat)
	return nr
}
