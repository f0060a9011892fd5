package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/web"
)

// op is an operation outcomeEnv inserted.
type op struct {
	id, outcome string
	at          time.Time
}

// outcomeEnv is a console over a database of dialect d holding n
// operations a quarter of an hour apart from 2026-03-02 09:00 UTC: every
// fifth is refused (card_revoked), the others applied; every third shares
// its time with the previous one. It returns them newest first.
func outcomeEnv(t *testing.T, d store.Dialect, n int) (*env, []op) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, d)
	s, err := web.New(web.Options{DB: db, Log: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts().Add(ctx, "supervisore", "Utente", account.Supervisor, password); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, srv: httptest.NewServer(s.Handler())}
	t.Cleanup(e.srv.Close)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var ops []op
	for i := range n {
		o := op{id: fmt.Sprintf("op-%05d", i), outcome: "applied", at: base.Add(time.Duration(i-i%3) * 15 * time.Minute)}
		if i%5 == 0 {
			o.outcome = "card_revoked"
		}
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO operations (op_id, dev, seq, type, outcome, at, applied_at)
			VALUES ($1, 'kiosk-001', $2, 'activation', $3, $4, $4)`, o.id, i+1, o.outcome, o.at.UnixMicro())
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, o)
	}
	slices.Reverse(ops)
	return e, ops
}

// ids are the ids of the operations of ops that keep says to keep.
func ids(ops []op, keep func(op) bool) []string {
	var out []string
	for _, o := range ops {
		if keep(o) {
			out = append(out, o.id)
		}
	}
	return out
}

// The outcome search finds exactly the operations of that outcome, newest
// first and across pages, whether the partial index (refusals) or the
// date index (applied) serves it.
func TestOperationsByOutcome(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e, ops := outcomeEnv(t, d, 120) // 2026-03-02 10:00 to 2026-03-03 15:45, Rome time
			c := e.client(t, "supervisore")
			for _, out := range []string{"applied", "card_revoked", "counter_mismatch"} {
				got := walk(t, c, e.srv.URL+"/api/v1/operations?outcome="+out+"&limit=7", "operations", "before")
				if want := ids(ops, func(o op) bool { return o.outcome == out }); !slices.Equal(got, want) {
					t.Errorf("outcome %s: walked %v, want %v", out, got, want)
				}
			}
			// From midnight, Rome time (23:00 UTC), of the second day.
			second := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)
			for _, out := range []string{"applied", "card_revoked"} {
				got := walk(t, c, e.srv.URL+"/api/v1/operations?outcome="+out+"&from=2026-03-03&to=2026-03-03&limit=5", "operations", "before")
				want := ids(ops, func(o op) bool { return o.outcome == out && !o.at.Before(second) })
				if len(want) == 0 || !slices.Equal(got, want) {
					t.Errorf("outcome %s on 2026-03-03: walked %v, want %v", out, got, want)
				}
			}
		})
	}
}

// A search by a refused outcome uses the index operations_outcome on both
// engines: on PostgreSQL, where that index holds only the operations not
// applied, with the plan PostgreSQL gives a prepared statement (generic:
// the outcome is a parameter). A search for "applied" walks operations_at
// there; SQLite keeps the full index on outcome.
func TestOperationsByOutcomeUsesIndex(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e, _ := outcomeEnv(t, d, 2000)
			ctx := context.Background()
			conn, err := e.db.SQL().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if d == store.Postgres {
				for _, s := range []string{`ANALYZE operations`, `SET plan_cache_mode = force_generic_plan`} {
					if _, err := conn.ExecContext(ctx, s); err != nil {
						t.Fatalf("%s: %v", s, err)
					}
				}
			}
			for _, c := range []struct{ outcome, pg, sqlite string }{
				{"card_revoked", "operations_outcome", "operations_outcome"},
				{"applied", "operations_at", "operations_outcome"},
			} {
				q, args, err := web.SearchSQL(web.OpQuery{Outcome: c.outcome})
				if err != nil {
					t.Fatal(err)
				}
				explain, want := `EXPLAIN QUERY PLAN `+q, c.sqlite
				if d == store.Postgres {
					if _, err := conn.ExecContext(ctx, `PREPARE search_`+c.outcome+` AS `+q); err != nil {
						t.Fatal(err)
					}
					// EXECUTE takes no parameters of its own: the one
					// argument, the outcome, is spelled in the statement.
					explain, args, want = `EXPLAIN (COSTS OFF) EXECUTE search_`+c.outcome+`('`+c.outcome+`')`, nil, c.pg
				}
				if plan := queryPlan(t, conn, explain, args); !strings.Contains(plan, want) {
					t.Errorf("search by outcome %s does not use %s:\n%s", c.outcome, want, plan)
				}
			}
		})
	}
}

// queryPlan returns the rows of an EXPLAIN, one line each.
func queryPlan(t *testing.T, conn *sql.Conn, explain string, args []any) string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), explain, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	for rows.Next() {
		v := make([]any, len(cols))
		for i := range v {
			v[i] = new(any)
		}
		if err := rows.Scan(v...); err != nil {
			t.Fatal(err)
		}
		for _, x := range v {
			fmt.Fprintf(&plan, "%v ", *x.(*any))
		}
		plan.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}
