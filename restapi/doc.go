// Package restapi is a typed client for MiniCRM's REST API (R3, plus the
// Order, Invoice and Offer endpoints). Every sink and export of minicrm-bulk
// talks to MiniCRM through it, and it holds the project's only pacing and
// retry policy.
//
// # Usage
//
//	c, err := restapi.NewClient(
//		restapi.WithSystemID("12345"),
//		restapi.WithAPIKey(os.Getenv("MINICRM_API_KEY")),
//	)
//	...
//	for p, err := range c.Contacts.Search(ctx, restapi.ContactSearchOptions{Email: "norbert@minicrm.hu"}) {
//		if err != nil { ... }
//		fmt.Println(p.Id, p.Name)
//	}
//
// Services follow the API's resources: Categories, Schemas, Contacts (with
// PurgePerson as Contacts.Purge), Projects (with ProjectHistory as
// Projects.History), ToDos (ToDoList and ToDo; Close is the POST that sets
// a close time), Addresses (Address and AddressList), Templates
// (TemplateList and Template, read-only), Emails (EmailList), Products
// (create or update by SKU), Orders, Invoices, Offers, and SyncFeed (XML
// sync feeds: Pull makes MiniCRM download a published file, Upload sends
// one; see package xmlfeed). Every method takes a context first. Contacts and
// cards are created and updated with a ContactRequest or ProjectRequest,
// whose system fields (Type, BusinessId, CategoryId, ContactId) are typed,
// or with Fields built by hand; both go out as the same flat JSON object.
// Package restapi/crm holds MiniCRM's rules about fields and values.
//
// # Pacing
//
// MiniCRM limits each system to a number of requests per sliding minute (60
// in the Hungarian documentation, 180 in the English) and answers 429
// beyond it. A Client paces with a Budget: a token-bucket limiter
// (golang.org/x/time/rate) set to the limit (WithRPM, default 60) minus a
// small headroom (WithHeadroom, default 2%), so calls may run from many
// goroutines and the total stays under the limit. Clients that talk to one
// system are given one Budget (NewBudget, WithBudget) and draw on it
// together; nothing is shared behind the caller's back, so two Budgets
// never meet. On a 429 every goroutine of the Budget pauses and the refused
// request is sent again; nothing is lost, since MiniCRM does not process a
// refused request.
//
// SyncFeed calls have a limit of their own (180 an hour in MAN25) and are
// paced by the Budget's second limiter (WithSyncFeedRate), so a push never
// waits behind REST calls nor spends their budget.
//
// Work above one request that is worth doing again (a create whose answer
// was lost and that a search proved was not carried out) waits through
// Client.RetryPause, so the one RetryPolicy bounds it too.
//
// # Retries and unknown outcomes
//
// A call is retried (see RetryPolicy) after a 429 always, and after a 5xx or
// a lost connection only when it is safe to repeat: reads and updates that
// set fields by Id. A create (PUT without an Id, POST of an Order, Invoice
// or Offer) or another write that must not happen twice (purging a person,
// closing a to-do, a document's status change) is never resent once it may
// have reached the server: the call fails with *UnknownOutcomeError, and
// the caller re-matches (searches by email, ReferenceId…) before trying
// again. A request that provably never left (connection refused) is retried
// whatever it is. 400, 401, 404 and 405 fail at once as *APIError carrying
// the status and MiniCRM's plain-text message; match them with errors.Is
// and ErrBadRequest, ErrUnauthorized, ErrNotFound, ErrMethodNotAllowed.
//
// # Paging
//
// Lists come 100 items a page, Page counted from 0, with a Count of all
// matches. Search and List methods return an iter.Seq2 that walks the pages
// and yields each item once, even when insertions during the walk push items
// onto later pages; a Count that grows or shrinks during the walk neither
// ends it early nor makes it loop. Offset paging has no snapshot, so an item
// can be missed when a deletion during the walk moves it onto a page already
// read, and items created during the walk may or may not appear. For
// completeness, walk again with UpdatedSince set to the time the first walk
// began (see ContactsService.Search).
//
// # Quirks absorbed
//
// Results is an object keyed by id, an array (ToDoList) or [] when empty;
// numbers come as numbers or strings (FlexInt, FlexString); answers may
// start with a UTF-8 BOM; detail records give dropdown fields as labels
// where lists give ids, so detail types keep every field in Fields besides
// the typed system fields; PurgePerson answers JSON {"Message": …} where
// other errors are plain text.
//
// # Secrets
//
// The API key only ever travels in the Authorization header. It is never in
// a URL, an error, a log line or the output of String, GoString or LogValue.
//
// # Accounting
//
// Client.Stats reports requests by endpoint, 429s, retries, bytes and
// latency percentiles for run reports and benchmarks.
package restapi
