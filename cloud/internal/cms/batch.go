package cms

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

// request is one Apply waiting for its batch.
type request struct {
	op     operation
	ack    wire.Ack
	err    error
	dup    bool
	chosen bool      // picked to lead the next batch
	wake   chan bool // true: lead a batch; false: done, ack/err/dup set
}

// batcher coalesces concurrent Apply calls into batches (group commit).
// There is no background goroutine: a caller that finds fewer than
// maxLeaders batches running leads one itself, taking every pending
// request up to maxBatch; when its batch is committed it hands the lead to
// the oldest pending request, so no caller waits for more than the batch
// in flight and its own.
type batcher struct {
	mu                   sync.Mutex
	pending              []*request
	leaders              int
	maxLeaders, maxBatch int
}

// submit applies op through a batch and returns its outcome.
func (e *Engine) submit(ctx context.Context, op operation) (wire.Ack, bool, error) {
	r := &request{op: op, wake: make(chan bool, 1)}
	b := &e.batch
	b.mu.Lock()
	b.pending = append(b.pending, r)
	lead := b.leaders < b.maxLeaders
	if lead {
		b.leaders++
	}
	b.mu.Unlock()
	if lead {
		e.lead(ctx)
	}
	for {
		select {
		case lead := <-r.wake:
			if !lead {
				return r.ack, r.dup, r.err
			}
			e.lead(ctx)
		case <-ctx.Done():
			if b.withdraw(r) {
				return wire.Ack{}, false, ctx.Err()
			}
			// In a batch already, or chosen to lead: wait for it.
			lead := <-r.wake
			if !lead {
				return r.ack, r.dup, r.err
			}
			e.lead(ctx)
		}
	}
}

// withdraw removes r from the queue if no batch has taken it.
func (b *batcher) withdraw(r *request) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.chosen {
		return false
	}
	i := slices.Index(b.pending, r)
	if i < 0 {
		return false
	}
	b.pending = slices.Delete(b.pending, i, i+1)
	return true
}

// lead runs one batch of pending requests, then hands the lead on.
func (e *Engine) lead(ctx context.Context) {
	b := &e.batch
	b.mu.Lock()
	n := min(len(b.pending), b.maxBatch)
	reqs := slices.Clone(b.pending[:n])
	b.pending = slices.Delete(b.pending, 0, n)
	b.mu.Unlock()
	if len(reqs) > 0 {
		e.runBatch(context.WithoutCancel(ctx), reqs)
		if e.opts.OnBatch != nil {
			e.opts.OnBatch(len(reqs))
		}
		for _, r := range reqs {
			r.wake <- false
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.pending {
		if !r.chosen {
			r.chosen = true
			r.wake <- true
			return
		}
	}
	b.leaders--
}

// runBatch applies reqs in one transaction, each in its own savepoint. A
// refused or duplicate operation, or one that fails on its own, does not
// affect the others; a conflict (deadlock, serialisation) retries the
// whole batch. If the batch cannot commit, each operation is tried alone.
func (e *Engine) runBatch(ctx context.Context, reqs []*request) {
	// Card locks in TEAM order: two batches cannot wait on each other.
	slices.SortStableFunc(reqs, func(a, b *request) int { return cmp.Compare(a.op.team, b.op.team) })
	err := e.tryBatch(ctx, reqs)
	if err == nil || len(reqs) == 1 {
		for _, r := range reqs {
			if err != nil {
				r.ack, r.dup, r.err = wire.Ack{}, false, err
			}
		}
		return
	}
	e.log.WarnContext(ctx, "batch failed, applying its operations one by one", "ops", len(reqs), "err", err)
	for _, r := range reqs {
		r.err = e.tryBatch(ctx, []*request{r})
		if r.err != nil {
			r.ack, r.dup = wire.Ack{}, false
		}
	}
}

// tryBatch runs reqs in one transaction (InTx retries conflicts). When
// some of them turn out applied by a concurrent transaction, it runs the
// batch again knowing them: they answer duplicate and write nothing.
func (e *Engine) tryBatch(ctx context.Context, reqs []*request) error {
	applied := map[string]bool{}
	for {
		err := e.db.InTx(ctx, func(tx *sql.Tx) error { return e.batchTx(ctx, tx, reqs, applied) })
		de, ok := errors.AsType[*dupError](err)
		if !ok {
			return err
		}
		for _, id := range de.ids {
			applied[id] = true // each round learns at least one: it ends
		}
	}
}

// batchTx is the body of a batch transaction; it can be re-run. An
// operation that fails aborts the batch (on PostgreSQL the transaction is
// unusable after an error): runBatch then applies each operation alone, so
// the failure stays with its own operation. A duplicate writes nothing
// before it is detected (the card lock is only a read), so it needs no
// rollback.
func (e *Engine) batchTx(ctx context.Context, tx *sql.Tx, reqs []*request, applied map[string]bool) error {
	batchAudit, batched := e.opts.Auditor.(BatchAuditor)
	recs := make([]audit.Record, 0, len(reqs))
	bs, err := e.prefetch(ctx, tx, reqs, applied)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		r.ack, r.dup, r.err = wire.Ack{}, false, nil
		ack, rec, err := e.applyTx(ctx, tx, bs, r.op, !batched)
		if errors.Is(err, errDuplicate) {
			r.dup = true
			continue
		}
		if err != nil {
			return err
		}
		r.ack = ack
		recs = append(recs, rec)
	}
	if a, ok := e.opts.Auditor.(dbAuditor); ok && a.d == store.Postgres {
		return bs.writePostgres(ctx, tx, recs) // everything in one statement
	}
	if err := bs.flush(ctx, tx); err != nil {
		return err
	}
	if batched && len(recs) > 0 {
		return batchAudit.AppendBatch(ctx, tx, recs)
	}
	return nil
}
