// Package report writes what a run did, for people and for the next program:
// the rows that failed, with their file, row, column, reason and original
// values (errors.csv, which can be fixed in Excel and imported again), the
// rows that succeeded (success.csv), and summaries.
package report
