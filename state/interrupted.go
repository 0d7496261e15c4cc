package state

import "errors"

// ErrInterrupted is wrapped by the error of a run (an import, an export)
// that its context ended: what it did is checkpointed here, and the same
// run with --resume continues. pipeline.ErrInterrupted and
// export.ErrInterrupted are this error, so one errors.Is covers both.
var ErrInterrupted = errors.New("interrupted")
