// Package state is the import's memory between runs: an embedded database
// (go.etcd.io/bbolt, one file, state.db, in the state directory) holding
//
//   - runs: one record per import job (a mapping, a source file and a
//     MiniCRM system), with the hashes that tell whether a later run is the
//     same job on the same file, and whether the last run finished;
//   - journal: per job, each source row's outcome (what happened to each of
//     its records: created, updated, unchanged, error, skipped; the MiniCRM
//     ids; the changed fields), so that --resume can go on where a run
//     stopped;
//   - pending: per job, the creates about to be sent. A pending entry is
//     written and fsync'd before the create request leaves, and removed in
//     the same transaction that journals the created Id. An entry found at
//     start means a run died between the two: the record may or may not
//     exist, and the importer looks it up in MiniCRM before anything is
//     created again;
//   - mirror: per MiniCRM system, a copy of the contacts and of the cards of
//     the mapped modules, as the list endpoints show them plus the fields
//     known from detail records and from our own writes, with the
//     watermarks (the time of the last refresh) for the next incremental
//     refresh;
//   - exports: per export target (a system and an output file), the rows
//     the export wrote — each record's values keyed by scope and Id — and
//     its meta: the run, the watermarks of its listings, where the next
//     --from-changes run reads the webhook log from, and checkpoints, so
//     that an incremental export merges what changed into the previous
//     rows and an interrupted one does not read a detail record twice
//     (ExportBatch, CommitExport, ViewExport).
//
// The database is a key/value store with one writer at a time: a second
// import on the same state directory is refused (ErrLocked) instead of
// interleaving. Writes go in transactions that are fsync'd when they commit,
// so a crash (even kill -9) leaves either the state before a transaction or
// the state after it.
//
// A file damaged on disk (a bit flipped, cut short, overwritten) is found
// by the consistency check Open runs (what bbolt's own check finds, and
// every offset bbolt would follow outside the file; it reads the file from
// disk a page at a time, so that opening a large snapshot does not put the
// whole file in the process's memory), or when a stored value no longer
// decodes; bbolt's panics on damaged pages are recovered. Each is a
// *DamagedError (errors.Is ErrDamaged) that says what is damaged, whether
// MiniCRM was touched, and what to do: move the file aside; the mirror is
// rebuilt from MiniCRM, and only an interrupted run's journal is lost.
//
// The package knows nothing about HTTP or mappings: it stores what the
// pipeline gives it. Match indexes over the mirror are built in memory by the
// pipeline when it loads the records (a hundred thousand records load in well
// under a second), so they can never disagree with the records on disk.
package state
