// Package mapping reads mapping files and turns source rows into MiniCRM
// records.
//
// A mapping file (YAML; docs/mapping-reference.md has a complete example) names the source
// and, for each entity it feeds — Business, Person, Project — the keys that
// find an existing record, the links between the records of one row, and
// where each field's value comes from (a column, a constant or a template)
// with its transforms. A Business or a Person may also carry its address
// (an address: block, AddressSpec), checked against the Address schema and
// mapped into Record.Address. An order: block (OrderSpec) makes each row a
// line of a webshop order for a feed (Plan.MapOrderLine; xmlfeed groups
// the lines into orders).
//
// Compile checks a mapping against MiniCRM's Schema and the source header
// before anything is written, and reports every problem at once with the
// mapping file's line number, so a wrong mapping is found in a second, not
// after three hours of rate-limited writes. The compiled Plan then maps rows
// one at a time (Plan.Map): a row becomes a Bundle of records, is Skipped on
// purpose, or fails with RowErrors that name the file, row and column.
// Plan.MapRow does the same for a row of the row flow (package rowflow),
// the one place where a row becomes a Bundle, a Skipped or a Rejected (with
// its original values, for errors.csv); CheckSummary counts such outcomes,
// and CheckRows is the check of a whole source: the flow with a counter for
// a sink.
//
// SuggestSheet writes a mapping for a whole sheet from its header and a
// Sample of its rows (`mapping init`): the business, person and card
// sections the columns support, match keys that never fall back from a VAT
// number to a name, enum tables from the file's values to the options, and
// a comment on every guess. Suggest writes one section, for --entity.
//
// Values are normalized the same way whether they come from a spreadsheet or
// from MiniCRM (phones in international form, emails lower-cased, Hungarian
// numbers and dates parsed, enum labels resolved to option ids), so that a
// diff is an equality test.
package mapping
