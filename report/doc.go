// Package report writes what a run did, for people and for the next program:
// the rows that failed, with their file, row, column, reason and original
// values (errors.csv, which can be fixed in Excel and imported again:
// RejectWriter, and RejectWriter.Add for a stage's rejection), the rows
// that succeeded (success.csv) or would change (plan.csv, a dry run), both
// through Outcomes, and the run's summary (summary.json, WriteSummary).
// Every cell that comes from a source goes through csvsafe.Neutralize.
package report
