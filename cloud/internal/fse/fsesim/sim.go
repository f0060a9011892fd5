package fsesim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
)

// Fault is what the simulator does for one codice fiscale.
type Fault struct {
	CF             bool // answer "codice fiscale errato o mancante"
	TechnicalFirst int  // fail technically this many times, then succeed
	AlwaysTech     bool // fail technically forever
}

// Sim is a simulated FSE service. The zero value is not usable; use New.
type Sim struct {
	Latency time.Duration // added to each call (honours the context)

	mu      sync.Mutex
	faults  map[string]Fault
	calls   map[string]int
	created map[string]int
	done    map[string]bool // request ids already created
}

// New returns a simulator where every CF succeeds.
func New() *Sim {
	return &Sim{faults: map[string]Fault{}, calls: map[string]int{}, created: map[string]int{}, done: map[string]bool{}}
}

// Set injects a fault for cf.
func (s *Sim) Set(cf string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[cf] = f
}

// Calls returns how many times cf was asked for.
func (s *Sim) Calls(cf string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[cf]
}

// Created returns how many times an FSE was created for cf.
func (s *Sim) Created(cf string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created[cf]
}

// Create implements fse.Service: a request id already created succeeds
// again without creating a second record.
func (s *Sim) Create(ctx context.Context, id, cf string, _ fse.Consents) error {
	if s.Latency > 0 {
		t := time.NewTimer(s.Latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", fse.ErrTechnical, ctx.Err())
		case <-t.C:
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[cf]++
	if s.done[id] {
		return nil
	}
	f := s.faults[cf]
	switch {
	case f.CF || cf == "":
		return fmt.Errorf("%w (simulated)", fse.ErrCF)
	case f.AlwaysTech || s.calls[cf] <= f.TechnicalFirst:
		return fmt.Errorf("%w: simulated outage", fse.ErrTechnical)
	}
	s.created[cf]++
	s.done[id] = true
	return nil
}

// ServeHTTP serves the protocol of fse.HTTPService; a request without an
// idempotency key (header and body agreeing) is refused with 400.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req fse.CreateRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.RequestID == "" || r.Header.Get(fse.IdempotencyHeader) != req.RequestID {
		http.Error(w, "missing or inconsistent Idempotency-Key", http.StatusBadRequest)
		return
	}
	err := s.Create(r.Context(), req.RequestID, req.CF, req.Consents)
	switch {
	case err == nil:
		w.WriteHeader(http.StatusCreated)
	case errors.Is(err, fse.ErrCF):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(fse.ErrorBody{Code: "cf", Message: "codice fiscale errato o mancante"})
	default:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	}
}
