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

// worker is one of the writers: it takes planned rows and writes their
// records in order, Business before its Person before their Project, each
// after the earlier steps on the same entity.
type worker struct{ r *run }

// run is the writer stage. A fatal error stops the run (r.fail) but the
// worker drains its input, so that every row still under way releases its
// tokens and reports an outcome. Once ctx (the user) ends the run, rows not
// started yet are left for the resume; the row under way is finished.
func (w *worker) run(ctx, gctx context.Context, in <-chan *rowJob, outcomes chan<- *outcome) {
	for j := range in {
		o, err := w.row(gctx, j, ctx.Err() != nil)
		outcomes <- o
		if err != nil {
			w.r.fail(err)
		}
	}
}

// row writes one row's records; with skip it only releases the row's
// tokens (after the earlier steps on the same entities, so that no two
// writes to one record ever overlap).
func (w *worker) row(ctx context.Context, j *rowJob, skip bool) (*outcome, error) {
	o := j.base
	o.row = state.RowOutcome{Line: j.row.Loc.Line, Done: true, Status: RowOK}
	var fatalErr error
	failed := skip
	o.incomplete = skip
	for _, st := range j.steps {
		if st.prev != nil {
			<-st.prev // the earlier steps on this entity always finish: they come from earlier rows
		}
		if failed {
			close(st.done)
			continue
		}
		eo, plan, err := w.apply(ctx, j, st, o.row.Entities)
		if err == nil && eo.Action != ActionError && st.rec.Address != nil {
			// The contact's address, still under the contact's token.
			o.row.Entities = append(o.row.Entities, eo)
			o.plan = append(o.plan, plan...)
			eo, plan, err = w.address(ctx, j, st, o.row.Entities)
		}
		close(st.done)
		if err != nil {
			failed, o.incomplete = true, true
			if !stopped(err) {
				fatalErr = err
			}
			continue
		}
		o.row.Entities = append(o.row.Entities, eo)
		o.plan = append(o.plan, plan...)
		if eo.Action == ActionError {
			failed = true
			o.row.Status, o.row.Field = RowError, eo.Kind
			o.row.Reason = eo.Kind + ": " + eo.Reason + doneBefore(o.row.Entities)
		}
	}
	if c := w.r.cfg.collect; c != nil && !failed && allNew(j, o.row.Entities) {
		c(j.row.Loc.Line)
	}
	return &o, fatalErr
}

// allNew reports, on a dry run, whether the row creates its card and every
// other record of it is new to MiniCRM too (made by this row or an earlier
// one): a feed can create such a row whole.
func allNew(j *rowJob, es []state.EntityOutcome) bool {
	for _, st := range j.steps {
		if !st.ent.simulated {
			return false
		}
	}
	for _, e := range es {
		if e.Kind == string(mapping.KindProject) && e.Action == ActionCreated {
			return true
		}
	}
	return false
}

// doneBefore tells what a failed row had already written.
func doneBefore(es []state.EntityOutcome) string {
	var parts []string
	for _, e := range es {
		if e.Action == ActionCreated || e.Action == ActionUpdated {
			parts = append(parts, fmt.Sprintf("%s %d %s", e.Kind, e.Id, e.Action))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (already written for this row: " + strings.Join(parts, ", ") + ")"
}

// apply writes one record: a create when its entity does not exist yet,
// otherwise an update of the fields that differ, or nothing.
func (w *worker) apply(ctx context.Context, j *rowJob, st *step, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	e, rec := st.ent, st.rec
	eo := state.EntityOutcome{Kind: string(rec.Kind)}
	if e.broken != "" {
		eo.Action, eo.Reason = ActionError, e.broken
		return eo, nil, nil
	}
	linkID := 0
	if st.link != nil {
		linkID = st.link.ent.id()
		if linkID == 0 && !st.link.ent.simulated {
			eo.Action, eo.Reason = ActionError, "its "+strings.ToLower(string(st.link.rec.Kind))+" has no MiniCRM Id"
			return eo, nil, nil
		}
	}
	var plan []planRow
	var err error
	if st.adopt {
		return w.adopt(j, st, linkID), nil, nil
	}
	if e.id() == 0 && !e.simulated {
		eo, plan, err = w.create(ctx, j, st, linkID, before)
	} else {
		eo, plan, err = w.update(ctx, j, st, linkID, before)
	}
	if err == nil && eo.Id != 0 && j.carry[rec.Kind] == eo.Id && (eo.Action == ActionUnchanged || eo.Action == ActionUpdated) {
		eo.Action = ActionCreated // by the interrupted run this one resumes
	}
	if err == nil && st.note != "" && eo.Action != ActionError && eo.Reason == "" {
		eo.Reason = st.note
	}
	return eo, plan, err
}

// failure turns an API error into the record's error outcome, or returns it
// when it stops the run.
func failure(eo state.EntityOutcome, what string, err error) (state.EntityOutcome, []planRow, error) {
	if fatal(err) || stopped(err) {
		return eo, nil, err
	}
	eo.Action = ActionError
	var ae *restapi.APIError
	if errors.As(err, &ae) {
		eo.Reason = fmt.Sprintf("MiniCRM refused the %s (%d): %s", what, ae.StatusCode, ae.Message)
	} else {
		eo.Reason = fmt.Sprintf("the %s failed: %v", what, err)
	}
	return eo, nil, nil
}

// update brings an existing record in line with the row.
func (w *worker) update(ctx context.Context, j *rowJob, st *step, linkID int, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	r := w.r
	e, rec := st.ent, st.rec
	eo := state.EntityOutcome{Kind: string(rec.Kind)}
	cur := e.snapshot()
	if !e.simulated && w.needDetail(rec, &cur) {
		err := r.fetchDetail(ctx, e)
		if errors.Is(err, restapi.ErrNotFound) {
			return w.recreate(ctx, j, st, linkID, before)
		}
		if err != nil {
			return failure(eo, "read of "+e.label, err)
		}
		cur = e.snapshot()
	}
	from, moved := linkedElsewhere(rec, &cur, linkID)
	if moved {
		switch rec.Relink {
		case mapping.RelinkKeep:
			r.warns.add(WarnLinkKept, j.row.Loc.Line, "%s %d is linked to %d in MiniCRM, the row says %d; kept", strings.ToLower(string(rec.Kind)), cur.Id, from, linkID)
		case mapping.RelinkError:
			eo.Id, eo.Action = cur.Id, ActionError
			eo.Reason = fmt.Sprintf("%s is linked to %d in MiniCRM, but the row links it to %d (relink: error); nothing was written for it", e.label, from, linkID)
			r.warns.add(WarnRelinkRefused, j.row.Loc.Line, "%s", eo.Reason)
			return eo, nil, nil
		}
	}
	changes, names := w.diff(rec, &cur, linkID)
	eo.Id = cur.Id
	if len(changes) == 0 {
		eo.Action = ActionUnchanged
		return eo, w.planUnchanged(j, rec, cur.Id), nil
	}
	eo.Changed = names
	plan := w.planUpdate(j, rec, &cur, changes, names)
	if r.cfg.DryRun {
		if _, moving := changes[linkFieldOf(rec.Kind)]; moving && moved {
			note := ""
			if rec.Kind == mapping.KindPerson {
				note = " (MiniCRM's manual says the API refuses to move a contact to another company; if it does, the row will be an error)"
			}
			r.warns.add(WarnRelinked, j.row.Loc.Line, "%s would move from %d to %d%s", e.label, from, linkID, note)
		}
		e.update(func(c *state.MirrorRecord) { r.applyChanges(c, rec, changes) })
		eo.Action = ActionUpdated
		return eo, plan, nil
	}
	var err error
	if rec.Kind == mapping.KindProject {
		_, err = r.c.Projects.Update(ctx, cur.Id, projectUpdate(changes))
	} else {
		_, err = r.c.Contacts.Update(ctx, cur.Id, contactUpdate(changes))
	}
	if errors.Is(err, restapi.ErrNotFound) {
		return w.recreate(ctx, j, st, linkID, before)
	}
	_, moving := changes[linkFieldOf(rec.Kind)]
	if err != nil && moving && !fatal(err) && !stopped(err) {
		eo, plan, err = failure(eo, "update of "+e.label, err)
		if err == nil && rec.Kind == mapping.KindPerson {
			eo.Reason += fmt.Sprintf(" (the update moves it from company %d to company %d; MiniCRM's manual says contacts cannot be moved between companies through the API: move it in MiniCRM, or set relink: keep on the person to leave it where it is)", from, linkID)
		}
		if err == nil {
			r.warns.add(WarnRelinkRefused, j.row.Loc.Line, "%s", eo.Reason)
		}
		return eo, plan, err
	}
	if err != nil {
		return failure(eo, "update of "+e.label, err)
	}
	if moving && moved {
		r.warns.add(WarnRelinked, j.row.Loc.Line, "%s moved from %d to %d", e.label, from, linkID)
	}
	r.writes.Add(1)
	r.com.mirror(e.update(func(c *state.MirrorRecord) { r.applyChanges(c, rec, changes) }))
	eo.Action = ActionUpdated
	return eo, plan, nil
}

// recreate handles a matched record that turns out deleted in MiniCRM: it is
// dropped from the mirror and created again.
func (w *worker) recreate(ctx context.Context, j *rowJob, st *step, linkID int, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	old := st.ent.update(func(c *state.MirrorRecord) {
		*c = state.MirrorRecord{Kind: c.Kind, CategoryId: c.CategoryId}
	})
	w.r.com.removed(old)
	return w.create(ctx, j, st, linkID, before)
}

// create makes the record. Its pending entry is on disk before the request
// leaves; when the answer is lost, MiniCRM is searched by the record's keys
// before anything is sent again, so the record is never created twice.
func (w *worker) create(ctx context.Context, j *rowJob, st *step, linkID int, before []state.EntityOutcome) (state.EntityOutcome, []planRow, error) {
	r := w.r
	e, rec := st.ent, st.rec
	eo := state.EntityOutcome{Kind: string(rec.Kind)}
	body := createBody(rec, linkID)
	plan := w.planCreate(j, rec)
	if r.cfg.DryRun {
		e.simulated = true
		e.update(func(c *state.MirrorRecord) { *c = r.createdRecord(rec, 0, body) })
		eo.Action = ActionCreated
		return eo, plan, nil
	}

	pend := &state.PendingCreate{Line: j.row.Loc.Line, Kind: string(rec.Kind), Fields: body, Match: rec.Match,
		ExternalIDField: r.mir.ext[rec.Kind], CategoryId: rec.CategoryID, At: r.now()}
	if err := r.db.PutPending(r.job, pend); err != nil {
		return eo, nil, fmt.Errorf("recording a create in the journal: %w", err)
	}
	id := 0
	for attempt := 1; id == 0; attempt++ {
		var err error
		if rec.Kind == mapping.KindProject {
			id, err = r.c.Projects.Create(ctx, body)
		} else {
			id, err = r.c.Contacts.Create(ctx, body)
		}
		if err == nil {
			break
		}
		var uo *restapi.UnknownOutcomeError
		if !errors.As(err, &uo) {
			r.com.pendingDone(pend.Key()) // MiniCRM did not carry it out
			return failure(eo, "create of "+e.label, err)
		}
		if ctx.Err() != nil {
			return eo, nil, ctx.Err() // the pending entry stays: the next run looks it up
		}
		found, ferr := r.findCreated(ctx, pend)
		switch {
		case ferr != nil && (fatal(ferr) || stopped(ferr)):
			return eo, nil, ferr
		case ferr != nil:
			e.broken = fmt.Sprintf("the answer to its create was lost and MiniCRM could not be searched for it (%v); the next run looks it up before creating it", ferr)
		case len(found) == 1:
			id = found[0].Id
			r.rematched.Add(1)
			continue
		case len(found) > 1:
			r.com.pendingDone(pend.Key())
			e.broken = fmt.Sprintf("the answer to its create was lost, and a search by its keys finds %d records; nothing more was written", len(found))
		default:
			// Not carried out: send it again after the retry policy's
			// pause (a server that drops every answer is not hammered),
			// as long as the policy allows another attempt.
			again, perr := r.c.RetryPause(ctx, attempt)
			if perr != nil {
				r.com.pendingDone(pend.Key())
				return eo, nil, perr
			}
			if again {
				continue
			}
			r.com.pendingDone(pend.Key())
			e.broken = fmt.Sprintf("the answers to %d creates were lost and none of them was carried out; giving up on this record", attempt)
		}
		eo.Action, eo.Reason = ActionError, e.broken
		return eo, nil, nil
	}
	r.writes.Add(1)
	created := e.update(func(c *state.MirrorRecord) { *c = r.createdRecord(rec, id, body) })
	r.mir.setID(e, id)
	eo.Action, eo.Id = ActionCreated, id
	partial := state.RowOutcome{Line: j.row.Loc.Line, Entities: append(slices.Clone(before), eo)}
	r.com.created(created, partial, pend.Key())
	return eo, plan, nil
}

// createBody is the body of a record's create, as sent and as the journal
// keeps it: the mapped fields (nil ones left out), with the system fields
// set through the typed request (a contact's Type and company, a card's
// module and contact).
func createBody(rec *mapping.Record, linkID int) restapi.Fields {
	fields := restapi.Fields{}
	for f, v := range rec.Fields {
		if v != nil {
			fields[f] = v
		}
	}
	linkID = max(linkID, 0)
	switch rec.Kind {
	case mapping.KindProject:
		return restapi.ProjectRequest{CategoryId: rec.CategoryID, ContactId: linkID, Fields: fields}.Body()
	case mapping.KindPerson:
		return restapi.ContactRequest{Type: string(rec.Kind), BusinessId: linkID, Fields: fields}.Body()
	}
	return restapi.ContactRequest{Type: string(rec.Kind), Fields: fields}.Body()
}

// contactUpdate is the update of a contact with the changed fields: a new
// company (the diff's link change) goes in its typed member.
func contactUpdate(changes restapi.Fields) restapi.ContactRequest {
	id, fields := splitLink(changes, restapi.FieldBusinessId)
	return restapi.ContactRequest{BusinessId: id, Fields: fields}
}

// projectUpdate is the update of a card with the changed fields: a new
// contact (the diff's link change) goes in its typed member.
func projectUpdate(changes restapi.Fields) restapi.ProjectRequest {
	id, fields := splitLink(changes, restapi.FieldContactId)
	return restapi.ProjectRequest{ContactId: id, Fields: fields}
}

// splitLink takes the link field out of changes: its id (0 when absent)
// and the other fields.
func splitLink(changes restapi.Fields, link string) (int, restapi.Fields) {
	id, fields := 0, make(restapi.Fields, len(changes))
	for f, v := range changes {
		if f == link {
			id = int(toInt(v))
			continue
		}
		fields[f] = v
	}
	return id, fields
}

// createdRecord is the mirror record of a record this run created with body:
// every field is known (those not sent are empty).
func (r *run) createdRecord(rec *mapping.Record, id int, body restapi.Fields) state.MirrorRecord {
	c := state.MirrorRecord{Id: id, Kind: string(rec.Kind), Detail: true, WrittenAt: r.now(), Fields: map[string]string{}}
	if rec.Kind == mapping.KindProject {
		c.CategoryId = rec.CategoryID
	}
	for f, v := range body {
		if recordField(f) {
			c.Fields[f] = local(f, v)
		}
	}
	str := func(f string) string { return strings.Clone(mapping.ValueString(body[f])) }
	c.Email, c.Phone = str("Email"), str("Phone")
	// A new contact has no addresses.
	c.AddressesKnown = rec.Kind != mapping.KindProject
	switch rec.Kind {
	case mapping.KindPerson:
		c.Name = mapping.PersonName(str("FirstName"), str("LastName"))
		c.BusinessId = int(toInt(body[restapi.FieldBusinessId]))
	case mapping.KindBusiness:
		c.Name = str("Name")
	case mapping.KindProject:
		c.Name = str("Name")
		c.ContactId = int(toInt(body[restapi.FieldContactId]))
		c.StatusId, c.UserId = int(toInt(body["StatusId"])), int(toInt(body["UserId"]))
	}
	return c
}

// local is a mapped value in the mirror's canonical text form: a copy, as
// the mirror keeps it for the whole run, and a value is often a piece of
// its row's text, which would keep the whole line alive.
func local(field string, v any) string {
	s := mapping.ValueString(v)
	if field == "Email" {
		s = emailKey(s)
	}
	return strings.Clone(s)
}

// applyChanges records an update in the mirror.
func (r *run) applyChanges(c *state.MirrorRecord, rec *mapping.Record, changes restapi.Fields) {
	if c.Fields == nil {
		c.Fields = map[string]string{}
	}
	for f, v := range changes {
		switch f {
		case restapi.FieldBusinessId:
			c.BusinessId = int(toInt(v))
			continue
		case restapi.FieldContactId:
			c.ContactId = int(toInt(v))
			continue
		}
		c.Fields[f] = local(f, v)
		s := strings.Clone(mapping.ValueString(v))
		switch {
		case f == "Email":
			c.Email = s
		case f == "Phone":
			c.Phone = s
		case f == "Name" && rec.Kind != mapping.KindPerson:
			c.Name = s
		case f == "StatusId" && rec.Kind == mapping.KindProject:
			c.StatusId = int(toInt(v))
		case f == "UserId" && rec.Kind == mapping.KindProject:
			c.UserId = int(toInt(v))
		}
	}
	if rec.Kind == mapping.KindPerson {
		first, okF := c.Fields["FirstName"]
		last, okL := c.Fields["LastName"]
		if (okF && okL) || c.Detail {
			c.Name = mapping.PersonName(first, last)
		}
	}
	c.WrittenAt = r.now()
}

// current is the record's value of a field in canonical form, and whether
// it is known: from the list summary, from the fields known in the mirror,
// or (a person's names) inferred from the summary's "LastName FirstName"
// when it equals the row's.
func (w *worker) current(rec *mapping.Record, c *state.MirrorRecord, f string) (string, bool) {
	kind := rec.Kind
	switch {
	case f == "Email":
		return emailKey(c.Email), true
	case f == "Phone":
		return w.r.canon.phone(c.Phone), true
	case f == "Name" && kind != mapping.KindPerson:
		return c.Name, true
	case kind == mapping.KindProject && (f == "StatusId" || f == "UserId"):
		n := c.StatusId
		if f == "UserId" {
			n = c.UserId
		}
		if n == 0 {
			return "", true
		}
		return strconv.Itoa(n), true
	}
	if v, ok := c.Fields[f]; ok {
		return v, true
	}
	if c.Detail {
		return "", true
	}
	if kind == mapping.KindPerson && (f == "FirstName" || f == "LastName") {
		first, okF := rec.Fields["FirstName"]
		last, okL := rec.Fields["LastName"]
		if okF && okL && c.Name == mapping.PersonName(mapping.ValueString(first), mapping.ValueString(last)) {
			return mapping.ValueString(rec.Fields[f]), true
		}
	}
	return "", false
}

// needDetail reports whether a mapped field is known neither from the list
// summary nor from the mirror: only then is the detail record fetched.
func (w *worker) needDetail(rec *mapping.Record, c *state.MirrorRecord) bool {
	for _, f := range rec.Order {
		if _, ok := w.current(rec, c, f); !ok {
			return true
		}
	}
	return false
}

// diff returns the fields of rec that differ from the record: the body of
// the update, and their names in mapping order.
func (w *worker) diff(rec *mapping.Record, c *state.MirrorRecord, linkID int) (restapi.Fields, []string) {
	changes := restapi.Fields{}
	var names []string
	for _, f := range rec.Order {
		want := rec.Fields[f]
		have, _ := w.current(rec, c, f)
		if !w.r.canon.same(rec.Kind, f, want, have) {
			changes[f] = want
			names = append(names, f)
		}
	}
	// A record not linked yet is attached to the row's link; one linked
	// elsewhere is moved unless the mapping keeps it (relink: keep).
	if f := linkFieldOf(rec.Kind); f != "" && linkID > 0 {
		have := c.BusinessId
		if rec.Kind == mapping.KindProject {
			have = c.ContactId
		}
		if have != linkID && (have == 0 || rec.Relink != mapping.RelinkKeep) {
			changes[f] = linkID
			names = append(names, f)
		}
	}
	return changes, names
}

// linkFieldOf is the field that links a record to the row's other record.
func linkFieldOf(kind mapping.EntityKind) string {
	switch kind {
	case mapping.KindPerson:
		return restapi.FieldBusinessId
	case mapping.KindProject:
		return restapi.FieldContactId
	}
	return ""
}

// linkedElsewhere reports whether the record is linked to another record
// than the row's, and to which.
func linkedElsewhere(rec *mapping.Record, c *state.MirrorRecord, linkID int) (int, bool) {
	if linkID <= 0 {
		return 0, false
	}
	have := 0
	switch rec.Kind {
	case mapping.KindPerson:
		have = c.BusinessId
	case mapping.KindProject:
		have = c.ContactId
	default:
		return 0, false
	}
	return have, have != 0 && have != linkID
}
