package cms_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/wire"
)

// The engine inserts the notifications of a batch claimed by the local
// worker and hands them over after the commit (notify.Handoff); these
// tests run the engine and real workers on both databases.

// recorder is a Sender for both channels that counts deliveries by id.
type recorder struct {
	mu     sync.Mutex
	got    map[string]int
	bodies map[string]string
}

func newRecorder() *recorder { return &recorder{got: map[string]int{}, bodies: map[string]string{}} }

func (r *recorder) Send(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[m.ID]++
	r.bodies[m.ID] = m.Body
	return nil
}

func (r *recorder) deliveries(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, k := range r.got {
		n += k
	}
	return n
}

// wclock is the workers' clock, moved by the test.
type wclock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *wclock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *wclock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// instance is one cmsd's engine and notification worker over e's database.
type instance struct {
	eng *cms.Engine
	w   *notify.Worker
	reg *metrics.Registry
}

// newInstance returns an engine whose notifications go to a worker of its
// own (o: worker options besides the senders, vault and clock); audit
// replaces the engine's auditor when set.
func newInstance(t *testing.T, e *env, c *wclock, rec *recorder, o notify.Options, audit cms.Auditor) instance {
	t.Helper()
	reg := metrics.NewRegistry()
	o.Email, o.SMS, o.Vault, o.Now, o.Metrics = rec, rec, e.v, c.Now, reg
	o.Jitter = func(time.Duration) time.Duration { return 0 }
	w, err := notify.NewWorker(e.db, o, storetest.Logger(t))
	must(t, err)
	eng := cms.New(e.db, e.v, cms.Options{RequireSession: true, Now: func() time.Time { return now }, Auditor: audit,
		Handoff: w.Handoff()}, storetest.Logger(t))
	return instance{eng: eng, w: w, reg: reg}
}

// counter reads a counter of the instance's worker.
func (in instance) counter(t *testing.T, name string) int {
	t.Helper()
	var b bytes.Buffer
	in.reg.Write(&b)
	for l := range strings.Lines(b.String()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			must(t, err)
			return int(f)
		}
	}
	return 0
}

// notice is a notification row.
type notice struct {
	id, status    string
	claimedUntil  int64
	attempts      int
	opID, channel string
}

func notices(t *testing.T, db *store.DB) map[string]notice {
	t.Helper()
	rs, err := db.SQL().Query(`SELECT id, status, claimed_until, attempts, op_id, channel FROM notifications`)
	must(t, err)
	defer rs.Close()
	out := map[string]notice{}
	for rs.Next() {
		var n notice
		must(t, rs.Scan(&n.id, &n.status, &n.claimedUntil, &n.attempts, &n.opID, &n.channel))
		out[n.opID] = n
	}
	must(t, rs.Err())
	return out
}

// activations seeds n cards and returns an activation of each, every
// other one by SMS.
func activations(e *env, n int) []wire.Envelope {
	envs := make([]wire.Envelope, n)
	for i := range envs {
		f := e.seed(rules.NotActive, false, false)
		a := wire.Activation{Common: wire.Common{Operator: e.operator()}, Card: f.ref(), Requester: holder, Document: doc, Delivery: email}
		if i%2 == 1 {
			a.Delivery = sms
		}
		envs[i] = e.envelope(wire.OpActivation, a)
	}
	return envs
}

func applyAll(t *testing.T, eng *cms.Engine, envs []wire.Envelope) {
	t.Helper()
	_, errs := cms.ApplyBatch(eng, context.Background(), envs)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
}

func runHanded(t *testing.T, w *notify.Worker, want int) {
	t.Helper()
	if n, err := w.RunHanded(context.Background()); err != nil || n != want {
		t.Fatalf("RunHanded = %d, %v; want %d", n, err, want)
	}
}

func runOnce(t *testing.T, w *notify.Worker, want int) {
	t.Helper()
	if n, err := w.RunOnce(context.Background()); err != nil || n != want {
		t.Fatalf("RunOnce = %d, %v; want %d", n, err, want)
	}
}

// sentOnce checks that each notice is recorded sent and delivered once,
// and that there are want of them.
func sentOnce(t *testing.T, db *store.DB, rec *recorder, want int) {
	t.Helper()
	ns := notices(t, db)
	if len(ns) != want || rec.total() != want {
		t.Errorf("%d notices, %d deliveries; want %d of each", len(ns), rec.total(), want)
	}
	for _, n := range ns {
		if n.status != "sent" || n.attempts != 1 || n.claimedUntil != 0 || rec.deliveries(n.id) != 1 {
			t.Errorf("%s: %s, attempt %d, claimed until %d, %d deliveries; want sent once, unclaimed", n.id, n.status,
				n.attempts, n.claimedUntil, rec.deliveries(n.id))
		}
	}
}

// A notification created by a batch is inserted claimed with the worker's
// lease and sent by the local worker without a claim statement; the body
// holds the second halves the worker opened.
func TestHandoffSendsWithoutClaim(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := &wclock{t: now}
			rec := newRecorder()
			in := newInstance(t, e, c, rec, notify.Options{}, nil)
			applyAll(t, in.eng, activations(e, 3))
			for _, n := range notices(t, e.db) {
				if want := now.Add(2 * time.Minute).UnixMicro(); n.claimedUntil != want || n.status != "pending" {
					t.Errorf("%s after the commit: %s, claimed until %d; want pending, claimed until now + lease (%d)",
						n.id, n.status, n.claimedUntil, want)
				}
			}
			if got := in.w.Handoff().Used(); got != 3 {
				t.Errorf("hand-off holds %d, want 3", got)
			}
			if got := in.counter(t, "cms_notifications_handed_total"); got != 3 {
				t.Errorf("%d rows counted handed at the hand-over, want 3", got)
			}
			runHanded(t, in.w, 3)
			sentOnce(t, e.db, rec, 3)
			if got := in.counter(t, "cms_notification_claims_total"); got != 0 {
				t.Errorf("%d claim statements, want none", got)
			}
			if got := in.counter(t, "cms_notifications_handed_total"); got != 3 {
				t.Errorf("%d rows handed, want 3", got)
			}
			if got := in.w.Handoff().Used(); got != 0 {
				t.Errorf("hand-off still holds %d after the sends", got)
			}
			_, second := vault.DefaultPolicy.Split(secrets)
			for id, body := range rec.bodies {
				if !strings.Contains(body, second.PIN) || !strings.Contains(body, second.PUK) {
					t.Errorf("%s: message lacks the second halves", id)
				}
			}
		})
	}
}

// Through Run, as cmsd runs it: an operation applied while the worker
// runs is sent by the hand-off at once, though the worker polls once an
// hour (only the claim at start runs).
func TestHandoffRun(t *testing.T) {
	e := newEnv(t, store.Postgres)
	c := &wclock{t: now}
	rec := newRecorder()
	in := newInstance(t, e, c, rec, notify.Options{Poll: time.Hour}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.w.Run(ctx) }()
	env := activations(e, 1)[0]
	if _, err := in.eng.Apply(ctx, env); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(5 * time.Millisecond) // polling, with a deadline
	defer tick.Stop()
	for deadline := time.Now().Add(10 * time.Second); notices(t, e.db)[env.ID].status != "sent"; <-tick.C {
		if time.Now().After(deadline) {
			t.Fatal("the notification was not sent within 10 s")
		}
	}
	cancel()
	must(t, <-done)
	sentOnce(t, e.db, rec, 1)
	if got := in.counter(t, "cms_notification_claims_total"); got > 1 {
		t.Errorf("%d claim statements, want at most the one at start", got)
	}
}

// A batch that rolls back hands nothing and gives its slots back: here
// the batch of three fails on one operation (its auditor, or on
// PostgreSQL's pipelined path a trigger refusing its row), is rolled back
// and applied one by one; only the two that commit are handed and sent.
func TestHandoffRollback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       store.Dialect
		trigger bool
	}{{"sqlite", store.SQLite, false}, {"postgres", store.Postgres, false}, {"postgres pipelined", store.Postgres, true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.d)
			c := &wclock{t: now}
			rec := newRecorder()
			envs := activations(e, 3)
			var audit cms.Auditor = failingAuditor{fail: envs[1].ID}
			if tc.trigger {
				audit = nil
				_, err := e.db.SQL().Exec(`CREATE FUNCTION refuse_op() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN
						IF NEW.op_id = '` + envs[1].ID + `' THEN RAISE EXCEPTION 'refused by test'; END IF;
						RETURN NEW;
					END $$;
					CREATE TRIGGER refuse_op BEFORE INSERT ON operations FOR EACH ROW EXECUTE FUNCTION refuse_op()`)
				must(t, err)
			}
			in := newInstance(t, e, c, rec, notify.Options{}, audit)
			_, errs := cms.ApplyBatch(in.eng, context.Background(), envs)
			if errs[0] != nil || errs[1] == nil || errs[2] != nil {
				t.Fatalf("errors %v, want the second operation's only", errs)
			}
			if got := in.w.Handoff().Used(); got != 2 {
				t.Errorf("hand-off holds %d after the rollback and the two commits, want 2", got)
			}
			runHanded(t, in.w, 2)
			runHanded(t, in.w, 0)
			sentOnce(t, e.db, rec, 2)
			if _, ok := notices(t, e.db)[envs[1].ID]; ok {
				t.Error("the failed operation left a notification")
			}
			if got := in.w.Handoff().Used(); got != 0 {
				t.Errorf("hand-off holds %d at the end, want 0", got)
			}
		})
	}
}

// A full hand-off: the rows it has no room for are inserted unclaimed and
// sent by the polling claim.
func TestHandoffFull(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := &wclock{t: now}
			rec := newRecorder()
			in := newInstance(t, e, c, rec, notify.Options{Handoff: 2}, nil)
			applyAll(t, in.eng, activations(e, 3))
			unclaimed := 0
			for _, n := range notices(t, e.db) {
				if n.claimedUntil == 0 {
					unclaimed++
				}
			}
			if unclaimed != 1 {
				t.Fatalf("%d rows inserted unclaimed, want 1", unclaimed)
			}
			runHanded(t, in.w, 2)
			runOnce(t, in.w, 1)
			sentOnce(t, e.db, rec, 3)
			if got := in.counter(t, "cms_notification_claims_total"); got != 1 {
				t.Errorf("%d claim statements, want 1", got)
			}
		})
	}
}

// The instance stops after the commit, before its worker sent the rows
// handed to it. Killed: the rows stay claimed until their lease ends, then
// another instance's worker claims and sends them, once. Stopped (Run
// returns): it releases them, and the other worker sends them at once.
func TestHandoffInstanceStops(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, killed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/killed=%v", d, killed), func(t *testing.T) {
				e := newEnv(t, d)
				c := &wclock{t: now}
				rec := newRecorder()
				first := newInstance(t, e, c, rec, notify.Options{}, nil)
				other := newInstance(t, e, c, rec, notify.Options{}, nil)
				applyAll(t, first.eng, activations(e, 2))
				if !killed {
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					must(t, first.w.Run(ctx))
				} else {
					runOnce(t, other.w, 0) // the lease holds
					c.Add(2*time.Minute + time.Millisecond)
				}
				runOnce(t, other.w, 2)
				runOnce(t, other.w, 0)
				sentOnce(t, e.db, rec, 2)
				// Reservations after the stop get no slot: inserted unclaimed.
				if tok, n := first.w.Handoff().Reserve(1); !killed && n != 0 {
					t.Errorf("a stopped worker's hand-off reserved %d (token %d)", n, tok)
				}
			})
		}
	}
}

// A handed row whose lease is running out when the worker gets to it is
// not sent by it (it could not be recorded in time) but released: the
// claim sends it at once, once.
func TestHandoffLeaseRunsOut(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := &wclock{t: now}
			rec := newRecorder()
			in := newInstance(t, e, c, rec, notify.Options{}, nil) // lease 2m: margin 60s
			applyAll(t, in.eng, activations(e, 1))
			c.Add(61 * time.Second)
			runHanded(t, in.w, 0)
			if rec.total() != 0 {
				t.Fatalf("a handed row was sent with 59 s of its lease left")
			}
			for _, n := range notices(t, e.db) {
				if n.status != "pending" || n.claimedUntil != 0 || n.attempts != 0 {
					t.Errorf("left row: %s, claimed until %d, attempts %d; want pending, released, untried", n.status, n.claimedUntil, n.attempts)
				}
			}
			runOnce(t, in.w, 1)
			sentOnce(t, e.db, rec, 1)
			if got := in.w.Handoff().Used(); got != 0 {
				t.Errorf("hand-off holds %d, want 0", got)
			}
		})
	}
}

// A batch that meets a transient conflict (serialization failure) is run
// again: only the attempt that committed hands its rows; the first
// attempt's slots are given back. A trigger fails the first insert of a
// notification with SQLSTATE 40001 (a sequence counts across the
// rollback), on PostgreSQL's pipelined path and on the database/sql one.
func TestHandoffConflictRetry(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelined=%v", pipelined), func(t *testing.T) {
			e := newEnv(t, store.Postgres)
			c := &wclock{t: now}
			rec := newRecorder()
			_, err := e.db.SQL().Exec(`CREATE SEQUENCE conflict_once;
				CREATE FUNCTION conflict_once() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF nextval('conflict_once') = 1 THEN
						RAISE EXCEPTION 'conflict by test' USING ERRCODE = '40001';
					END IF;
					RETURN NEW;
				END $$;
				CREATE TRIGGER conflict_once BEFORE INSERT ON notifications FOR EACH STATEMENT EXECUTE FUNCTION conflict_once()`)
			must(t, err)
			var audit cms.Auditor // nil: the engine's own, pipelined
			if !pipelined {
				audit = failingAuditor{} // fails nothing; a custom auditor takes the database/sql path
			}
			in := newInstance(t, e, c, rec, notify.Options{}, audit)
			applyAll(t, in.eng, activations(e, 3))
			var tries int
			must(t, e.db.SQL().QueryRow(`SELECT last_value FROM conflict_once`).Scan(&tries))
			if tries < 2 {
				t.Fatalf("the notifications were inserted %d times, want a retry", tries)
			}
			if got := in.w.Handoff().Used(); got != 3 {
				t.Errorf("hand-off holds %d after a retried batch of 3, want 3", got)
			}
			if got := in.counter(t, "cms_notifications_handed_total"); got != 3 {
				t.Errorf("%d rows handed, want 3", got)
			}
			runHanded(t, in.w, 3)
			runHanded(t, in.w, 0)
			sentOnce(t, e.db, rec, 3)
			if got := in.w.Handoff().Used(); got != 0 {
				t.Errorf("hand-off holds %d at the end, want 0", got)
			}
		})
	}
}
