package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/keyset"
	"cnskiosk.dev/shared/outcome"
)

// OpQuery selects operations; empty fields match all.
type OpQuery struct {
	CF       string `json:"cf,omitempty"`
	TEAM     string `json:"team,omitempty"`
	Device   string `json:"device,omitempty"`
	Operator string `json:"operator,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	From     string `json:"from,omitempty"`   // YYYY-MM-DD, Europe/Rome, inclusive
	To       string `json:"to,omitempty"`     // YYYY-MM-DD, inclusive
	Before   string `json:"before,omitempty"` // page cursor: operations older than this one
	Limit    int    `json:"limit,omitempty"`
}

// opPageSize is the default number of operations on one page.
const opPageSize = 100

// Operation is one row of table operations.
type Operation struct {
	ID       string    `json:"op_id"`
	Device   string    `json:"device"`
	Seq      int64     `json:"seq"`
	Type     string    `json:"type"`
	CardTEAM string    `json:"card_team"`
	Operator string    `json:"operator_cf"`
	Outcome  string    `json:"outcome"`
	At       time.Time `json:"at"`
}

func opQueryFrom(v url.Values) OpQuery {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return OpQuery{CF: strings.ToUpper(g("cf")), TEAM: g("team"), Device: g("dispositivo"), Operator: strings.ToUpper(g("operatore")),
		Outcome: g("esito"), From: g("dal"), To: g("al"), Before: g("prima")}
}

func (q OpQuery) empty() bool { return q == OpQuery{Limit: q.Limit, Before: q.Before} }

// opCursor is the keyset of the last row of a page: "<at µs>.<op id>".
func opCursor(o Operation) string { return keyset.Cursor(o.At, o.ID) }

func parseOpCursor(c string) (int64, string, error) {
	at, id, err := keyset.Parse(c)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	return at, id, nil
}

func (q OpQuery) where() (string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.CF != "" {
		add("card_team IN (SELECT team FROM cards WHERE cf = $%d)", q.CF)
	}
	if q.TEAM != "" {
		add("card_team = $%d", q.TEAM)
	}
	if q.Device != "" {
		add("dev = $%d", q.Device)
	}
	if q.Operator != "" {
		add("operator_cf = $%d", q.Operator)
	}
	if q.Outcome != "" {
		add("outcome = $%d", q.Outcome)
		if q.Outcome != string(outcome.Applied) {
			where = append(where, notApplied)
		}
	}
	for _, d := range []struct {
		v, op string
		days  int
	}{{q.From, ">=", 0}, {q.To, "<", 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.v, rome)
		if err != nil {
			return "", nil, fmt.Errorf("%w: data %q", ErrBadInput, d.v)
		}
		add("at "+d.op+" $%d", t.AddDate(0, 0, d.days).UnixMicro())
	}
	if q.Before != "" {
		at, id, err := parseOpCursor(q.Before)
		if err != nil {
			return "", nil, err
		}
		args = append(args, at, id)
		n := len(args)
		// "at <= $n" first: the OR alone is not a range the date index
		// can scan, and each older page would read every newer row.
		where = append(where, fmt.Sprintf("at <= $%d AND (at < $%d OR (at = $%d AND op_id < $%d))", n-1, n-1, n-1, n))
	}
	if len(where) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// notApplied is the predicate of the partial index operations_outcome
// (migration 0203), spelled as the index spells it. A search for another
// outcome adds it: the planner cannot tell that a parameter is not
// 'applied', and without the predicate in the query neither engine would
// use the index. Nearly every operation is applied, and none of them pays
// for an entry; a search for "applied" needs no index of its own, the
// newest-first scan of operations_at finds a page of them at once.
const notApplied = "outcome <> 'applied'"

// limit is q's page size.
func (q OpQuery) limit() int {
	if q.Limit <= 0 || q.Limit > 1000 {
		return opPageSize
	}
	return q.Limit
}

// sql is the statement of one page of q, one row more than the page to
// tell whether another follows, and its arguments.
func (q OpQuery) sql() (string, []any, error) {
	w, args, err := q.where()
	if err != nil {
		return "", nil, err
	}
	return `SELECT op_id, dev, seq, type, card_team, operator_cf, outcome, at FROM operations` +
		w + fmt.Sprintf(" ORDER BY at DESC, op_id DESC LIMIT %d", q.limit()+1), args, nil
}

// searchOperations returns one page of matching operations, newest first,
// and the cursor of the next page ("" on the last).
func (s *Server) searchOperations(ctx context.Context, q OpQuery) ([]Operation, string, error) {
	query, args, err := q.sql()
	if err != nil {
		return nil, "", err
	}
	q.Limit = q.limit()
	rows, err := s.db.SQL().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("web: operations: %w", err)
	}
	defer rows.Close()
	var out []Operation
	for rows.Next() {
		var o Operation
		var at int64
		if err := rows.Scan(&o.ID, &o.Device, &o.Seq, &o.Type, &o.CardTEAM, &o.Operator, &o.Outcome, &at); err != nil {
			return nil, "", fmt.Errorf("web: operations: %w", err)
		}
		o.At = time.UnixMicro(at).UTC()
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("web: operations: %w", err)
	}
	if len(out) > q.Limit {
		out = out[:q.Limit]
		return out, opCursor(out[len(out)-1]), nil
	}
	return out, "", nil
}
