package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// TemplatesService reads a module's e-mail, to-do, SMS and file templates.
// Templates are read-only through the API.
type TemplatesService service

// TemplateItem is a template as TemplateList shows it; Type is Email, Todo,
// Sms or File.
type TemplateItem struct {
	Id   int
	Type string
	Name string
	Url  string
}

// UnmarshalJSON accepts numbers or strings alike.
func (t *TemplateItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Id              FlexInt
		Type, Name, Url FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = TemplateItem{Id: w.Id.Int(), Type: w.Type.String(), Name: w.Name.String(), Url: w.Url.String()}
	return nil
}

func (t *TemplateItem) itemID() int { return t.Id }

// Template is a template's detail record. Type is a label here ("To do");
// Content is HTML for e-mails.
type Template struct {
	Id         int
	CategoryId int
	Type       string
	Name       string
	Subject    string
	Content    string
	FolderId   int
	Folders    []int
}

// UnmarshalJSON accepts numbers or strings alike.
func (t *Template) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, CategoryId, FolderId     FlexInt
		Type, Name, Subject, Content FlexString
		Folders                      []FlexInt
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Template{Id: w.Id.Int(), CategoryId: w.CategoryId.Int(), Type: w.Type.String(), Name: w.Name.String(),
		Subject: w.Subject.String(), Content: w.Content.String(), FolderId: w.FolderId.Int()}
	for _, f := range w.Folders {
		t.Folders = append(t.Folders, f.Int())
	}
	return nil
}

// List returns a module's templates; with since set, only those created
// since then (the CreatedAt parameter).
//
// GET /Api/R3/TemplateList/<CategoryId>[?CreatedAt=…] → {"Count": N, "Results": [ … ]}
func (s *TemplatesService) List(ctx context.Context, categoryID int, since time.Time) ([]TemplateItem, error) {
	if err := checkID("category Id", categoryID); err != nil {
		return nil, err
	}
	r := apiRequest{method: http.MethodGet, path: "Api/R3/TemplateList/" + itoa(categoryID), pattern: "/Api/R3/TemplateList/{id}",
		query: createdAtQuery(since), safe: true}
	return collect(walk(ctx, func(ctx context.Context, page int) (*Page[TemplateItem], error) {
		return fetchPage[TemplateItem](ctx, s.client, r, page)
	}))
}

// Get returns a template.
//
// GET /Api/R3/Template/<Id>
func (s *TemplatesService) Get(ctx context.Context, id int) (*Template, error) {
	return getDetail[Template](ctx, s.client, "Template", "template Id", id)
}

func createdAtQuery(since time.Time) url.Values {
	if since.IsZero() {
		return nil
	}
	return url.Values{"CreatedAt": {FormatTime(since)}}
}

// EmailsService reads the e-mails recorded on cards.
type EmailsService service

// Email is an e-mail sent from a card. The *At times are "" when it did not
// happen. MiniCRM documents no example of this answer: the fields follow
// the one public client that maps it.
type Email struct {
	Id               int
	ProjectId        int
	TemplateId       int
	From             string
	To               string
	Subject          string
	Body             string
	Status           string
	CreatedAt        string
	OpenedAt         string
	ClickedAt        string
	UnsubscribedDate string
}

// UnmarshalJSON accepts numbers or strings alike.
func (m *Email) UnmarshalJSON(b []byte) error {
	var w struct {
		Id, ProjectId, TemplateId                        FlexInt
		From, To, Subject, Body, Status                  FlexString
		CreatedAt, OpenedAt, ClickedAt, UnsubscribedDate FlexString
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Email{Id: w.Id.Int(), ProjectId: w.ProjectId.Int(), TemplateId: w.TemplateId.Int(), From: w.From.String(),
		To: w.To.String(), Subject: w.Subject.String(), Body: w.Body.String(), Status: w.Status.String(),
		CreatedAt: w.CreatedAt.String(), OpenedAt: w.OpenedAt.String(), ClickedAt: w.ClickedAt.String(),
		UnsubscribedDate: w.UnsubscribedDate.String()}
	return nil
}

func (m *Email) itemID() int { return m.Id }

// List returns a card's e-mails; with since set, only those sent since
// then (the CreatedAt parameter).
//
// GET /Api/R3/EmailList/<ProjectId>[?CreatedAt=…] → {"Count": N, "Results": {"<Id>": { … }}}
func (s *EmailsService) List(ctx context.Context, projectID int, since time.Time) ([]Email, error) {
	if err := checkID("card Id", projectID); err != nil {
		return nil, err
	}
	r := apiRequest{method: http.MethodGet, path: "Api/R3/EmailList/" + itoa(projectID), pattern: "/Api/R3/EmailList/{id}",
		query: createdAtQuery(since), safe: true}
	return collect(walk(ctx, func(ctx context.Context, page int) (*Page[Email], error) {
		return fetchPage[Email](ctx, s.client, r, page)
	}))
}
