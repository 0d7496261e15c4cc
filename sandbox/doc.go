// Package sandbox is a local emulator of the MiniCRM REST API (R3 and the
// Order/Invoice/Offer endpoints), faithful to the two editions of MiniCRM's API
// documentation and to behaviour observed on live systems.
//
// It is the embedded default that `minicrm-bulk demo`, the tests and new users
// run against, the way MiniCRM's own TEST environment (r3-test) serves
// integrators. Its fidelity is a feature: plain-text error bodies of the form
// "<Entity> (<METHOD>): <message>", lists of 100 per page with Page counted
// from 0, Count/Results envelopes whose Results is an object keyed by id (an
// array for ToDoList; an empty array when nothing matched), enum ids in lists
// but labels in detail records, HTTP basic auth with SystemId:ApiKey, and a
// per-system rate limit answered with 429.
//
// A Server is an http.Handler, so tests mount it with httptest and the CLI
// serves it on loopback. Test hooks live under /_sandbox/ (stats, reset, load,
// faults, webhooks); they need the same credentials and are not rate limited.
// Webhooks (webhooks.go) notify other servers of changes the way MiniCRM's do.
// Beyond contacts, cards and to-dos it serves addresses, templates, e-mails,
// products and card connections (catalog.go and the files it names), whose
// records a data set's Catalog holds.
//
// Where things are: server.go (the Server, routing, authentication, the
// rate limit), routes.go (every endpoint), hooks.go (the test hooks, reset,
// load and the state file), faults.go (fault injection), store.go and
// dataset.go (the records and the data sets they start from), contact.go,
// project.go and todo.go (R3), documents*.go (orders, invoices, offers),
// syncfeed*.go (XML sync), webhooks.go, and catalog.go for the rest.
//
// Where the Hungarian (2021) and English editions of the documentation
// disagree, the difference is a Config option and the place is commented:
// the rate limit (60 vs 180 requests a minute) is Config.RPM.
package sandbox
