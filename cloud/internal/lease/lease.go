package lease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// Token identifies one claim: the claimed_until value it wrote.
type Token int64

// Options configure a Queue. Zero values take the defaults shown.
type Options struct {
	Lease time.Duration // how long a claim lasts; 2m
	Batch int           // rows claimed at once; 16
	Now   func() time.Time
}

// Queue claims rows of one table. The table must have the columns id,
// status, next_at and claimed_until.
type Queue struct {
	db    *store.DB
	table string
	o     Options
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// New returns a Queue over table (a fixed identifier, never outside input).
func New(db *store.DB, table string, o Options) (*Queue, error) {
	if db == nil || !identRE.MatchString(table) {
		return nil, fmt.Errorf("%w: database and a table name are required", ErrConfig)
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Queue{db: db, table: table, o: o}, nil
}

// Claim takes up to Batch due rows, oldest next_at first, and returns them
// scanned by scan from the columns cols (a fixed list, e.g. "id, cf").
func Claim[T any](ctx context.Context, q *Queue, cols string, scan func(*sql.Rows) (T, error)) ([]T, Token, error) {
	now := q.o.Now()
	tok := Token(now.Add(q.o.Lease).UnixMicro())
	lock := ""
	if q.db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	stmt := `UPDATE ` + q.table + ` SET claimed_until = $1 WHERE id IN (
		SELECT id FROM ` + q.table + ` WHERE status = 'pending' AND next_at <= $2 AND claimed_until < $2
		ORDER BY next_at, id LIMIT $3` + lock + `) RETURNING ` + cols
	var out []T
	err := q.db.InTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, stmt, int64(tok), now.UnixMicro(), q.o.Batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("lease: claim %s: %w", q.table, err)
	}
	return out, tok, nil
}

// Release gives claimed rows back at once, without counting an attempt.
// Rows whose lease is no longer tok are left alone.
func (q *Queue) Release(ctx context.Context, tok Token, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{int64(tok)}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	_, err := q.db.SQL().ExecContext(ctx, `UPDATE `+q.table+` SET claimed_until = 0 WHERE claimed_until = $1 AND id IN (`+
		strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("lease: release %s: %w", q.table, err)
	}
	return nil
}

// Each calls step on each row in order. When ctx ends before a row, or
// step fails, the rows not yet stepped are released (with a context that
// outlives ctx) and Each returns. step's bool says whether the row counts
// as finished; Each returns how many did.
func Each[T any](ctx context.Context, q *Queue, tok Token, rows []T, id func(T) string,
	step func(context.Context, T) (bool, error)) (int, error) {
	done := 0
	for i, r := range rows {
		if ctx.Err() != nil {
			return done, q.Release(context.WithoutCancel(ctx), tok, ids(rows[i:], id)...)
		}
		ok, err := step(ctx, r)
		if err != nil {
			return done, errors.Join(err, q.Release(context.WithoutCancel(ctx), tok, ids(rows[i+1:], id)...))
		}
		if ok {
			done++
		}
	}
	return done, nil
}

func ids[T any](rows []T, id func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}
