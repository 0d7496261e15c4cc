package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/restapi"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// A contact's address is written right after the contact, in the contact's
// step (under its token), so the writes to one contact's addresses happen
// in file order like the contact's own. The mirror keeps each contact's
// addresses as minicrm-bulk wrote or read them: an unchanged address costs
// no request, a changed one one PUT. A contact the run created has none;
// one the mirror has no addresses of costs one AddressList and one Address
// read per address it has, once.

// addressKind is the outcome kind of a contact's address ("Business.Address").
func addressKind(k mapping.EntityKind) string { return string(k) + ".Address" }

// isAddressKind reports whether a pending create is an address's.
func isAddressKind(kind string) bool { return strings.HasSuffix(kind, ".Address") }

// address brings the contact's address in line with the row's (rec.Address).
func (w *worker) address(ctx context.Context, j *rowJob, st *step, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	r := w.r
	e, rec, a := st.ent, st.rec, st.rec.Address
	eo := state.EntityOutcome{Kind: addressKind(rec.Kind)}
	contactID := e.id()
	if st.adopt {
		// The feed created the contact with this address: its values are
		// known, its Id is looked up if it ever needs a write.
		out := e.update(func(c *state.MirrorRecord) {
			c.Addresses = []state.MirrorAddress{{Default: true, Fields: a.CreateBody()}}
			c.AddressesKnown = true
		})
		r.com.mirror(out)
		eo.Action = ActionCreated
		return eo, nil, nil
	}
	cur := e.snapshot()
	if !cur.AddressesKnown {
		if err := w.loadAddresses(ctx, e); err != nil {
			return failure(eo, "read of the addresses of "+e.label, err)
		}
		cur = e.snapshot()
	}
	found, n := findAddress(cur.Addresses, a)
	if n > 1 {
		eo.Action = ActionError
		eo.Reason = fmt.Sprintf("%s has %d addresses %s; it is not clear which one the row means, so none was written", e.label, n, addressKeyText(a))
		return eo, nil, nil
	}
	if found < 0 {
		return w.createAddress(ctx, j, st, contactID, before)
	}
	have := cur.Addresses[found]
	changes, names := diffAddress(a, have)
	eo.Id = have.Id
	if len(changes) == 0 {
		eo.Action = ActionUnchanged
		if j.carry[mapping.EntityKind(eo.Kind)] == have.Id && have.Id != 0 {
			eo.Action = ActionCreated // by the interrupted run this one resumes
		}
		return eo, w.planAddress(j, rec, ActionUnchanged, have.Id, nil, have), nil
	}
	eo.Changed = names
	plan := w.planAddress(j, rec, ActionUpdated, have.Id, changes, have)
	if r.cfg.DryRun {
		e.update(func(c *state.MirrorRecord) { c.Addresses = withAddress(c.Addresses, found, a, have.Id, changes) })
		eo.Action = ActionUpdated
		return eo, plan, nil
	}
	if have.Id == 0 {
		// Created by a feed: learn its Id first.
		if err := w.loadAddresses(ctx, e); err != nil {
			return failure(eo, "read of the addresses of "+e.label, err)
		}
		return w.address(ctx, j, st, before)
	}
	if _, err := r.c.Addresses.Update(ctx, have.Id, changes); err != nil {
		if errors.Is(err, restapi.ErrNotFound) {
			e.update(func(c *state.MirrorRecord) { c.Addresses, c.AddressesKnown = nil, false })
		}
		return failure(eo, fmt.Sprintf("update of address %d of %s", have.Id, e.label), err)
	}
	r.writes.Add(1)
	r.com.mirror(e.update(func(c *state.MirrorRecord) {
		idx, _ := findAddressID(c.Addresses, have.Id)
		c.Addresses = withAddress(c.Addresses, idx, a, have.Id, changes)
	}))
	eo.Action = ActionUpdated
	return eo, plan, nil
}

// createAddress adds the row's address to the contact. Like a contact's
// create, its pending entry is on disk before the request leaves, and a
// lost answer is settled by reading the contact's addresses before the
// create is sent again: the address is never created twice.
func (w *worker) createAddress(ctx context.Context, j *rowJob, st *step, contactID int, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	r := w.r
	e, rec, a := st.ent, st.rec, st.rec.Address
	eo := state.EntityOutcome{Kind: addressKind(rec.Kind)}
	fields := a.CreateBody()
	body := restapi.Fields{"ContactId": contactID}
	for f, v := range fields {
		body[f] = v
	}
	if a.Default {
		body["Default"] = 1
	}
	plan := w.planAddress(j, rec, ActionCreated, 0, body, state.MirrorAddress{})
	if r.cfg.DryRun {
		e.update(func(c *state.MirrorRecord) { c.Addresses = addAddress(c.Addresses, 0, a.Default, fields) })
		eo.Action = ActionCreated
		return eo, plan, nil
	}
	if contactID == 0 {
		eo.Action, eo.Reason = ActionError, "its contact has no MiniCRM Id"
		return eo, nil, nil
	}
	pend := &state.PendingCreate{Line: j.row.Loc.Line, Kind: eo.Kind, Fields: body, At: r.now()}
	if err := r.db.PutPending(r.job, pend); err != nil {
		return eo, nil, fmt.Errorf("recording a create in the journal: %w", err)
	}
	id := 0
	for attempt := 1; id == 0; attempt++ {
		var err error
		id, err = r.c.Addresses.Create(ctx, body)
		if err == nil {
			break
		}
		var uo *restapi.UnknownOutcomeError
		if !errors.As(err, &uo) {
			r.com.pendingDone(pend.Key())
			return failure(eo, "create of the address of "+e.label, err)
		}
		if ctx.Err() != nil {
			return eo, nil, ctx.Err() // the pending entry stays: the next run reads the addresses again
		}
		if lerr := w.loadAddresses(ctx, e); lerr != nil {
			if fatal(lerr) || stopped(lerr) {
				return eo, nil, lerr
			}
			eo.Action = ActionError
			eo.Reason = fmt.Sprintf("the answer to the create of its address was lost and the contact's addresses could not be read (%v); the next run reads them before creating it", lerr)
			return eo, nil, nil
		}
		if idx, n := findAddress(e.snapshot().Addresses, a); n == 1 {
			id = e.snapshot().Addresses[idx].Id
			r.rematched.Add(1)
			continue
		}
		again, perr := r.c.RetryPause(ctx, attempt)
		if perr != nil {
			r.com.pendingDone(pend.Key())
			return eo, nil, perr
		}
		if !again {
			r.com.pendingDone(pend.Key())
			eo.Action = ActionError
			eo.Reason = fmt.Sprintf("the answers to %d creates of its address were lost and none was carried out; giving up", attempt)
			return eo, nil, nil
		}
	}
	r.writes.Add(1)
	out := e.update(func(c *state.MirrorRecord) {
		if _, ok := findAddressID(c.Addresses, id); !ok {
			c.Addresses = addAddress(c.Addresses, id, a.Default, fields)
		}
		c.AddressesKnown = true
	})
	eo.Action, eo.Id = ActionCreated, id
	r.com.created(out, state.RowOutcome{Line: j.row.Loc.Line, Entities: append(slices.Clone(before), eo)}, pend.Key())
	return eo, plan, nil
}

// loadAddresses reads a contact's addresses (AddressList, then each
// detail record: the list shows neither Type nor the fields apart) into
// the mirror.
func (w *worker) loadAddresses(ctx context.Context, e *entity) error {
	r := w.r
	id := e.id()
	if id == 0 {
		e.update(func(c *state.MirrorRecord) { c.Addresses, c.AddressesKnown = nil, true })
		return nil
	}
	list, err := r.c.Addresses.List(ctx, id)
	if err != nil {
		return err
	}
	addrs := make([]state.MirrorAddress, 0, len(list))
	for _, s := range list {
		d, err := r.c.Addresses.Get(ctx, s.Id)
		if err != nil {
			return err
		}
		addrs = append(addrs, state.MirrorAddress{Id: d.Id, Default: d.Default, Fields: map[string]string{
			"Type": d.Type, "Name": d.Name, "CountryId": d.CountryId, "PostalCode": d.PostalCode,
			"City": d.City, "County": d.County, "Address": d.Address}})
	}
	r.com.mirror(e.update(func(c *state.MirrorRecord) { c.Addresses, c.AddressesKnown = addrs, true }))
	return nil
}

// findAddress finds the row's address among a contact's: by its key field
// (Type, else Name), or the default address when the mapping has neither.
// n is how many match.
func findAddress(addrs []state.MirrorAddress, a *mapping.AddressRecord) (idx, n int) {
	idx = -1
	for i, h := range addrs {
		ok := false
		if a.Key == "" {
			ok = h.Default
		} else {
			ok = mapping.SameAddressValue(a.Key, a.KeyValue(), h.Fields[a.Key])
		}
		if ok {
			if idx < 0 {
				idx = i
			}
			n++
		}
	}
	return idx, n
}

func findAddressID(addrs []state.MirrorAddress, id int) (int, bool) {
	for i, h := range addrs {
		if h.Id == id {
			return i, true
		}
	}
	return -1, false
}

func addressKeyText(a *mapping.AddressRecord) string {
	if a.Key == "" {
		return "marked default"
	}
	return fmt.Sprintf("with %s %q", a.Key, a.KeyValue())
}

// diffAddress is the update body of the fields that differ (and Default
// when the mapping wants the address default and it is not).
func diffAddress(a *mapping.AddressRecord, have state.MirrorAddress) (restapi.Fields, []string) {
	changes := restapi.Fields{}
	var names []string
	for _, f := range a.Order {
		if want := a.Fields[f]; !mapping.SameAddressValue(f, want, have.Fields[f]) {
			changes[f] = want
			names = append(names, f)
		}
	}
	if a.Default && !have.Default {
		changes["Default"] = 1
		names = append(names, "Default")
	}
	return changes, names
}

// withAddress is addrs with the address at idx updated by changes (a new
// slice: mirror snapshots share the old one).
func withAddress(addrs []state.MirrorAddress, idx int, a *mapping.AddressRecord, id int, changes restapi.Fields) []state.MirrorAddress {
	out := make([]state.MirrorAddress, len(addrs))
	copy(out, addrs)
	if idx < 0 || idx >= len(out) {
		return addAddress(addrs, id, a.Default, a.CreateBody())
	}
	h := out[idx]
	f := make(map[string]string, len(h.Fields)+len(changes))
	for k, v := range h.Fields {
		f[k] = v
	}
	for k, v := range changes {
		if k != "Default" {
			f[k] = mapping.ValueString(v)
		}
	}
	h.Fields = f
	out[idx] = h
	if _, ok := changes["Default"]; ok {
		out = makeDefault(out, idx)
	}
	return out
}

// addAddress is addrs with a new address; the first one, or one made the
// default, is the default (MiniCRM's rule).
func addAddress(addrs []state.MirrorAddress, id int, def bool, fields map[string]string) []state.MirrorAddress {
	out := append(slices.Clone(addrs), state.MirrorAddress{Id: id, Fields: fields})
	if def || len(addrs) == 0 {
		out = makeDefault(out, len(out)-1)
	}
	return out
}

func makeDefault(addrs []state.MirrorAddress, idx int) []state.MirrorAddress {
	for i := range addrs {
		addrs[i].Default = i == idx
	}
	return addrs
}

// planAddress makes a dry run's plan.csv lines for an address.
func (w *worker) planAddress(j *rowJob, rec *mapping.Record, action string, id int, changes restapi.Fields, have state.MirrorAddress) []planRow {
	if !w.r.cfg.DryRun {
		return nil
	}
	kind := addressKind(rec.Kind)
	if action == ActionUnchanged {
		return []planRow{{File: j.row.Loc.File, Row: j.row.Loc.Line, Entity: kind, Action: action, Id: idText(id)}}
	}
	var out []planRow
	for _, f := range append([]string{"Type", "Name", "CountryId", "PostalCode", "City", "County", "Address"}, "Default") {
		v, ok := changes[f]
		if !ok {
			continue
		}
		old := have.Fields[f]
		if f == "Default" {
			old = strconv.FormatBool(have.Default)
		}
		out = append(out, planRow{File: j.row.Loc.File, Row: j.row.Loc.Line, Entity: kind, Action: action, Id: idText(id),
			Field: f, Old: old, New: mapping.ValueString(v)})
	}
	return out
}
