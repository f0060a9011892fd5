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
// the caller's own (a pipeline on PostgreSQL). [CheckAllIn] runs it. The
// lists of an operator's row and of a session are split once, however
// many queries name them.
type Batch struct {
	qs          []Query
	ops         map[string]*Operator      // operator cf -> registry row
	withSession map[[2]string]*sessionRow // (cf, session id) -> that session of his

	// row receives each row, through dst (pointers to its fields), made
	// once: scan targets passed one by one escape, an allocation each.
	row struct {
		cf  string
		sid sql.NullString
		g   grant
	}
	dst []any
}

// NewBatch returns the check of qs (at least one) and its statement on a
// database of dialect d, with the statement's arguments.
func NewBatch(d store.Dialect, qs []Query) (*Batch, string, []any) {
	cfs, sessions := distinct(qs, func(q Query) string { return q.OperatorCF }), distinct(qs, func(q Query) string { return q.Session })
	query, args := checkAllSQL(d, cfs, sessions)
	return &Batch{qs: qs, ops: make(map[string]*Operator, len(cfs)), withSession: make(map[[2]string]*sessionRow, len(sessions))}, query, args
}

// Scan reads one row of the batch's statement.
func (b *Batch) Scan(row interface{ Scan(...any) error }) error {
	r := &b.row
	if b.dst == nil {
		g := &r.g
		b.dst = []any{&r.cf, &r.sid, &g.enabled, &g.menus, &g.counters, &g.sDev, &g.sMenus, &g.sFrom, &g.sTo}
	}
	r.cf, r.sid, r.g = "", sql.NullString{}, grant{} // as fresh targets would be
	if err := row.Scan(b.dst...); err != nil {
		return fmt.Errorf("operator: check all: %w", err)
	}
	cf, sid, g := r.cf, r.sid, r.g
	if sid.Valid {
		s := g.session()
		b.withSession[[2]string{cf, sid.String}] = &s
	}
	if _, ok := b.ops[cf]; !ok { // every row of cf carries the same operator columns
		o := g.operator()
		b.ops[cf] = &o
	}
	return nil
}

// Verdicts are the answers, in the order of the queries, once every row
// has been read.
func (b *Batch) Verdicts() []Verdict {
	out := make([]Verdict, len(b.qs))
	for i, q := range b.qs {
		o, ok := b.ops[q.OperatorCF]
		if !ok {
			out[i] = Verdict{outcome.OperatorNotAuthorised, "operator not registered"}
			continue
		}
		s := b.withSession[[2]string{q.OperatorCF, q.Session}]
		if s == nil {
			s = &sessionRow{} // none of his: the session columns NULL
		}
		out[i].Code, out[i].Detail = decide(o, s, q)
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
		WHERE o.cf = ANY($1::text[])`, []any{store.TextArray(cfs), store.TextArray(sessions)}
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
	seen := make(map[string]bool, len(qs))
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
