// Package progress is the one progress display of the long-running commands
// (import, export): a bar per phase with the rate, the requests a minute
// and the time left on a terminal, or a plain line every so often otherwise
// (cron, a log file). ForImport and ForExport turn the runs' own progress
// snapshots (pipeline.Progress, export.Progress) into its Updates.
package progress
