package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// MaxTxAttempts bounds the retries of InTx.
const MaxTxAttempts = 10

// InTx runs fn in one transaction and commits it. It retries fn (from a
// fresh transaction) when the database reports a serialisation failure, a
// deadlock or a busy database; fn must therefore have no effect outside the
// transaction. Any other error from fn rolls the transaction back and is
// returned as is.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.Retry(ctx, func() error { return db.try(ctx, fn) })
}

// Retry runs attempt, a whole transaction, again while it fails with a
// [Retryable] error, with a growing random pause, at most MaxTxAttempts
// times: the retry policy of InTx, for transactions run another way.
func (db *DB) Retry(ctx context.Context, attempt func() error) error {
	var err error
	for n := range MaxTxAttempts {
		if n > 0 {
			if werr := backoff(ctx, n); werr != nil {
				return werr
			}
		}
		err = attempt()
		if err == nil || !Retryable(err) {
			return err
		}
		db.log.DebugContext(ctx, "transaction conflict, retrying", "attempt", n+1, "err", err)
	}
	return fmt.Errorf("%w: %w", ErrTxRetries, err)
}

func (db *DB) try(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	d += rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retryable reports whether err is a transient conflict worth retrying:
// PostgreSQL serialization_failure (40001) or deadlock_detected (40P01),
// SQLite BUSY or LOCKED.
func Retryable(err error) bool {
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// Querier runs the statements of a transaction: a *sql.Tx, or the
// *sql.Conn of a transaction begun by a pipeline on PostgreSQL (see
// [Pipeline]), whose statements are then on the same session.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
