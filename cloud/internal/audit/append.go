package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"cnskiosk.dev/cloud/internal/store"
)

// Append writes r inside tx, chained after the last record of its device's
// partition. It locks that partition's head row until tx ends. d is the
// dialect of tx's database (the SQL is the same on both today; it is taken
// so a dialect-specific form can be added without changing callers).
func Append(ctx context.Context, tx *sql.Tx, d store.Dialect, r Record) error {
	_ = d
	if err := r.validate(); err != nil {
		return err
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	at := r.At.UTC().UnixMicro()
	part := PartitionOf(r.Device)
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx,
		`UPDATE audit_heads SET seq = seq + 1 WHERE part = $1 RETURNING seq, hash`, part).Scan(&seq, &prev)
	if err != nil {
		return fmt.Errorf("%w: lock partition %d: %w", ErrStore, part, err)
	}
	id, err := ulid.New(ulid.Timestamp(r.At), rand.Reader)
	if err != nil {
		return fmt.Errorf("%w: id: %w", ErrStore, err)
	}
	sum := chainHash(prev, id.String(), part, at, r)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log
		(id, part, seq, at, device, counter, operator, card, action, outcome, op_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		id.String(), part, seq, at, r.Device, r.Counter, r.Operator, r.Card, r.Action, r.Outcome, r.OpID, r.Detail, prev, sum)
	if err != nil {
		return fmt.Errorf("%w: insert: %w", ErrStore, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET hash = $1 WHERE part = $2`, sum, part); err != nil {
		return fmt.Errorf("%w: update head %d: %w", ErrStore, part, err)
	}
	return nil
}
