package operator

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
)

// RowsQuerier is *sql.DB or *sql.Tx.
type RowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Verdict is the answer of Check for one Query.
type Verdict struct {
	Code   outcome.Code
	Detail string
}

// CheckAll answers Check for every query of qs with one statement: the
// operators named and the sessions named, joined as Check joins them. The
// verdicts are in the order of qs.
func CheckAll(ctx context.Context, db RowsQuerier, qs []Query) ([]Verdict, error) {
	return CheckAllIn(ctx, db, store.SQLite, qs)
}

// CheckAllIn is CheckAll on a database of dialect d: on PostgreSQL the
// statement takes the operators and sessions as two array parameters, so
// its text is the same whatever their number (prepared once per
// connection); elsewhere IN lists (valid on both).
func CheckAllIn(ctx context.Context, db RowsQuerier, d store.Dialect, qs []Query) ([]Verdict, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	b, query, args := NewBatch(d, qs)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("operator: check all: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := b.Scan(rows); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("operator: check all: %w", err)
	}
	return b.Verdicts(), nil
}

// Batch is the check of several queries by one statement whose rows the
// caller reads into it: so that the statement can join a round trip of
// the caller's own (a pipeline on PostgreSQL). [CheckAllIn] runs it.
type Batch struct {
	qs          []Query
	ops         map[string]grant    // operator cf -> registry row, no session
	withSession map[[2]string]grant // (cf, session id) -> row with that session
}

// NewBatch returns the check of qs (at least one) and its statement on a
// database of dialect d, with the statement's arguments.
func NewBatch(d store.Dialect, qs []Query) (*Batch, string, []any) {
	cfs, sessions := distinct(qs, func(q Query) string { return q.OperatorCF }), distinct(qs, func(q Query) string { return q.Session })
	query, args := checkAllSQL(d, cfs, sessions)
	return &Batch{qs: qs, ops: map[string]grant{}, withSession: map[[2]string]grant{}}, query, args
}

// Scan reads one row of the batch's statement.
func (b *Batch) Scan(row interface{ Scan(...any) error }) error {
	var cf string
	var sid sql.NullString
	var g grant
	if err := row.Scan(&cf, &sid, &g.enabled, &g.menus, &g.counters, &g.sDev, &g.sMenus, &g.sFrom, &g.sTo); err != nil {
		return fmt.Errorf("operator: check all: %w", err)
	}
	if sid.Valid {
		b.withSession[[2]string{cf, sid.String}] = g
	}
	b.ops[cf] = grant{enabled: g.enabled, menus: g.menus, counters: g.counters}
	return nil
}

// Verdicts are the answers, in the order of the queries, once every row
// has been read.
func (b *Batch) Verdicts() []Verdict {
	out := make([]Verdict, len(b.qs))
	for i, q := range b.qs {
		g, ok := b.withSession[[2]string{q.OperatorCF, q.Session}]
		if !ok {
			if g, ok = b.ops[q.OperatorCF]; !ok {
				out[i] = Verdict{outcome.OperatorNotAuthorised, "operator not registered"}
				continue
			}
		}
		out[i].Code, out[i].Detail = g.decide(q)
	}
	return out
}

func checkAllSQL(d store.Dialect, cfs, sessions []string) (string, []any) {
	const head = `SELECT o.cf, s.id, o.enabled, o.menus, o.counters, s.device, s.menus, s.issued_at, s.expires_at
		FROM operators o LEFT JOIN operator_sessions s ON s.operator_cf = o.cf AND s.id `
	if d == store.Postgres {
		// Each session by its primary key (a LIMIT subquery per id, which
		// the planner cannot flatten): with the join on "s.id = ANY($2)"
		// the generic plan, made while operator_sessions is small, scanned
		// every session and compared it with every id of the batch
		// (80 us for one operation at 1,000 sessions).
		return `SELECT o.cf, s.id, o.enabled, o.menus, o.counters, s.device, s.menus, s.issued_at, s.expires_at
		FROM operators o LEFT JOIN LATERAL (
			SELECT x.* FROM unnest($2::text[]) AS q (id)
			CROSS JOIN LATERAL (SELECT * FROM operator_sessions z WHERE z.id = q.id LIMIT 1) x
			WHERE x.operator_cf = o.cf) s ON true
		WHERE o.cf = ANY($1::text[])`, []any{cfs, sessions}
	}
	args := make([]any, 0, len(cfs)+len(sessions))
	for _, v := range cfs {
		args = append(args, v)
	}
	for _, v := range sessions {
		args = append(args, v)
	}
	return head + `IN (` + list(len(sessions), len(cfs)+1) + `) WHERE o.cf IN (` + list(len(cfs), 1) + `)`, args
}

// distinct returns the distinct values of key over qs, in first-seen order.
func distinct(qs []Query, key func(Query) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range qs {
		if k := key(q); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// list returns n placeholders "$from, ..., $from+n-1".
func list(n, from int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}
