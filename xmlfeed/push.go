package xmlfeed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// FeedService is what Push needs of MiniCRM: the two ways it takes a feed
// (restapi.SyncFeedService).
type FeedService interface {
	Upload(ctx context.Context, feedID int, body io.ReadSeeker) (*restapi.SyncFeedAnswer, error)
	Pull(ctx context.Context, sourceURL string) (*restapi.SyncFeedAnswer, error)
}

// PushOptions say what to push where: the Files to FeedID (an upload each),
// or SourceURL (MiniCRM downloads the published feed; Files then holds at
// most its local copy, whose digest advances the snapshot).
type PushOptions struct {
	Service   FeedService
	FeedID    int
	SourceURL string
	Files     []string
	// StateDir holds the --changed-only snapshot; a pushed file whose
	// digest the snapshot knows marks its cards as sent. No snapshot there:
	// nothing to advance.
	StateDir string
}

// Pushed is one file's outcome.
type Pushed struct {
	Path  string
	Cards int
	// Sent is false for a file without cards (nothing is sent).
	Sent bool
	// Answer is MiniCRM's answer to the call.
	Answer string
	// Scope and Marked say which snapshot the push advanced and by how many
	// cards (Scope empty: none); SnapshotErr why it could not be advanced.
	Scope       string
	Marked      int
	SnapshotErr error
}

// PushResult is what Push did, file by file, in order.
type PushResult struct {
	Files []Pushed
	// Pulled is set when MiniCRM downloaded the feed from SourceURL;
	// Unpromoted when no local copy was given to advance the snapshot.
	Pulled     bool
	Unpromoted bool
}

// Text is what a user reads: a line a file, with the snapshot it advanced.
func (r *PushResult) Text() string {
	var b strings.Builder
	for _, p := range r.Files {
		switch {
		case !p.Sent:
			fmt.Fprintf(&b, "%s has no cards: nothing to push\n", p.Path)
		case r.Pulled:
			fmt.Fprintf(&b, "MiniCRM downloaded the feed and applies it in the background; it answered: %s\n", p.Answer)
		default:
			fmt.Fprintf(&b, "pushed %s: %d card(s); MiniCRM applies it in the background; it answered: %s\n", p.Path, p.Cards, p.Answer)
		}
		if p.Scope != "" {
			fmt.Fprintf(&b, "  snapshot %q: %d card(s) marked as sent\n", p.Scope, p.Marked)
		}
	}
	if r.Unpromoted {
		fmt.Fprintf(&b, "(give the local copy of the published file to advance a --changed-only snapshot)\n")
	}
	return b.String()
}

// Warnings are the files pushed whose snapshot could not be advanced.
func (r *PushResult) Warnings() []string {
	var w []string
	for _, p := range r.Files {
		if p.SnapshotErr != nil {
			w = append(w, fmt.Sprintf("%s was pushed, but the snapshot could not be advanced: %v", p.Path, p.SnapshotErr))
		}
	}
	return w
}

// CheckFile reads a feed file once: its SHA-256 (the snapshot's key) and its
// number of cards, or why it is not a feed.
func CheckFile(path string) (sha string, cards int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	cards, err = Count(io.TeeReader(f, h))
	if err != nil {
		return "", cards, fmt.Errorf("%s is not a well-formed feed: %w", path, err)
	}
	if _, err := io.Copy(h, f); err != nil { // whatever follows the root
		return "", cards, err
	}
	return hex.EncodeToString(h.Sum(nil)), cards, nil
}

// Push hands feeds to MiniCRM. Every file is checked first (well-formed,
// number of cards): one bad file and nothing is sent. A file without cards
// is not sent (its snapshot advances all the same). The snapshot of a file
// advances only once MiniCRM has taken that very file, so a failed push
// leaves its cards to the next --changed-only build. On an error the result
// holds what was pushed before it.
func Push(ctx context.Context, o PushOptions) (*PushResult, error) {
	switch {
	case (o.FeedID > 0) == (o.SourceURL != ""):
		return nil, errors.New("push: give either a FeedId with the files, or a source URL")
	case o.FeedID > 0 && len(o.Files) == 0:
		return nil, errors.New("push: a FeedId needs the feed files to upload")
	case o.SourceURL != "" && len(o.Files) > 1:
		return nil, errors.New("push: a source URL pushes one feed; give at most its local copy")
	}
	res := &PushResult{}
	var shas []string
	for _, path := range o.Files {
		sha, cards, err := CheckFile(path)
		if err != nil {
			return res, fmt.Errorf("%w; nothing was pushed", err)
		}
		shas = append(shas, sha)
		res.Files = append(res.Files, Pushed{Path: path, Cards: cards})
	}
	var snap *Snapshot
	if _, err := os.Stat(filepath.Join(o.StateDir, SnapshotFile)); err == nil {
		if snap, err = OpenSnapshot(o.StateDir); err != nil {
			return res, err
		}
		defer snap.Close()
	}
	promote := func(i int) {
		if snap == nil {
			return
		}
		pf, ok, err := snap.Promote(shas[i])
		switch {
		case err != nil:
			res.Files[i].SnapshotErr = err
		case ok:
			res.Files[i].Scope, res.Files[i].Marked = pf.Scope, pf.Cards
		}
	}
	if o.SourceURL != "" {
		if len(res.Files) == 1 && res.Files[0].Cards == 0 {
			promote(0)
			return res, nil
		}
		ans, err := o.Service.Pull(ctx, o.SourceURL)
		if err != nil {
			res.Files = nil
			return res, fmt.Errorf("MiniCRM did not take the feed: %w; the snapshot was not advanced", err)
		}
		res.Pulled = true
		if len(res.Files) == 0 {
			res.Files = []Pushed{{Path: o.SourceURL}}
			res.Unpromoted = true
		}
		res.Files[0].Sent, res.Files[0].Answer = true, fmt.Sprint(ans)
		if len(shas) == 1 {
			promote(0)
		}
		return res, nil
	}
	for i := range res.Files {
		p := &res.Files[i]
		if p.Cards == 0 {
			promote(i)
			continue
		}
		ans, err := upload(ctx, o.Service, o.FeedID, p.Path)
		if err != nil {
			res.Files = res.Files[:i]
			msg := fmt.Sprintf("pushing %s: %v; its snapshot was not advanced (the next --changed-only build sends its cards again)", p.Path, err)
			if i > 0 {
				msg += fmt.Sprintf("; the %d file(s) before it were pushed", i)
			}
			return res, errors.New(msg)
		}
		p.Sent, p.Answer = true, fmt.Sprint(ans)
		promote(i)
	}
	return res, nil
}

func upload(ctx context.Context, s FeedService, feedID int, path string) (*restapi.SyncFeedAnswer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return s.Upload(ctx, feedID, f)
}
