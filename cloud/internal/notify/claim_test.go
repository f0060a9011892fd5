package notify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// addDue adds a pending reissue notice due at next_at.
func addDue(t *testing.T, db *store.DB, id string, at time.Time) {
	t.Helper()
	_, err := db.SQL().Exec(`INSERT INTO notifications (id, kind, card_team, channel, address, status, next_at, op_id, created_at)
		VALUES ($1, $2, $3, 'sms', '+393331234567', 'pending', $4, $5, 0)`, id, notify.KindReissueNotice, team, at.UnixMicro(), "op-"+id)
	if err != nil {
		t.Fatal(err)
	}
}

// statuses returns the status of each notification by id.
func statuses(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rs, err := db.SQL().Query(`SELECT id, status FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var id, s string
		if err := rs.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	return out
}

// The worker goes on from the last row it claimed; a row committed behind
// that position (an engine batch stamped earlier that committed later) is
// still sent: at once when the queue is drained, and within a Poll while
// the worker still finds rows ahead, in the same batch as those (one
// record of the sent rows spanning both next_at).
func TestClaimFindsRowsBehindItsPosition(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			t0 := c.Now()
			for i := range 4 {
				addDue(t, db, fmt.Sprintf("a%d", i), t0)
			}
			g, sms := smsGateway(t)
			w, _ := worker(t, db, v, sms, sms, c) // batch of 4
			runOnce := func(want int) {
				t.Helper()
				if n, err := w.RunOnce(context.Background()); err != nil || n != want {
					t.Fatalf("RunOnce = %d, %v; want %d", n, err, want)
				}
			}
			runOnce(4) // position: a3

			c.Add(time.Second)
			addDue(t, db, "late1", t0.Add(-time.Second))
			addDue(t, db, "b0", c.Now())
			runOnce(1) // b0, ahead of the position
			runOnce(1) // nothing ahead: from the head, late1

			c.Add(time.Second)
			addDue(t, db, "late2", t0.Add(-time.Second))
			for i := range 3 {
				addDue(t, db, fmt.Sprintf("c%d", i), c.Now())
			}
			c.Add(2 * time.Second) // a Poll since the last scan from the head
			runOnce(4)             // late2 and c0..c2, oldest first
			runOnce(0)

			for id, s := range statuses(t, db) {
				if s != "sent" || g.Deliveries(id) != 1 {
					t.Errorf("%s: %s, %d deliveries; want sent once", id, s, g.Deliveries(id))
				}
			}
		})
	}
}

// hook runs before each message is sent.
type hook struct {
	inner  notify.Sender
	before func(notify.Message)
}

func (h hook) Send(ctx context.Context, m notify.Message) error {
	h.before(m)
	return h.inner.Send(ctx, m)
}

// Two workers (two cmsd instances) share the queue: while one is sending
// its batch, the other claims the rows after it, never one the first
// holds, whatever its own position; rows a crashed worker held come back
// when their lease runs out, behind both positions, and are sent once.
func TestWorkersNeverTakeHeldRows(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			for i := range 12 {
				addDue(t, db, fmt.Sprintf("n%02d", i), c.Now().Add(time.Duration(i)*time.Millisecond))
			}
			c.Add(time.Second)
			// A crashed worker holds n00 and n01 (its lease, 2 minutes).
			if _, err := db.SQL().Exec(`UPDATE notifications SET claimed_until = $1 WHERE id IN ('n00', 'n01')`,
				c.Now().Add(2*time.Minute).UnixMicro()); err != nil {
				t.Fatal(err)
			}
			g, sms := smsGateway(t)
			second, _ := worker(t, db, v, sms, sms, c)
			var inner []int
			first, _ := worker(t, db, v, sms, hook{inner: sms, before: func(m notify.Message) {
				if m.ID == "n02" { // while the first holds n02..n05
					for range 3 {
						n, err := second.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
						}
						inner = append(inner, n)
					}
				}
			}}, c)
			if n, err := first.RunOnce(context.Background()); err != nil || n != 4 {
				t.Fatalf("first RunOnce = %d, %v; want 4", n, err)
			}
			if fmt.Sprint(inner) != "[4 2 0]" {
				t.Errorf("second worker's batches while the first sends: %v, want [4 2 0]", inner)
			}
			st := statuses(t, db)
			for id, s := range st {
				want := "sent"
				if id == "n00" || id == "n01" {
					want = "pending"
				}
				if s != want {
					t.Errorf("%s: %s, want %s", id, s, want)
				}
			}
			c.Add(2*time.Minute + time.Second) // the crashed worker's lease has ended
			for _, w := range []*notify.Worker{first, second} {
				if n, err := w.RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				} else if w == first && n != 2 {
					t.Errorf("after the lease: first worker sent %d, want 2", n)
				}
			}
			for id, s := range statuses(t, db) {
				if s != "sent" || g.Deliveries(id) != 1 {
					t.Errorf("%s: %s, %d deliveries; want sent once", id, s, g.Deliveries(id))
				}
			}
		})
	}
}

// On PostgreSQL every connection plans a statement once (generic plans,
// see store) and keeps the plan: made on a new, empty table, the plans of
// the claim and of the record of sent rows must still go through the
// indexes, or each batch reads the whole table once it has grown.
func TestPostgresPlansUseIndexes(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	claim, sent := notify.Statements(db, 32)
	for name, q := range map[string]string{"claim": claim, "sent": sent} {
		if _, err := conn.ExecContext(ctx, `PREPARE `+name+` AS `+q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		args := "(1, 2, 32, 0, '')"
		if name == "sent" {
			args = "(1, 2, 0, 1, '{a}')"
		}
		rs, err := conn.QueryContext(ctx, `EXPLAIN EXECUTE `+name+args)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rs.Next() {
			var l string
			if err := rs.Scan(&l); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, l)
		}
		rs.Close()
		p := strings.Join(plan, "\n")
		if strings.Contains(p, "Seq Scan") || !strings.Contains(p, "notifications_pending") {
			t.Errorf("%s: plan on an empty table scans a whole table or misses notifications_pending:\n%s", name, p)
		}
	}
}

// injectConflicts makes the next n UPDATE statements on notifications fail
// as a PostgreSQL serialisation failure would (SQLSTATE 40001), and
// returns a function telling how many UPDATE statements the trigger has
// seen. The count lives in a sequence, which a failed statement does not
// roll back.
func injectConflicts(t *testing.T, db *store.DB, n int) (seen func() int) {
	t.Helper()
	for _, q := range []string{
		`CREATE SEQUENCE claim_faults`,
		fmt.Sprintf(`CREATE FUNCTION claim_faults() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('claim_faults') <= %d THEN
				RAISE EXCEPTION 'injected conflict' USING ERRCODE = 'serialization_failure';
			END IF;
			RETURN NULL;
		END $$`, n),
		`CREATE TRIGGER claim_faults BEFORE UPDATE ON notifications FOR EACH STATEMENT EXECUTE FUNCTION claim_faults()`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return func() int {
		t.Helper()
		var last int
		var called bool
		if err := db.SQL().QueryRow(`SELECT last_value, is_called FROM claim_faults`).Scan(&last, &called); err != nil {
			t.Fatal(err)
		}
		if !called {
			return 0
		}
		return last
	}
}

// A claim that meets a transient conflict is tried again at once, up to
// ClaimAttempts times: the row is sent in the same RunOnce. Past that the
// error is returned (the next poll tries again), and nothing is left
// claimed.
func TestClaimRetriesConflicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults int
		sent   int
	}{
		{"recovers", notify.ClaimAttempts - 1, 1},
		{"gives up", notify.ClaimAttempts, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.Open(t, store.Postgres)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			addDue(t, db, "n1", c.Now())
			seen := injectConflicts(t, db, tc.faults)
			g, sms := smsGateway(t)
			w, _ := worker(t, db, v, sms, sms, c)
			n, err := w.RunOnce(context.Background())
			if n != tc.sent || (err != nil) != (tc.sent == 0) {
				t.Fatalf("RunOnce = %d, %v; want %d", n, err, tc.sent)
			}
			if err != nil && !store.Retryable(err) {
				t.Errorf("RunOnce error %v is not the conflict", err)
			}
			if got := seen(); tc.sent == 0 && got != notify.ClaimAttempts {
				t.Errorf("%d statements tried, want the claim tried %d times", got, notify.ClaimAttempts)
			}
			var claimed int64
			if err := db.SQL().QueryRow(`SELECT claimed_until FROM notifications WHERE id = 'n1'`).Scan(&claimed); err != nil {
				t.Fatal(err)
			}
			if tc.sent == 0 {
				if claimed != 0 || g.Deliveries("n1") != 0 {
					t.Errorf("after the claim gave up: claimed until %d, %d deliveries; want neither", claimed, g.Deliveries("n1"))
				}
				// The conflict is over: the next poll sends it.
				if n, err := w.RunOnce(context.Background()); n != 1 || err != nil {
					t.Errorf("next RunOnce = %d, %v; want 1", n, err)
				}
			}
			if s, _ := notifStatus(t, db.SQL(), "n1"); s != "sent" || g.Deliveries("n1") != 1 {
				t.Errorf("n1: %s, %d deliveries; want sent once", s, g.Deliveries("n1"))
			}
		})
	}
}

// cancelOn cancels a context when a given message is logged.
type cancelOn struct {
	slog.Handler
	msg    string
	cancel context.CancelFunc
}

func (h cancelOn) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.cancel()
	}
	return h.Handler.Handle(ctx, r)
}

// A claim retrying a conflict stops when the context ends: a shutdown
// does not wait for the conflict to pass, and nothing is tried after it.
func TestClaimRetryHonoursContext(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	addDue(t, db, "n1", time.Now())
	seen := injectConflicts(t, db, notify.ClaimAttempts)
	_, sms := smsGateway(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, _ := newLogger(t)
	log = slog.New(cancelOn{Handler: log.Handler(), msg: "notification claim conflict, retrying", cancel: cancel})
	w, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: v}, log)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.RunOnce(ctx); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("RunOnce = %d, %v; want 0, context canceled", n, err)
	}
	if got := seen(); got != 1 {
		t.Errorf("%d statements tried, want 1 (no try after the cancellation)", got)
	}
}
