package export

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
	"github.com/minicrm-bulk/minicrm-bulk/webhook"
)

// applyChanges applies the webhook change log (Config.FromChanges) to the
// snapshot: each record notified since the last run gets its newest
// notification's Data (the whole record, dropdowns as ids), a record whose
// Deleted is 1 leaves, and a record whose newest notification cannot be
// told from another of the same second (Change.Uncertain) is read again
// through the API. Scopes listed in full by this very run are left alone:
// their listing is newer than the log.
func (r *run) applyChanges(ctx context.Context) error {
	changes, err := webhook.Latest(r.cfg.FromChanges, r.meta.ChangesSince)
	if err != nil {
		return fmt.Errorf("reading the change log %s: %w", r.cfg.FromChanges, err)
	}
	r.log.Info("applying the webhook change log", "dir", r.cfg.FromChanges, "since", r.meta.ChangesSince, "records", len(changes))
	b := &state.ExportBatch{}
	var changed []state.ExportRecord // their details leave the system cache
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		if err := r.invalidate(changed); err != nil {
			return err
		}
		err := r.db.CommitExport(r.target, b)
		b, changed = &state.ExportBatch{}, changed[:0]
		return err
	}
	for _, ch := range changes {
		if err := ctx.Err(); err != nil {
			return errors.Join(err, flush())
		}
		id, err := strconv.Atoi(ch.ID)
		if err != nil || id <= 0 || ch.Payload == nil {
			continue
		}
		p := ch.Payload
		var scope, kind string
		cat := 0
		switch ch.Type {
		case "Contact":
			if !r.needContacts || r.fullScopes[scopeContacts] {
				continue
			}
			scope = scopeContacts
			kind = (&restapi.Contact{Type: p.Value("Type")}).Kind()
			if kind == "" {
				continue
			}
		case "Project":
			cat, _ = strconv.Atoi(p.CategoryID())
			if !r.needCards || !r.exportedCategory(cat) || r.fullScopes[cardsMark(cat)] {
				continue
			}
			scope, kind = scopeCards, kindProject
		default:
			continue
		}
		old, err := r.db.ExportRecord(r.target, scope, id)
		if err != nil {
			return err
		}
		rec := &state.ExportRecord{Id: id, Kind: kind, CategoryId: cat}
		if old != nil {
			rec = old
		}
		r.sum.Changes++
		changed = append(changed, state.ExportRecord{Id: id, Kind: kind})
		var nr *state.ExportRecord
		switch {
		case ch.Uncertain:
			r.sum.Reread++
			nr, err = r.readDetail(ctx, rec)
			if errors.Is(err, restapi.ErrNotFound) {
				nr, err = nil, nil
			}
			if err != nil {
				return errors.Join(err, flush())
			}
		case p.Value("Deleted") == "1":
			nr = nil
		default:
			fields := map[string]any{}
			for _, f := range p.Fields() {
				fields[f] = p.Value(f)
			}
			nr = r.withFields(rec, kind, cat, fields)
			if kind == kindProject {
				nr.CategoryId = cat
			} else {
				nr.Values["Type"] = kind
			}
			if name := p.Value("Name"); name != "" {
				nr.Values["Name"] = name
			}
		}
		if nr == nil {
			if old != nil {
				b.Remove(scope, id)
				r.sum.Removed++
			}
		} else {
			nr.ListedRun = r.runID
			b.Add(scope, *nr)
		}
		if b.Len() >= 100 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
