// Package lookup does the read-only look-ups of the command line —
// categories, get, schema, search — against a restapi.Client, and writes
// their results for the screen: tables for people, indented JSON or one
// JSON object a line for scripts. The commands in cmd/minicrm-bulk only
// bind flags to these functions.
package lookup
