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
	// Latency, when positive, delays each call for this CF instead of the
	// global latency (SetLatency). The wait honours the context: a caller
	// whose deadline comes first gets a technical error.
	Latency time.Duration
}

// Sim is a simulated FSE service. The zero value is not usable; use New.
type Sim struct {
	mu      sync.Mutex
	latency time.Duration // added to each call without a latency of its own
	faults  map[string]Fault
	calls   map[string]int
	created map[string]int
	done    map[string]bool // request ids already created
}

// New returns a simulator where every CF succeeds.
func New() *Sim {
	return &Sim{faults: map[string]Fault{}, calls: map[string]int{}, created: map[string]int{}, done: map[string]bool{}}
}

// SetLatency sets the delay added to each call whose CF has no
// Fault.Latency; 0 removes it.
func (s *Sim) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Set injects a fault for cf, replacing the one set before.
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
	if err := wait(ctx, s.latencyOf(cf)); err != nil {
		return err
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

// latencyOf is the delay of a call for cf.
func (s *Sim) latencyOf(cf string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults[cf]; f.Latency > 0 {
		return f.Latency
	}
	return s.latency
}

// wait waits d, or returns a technical error if ctx ends first.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w: no answer (simulated latency %v): %w", fse.ErrTechnical, d, ctx.Err())
	case <-t.C:
		return nil
	}
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
