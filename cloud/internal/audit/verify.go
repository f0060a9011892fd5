package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// Kind says what is wrong with a record.
type Kind string

// Issue kinds.
const (
	Changed   Kind = "changed"   // the record's content or a chain link was altered
	Removed   Kind = "removed"   // records are missing from the chain
	Reordered Kind = "reordered" // the record is not where its chain link puts it
)

// Issue is one problem Verify found. ID names the record concerned (for a
// removal, the first record after the gap, or "" at the tail).
type Issue struct {
	Kind      Kind   `json:"kind"`
	Partition int    `json:"partition"`
	Seq       int64  `json:"seq"`
	ID        string `json:"id"`
	Detail    string `json:"detail"`
}

// Report is the result of Verify.
type Report struct {
	Records    int     `json:"records"`
	Partitions int     `json:"partitions"`
	Issues     []Issue `json:"issues"`
}

// OK reports whether no issue was found.
func (r Report) OK() bool { return len(r.Issues) == 0 }

// row is what Verify keeps of a record (no text fields, to bound memory).
type row struct {
	id        string
	seq       int64
	prev, sum string
}

// Verify checks every partition's chain. An error means the database could
// not be read; what is wrong with the log is in the Report.
func Verify(ctx context.Context, db *sql.DB, d store.Dialect) (Report, error) {
	_ = d
	rep := Report{Partitions: Partitions}
	heads, err := readHeads(ctx, db)
	if err != nil {
		return rep, err
	}
	for p := range Partitions {
		rows, bad, err := readPartition(ctx, db, p)
		if err != nil {
			return rep, err
		}
		rep.Records += len(rows)
		rep.Issues = append(rep.Issues, bad...)
		rep.Issues = append(rep.Issues, checkPartition(p, rows, heads[p])...)
	}
	return rep, nil
}

type head struct {
	seq int64
	sum string
}

func readHeads(ctx context.Context, db *sql.DB) (map[int]head, error) {
	rs, err := db.QueryContext(ctx, `SELECT part, seq, hash FROM audit_heads`)
	if err != nil {
		return nil, fmt.Errorf("%w: read heads: %w", ErrStore, err)
	}
	defer rs.Close()
	out := map[int]head{}
	for rs.Next() {
		var p int
		var h head
		if err := rs.Scan(&p, &h.seq, &h.sum); err != nil {
			return nil, fmt.Errorf("%w: read heads: %w", ErrStore, err)
		}
		out[p] = h
	}
	return out, rs.Err()
}

// readPartition streams one partition in seq order, recomputing each
// record's hash; records whose stored hash differs are returned as issues.
func readPartition(ctx context.Context, db *sql.DB, p int) ([]row, []Issue, error) {
	rs, err := db.QueryContext(ctx, `SELECT id, seq, at, device, counter, operator, card, action,
		outcome, op_id, detail, prev_hash, hash FROM audit_log WHERE part = $1 ORDER BY seq`, p)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: read partition %d: %w", ErrStore, p, err)
	}
	defer rs.Close()
	var rows []row
	var bad []Issue
	for rs.Next() {
		var x row
		var at int64
		var r Record
		if err := rs.Scan(&x.id, &x.seq, &at, &r.Device, &r.Counter, &r.Operator, &r.Card, &r.Action,
			&r.Outcome, &r.OpID, &r.Detail, &x.prev, &x.sum); err != nil {
			return nil, nil, fmt.Errorf("%w: read partition %d: %w", ErrStore, p, err)
		}
		r.At = time.UnixMicro(at)
		if chainHash(x.prev, x.id, p, at, r) != x.sum {
			bad = append(bad, Issue{Changed, p, x.seq, x.id, "content does not match its hash"})
		}
		rows = append(rows, x)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: read partition %d: %w", ErrStore, p, err)
	}
	return rows, bad, nil
}
