package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// Throttle limits sign-in attempts per account and per client address:
// after UserLimit failures in a row (AddrLimit for an address, which may
// be an office behind one NAT) the key is locked for Base, doubling with
// each further failure up to Max. A success clears the account's counter
// and the address's. Counters live in the database, so every cmsd instance
// sees them; a counter idle for Forget starts again from zero.
type Throttle struct {
	db                   *store.DB
	UserLimit, AddrLimit int           // 5, 20
	Base, Max, Forget    time.Duration // 1m, 15m, 1h
	Now                  func() time.Time
}

// NewThrottle returns a Throttle with the defaults shown on its fields.
func NewThrottle(db *store.DB) *Throttle {
	return &Throttle{db: db, UserLimit: 5, AddrLimit: 20, Base: time.Minute, Max: 15 * time.Minute,
		Forget: time.Hour, Now: time.Now}
}

// keys are the throttle's keys for a sign-in. The user name is stored
// hashed: a password typed into the user name field must not be kept.
func keys(user, addr string) []string {
	h := sha256.Sum256([]byte(strings.ToLower(user)))
	return []string{"user:" + hex.EncodeToString(h[:16]), "addr:" + addr}
}

// Locked returns until when sign-in is refused for user or addr; the zero
// time means it is allowed.
func (t *Throttle) Locked(ctx context.Context, user, addr string) (time.Time, error) {
	var until int64
	ks := keys(user, addr)
	err := t.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(MAX(locked_until), 0) FROM signin_failures WHERE key IN ($1, $2)`,
		ks[0], ks[1]).Scan(&until)
	if err != nil {
		return time.Time{}, fmt.Errorf("account: throttle: %w", err)
	}
	if until <= t.Now().UnixMicro() {
		return time.Time{}, nil
	}
	return time.UnixMicro(until), nil
}

// Fail counts a failed sign-in and returns until when the account or the
// address is now locked (zero if neither is).
func (t *Throttle) Fail(ctx context.Context, user, addr string) (time.Time, error) {
	var until time.Time
	ks := keys(user, addr)
	err := t.db.InTx(ctx, func(tx *sql.Tx) error {
		until = time.Time{}
		for i, k := range ks {
			limit := t.UserLimit
			if i == 1 {
				limit = t.AddrLimit
			}
			u, err := t.fail(ctx, tx, k, limit)
			if err != nil {
				return err
			}
			if u.After(until) {
				until = u
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("account: throttle: %w", err)
	}
	return until, nil
}

func (t *Throttle) fail(ctx context.Context, tx *sql.Tx, key string, limit int) (time.Time, error) {
	now := t.Now()
	var n int
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT failures, last_at FROM signin_failures WHERE key = $1`, key).Scan(&n, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, err
	}
	if now.Sub(time.UnixMicro(last)) > t.Forget {
		n = 0
	}
	n++
	var until time.Time
	var lock int64
	if n >= limit {
		d := t.Base
		for i := limit; i < n && d < t.Max; i++ {
			d *= 2
		}
		until = now.Add(min(d, t.Max))
		lock = until.UnixMicro()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO signin_failures (key, failures, last_at, locked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, locked_until = excluded.locked_until`,
		key, n, now.UnixMicro(), lock)
	return until, err
}

// Succeed clears the counters of user and addr.
func (t *Throttle) Succeed(ctx context.Context, user, addr string) error {
	ks := keys(user, addr)
	if _, err := t.db.SQL().ExecContext(ctx, `DELETE FROM signin_failures WHERE key IN ($1, $2)`, ks[0], ks[1]); err != nil {
		return fmt.Errorf("account: throttle: %w", err)
	}
	return nil
}
