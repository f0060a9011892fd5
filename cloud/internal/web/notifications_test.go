package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/cloud/internal/web"
	"github.com/oklog/ulid/v2"
)

func TestFailedNotificationsListed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var tkt string
	err := e.db.InTx(ctx, func(tx *sql.Tx) (err error) {
		for _, n := range []struct{ id, status, addr string }{{"n-failed", "failed", "non.esiste@example.it"}, {"n-sent", "sent", "mario@example.it"}} {
			if _, err = tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, card_team, channel, address, status, attempts, next_at, last_error, op_id, created_at)
				VALUES ($1, 'second_halves', '80380000900090510553', 'email', $2, $3, 1, 0, '550 mailbox unknown', 'op', 1)`, n.id, n.addr, n.status); err != nil {
				return err
			}
		}
		tkt, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "Notifica non consegnata", Source: "notify", Ref: "n-failed"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, "supervisore")
	code, body := get(t, c, e.srv.URL+"/notifiche")
	if code != 200 || !strings.Contains(body, "non.esiste@example.it") || !strings.Contains(body, `href="/ticket/`+tkt+`"`) ||
		strings.Contains(body, "mario@example.it") {
		t.Errorf("page: %d, want the failed notice with its ticket and not the sent one:\n%s", code, body)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{{"", []string{"n-failed"}}, {"?status=sent", []string{"n-sent"}}, {"?status=all", []string{"n-sent", "n-failed"}}} {
		code, body := get(t, c, e.srv.URL+"/api/v1/notifications"+tt.query)
		var got struct {
			Notifications []struct {
				ID       string
				TicketID string `json:"ticket_id"`
			}
		}
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("api%s: %d %s", tt.query, code, body)
		}
		var ids []string
		for _, n := range got.Notifications {
			ids = append(ids, n.ID)
			if n.ID == "n-failed" && n.TicketID != tkt {
				t.Errorf("api: ticket_id %q, want %q", n.TicketID, tkt)
			}
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("api%s: %v, want %v", tt.query, ids, tt.want)
		}
	}
}

// notifEnv is a console over an empty database of dialect d, with the
// account "supervisore".
func notifEnv(t testing.TB, d store.Dialect) *env {
	t.Helper()
	db := storetest.Open(t, d)
	s, err := web.New(web.Options{DB: db, Log: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts().Add(context.Background(), "supervisore", "Utente", account.Supervisor, password); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, srv: httptest.NewServer(s.Handler())}
	t.Cleanup(e.srv.Close)
	return e
}

// apiNotification is one notification as the API returns it (the page's
// type: the API encodes it as is).
type apiNotification = web.Notification

func listNotifications(t *testing.T, c *http.Client, u string) []apiNotification {
	t.Helper()
	code, body := get(t, c, u)
	var got struct {
		Notifications []apiNotification `json:"notifications"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || got.Notifications == nil {
		t.Fatalf("%s: %d %s", u, code, body)
	}
	return got.Notifications
}

// Each filter lists the newest 200 notifications of its status: failed,
// sent and all by id (ULID, so creation time), pending by next attempt,
// latest first. The rows are inserted in shuffled order, as batches of
// several cmsd instances commit, and come from the engine's id scheme:
// a ULID from the clock that gave created_at, some sharing a millisecond.
func TestNotificationFilters(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := notifEnv(t, d)
			ctx := context.Background()
			base := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
			entropy := ulid.Monotonic(rand.NewChaCha8([32]byte{3}), 0) // as ulid.Make's: increasing within a millisecond
			var all []apiNotification
			for i := range 660 {
				at := base.Add(time.Duration(i) * 700 * time.Microsecond) // some rows share a millisecond
				n := apiNotification{ID: ulid.MustNew(ulid.Timestamp(at), entropy).String(), Kind: "second_halves",
					CardTEAM: fmt.Sprintf("8038000009%010d", i), Channel: "sms", Address: fmt.Sprintf("+39333%07d", i),
					Status: []string{"failed", "sent", "pending"}[i%3], NextAt: at, Created: at}
				switch {
				case n.Status == "failed":
					n.Attempts, n.LastError = 8, "gateway: 503"
				case n.Status == "sent":
					n.Attempts = 1
				case i%9 == 2: // a pending notice waiting for its retry, due within the hour
					n.Attempts, n.LastError, n.NextAt = 2, "gateway: timeout", base.Add(time.Hour-time.Duration(i)*time.Second)
				}
				all = append(all, n)
			}
			err := e.db.InTx(ctx, func(tx *sql.Tx) error {
				for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(len(all)) {
					n := all[i]
					_, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, kind, card_team, channel, address, status, attempts, next_at, last_error, op_id, created_at)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, n.ID, n.Kind, n.CardTEAM, n.Channel, n.Address, n.Status,
						n.Attempts, n.NextAt.UnixMicro(), n.LastError, "op-"+n.ID, n.Created.UnixMicro())
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The newest failed notice has a help-desk ticket.
			newestFailed := &all[657]
			err = e.db.InTx(ctx, func(tx *sql.Tx) (err error) {
				newestFailed.TicketID, err = ticket.OpenTx(ctx, tx, ticket.New{Queue: ticket.L1, Subject: "Notifica non consegnata",
					Source: "notify", Ref: newestFailed.ID}, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			byCreated := func(a, b apiNotification) int { return b.Created.Compare(a.Created) }
			byNextAt := func(a, b apiNotification) int {
				if c := b.NextAt.Compare(a.NextAt); c != 0 {
					return c
				}
				return strings.Compare(b.ID, a.ID)
			}
			c := e.client(t, "supervisore")
			for _, tt := range []struct {
				query, status string
				order         func(a, b apiNotification) int
			}{
				{"", "failed", byCreated}, {"?status=failed", "failed", byCreated}, {"?status=sent", "sent", byCreated},
				{"?status=all", "", byCreated}, {"?status=pending", "pending", byNextAt},
			} {
				var want []apiNotification
				for _, n := range all {
					if tt.status == "" || n.Status == tt.status {
						want = append(want, n)
					}
				}
				slices.SortStableFunc(want, tt.order)
				want = want[:200]
				got := listNotifications(t, c, e.srv.URL+"/api/v1/notifications"+tt.query)
				if len(got) != len(want) {
					t.Fatalf("api%s: %d notifications, want %d", tt.query, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("api%s: #%d is\n%+v, want\n%+v", tt.query, i, got[i], want[i])
					}
				}
			}
			if got := listNotifications(t, c, e.srv.URL+"/api/v1/notifications?status=unknown"); len(got) != 0 {
				t.Errorf("api?status=unknown: %d notifications, want none", len(got))
			}
			code, body := get(t, c, e.srv.URL+"/notifiche?stato=pending")
			if code != 200 || !strings.Contains(body, "200 notifiche") || !strings.Contains(body, all[659].CardTEAM) ||
				strings.Contains(body, all[658].CardTEAM) {
				t.Errorf("page pending: %d, want 200 pending notices, %s and not the sent %s", code, all[659].CardTEAM, all[658].CardTEAM)
			}
		})
	}
}

// seedNotifications inserts n notifications with one statement, in id
// and creation order, as cmsd accumulates them: one every 10 ms, nearly
// all sent; failed 1 in 500 (with their ticket); pending the newest 100,
// which the worker has not sent yet, and 1 in 2,000 waiting for a retry.
func seedNotifications(t testing.TB, e *env, n int) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	rows := fmt.Sprintf(`SELECT CAST(g AS BIGINT) AS i FROM generate_series(1, %d) g`, n)
	id := `'N' || lpad(i::text, 25, '0')`
	if e.db.Dialect() == store.SQLite {
		rows = fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) SELECT i FROM s`, n)
		id = `printf('N%025d', i)`
	}
	// The sizes are spelled in the statement: PostgreSQL would type
	// parameters as integers, too small for microseconds.
	_, err := e.db.SQL().ExecContext(ctx, fmt.Sprintf(`INSERT INTO notifications (id, kind, card_team, channel, address, status, attempts, next_at, last_error, op_id, created_at)
		SELECT %[1]s, 'second_halves', '80380000090000000042', 'sms', '+393330000000',
			CASE WHEN i %% 500 = 7 THEN 'failed' WHEN i > %[3]d - 100 OR i %% 2000 = 3 THEN 'pending' ELSE 'sent' END,
			CASE WHEN i > %[3]d - 100 THEN 0 ELSE 1 END,
			CASE WHEN i %% 2000 = 3 THEN %[4]d + %[3]d * 10000 + 3600000000 ELSE %[4]d + i * 10000 END,
			'', 'op', %[4]d + i * 10000
		FROM (%[2]s) g`, id, rows, n, start))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.db.SQL().ExecContext(ctx, `INSERT INTO tickets (id, queue, subject, source, ref, created_at, updated_at)
		SELECT 'T' || id, 'L1', 'Notifica non consegnata', 'notify', id, created_at, created_at FROM notifications WHERE status = 'failed'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
}

// Every filter's statement walks an index and stops after 200 rows: on
// PostgreSQL no sequential scan and no sort of notifications, on SQLite
// an index and no temporary b-tree for the order.
func TestNotificationsUseIndex(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := notifEnv(t, d)
			seedNotifications(t, e, 20_000)
			conn, err := e.db.SQL().Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, c := range []struct{ status, pg, sqlite string }{
				{"failed", "notifications_failed", "notifications_failed"},
				{"pending", "notifications_pending", "notifications_pending"},
				{"sent", "notifications_pkey", "sqlite_autoindex_notifications_1"},
				{"", "notifications_pkey", "sqlite_autoindex_notifications_1"},
			} {
				q := web.NotificationsSQL(c.status)
				if d == store.Postgres {
					plan := queryPlan(t, conn, `EXPLAIN (COSTS OFF) `+q, nil)
					if !strings.Contains(plan, "Index Scan Backward using "+c.pg+" on notifications") ||
						strings.Contains(plan, "Seq Scan on notifications") || strings.Contains(plan, "Sort") {
						t.Errorf("status %q: want a backward walk of %s, no scan or sort of the table:\n%s", c.status, c.pg, plan)
					}
					continue
				}
				plan := queryPlan(t, conn, `EXPLAIN QUERY PLAN `+q, nil)
				if !strings.Contains(plan, "INDEX "+c.sqlite) || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("status %q: want a walk of %s, no sort:\n%s", c.status, c.sqlite, plan)
				}
			}
		})
	}
}

// BenchmarkNotifications measures the notification list over 200,000
// notifications on PostgreSQL: the default view (failed) as page and API,
// and the API's other filters.
func BenchmarkNotifications(b *testing.B) {
	e := notifEnv(b, store.Postgres)
	seedNotifications(b, e, 200_000)
	c := e.client(b, "supervisore")
	b.Run("page_failed", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/notifiche") })
	b.Run("api_failed", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/api/v1/notifications") })
	for _, st := range []string{"pending", "sent", "all"} {
		b.Run("api_"+st, func(b *testing.B) { benchGet(b, c, e.srv.URL+"/api/v1/notifications?status="+st) })
	}
}
