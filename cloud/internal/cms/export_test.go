package cms

import (
	"context"

	"cnskiosk.dev/shared/wire"
)

// ApplyBatch applies envs as one batch, as concurrent Apply calls would be
// grouped, and returns each one's ack or error. Tests only.
func ApplyBatch(e *Engine, ctx context.Context, envs []wire.Envelope) ([]wire.Ack, []error) {
	reqs := make([]*request, len(envs))
	for i, env := range envs {
		op, err := decode(env)
		if err != nil {
			panic(err)
		}
		reqs[i] = &request{op: op}
	}
	e.runBatch(ctx, append([]*request(nil), reqs...))
	acks, errs := make([]wire.Ack, len(envs)), make([]error, len(envs))
	for i, r := range reqs {
		acks[i], errs[i] = r.ack, r.err
		if r.dup {
			acks[i], errs[i] = e.duplicate(ctx, envs[i])
		}
	}
	return acks, errs
}

// Idle reports whether no batch is running or queued: no leader slot is
// held and no request waits. Tests only.
func Idle(e *Engine) bool {
	for _, b := range e.lanes {
		b.mu.Lock()
		idle := b.leaders == 0 && len(b.pending) == 0
		b.mu.Unlock()
		if !idle {
			return false
		}
	}
	return true
}

// CounterOf is the counter the engine resolves for device dev. Tests only.
func CounterOf(e *Engine, ctx context.Context, dev string) (string, error) {
	return e.counterOf(ctx, dev)
}

// WaitCounters waits for the read of the fleet's counters in flight, if
// any. Tests only.
func WaitCounters(e *Engine) {
	e.counters.mu.Lock()
	wait := e.counters.loading
	e.counters.mu.Unlock()
	if wait != nil {
		<-wait
	}
}
