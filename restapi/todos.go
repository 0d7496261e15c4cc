package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ToDosService lists, reads and writes to-dos (tasks) of cards.
type ToDosService service

// ToDoItem is a to-do as ToDoList shows it (every value a string there).
type ToDoItem struct {
	Id       int    `json:"Id"`
	Status   string `json:"Status"`
	Comment  string `json:"Comment"`
	Deadline string `json:"Deadline"`
	UserId   int    `json:"UserId"`
	// Type is the to-do type's id (0: none); the detail record gives its label.
	Type int    `json:"Type"`
	Url  string `json:"Url"`
}

// UnmarshalJSON accepts the all-strings form MiniCRM sends.
func (t *ToDoItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, UserId, Type               FlexInt
		Status, Comment, Deadline, Url FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = ToDoItem{Id: w.Id.Int(), Status: w.Status.String(), Comment: w.Comment.String(), Deadline: w.Deadline.String(),
		UserId: w.UserId.Int(), Type: w.Type.Int(), Url: w.Url.String()}
	return nil
}

func (t *ToDoItem) itemID() int { return t.Id }

// ToDo is a to-do's detail record. User, Type, CreatedBy, UpdatedBy and
// ClosedBy are labels (names) here; Fields holds every field as received.
type ToDo struct {
	Id          int
	User        string // the "UserId" member: the owner's name
	ContactId   int
	ProjectId   int
	AddressId   int
	Type        string // a label
	Duration    int    // minutes
	Reminder    int    // minutes
	Status      string // Open, Closed, Failed…
	Mode        string // Task/Email ("Teendő" on Hungarian systems)
	Deadline    string
	Comment     string
	CreatedBy   string
	CreatedAt   string
	UpdatedBy   string
	UpdatedAt   string
	ClosedBy    string
	ClosedAt    string // "0000-00-00 00:00:00" while open
	Members     []ToDoMember
	Notes       []ToDoNote
	Attachments json.RawMessage
	Fields      map[string]any
	Raw         json.RawMessage
}

// ToDoMember is a participant of a to-do.
type ToDoMember struct {
	Entity   string `json:"Entity"`
	EntityId int    `json:"EntityId"`
}

// ToDoNote is a note on a to-do.
type ToDoNote struct {
	Comment   string `json:"Comment"`
	CreatedBy string `json:"CreatedBy"`
	CreatedAt string `json:"CreatedAt"`
}

// UnmarshalJSON decodes a detail record.
func (t *ToDo) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, ContactId, ProjectId, AddressId, Duration, Reminder             FlexInt
		UserId, Type, Status, Mode, Deadline, Comment, CreatedBy, CreatedAt FlexString
		UpdatedBy, UpdatedAt, ClosedBy, ClosedAt                            FlexString
		Members                                                             []struct {
			Entity   FlexString
			EntityId FlexInt
		}
		Notes       []struct{ Comment, CreatedBy, CreatedAt FlexString }
		Attachments json.RawMessage
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	fields, err := decodeFields(b)
	if err != nil {
		return err
	}
	*t = ToDo{Id: w.Id.Int(), User: w.UserId.String(), ContactId: w.ContactId.Int(), ProjectId: w.ProjectId.Int(),
		AddressId: w.AddressId.Int(), Type: w.Type.String(), Duration: w.Duration.Int(), Reminder: w.Reminder.Int(),
		Status: w.Status.String(), Mode: w.Mode.String(), Deadline: w.Deadline.String(), Comment: w.Comment.String(),
		CreatedBy: w.CreatedBy.String(), CreatedAt: w.CreatedAt.String(), UpdatedBy: w.UpdatedBy.String(),
		UpdatedAt: w.UpdatedAt.String(), ClosedBy: w.ClosedBy.String(), ClosedAt: w.ClosedAt.String(),
		Attachments: w.Attachments, Fields: fields, Raw: bytes.Clone(b)}
	for _, m := range w.Members {
		t.Members = append(t.Members, ToDoMember{Entity: m.Entity.String(), EntityId: m.EntityId.Int()})
	}
	for _, n := range w.Notes {
		t.Notes = append(t.Notes, ToDoNote{Comment: n.Comment.String(), CreatedBy: n.CreatedBy.String(), CreatedAt: n.CreatedAt.String()})
	}
	return nil
}

// MarshalJSON encodes the record as received.
func (t ToDo) MarshalJSON() ([]byte, error) { return rawOrFields(t.Raw, t.Fields) }

// ToDoListOptions filter a card's to-dos.
type ToDoListOptions struct {
	// Status is Open, Closed or All (the default, as the official client).
	Status string
	// UserId is an owner's id or name.
	UserId string
}

// List returns a card's to-dos (every page).
//
// GET /Api/R3/ToDoList/<ProjectId>?Status=All → {"Count": N, "Results": [ … ]}
func (s *ToDosService) List(ctx context.Context, projectID int, opts ToDoListOptions) ([]ToDoItem, error) {
	if err := checkID("card Id", projectID); err != nil {
		return nil, err
	}
	status := opts.Status
	if status == "" {
		status = "All"
	}
	q := url.Values{"Status": {status}}
	if opts.UserId != "" {
		q.Set("UserId", opts.UserId)
	}
	r := apiRequest{method: http.MethodGet, path: "Api/R3/ToDoList/" + itoa(projectID), pattern: "/Api/R3/ToDoList/{id}",
		query: q, safe: true}
	return collect(walk(ctx, func(ctx context.Context, page int) (*Page[ToDoItem], error) {
		return fetchPage[ToDoItem](ctx, s.client, r, page)
	}))
}

// Get returns a to-do's detail record.
//
// GET /Api/R3/ToDo/<Id>
func (s *ToDosService) Get(ctx context.Context, id int) (*ToDo, error) {
	return getDetail[ToDo](ctx, s.client, "ToDo", "to-do Id", id)
}

// Create adds a to-do to a card (f["ProjectId"] is required) and returns its
// Id. Creating with POST is refused by live systems (405), so it is a PUT.
// Not retried after a 5xx or a lost connection (*UnknownOutcomeError).
//
// PUT /Api/R3/ToDo → {"Id": N}
func (s *ToDosService) Create(ctx context.Context, f Fields) (int, error) {
	if _, ok := f["ProjectId"]; !ok {
		return 0, errors.New("restapi: creating a to-do needs ProjectId")
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/ToDo", pattern: "/Api/R3/ToDo", body: f})
}

// Update changes the given fields of an open to-do; ProjectId, Members and
// Notes cannot change, and a closed to-do cannot change at all. It is
// retried like a read, except when it closes the to-do (Status other than
// Open, or ClosedAt): sent twice, the second would be refused, so a lost
// answer is an *UnknownOutcomeError and Get tells whether it was closed.
//
// PUT /Api/R3/ToDo/<Id> → {"Id": N}
func (s *ToDosService) Update(ctx context.Context, id int, f Fields) (int, error) {
	if err := checkID("to-do Id", id); err != nil {
		return 0, err
	}
	safe := true
	if st, ok := f["Status"]; ok && !strings.EqualFold(strings.TrimSpace(fmt.Sprint(st)), "Open") {
		safe = false
	}
	if _, ok := f["ClosedAt"]; ok {
		safe = false
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPut, path: "Api/R3/ToDo/" + itoa(id), pattern: "/Api/R3/ToDo/{id}",
		body: f, safe: safe})
}
