package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
)

// A batch transaction on PostgreSQL in two round trips (docs/store.md,
// "Two round trips per batch"). Through database/sql a batch took six,
// each a write and a read on both sides and a wake-up of each process:
// BEGIN, the operator check, the card locks, the audit heads lock, the
// write statement, COMMIT. Here:
//
//  1. BEGIN, the operator check, the cards (locked, TEAM order) and the
//     audit heads of the batch's partitions (locked, partition order):
//     one pipeline, read back together;
//  2. the write statement (flushpg.go), ending with cms_batch_check, and
//     COMMIT: one pipeline. If an operation of the batch was recorded
//     meanwhile by another instance, the check fails, PostgreSQL skips
//     the COMMIT and the batch is rolled back and run again knowing it.
//
// Between the two, the rules run in memory; the few statements an
// operation may need on its own (a card changed earlier in the batch, a
// reissue request, a registry case) run on the same connection, inside
// the transaction.
//
// Lock order: the heads are locked in the first round trip, after the
// cards, so nothing may lock further rows after them, or two instances
// could wait for each other (one holding a head and waiting for a card,
// the other the reverse). Only the activation of a card whose holder has
// an open reissue request does (it closes the request and marks the old
// cards replaced), and the first round trip says which cards those are:
// such a batch is rolled back and runs as a database/sql transaction,
// which locks the heads last (errLockOrder).

// sqlstateBatchCheck is the SQLSTATE cms_batch_check raises (migration 0220).
const sqlstateBatchCheck = "CMSDP"

// errLockOrder: the batch would lock rows after the audit heads; it must
// run as a database/sql transaction.
var errLockOrder = errors.New("batch locks rows after the audit heads")

// tryPipelined runs reqs as one pipelined transaction, again while it
// meets a transient conflict (store.Retry) and once more each time it
// learns operations recorded by another transaction.
func (e *Engine) tryPipelined(ctx context.Context, reqs []*request) error {
	applied := map[string]bool{}
	for {
		err := e.db.Retry(ctx, func() error { return e.pipelineTx(ctx, reqs, applied) })
		de, ok := errors.AsType[*dupError](err)
		if !ok {
			return err
		}
		for _, id := range de.ids {
			applied[id] = true // each round learns at least one: it ends
		}
	}
}

// pipelineTx is one attempt of the batch reqs, on a connection of its own
// for its duration.
func (e *Engine) pipelineTx(ctx context.Context, reqs []*request, applied map[string]bool) (err error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	open := false // a transaction may be open on conn
	defer func() {
		if open {
			rollback(ctx, conn)
		}
		_ = conn.Close()
	}()
	open = true
	bs, heads, err := e.begin(ctx, conn, reqs, applied)
	if err != nil {
		return err
	}
	defer func() { bs.handOver(ctx, err == nil) }()
	for _, c := range bs.cards {
		if c.openReissue {
			return errLockOrder
		}
	}
	recs, err := e.applyAll(ctx, conn, bs, reqs, false)
	if err != nil {
		return err
	}
	if !heads.Has(recs) { // a record under another device than its operation's: not today's rules
		return errLockOrder
	}
	err = bs.commitPostgres(ctx, conn, heads, recs)
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == sqlstateBatchCheck {
		rollback(ctx, conn)
		open = false
		return e.recordedAlready(ctx, conn, reqs, applied)
	}
	open = err != nil // failed before or at COMMIT: roll back (or drop conn)
	return err
}

// begin is the first round trip: BEGIN, operator check, cards, audit heads.
func (e *Engine) begin(ctx context.Context, conn *sql.Conn, reqs []*request, applied map[string]bool) (*batchState, *audit.Heads, error) {
	bs := newBatchState(applied, store.Postgres, e.opts.Handoff)
	heads := &audit.Heads{}
	qs, ids := e.operatorQueries(bs, reqs)
	var check *operator.Batch
	err := store.Pipeline(conn, func(pg *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if len(qs) > 0 {
			var q string
			var args []any
			check, q, args = operator.NewBatch(store.Postgres, qs)
			b.Queue(q, args...).Query(eachRow(check.Scan))
		}
		if teams := batchTeams(reqs); len(teams) > 0 {
			q, args := e.prefetchSQL(teams)
			b.Queue(q, args...).Query(eachRow(func(row interface{ Scan(...any) error }) error {
				c, err := scanCard(row, true)
				if err == nil {
					bs.cards[c.TEAM] = c
				}
				return err
			}))
		}
		var devs []string
		for _, r := range reqs {
			if !applied[r.op.env.ID] {
				devs = append(devs, r.op.env.Dev)
			}
		}
		if len(devs) > 0 {
			q, args := audit.HeadsQuery(devs)
			b.Queue(q, args...).Query(eachRow(heads.Scan))
		}
		return pg.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("batch: begin: %w", err)
	}
	if check != nil {
		bs.setVerdicts(ids, check.Verdicts())
	}
	return bs, heads, nil
}

// commitPostgres is the second round trip: the batch's write statement,
// which fails if an operation of it was recorded already, and COMMIT.
func (bs *batchState) commitPostgres(ctx context.Context, conn *sql.Conn, heads *audit.Heads, recs []audit.Record) error {
	want := len(bs.pend.ops)
	prep, err := heads.Chain(recs)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	if want > 0 {
		s, err := bs.statement(prep)
		if err != nil {
			return fmt.Errorf("write batch: %w", err)
		}
		q := fmt.Sprintf("%s\nSELECT cms_batch_check((SELECT count(*) FROM o), $%d)", s.b.String(), len(s.args)+1)
		b.Queue(q, append(s.args, want)...)
	}
	b.Queue("COMMIT")
	if err := store.Pipeline(conn, func(pg *pgx.Conn) error { return pg.SendBatch(ctx, b).Close() }); err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	return nil
}

// recordedAlready returns, after the batch check failed and the batch was
// rolled back, which of its operations another transaction recorded
// meanwhile, as a dupError.
func (e *Engine) recordedAlready(ctx context.Context, conn *sql.Conn, reqs []*request, applied map[string]bool) error {
	var ids []string
	for _, r := range reqs {
		if !applied[r.op.env.ID] {
			ids = append(ids, r.op.env.ID)
		}
	}
	rows, err := conn.QueryContext(ctx, `SELECT op_id FROM operations WHERE op_id = ANY($1::text[])`, ids)
	if err != nil {
		return fmt.Errorf("batch: recorded operations: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("batch: recorded operations: %w", err)
		}
		found = append(found, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("batch: recorded operations: %w", err)
	}
	if len(found) == 0 { // the check only fails on a committed row: not expected
		return fmt.Errorf("%w: batch check failed but none of its %d operations is recorded", ErrStore, len(ids))
	}
	return &dupError{ids: found}
}

// rollback ends the transaction that may be open on conn. If it cannot,
// the connection is closed under database/sql, which then discards it
// instead of handing a connection in a transaction to someone else.
func rollback(ctx context.Context, conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err == nil {
		return
	}
	_ = store.Pipeline(conn, func(pg *pgx.Conn) error { return pg.Close(ctx) })
}

// rollbackTimeout bounds the ROLLBACK of a failed batch: a server that no
// longer answers must not hold the lane (the connection is then closed).
const rollbackTimeout = 5 * time.Second

// eachRow reads every row of a pipelined statement with scan.
func eachRow(scan func(row interface{ Scan(...any) error }) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}
