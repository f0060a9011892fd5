package web_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"regexp"
	"strings"
	"sync"
	"testing"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
)

// recorder is a database/sql connector that keeps the last statement and
// arguments queried through it, so a test can ask for the plan of the
// statement a package really runs.
type recorder struct {
	dsn string
	drv driver.Driver

	mu   sync.Mutex
	q    string
	args []any
}

func (r *recorder) Connect(context.Context) (driver.Conn, error) {
	c, err := r.drv.Open(r.dsn)
	return recConn{c, r}, err
}

func (r *recorder) Driver() driver.Driver { return r.drv }

func (r *recorder) last() (string, []any) { r.mu.Lock(); defer r.mu.Unlock(); return r.q, r.args }

type recConn struct {
	driver.Conn
	r *recorder
}

func (c recConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.r.mu.Lock()
	c.r.q, c.r.args = q, nil
	for _, a := range args {
		c.r.args = append(c.r.args, a.Value)
	}
	c.r.mu.Unlock()
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

// seedSearch fills tickets and fse_requests with 20,000 rows each, 4 of
// every CF and TEAM code, and updates the planner's statistics.
func seedSearch(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO tickets (id, queue, status, subject, card_team, cf, source, ref, created_at, updated_at)
			SELECT 'T' || lpad(g::text, 6, '0'), CASE WHEN g % 2 = 0 THEN 'L1' ELSE 'L2' END,
				(ARRAY['open', 'in_progress', 'resolved'])[g % 3 + 1], 'seed', 'TEAM' || (g % 5000), 'CF' || (g % 5000),
				CASE WHEN g % 4 = 0 THEN 'fse' ELSE 'notify' END, 'F' || lpad(g::text, 6, '0'), 1700000000000000 + g * 1000, 1700000000000000 + g * 1000
			FROM generate_series(1, 20000) g`,
		`INSERT INTO fse_requests (id, card_team, cf, op_id, status, attempts, next_at, last_error, created_at, updated_at)
			SELECT 'F' || lpad(g::text, 6, '0'), 'TEAM' || (g % 5000), 'CF' || (g % 5000), 'op' || g,
				(ARRAY['pending', 'done', 'failed_cf', 'failed_tech'])[g % 4 + 1], 1, 0, '', 1700000000000000 + g * 1000, 1700000000000000 + g * 1000
			FROM generate_series(1, 20000) g`,
		`ANALYZE`,
	} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// searchCase is a statement as ticket.Page or fse.List ran it and the
// index its plan must read.
type searchCase struct {
	name, index string
	sorted      bool // the index gives the order: no sort
	q           string
	args        []any
}

// TestSearchesUseIndexes: every statement of the help-desk queue
// (ticket.Page) by CF or TEAM and of the FSE request list (fse.List) reads
// an index made for it (migration 0245), never the whole table; the
// unfiltered FSE list walks its index in order, with no sort. A search by
// CF or TEAM may read the few rows of that citizen or card from the index
// and sort them. The plans are PostgreSQL's over 20,000 rows with
// statistics, and SQLite's for the same statements.
func TestSearchesUseIndexes(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres)
	db, err := store.Open(ctx, dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedSearch(t, db.SQL())
	cases := recordSearches(t, &recorder{dsn: dsn, drv: db.SQL().Driver()})

	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range cases {
		plan := queryPlan(t, conn, "EXPLAIN (COSTS OFF) "+c.q, c.args)
		if !strings.Contains(plan, " "+c.index) || strings.Contains(plan, "Seq Scan") || (c.sorted && strings.Contains(plan, "Sort")) {
			t.Errorf("postgres, %s: want a read of %s (in order: %v), no table scan:\n%s", c.name, c.index, c.sorted, plan)
		}
	}

	lite, err := storetest.Open(t, store.SQLite).SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	fullScan := regexp.MustCompile(`(?m)SCAN \w+ $`)
	for _, c := range cases {
		plan := queryPlan(t, lite, "EXPLAIN QUERY PLAN "+c.q, c.args)
		if !strings.Contains(plan, "INDEX "+c.index) || fullScan.MatchString(plan) || (c.sorted && strings.Contains(plan, "TEMP B-TREE")) {
			t.Errorf("sqlite, %s: want a read of %s (in order: %v), no table scan:\n%s", c.name, c.index, c.sorted, plan)
		}
	}
}

// recordSearches runs the searches through rec and returns their
// statements.
func recordSearches(t *testing.T, rec *recorder) []searchCase {
	t.Helper()
	ctx := context.Background()
	db := sql.OpenDB(rec)
	defer db.Close()
	var out []searchCase
	add := func(name, index string, sorted bool, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		q, args := rec.last()
		out = append(out, searchCase{name, index, sorted, q, args})
	}
	const cursor = "1700000000500000.T000500"
	for _, c := range []struct {
		name, index string
		q           ticket.Query
	}{
		{"tickets by CF", "tickets_cf", ticket.Query{CF: "CF42"}},
		{"tickets by CF, queue and active", "tickets_cf", ticket.Query{Queue: ticket.L1, Statuses: ticket.Active, CF: "CF42"}},
		{"tickets by CF after a cursor", "tickets_cf", ticket.Query{CF: "CF42", After: cursor}},
		{"tickets by TEAM", "tickets_team", ticket.Query{TEAM: "TEAM42"}},
		{"tickets by TEAM, queue and status", "tickets_team", ticket.Query{Queue: ticket.L2, Statuses: []ticket.Status{ticket.Resolved}, TEAM: "TEAM42", After: cursor}},
	} {
		_, _, err := ticket.Page(ctx, db, c.q)
		add(c.name, c.index, false, err)
	}
	const before = "1700010000000000.F010000"
	for _, c := range []struct {
		name, index string
		sorted      bool
		q           fse.Query
	}{
		{"every request", "fse_requests_created", true, fse.Query{}},
		{"every request before a cursor", "fse_requests_created", true, fse.Query{Before: before}},
		{"requests by status", "fse_requests_", false, fse.Query{Status: "failed_cf"}},
		{"requests by CF", "fse_requests_cf", false, fse.Query{CF: "CF42"}},
		{"requests by CF and status", "fse_requests_cf", false, fse.Query{CF: "CF42", Status: "pending"}},
		{"requests by TEAM", "fse_requests_team", false, fse.Query{TEAM: "TEAM42", Before: before}},
	} {
		_, _, err := fse.List(ctx, db, c.q)
		add(c.name, c.index, c.sorted, err)
	}
	return out
}
