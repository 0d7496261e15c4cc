package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/state"
)

// The job and its journal: which job a run is (its mapping, source and
// system), and, on --resume, what the interrupted run of it did.

// resumeState is what a resumed run takes from the interrupted one.
type resumeState struct {
	resume  bool
	journal map[int]state.RowOutcome
	// carry holds, on resume, the records each unfinished row had already
	// created (from the journal and from settled pending creates): the row
	// reports them as created when it runs again.
	carry map[int]map[mapping.EntityKind]int
}

// identify computes the job's identity and the run record.
func (r *run) identify(mappingPath, srcPath string) (*state.Run, error) {
	absM, err := filepath.Abs(mappingPath)
	if err != nil {
		return nil, err
	}
	absS, err := filepath.Abs(srcPath)
	if err != nil {
		return nil, err
	}
	mh, _, _, err := hashFile(absM)
	if err != nil && r.cfg.Mapping == nil {
		return nil, err
	}
	sh, size, mtime, err := hashFile(absS)
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256([]byte(absM + "\x00" + absS + "\x00" + r.system))
	r.job = hex.EncodeToString(d[:8])
	return &state.Run{Job: r.job, System: r.system, MappingPath: absM, MappingHash: mh, SourcePath: absS, SourceHash: sh,
		SourceSize: size, SourceModTime: mtime, Status: state.StatusRunning, StartedAt: r.started}, nil
}

// decideResume looks at the job's last run.
func (r *run) decideResume(cur *state.Run) error {
	last, err := r.db.LastRun(r.job)
	if err != nil {
		return err
	}
	switch {
	case r.cfg.DryRun:
	case r.cfg.Resume && last != nil && last.Status == state.StatusRunning && last.SameInput(cur):
		r.resume = true
		cur.StartedAt, cur.Resumes = last.StartedAt, last.Resumes+1
		if r.journal, err = r.db.Journal(r.job); err != nil {
			return err
		}
		for line, o := range r.journal {
			if o.Done {
				continue
			}
			for _, e := range o.Entities {
				if e.Action == ActionCreated && e.Id > 0 {
					r.carryCreated(line, mapping.EntityKind(e.Kind), e.Id)
				}
			}
		}
		r.log.Info("resuming the interrupted run", "started", last.StartedAt, "rows journaled", len(r.journal))
	case r.cfg.Resume && last == nil:
		r.log.Info("nothing to resume: this job has not run before")
	case r.cfg.Resume && last.Status == state.StatusFinished:
		r.log.Info("nothing to resume: the last run finished; comparing every row afresh")
	case r.cfg.Resume:
		r.log.Warn("the mapping or the source changed since the interrupted run; comparing every row afresh")
	case last != nil && last.Status == state.StatusRunning:
		r.log.Warn("the last run was interrupted; starting afresh (--resume continues it instead)")
	}
	r.sum.Resumed = r.resume
	return nil
}

func (r *run) carryCreated(line int, kind mapping.EntityKind, id int) {
	if r.carry[line] == nil {
		r.carry[line] = map[mapping.EntityKind]int{}
	}
	r.carry[line][kind] = id
}

// hashFile digests a file.
func hashFile(path string) (sum string, size int64, mtime time.Time, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return "", 0, time.Time{}, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, fi.ModTime(), nil
}
