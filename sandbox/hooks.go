package sandbox

// The Server's life beyond the API: the test hooks under /_sandbox/,
// resetting to or loading a data set, and saving the state file.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// serveHook answers the test hooks under /_sandbox/. They need the same
// credentials as the API and are not rate limited.
func (s *Server) serveHook(w http.ResponseWriter, r *http.Request, segs []string) {
	if !s.authorized(w, r, "Sandbox") {
		return
	}
	hook := strings.Join(segs, "/")
	switch {
	case hook == "stats" && r.Method == http.MethodGet:
		s.answerJSON(w, r, s.Stats())
	case hook == "stats" && r.Method == http.MethodDelete:
		s.mu.Lock()
		s.resetStats()
		s.mu.Unlock()
		s.answerJSON(w, r, map[string]string{"Message": "stats cleared"})
	case hook == "reset" && r.Method == http.MethodPost:
		if err := s.Reset(); err != nil {
			s.answer(w, r, http.StatusInternalServerError, "Sandbox (POST): "+err.Error())
			return
		}
		s.answerJSON(w, r, map[string]string{"Message": "reset"})
	case hook == "load" && r.Method == http.MethodPost:
		raw, err := s.readBody(w, r, maxBody)
		if err != nil {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (POST): "+err.Error())
			return
		}
		ext := ".yaml"
		if strings.Contains(r.Header.Get("Content-Type"), "json") {
			ext = ".json"
		}
		ds, err := ParseDataset(raw, ext)
		if err == nil {
			err = s.Load(ds)
		}
		if err != nil {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (POST): "+err.Error())
			return
		}
		s.answerJSON(w, r, map[string]string{"Message": "loaded"})
	case hook == "faults" && r.Method == http.MethodGet:
		s.mu.Lock()
		f := s.faults
		s.mu.Unlock()
		s.answerJSON(w, r, f)
	case hook == "faults" && r.Method == http.MethodPost:
		var f Faults
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (POST): faults: "+err.Error())
			return
		}
		if err := s.SetFaults(f); err != nil {
			s.answer(w, r, http.StatusBadRequest, "Sandbox (POST): "+err.Error())
			return
		}
		s.answerJSON(w, r, f)
	case hook == "webhooks":
		s.serveWebhookHook(w, r)
	case hook == "products" && r.Method == http.MethodGet:
		s.answerJSON(w, r, s.productsHook())
	case hook == "feeds" || strings.HasPrefix(hook, "feeds/"):
		s.serveFeedsHook(w, r, segs[1:])
	case hook == "stats" || hook == "reset" || hook == "load" || hook == "faults":
		s.answer(w, r, http.StatusMethodNotAllowed, "Sandbox ("+r.Method+"): method not allowed")
	default:
		s.answer(w, r, http.StatusNotFound, "Sandbox ("+r.Method+"): no such hook: "+hook)
	}
}

// Save writes the system to Config.StatePath (atomically) if anything changed
// since the last save. Without a StatePath it does nothing. The sandbox
// command calls it on a timer and at shutdown.
func (s *Server) Save() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	s.mu.Lock()
	if !s.dirty {
		s.mu.Unlock()
		return nil
	}
	b, err := json.Marshal(s.st.snapshot())
	s.dirty = false
	s.mu.Unlock()
	if err == nil {
		err = writeFileAtomic(s.cfg.StatePath, b, 0o600)
	}
	if err != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		return fmt.Errorf("sandbox: saving state: %w", err)
	}
	return nil
}

// SaveEvery saves the state every interval until ctx ends, then once more.
func (s *Server) SaveEvery(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.Save()
		case <-t.C:
			if err := s.Save(); err != nil {
				s.log.Error("saving sandbox state", "err", err)
			}
		}
	}
}

// Reset puts the system back to its data set: the records, the id sequence,
// the stats and the rate-limit window.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadLocked(s.cfg.Dataset)
}

// Load replaces the data set and resets the system to it.
func (s *Server) Load(ds *Dataset) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadLocked(ds); err != nil {
		return err
	}
	s.cfg.Dataset = ds
	return nil
}

func (s *Server) loadLocked(ds *Dataset) error {
	c, err := cloneDataset(ds)
	if err != nil {
		return err
	}
	st, err := newStore(c, s.clock())
	if err != nil {
		return err
	}
	s.st = st
	s.window = nil
	s.storm, s.counted = 0, 0
	s.resetStats()
	s.dirty = true
	return nil
}

// cloneDataset deep-copies a data set so a store never shares slices with
// the caller's (or the built-in) one. A data set that JSON cannot hold is
// an error, not a panic: YAML data files can have .inf or maps with
// non-string keys among field values.
func cloneDataset(ds *Dataset) (*Dataset, error) {
	b, err := json.Marshal(ds)
	if err != nil {
		return nil, fmt.Errorf("sandbox: data set: %w", err)
	}
	var c Dataset
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("sandbox: data set: %w", err)
	}
	return &c, nil
}
