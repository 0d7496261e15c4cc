package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ProjectsService searches, reads and writes cards (MiniCRM's API calls
// them Project) and reads their status history.
type ProjectsService service

// ProjectItem is a card as search results show it: ids, not labels.
type ProjectItem struct {
	Id         int    `json:"Id"`
	Name       string `json:"Name"`
	Url        string `json:"Url"`
	ContactId  int    `json:"ContactId"`
	StatusId   int    `json:"StatusId"`
	UserId     int    `json:"UserId"`
	Deleted    int    `json:"Deleted"`
	BusinessId int    `json:"BusinessId"`
}

// UnmarshalJSON accepts numbers as numbers or strings.
func (p *ProjectItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, ContactId, StatusId, UserId, Deleted, BusinessId FlexInt
		Name, Url                                            FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = ProjectItem{Id: w.Id.Int(), Name: w.Name.String(), Url: w.Url.String(), ContactId: w.ContactId.Int(),
		StatusId: w.StatusId.Int(), UserId: w.UserId.Int(), Deleted: w.Deleted.Int(), BusinessId: w.BusinessId.Int()}
	return nil
}

func (p *ProjectItem) itemID() int { return p.Id }

// Project is a card's detail record. Unlike lists, the detail gives
// StatusId, UserId, CreatedBy, UpdatedBy and every dropdown field as labels
// (e.g. "StatusId": "Tárgyalás"): Status and User hold those labels; resolve
// them through the module's Schema. Fields holds every field as received.
type Project struct {
	Id              int
	CategoryId      int
	ContactId       int
	BusinessId      int
	Name            string
	Status          string // the "StatusId" member: a label in detail records
	User            string // the "UserId" member: the owner's name in detail records
	StatusUpdatedAt string
	IsPrivate       int
	Deleted         int
	CreatedBy       string
	CreatedAt       string
	UpdatedBy       string
	UpdatedAt       string
	ProjectHash     string
	ProjectEmail    string
	ReferenceId     string
	Fields          map[string]any
	// Raw is the record as received.
	Raw json.RawMessage
}

// UnmarshalJSON decodes a detail record.
func (p *Project) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, CategoryId, ContactId, BusinessId, IsPrivate, Deleted                FlexInt
		Name, StatusId, UserId, StatusUpdatedAt, CreatedBy, CreatedAt, UpdatedBy FlexString
		UpdatedAt, ProjectHash, ProjectEmail, ReferenceId                        FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := decodeFields(b)
	if err != nil {
		return err
	}
	*p = Project{Id: w.Id.Int(), CategoryId: w.CategoryId.Int(), ContactId: w.ContactId.Int(), BusinessId: w.BusinessId.Int(),
		Name: w.Name.String(), Status: w.StatusId.String(), User: w.UserId.String(), StatusUpdatedAt: w.StatusUpdatedAt.String(),
		IsPrivate: w.IsPrivate.Int(), Deleted: w.Deleted.Int(), CreatedBy: w.CreatedBy.String(), CreatedAt: w.CreatedAt.String(),
		UpdatedBy: w.UpdatedBy.String(), UpdatedAt: w.UpdatedAt.String(), ProjectHash: w.ProjectHash.String(),
		ProjectEmail: w.ProjectEmail.String(), ReferenceId: w.ReferenceId.String(), Fields: fields, Raw: bytes.Clone(b)}
	return nil
}

// MarshalJSON encodes the record as received.
func (p Project) MarshalJSON() ([]byte, error) { return rawOrFields(p.Raw, p.Fields) }

// ProjectSearchOptions are the criteria of a card search; they combine.
// Zero values are not sent.
type ProjectSearchOptions struct {
	CategoryId int
	// MainContactId lists the cards of a business (or a person).
	MainContactId int
	ContactId     int
	// StatusId and UserId take an id or a label.
	StatusId string
	UserId   string
	// StatusGroup is Lead, Open, Success or Failed.
	StatusGroup  string
	UpdatedSince time.Time
	// Name matches part of the card's name.
	Name string
	// Query matches whole words of the card's name and fields, ignoring
	// case and accents (the official PHP client's Project::Search).
	Query       string
	ReferenceId string
	// Deleted lists the trashed cards (of one category) instead.
	Deleted bool
	// Fields are criteria on any card field by API name.
	Fields map[string]string
}

func (o ProjectSearchOptions) values() url.Values {
	q := url.Values{}
	for k, v := range o.Fields {
		q.Set(k, v)
	}
	setInt := func(k string, v int) {
		if v > 0 {
			q.Set(k, itoa(v))
		}
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	setInt("CategoryId", o.CategoryId)
	setInt("MainContactId", o.MainContactId)
	setInt("ContactId", o.ContactId)
	set("StatusId", o.StatusId)
	set("UserId", o.UserId)
	set("StatusGroup", o.StatusGroup)
	set("Name", o.Name)
	set("Query", o.Query)
	set("ReferenceId", o.ReferenceId)
	if !o.UpdatedSince.IsZero() {
		q.Set("UpdatedSince", FormatTime(o.UpdatedSince))
	}
	if o.Deleted {
		q.Set("Deleted", "1")
	}
	return q
}

func (s *ProjectsService) searchRequest(opts ProjectSearchOptions) apiRequest {
	// Page=0 is sent explicitly: without it, a search by ReferenceId alone
	// is answered with a detail record instead of a list.
	return apiRequest{method: http.MethodGet, path: "Api/R3/Project", pattern: "/Api/R3/Project", query: opts.values(), safe: true,
		sendPage0: true}
}

// SearchPage returns one page (from 0) of a card search.
//
// GET /Api/R3/Project?…&Page=N
func (s *ProjectsService) SearchPage(ctx context.Context, opts ProjectSearchOptions, page int) (*Page[ProjectItem], error) {
	return fetchPage[ProjectItem](ctx, s.client, s.searchRequest(opts), page)
}

// Search walks every page of a card search and yields each card once, with
// the guarantees ContactsService.Search describes. (MiniCRM answers a search
// by ReferenceId alone with one detail record; the Page parameter Search
// always sends keeps it a list. GetByReferenceId is the direct way.)
//
// GET /Api/R3/Project?…&Page=N
func (s *ProjectsService) Search(ctx context.Context, opts ProjectSearchOptions) iter.Seq2[ProjectItem, error] {
	r := s.searchRequest(opts)
	return walk(ctx, func(ctx context.Context, page int) (*Page[ProjectItem], error) {
		return fetchPage[ProjectItem](ctx, s.client, r, page)
	})
}

// Get returns a card's detail record.
//
// GET /Api/R3/Project/<Id>
func (s *ProjectsService) Get(ctx context.Context, id int) (*Project, error) {
	if err := checkID("card Id", id); err != nil {
		return nil, err
	}
	return s.get(ctx, &apiRequest{method: http.MethodGet, path: "Api/R3/Project/" + itoa(id), pattern: "/Api/R3/Project/{id}", safe: true})
}

// GetByReferenceId returns the card with this external id (set by XML sync
// or the ReferenceId field); ErrNotFound when there is none.
//
// GET /Api/R3/Project?ReferenceId=X → one detail record
func (s *ProjectsService) GetByReferenceId(ctx context.Context, referenceID string) (*Project, error) {
	if strings.TrimSpace(referenceID) == "" {
		return nil, errors.New("restapi: ReferenceId is empty")
	}
	return s.get(ctx, &apiRequest{method: http.MethodGet, path: "Api/R3/Project", pattern: "/Api/R3/Project?ReferenceId",
		query: url.Values{"ReferenceId": {referenceID}}, safe: true})
}

func (s *ProjectsService) get(ctx context.Context, r *apiRequest) (*Project, error) {
	data, err := s.client.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var p Project
	if err := decodeInto(r, data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Create adds a card and returns its Id. Name, UserId, CategoryId, ContactId
// and StatusId are required, plus whatever the module requires in that
// status. Not retried after a 5xx or a lost connection (*UnknownOutcomeError):
// search (by ReferenceId, say) before creating again.
//
// PUT /Api/R3/Project → {"Id": N}
func (s *ProjectsService) Create(ctx context.Context, b ProjectBody) (int, error) {
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Project", pattern: "/Api/R3/Project", body: b.projectBody()})
}

// Update changes the given fields of a card ({"Deleted": 1} trashes it,
// {"Deleted": 0} restores it); CategoryId cannot change. Retried like a
// read.
//
// PUT /Api/R3/Project/<Id> → {"Id": N}
func (s *ProjectsService) Update(ctx context.Context, id int, b ProjectBody) (int, error) {
	if err := checkID("card Id", id); err != nil {
		return 0, err
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/Project/" + itoa(id),
		pattern: "/Api/R3/Project/{id}", body: b.projectBody(), safe: true})
}

// StatusChange is one entry of a card's status history. The first entry has
// no old status.
type StatusChange struct {
	Id            int    `json:"Id"`
	ProjectId     int    `json:"ProjectId"`
	Type          string `json:"Type"`
	UserId        int    `json:"UserId"`
	ClosedAt      string `json:"ClosedAt"`
	OldStatusId   int    `json:"Status_Old_Id"`
	NewStatusId   int    `json:"Status_New_Id"`
	OldStatusName string `json:"Status_Old_Name"`
	NewStatusName string `json:"Status_New_Name"`
}

// UnmarshalJSON accepts the all-strings form MiniCRM sends.
func (h *StatusChange) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, ProjectId, UserId FlexInt
		OldStatusId           FlexInt `json:"Status_Old_Id"`
		NewStatusId           FlexInt `json:"Status_New_Id"`
		Type, ClosedAt        FlexString
		OldStatusName         FlexString `json:"Status_Old_Name"`
		NewStatusName         FlexString `json:"Status_New_Name"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*h = StatusChange{Id: w.Id.Int(), ProjectId: w.ProjectId.Int(), Type: w.Type.String(), UserId: w.UserId.Int(),
		ClosedAt: w.ClosedAt.String(), OldStatusId: w.OldStatusId.Int(), NewStatusId: w.NewStatusId.Int(),
		OldStatusName: w.OldStatusName.String(), NewStatusName: w.NewStatusName.String()}
	return nil
}

func (h *StatusChange) itemID() int { return h.Id }

// History returns a card's status changes, oldest first (every page). It is
// not available for trashed cards (404).
//
// GET /Api/R3/ProjectHistory/<Id>?Type=StatusHistory
func (s *ProjectsService) History(ctx context.Context, projectID int) ([]StatusChange, error) {
	if err := checkID("card Id", projectID); err != nil {
		return nil, err
	}
	r := apiRequest{method: http.MethodGet, path: "Api/R3/ProjectHistory/" + itoa(projectID), pattern: "/Api/R3/ProjectHistory/{id}",
		query: url.Values{"Type": {"StatusHistory"}}, safe: true}
	return collect(walk(ctx, func(ctx context.Context, page int) (*Page[StatusChange], error) {
		return fetchPage[StatusChange](ctx, s.client, r, page)
	}))
}
