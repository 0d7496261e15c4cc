// Package export pages everything out of MiniCRM into files accountants
// can open: CSV (UTF-8, or Hungarian Excel's dialect) or XLSX (typed cells,
// a sheet per table), incrementally, without re-reading what did not
// change.
//
//	list (100 a page) ──▶ snapshot ──▶ details ×Workers ──▶ snapshot ──▶ rows ──▶ Writer
//	 UpdatedSince or     state.db                             in Id order   CSV / XLSX,
//	 webhook change log  (package state)                      labels from   renamed into
//	                                                          the Schema    place at the end
//
// # The snapshot
//
// Every record listed is kept in the state directory (package state, an
// export snapshot per target: the system and the output file), its values
// in one canonical form (dropdowns as option ids, whatever the source).
// The output is always written from the snapshot, in Id order, so memory
// does not grow with the number of rows (the snapshot is a bbolt file, not
// the heap), and a later run can merge what changed into it:
//
//   - a full run lists the contacts and each exported module's cards, then
//     drops from the snapshot what the listing no longer shows;
//   - an incremental run (Config.Incremental) lists what changed since the
//     scope's watermark (UpdatedSince, MiniCRM's clock, minus Overlap) and
//     the module's trashed cards (Deleted=1), which leave the snapshot;
//   - a --from-changes run (Config.FromChanges) applies the newest
//     notification of each record in a webhook change log instead
//     (package webhook): its Data is the whole record.
//
// To-dos have no UpdatedSince: a run reads the ToDoList of each exported
// card it listed (all of them in a full run, the changed ones in an
// incremental one). MiniCRM's contact list does not show deleted contacts,
// so a contact deleted in MiniCRM leaves an incremental snapshot only when
// its detail is read (Deleted 1, or 404) or with FullRefresh.
//
// # The system cache
//
// What does not depend on the output — the schemas and the module list
// (for a day), the detail records of contacts and cards (until a listing
// shows them changed) — is kept per system in the state directory and
// shared by every export of it, whatever its file or format (cache.go).
//
// # Details
//
// Without Config.Details the tables have the columns list items show; with
// it, every field of the Schema in the Schema's order, read from each
// record's detail record (a request per record). Details are checkpointed
// in the snapshot as they come: an interrupted run resumed (Config.Resume)
// reads only the rest, and an incremental run only those of the records
// listed as changed.
//
// # Rows
//
// Dropdown values are written as their labels through the Schema (option
// ids with Config.IDs), multi-select values as their labels joined by ", ".
// Person rows carry their company's name and email, card rows their
// contact's and company's, to-do rows their card's name: looked up in the
// snapshot, no request per row. Writers are a small interface (Writer): the
// CSV writer neutralizes formula-like text (Neutralize), the XLSX writer
// writes each sheet's XML straight into the zip file as rows come (inline
// strings, no buffer of the sheet), its small parts made by excelize.
// Files are written to a
// temporary file in the same directory and renamed into place only when
// complete.
//
// # Documents
//
// Invoices, orders and offers (Invoices, Orders, Offers) are listed from
// their List endpoints and every one's detail is read, since the list has
// neither the customer nor the lines; the lines are kept with the document
// in the snapshot and written, with Config.Items, as a second table, a row
// per line. Amounts are numbers whatever form MiniCRM wrote them in
// (Number). XLSX tables of documents end with a totals row per currency.
// The company of each document's card is looked up in the snapshot: the
// contacts and the document modules' cards are listed, and the detail of
// each company named is read once.
//
// # Headers and tables
//
// Config.Headers names MiniCRM's own columns and the tables in Hungarian;
// Config.Columns picks, orders and renames columns; Config.PerModule writes
// the cards as a table per module with that module's fields only. With
// details, person and card rows carry their company's VAT and registration
// numbers.
//
// The package prints nothing; Config.Progress and Config.Logger report.
package export
