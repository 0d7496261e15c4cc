// Package pipeline is the import engine: it brings a spreadsheet into
// MiniCRM with the fewest requests, never a duplicate, safe to run again
// every night and to resume after a crash.
//
//	source rows ──▶ map ×cores ──▶ plan (match) ──▶ write ×N ──▶ outcomes
//	 (batches)      mapping         mirror          restapi      journal; report writes
//	 read.go        (rowflow)       match.go        write.go     success.csv / plan.csv,
//	                                                             errors.csv (outcomes.go)
//
// Each step of a row's path has its file. The rows are read and mapped in
// the one row flow of package rowflow (read.go), as the feed build and the
// mapping check read theirs; in file order, a row done at once (skipped,
// rejected, or taken from the journal of the run being resumed) goes to the
// outcomes, the others to the planner. The planner, the writers and the
// outcome sink run in goroutines of one errgroup, connected by bounded
// channels; the writers move single rows, and the outcome sink puts them
// back in file order (rowflow.Reorder). A problem with one row is data: it
// travels to the outcomes as the row's error and the run goes on. Only
// fatal problems stop the run: the mapping does not fit the schema,
// MiniCRM refuses the credentials or does not answer, the state directory
// cannot be written. The phases around the rows are in import.go (prepare,
// openJob, bringMirror, close), resume.go, refresh.go and progress.go; an
// import via the feed adds its steps (viafeed.go, feedparts.go, adopt.go).
// The package writes no file format itself (package report does).
//
// # Matching
//
// Before the rows, the run brings its mirror of MiniCRM up to date (package
// state keeps it between runs): a full listing of the contacts and of the
// mapped module's cards the first time, 100 a page, and only what changed
// since (UpdatedSince) on later runs. The planner matches each record by the
// mapping's keys in order (email, phone, external id, VAT number, name), all
// normalized the way package mapping normalizes rows, so that matching is an
// equality test; the first key that finds anything decides, and two
// candidates make the row an error instead of a guess. A key never
// overrides a stronger one (external id > VAT number > e-mail > phone >
// name): a record found by a weaker key whose value of a stronger key the
// row carries differs is no match, and a name equal only when accents are
// ignored needs a stronger key to agree (guard.go). Within a run, the first
// row to give a record a key value holds it; a later row giving another is
// an error row. Each such decision is a warning in the summary. Records the run will
// create are entered into the indexes as soon as they are planned, so a
// company named on a thousand rows is created once, and a person named twice
// is written once and diffed the second time against the first.
//
// # Writing
//
// Each record is compared with what the mirror knows; only the fields that
// differ are sent (a PUT with the changed fields), and a record that does not
// differ costs nothing. A detail record is fetched only when a mapped field is
// neither in the list summary nor known from before. The writers run
// Config.Workers rows at a time through the client's shared rate limiter; a
// row's Business is written before its Person before their Project, and the
// writes to one record happen in file order.
//
// # Addresses
//
// A contact's address (the mapping's address: block) is written right after
// the contact, in the contact's step (address.go): found among the
// contact's addresses by its Type (or Name), created or updated with the
// fields that differ. The mirror keeps each contact's addresses as written
// or read, so an unchanged address costs nothing; a contact the run
// created has none to look up. docs/addresses.md has the details.
//
// # Exactly once
//
// A create's pending entry is on disk before its request leaves. If the
// answer is lost (restapi.UnknownOutcomeError), MiniCRM is searched by the
// record's keys before the create is sent again. If the process dies, the
// next run finds the pending entry and searches the same way before the row
// runs again. Every row's outcome, with the Ids it created, goes to the
// journal; Resume skips the rows already done. An address's create has a
// pending entry too; a lost answer, or one a dead run left, is settled by
// reading the contact's addresses before the create is sent again.
package pipeline
