package cms

import (
	"context"
	"slices"
	"sync"
	"time"

	"cnskiosk.dev/shared/wire"
)

// request is one Apply waiting for its batch.
type request struct {
	op operation
	// Set by the one batch that takes the request, read after done.
	ack wire.Ack
	err error
	dup bool
	// Guarded by batcher.mu.
	chosen bool          // a leader slot was handed to it and it has not used it yet
	done   bool          // its batch has run: ack, err, dup are final
	wake   chan struct{} // capacity 1: chosen or done may have changed
}

// notify wakes r's caller, never blocking: a wake already pending is
// enough, because the caller reads r's state after taking it. Called with
// batcher.mu held.
func (r *request) notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// batcher coalesces concurrent Apply calls into batches (group commit).
// There is no background goroutine: a caller that finds fewer than
// maxLeaders leader slots held takes one and leads a batch itself, taking
// the oldest pending requests up to maxBatch; when its batch has run it
// hands its slot to the oldest pending request that does not hold one, so
// no caller waits for more than the batch in flight and its own.
//
// Invariants, all under mu:
//   - A request is in pending until exactly one batch takes it (take) or
//     its caller withdraws it; a taken request is answered exactly once, by
//     setting done after its batch has run. No send ever blocks: wakes are
//     notifications, the state is in the request.
//   - leaders counts the slots held: callers leading a batch, plus pending
//     requests with chosen set (handed a slot, caller not yet woken). A
//     slot is never lost: a chosen request taken by another batch, or
//     withdrawn, hands its slot on at once (handOff).
//   - If pending is not empty, some slot is held, so someone will take it.
type batcher struct {
	mu                   sync.Mutex
	pending              []*request
	leaders              int
	maxLeaders, maxBatch int
	run                  func(context.Context, []*request) // applies one batch, setting each ack/err/dup
	// gather is how long, at most, a leader waits for its batch to fill
	// when the previous batch held more than one operation: under load,
	// fewer and larger transactions (see lead). Zero: never. It assumes
	// one leader per lane (the engine's): with several, a second gathering
	// leader takes over full and the first waits out its timer.
	gather time.Duration
	last   int           // size of the previous batch
	target int           // while a leader gathers: how many pending end the gather
	full   chan struct{} // while a leader gathers: closed when pending reaches target
}

// submit applies op through a batch and returns its outcome.
func (b *batcher) submit(ctx context.Context, op operation) (wire.Ack, bool, error) {
	r := &request{op: op, wake: make(chan struct{}, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if b.full != nil && len(b.pending) >= b.target {
		close(b.full)
		b.full = nil
	}
	lead := b.leaders < b.maxLeaders
	if lead {
		b.leaders++
	}
	b.mu.Unlock()
	if lead {
		b.lead(ctx)
	}
	cancelled := ctx.Done()
	for {
		select {
		case <-r.wake:
		case <-cancelled:
			if b.withdraw(r) {
				return wire.Ack{}, false, ctx.Err()
			}
			cancelled = nil // in a batch already: wait for its answer
		}
		lead, done := b.next(r)
		if done {
			return r.ack, r.dup, r.err
		}
		if lead {
			b.lead(ctx)
		}
	}
}

// next reads r's state: answered, or handed a leader slot (which the
// caller now uses: chosen is cleared).
func (b *batcher) next(r *request) (lead, done bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.done {
		return false, true
	}
	lead, r.chosen = r.chosen, false
	return lead, false
}

// withdraw removes r from the queue if no batch has taken it, handing on
// the slot it was handed, if any.
func (b *batcher) withdraw(r *request) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.Index(b.pending, r)
	if i < 0 {
		return false
	}
	b.pending = slices.Delete(b.pending, i, i+1)
	if r.chosen {
		r.chosen = false
		b.handOff()
	}
	return true
}

// lead runs one batch of pending requests, answers them, then hands the
// caller's slot on. Under load (the previous batch held more than one
// operation) it first lets the batch fill, for up to gather, to the size
// of the previous batch: every batch transaction has a fixed price (its
// commit, the start of its write statement), so at a given rate fewer,
// larger batches cost the database less. A batch as large as the previous
// one goes at once, so a closed group of callers, all waiting already, is
// not held up; after a batch of one, a lone operation commits at once.
func (b *batcher) lead(ctx context.Context) {
	b.mu.Lock()
	if target := min(b.last, b.maxBatch); b.gather > 0 && target > 1 && len(b.pending) < target {
		full := make(chan struct{})
		b.full, b.target = full, target
		b.mu.Unlock()
		t := time.NewTimer(b.gather)
		select {
		case <-full:
		case <-t.C:
		}
		t.Stop()
		b.mu.Lock()
		b.full = nil
	}
	reqs := b.take()
	b.last = len(reqs)
	b.mu.Unlock()
	if len(reqs) > 0 {
		b.run(context.WithoutCancel(ctx), reqs)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range reqs {
		r.done = true
		r.notify()
	}
	b.handOff()
}

// take removes and returns the oldest pending requests, up to maxBatch. A
// taken request that was handed a slot it has not used yet hands it on:
// its caller only waits for its answer now. Called with mu held.
func (b *batcher) take() []*request {
	n := min(len(b.pending), b.maxBatch)
	reqs := slices.Clone(b.pending[:n])
	b.pending = slices.Delete(b.pending, 0, n)
	for _, r := range reqs {
		if r.chosen {
			r.chosen = false
			b.handOff()
		}
	}
	return reqs
}

// handOff gives one leader slot to the oldest pending request not holding
// one, or releases it when there is none. Called with mu held.
func (b *batcher) handOff() {
	for _, r := range b.pending {
		if !r.chosen {
			r.chosen = true
			r.notify()
			return
		}
	}
	b.leaders--
}
