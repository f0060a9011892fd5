package cms

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

// runBatch applies reqs in one transaction. A refused or duplicate
// operation does not affect the others; a conflict (deadlock,
// serialisation) retries the whole batch. If the batch cannot commit, each
// operation is tried alone, so a failure stays with its own operation.
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
	if e.pipelined {
		err := e.tryPipelined(ctx, reqs)
		if !errors.Is(err, errLockOrder) {
			return err
		}
	}
	applied := map[string]bool{}
	for {
		var tried []*batchState // one per run of batchTx: only the last can have committed
		err := e.db.InTx(ctx, func(tx *sql.Tx) error {
			bs, err := e.batchTx(ctx, tx, reqs, applied)
			tried = append(tried, bs)
			return err
		})
		for i, bs := range tried {
			bs.handOver(ctx, err == nil && i == len(tried)-1)
		}
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
func (e *Engine) batchTx(ctx context.Context, tx store.Querier, reqs []*request, applied map[string]bool) (*batchState, error) {
	batchAudit, batched := e.opts.Auditor.(BatchAuditor)
	bs, err := e.prefetch(ctx, tx, reqs, applied)
	if err != nil {
		return nil, err
	}
	recs, err := e.applyAll(ctx, tx, bs, reqs, !batched)
	if err != nil {
		return bs, err
	}
	if a, ok := e.opts.Auditor.(dbAuditor); ok && a.d == store.Postgres {
		return bs, bs.writePostgres(ctx, tx, recs) // everything in one statement
	}
	if err := bs.flush(ctx, tx); err != nil {
		return bs, err
	}
	if batched && len(recs) > 0 {
		return bs, batchAudit.AppendBatch(ctx, tx, recs)
	}
	return bs, nil
}

// handOver ends the hand-off of the notifications bs inserted claimed by
// the local worker: after the commit they go to the worker, otherwise
// (rolled back, or to be run again) their slots are given back. Nil bs:
// nothing. Called once per attempt, after its transaction ended.
func (bs *batchState) handOver(ctx context.Context, committed bool) {
	if bs == nil || len(bs.handed) == 0 {
		return
	}
	if committed {
		bs.hand.Hand(context.WithoutCancel(ctx), bs.handed)
	} else {
		bs.hand.Cancel(len(bs.handed))
	}
	bs.handed = nil
}

// applyAll applies each operation of reqs in tx and returns the audit
// records of those that are not duplicates (appended at once when
// appendAudit).
func (e *Engine) applyAll(ctx context.Context, tx store.Querier, bs *batchState, reqs []*request, appendAudit bool) ([]audit.Record, error) {
	recs := make([]audit.Record, 0, len(reqs))
	for _, r := range reqs {
		r.ack, r.dup, r.err = wire.Ack{}, false, nil
		ack, rec, err := e.applyTx(ctx, tx, bs, r.op, appendAudit)
		if errors.Is(err, errDuplicate) {
			r.dup = true
			continue
		}
		if err != nil {
			return nil, err
		}
		r.ack = ack
		recs = append(recs, rec)
	}
	return recs, nil
}

// runBatchHook runs one batch for the batcher and reports it to OnBatch.
func (e *Engine) runBatchHook(ctx context.Context, reqs []*request) {
	e.runBatch(ctx, reqs)
	if e.opts.OnBatch != nil {
		e.opts.OnBatch(len(reqs))
	}
}
