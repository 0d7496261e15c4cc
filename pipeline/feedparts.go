package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/minicrm-bulk/minicrm-bulk/mapping"
	"github.com/minicrm-bulk/minicrm-bulk/rowflow"
	"github.com/minicrm-bulk/minicrm-bulk/xmlfeed"
)

// Step 2 of an import via the feed (viafeed.go): the rows the dry run
// found all new, as feed parts.

// buildFeedParts writes the rows of lines as feed parts of at most
// FeedCardsPerCall cards, through the row flow: the cards are built on its
// workers, written in file order.
func buildFeedParts(ctx context.Context, cfg Config, srcPath string, lines map[int]bool, dir, key string) ([]viaFeedPart, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	src, plan, err := openPlan(cfg.Mapping, cfg.Schemas, srcPath)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cb, err := xmlfeed.NewCardBuilder(plan)
	if err != nil {
		return nil, err
	}
	stage := func() rowflow.Stage[feedCard] {
		return rowflow.StageFunc[feedCard](func(b *rowflow.Batch[feedCard]) {
			for i := range b.Rows {
				// A bad row: the dry run did not take it, the import reports it.
				if r := &b.Rows[i]; r.Err == nil && lines[r.Row.Loc.Line] {
					b.Items[i] = cardOfRow(plan, cb, r)
				}
			}
		})
	}
	pw := &feedParts{dir: dir, key: key, h: sha256.New(), seen: map[string]bool{}}
	if err := rowflow.Run(ctx, src, rowflow.Options{}, stage, pw); err != nil {
		pw.closePart()
		return nil, err
	}
	if err := pw.closePart(); err != nil {
		return nil, err
	}
	return pw.parts, nil
}

// feedCard is a row's card for the feed parts (nil: not one of theirs).
type feedCard struct {
	card *xmlfeed.Card
	err  error
}

func cardOfRow(plan *mapping.Plan, cb *xmlfeed.CardBuilder, r *rowflow.Row) feedCard {
	o := plan.MapRow(r, nil)
	if o.Bundle == nil {
		return feedCard{err: fmt.Errorf("%s: the row mapped in the plan but not now: %w", r.Row.Loc, firstErr(o))}
	}
	card, err := cb.Card(o.Bundle)
	return feedCard{card: card, err: err}
}

// firstErr is what kept a row from mapping.
func firstErr(o mapping.Outcome) error {
	switch {
	case o.Skipped != nil:
		return o.Skipped
	case o.Rejected != nil:
		return mapping.RowErrors(o.Rejected.Problems)
	}
	return o.Err
}

// feedParts is the sink of buildFeedParts: the cards, one per Id, in parts.
type feedParts struct {
	dir, key string
	parts    []viaFeedPart
	f        *os.File
	w        *xmlfeed.Writer
	h        hash.Hash
	seen     map[string]bool
}

// Write writes a batch's cards.
func (p *feedParts) Write(_ context.Context, b *rowflow.Batch[feedCard]) error {
	for i := range b.Items {
		fc := &b.Items[i]
		if fc.err != nil {
			return fc.err
		}
		if fc.card == nil || p.seen[fc.card.ID] {
			continue // not a feed row, or its card is there (the dry run made it once)
		}
		p.seen[fc.card.ID] = true
		if p.w == nil || p.w.Cards() >= FeedCardsPerCall {
			if err := p.openPart(); err != nil {
				return err
			}
		}
		if err := p.w.WriteProject(fc.card); err != nil {
			return fmt.Errorf("%s: %w", b.Rows[i].Row.Loc, err)
		}
		p.parts[len(p.parts)-1].Cards++
	}
	return nil
}

func (p *feedParts) openPart() error {
	if err := p.closePart(); err != nil {
		return err
	}
	name := filepath.Join(p.dir, fmt.Sprintf("%s-%04d.xml", p.key, len(p.parts)+1))
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	p.f = f
	p.h.Reset()
	p.w = xmlfeed.NewWriter(io.MultiWriter(f, p.h))
	p.parts = append(p.parts, viaFeedPart{File: name})
	return p.w.Begin()
}

func (p *feedParts) closePart() error {
	if p.w == nil {
		return nil
	}
	err := p.w.Close()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	p.parts[len(p.parts)-1].SHA256 = hex.EncodeToString(p.h.Sum(nil))
	p.w, p.f = nil, nil
	return err
}
