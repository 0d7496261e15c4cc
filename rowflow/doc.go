// Package rowflow moves the rows of a source through the stages of a job,
// in parallel and in order: the one row flow that the import
// (package pipeline), the feed build (package xmlfeed) and the mapping check
// (package mapping) share.
//
//	source ──▶ batches ──▶ stage ×N workers ──▶ reorder ──▶ sink
//	 Next()     of rows     (map, encode…)       by batch    (calling goroutine,
//	            (Row: Seq,                                    in source order)
//	             Err)
//
// Run reads the source on one goroutine, in batches of rows (a few hundred,
// so that the channels carry little and a batch's memory is used again
// once its sink is done with it); a row the source could not read travels
// as a Row with Err set, so that it is reported in its place like any
// other; any other source error ends the flow after the rows before it.
// Each worker has its own Stage (it may keep scratch memory from batch to
// batch); the batches come back to the Sink in source order, on the
// goroutine that called Run. Cancelling ctx, or an error from the sink,
// stops every goroutine before Run returns, so the caller may close the
// source at once.
//
// Reorder is the ordering used here, for stages whose rows finish out of
// order (the import's writers): it gives values back by their sequence
// number.
//
// What a row means is not this package's business: package mapping
// classifies a row (mapped, skipped on purpose, or rejected) and counts the
// outcomes; the features add their stages and sinks.
package rowflow
