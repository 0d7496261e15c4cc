// Package oracle says what an import of the test suites' clients file must
// leave in MiniCRM, computed from the source rows alone, and reads a system
// into the same form so the two can be compared.
//
// The fault, kill and resume tests used to compare a system with the result
// of a clean run of the same importer, so a diff or matching bug present in
// both runs passed. The oracle knows nothing of the importer: it reads the
// CSV with encoding/csv and applies testdata/import/clients.yaml by hand
// (one company per VAT number, one person per email address, one card per
// code; the last row naming a record wins). It understands exactly the rows
// the suites generate and refuses any other, rather than guess.
//
// It is test support: only tests import it.
package oracle
