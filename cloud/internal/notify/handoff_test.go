package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// slowSender takes d of the worker's clock per message, as a slow
// gateway would, and keeps the ids it sent.
type slowSender struct {
	c   *clock
	d   time.Duration
	mu  sync.Mutex
	got []string
}

func (s *slowSender) Send(_ context.Context, m notify.Message) error {
	s.mu.Lock()
	s.got = append(s.got, m.ID)
	s.mu.Unlock()
	s.c.Add(s.d)
	return nil
}

func (s *slowSender) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

const handAddr = "mario.rossi@example.it"

// reserve inserts notices claimed with a token h reserved, as the engine
// does in its batch, and returns them to hand over after the "commit".
func reserve(t *testing.T, db *store.DB, h *notify.Handoff, ids ...string) []notify.Handed {
	t.Helper()
	tok, n := h.Reserve(len(ids))
	if n != len(ids) {
		t.Fatalf("reserved %d slots of %d", n, len(ids))
	}
	rows := make([]notify.Handed, len(ids))
	for i, id := range ids {
		addNotification(t, db, id, notify.KindReissueNotice, team, "email", handAddr)
		if _, err := db.SQL().Exec(`UPDATE notifications SET claimed_until = $1 WHERE id = $2`, int64(tok), id); err != nil {
			t.Fatal(err)
		}
		rows[i] = notify.Handed{ID: id, Kind: notify.KindReissueNotice, CardTEAM: team, Channel: "email", Address: handAddr, Token: tok}
	}
	return rows
}

// row reads a notice's status, attempts and claimed_until.
func row(t *testing.T, db *store.DB, id string) (status string, attempts int, claimedUntil int64) {
	t.Helper()
	err := db.SQL().QueryRow(`SELECT status, attempts, claimed_until FROM notifications WHERE id = $1`, id).
		Scan(&status, &attempts, &claimedUntil)
	if err != nil {
		t.Fatal(err)
	}
	return status, attempts, claimedUntil
}

// stop runs w until its context is cancelled, which it already is: its
// hand-off then refuses reservations and releases what it holds.
func stop(t *testing.T, w *notify.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// A batch stops sending when less than the margin (2 x SendTimeout: 60 s
// of a 2-minute lease) is left of its lease, so that its record comes
// within the lease: with sends of 40 s, the third row of a batch of three
// is not sent but released at once, claimed or handed alike, and the next claim
// takes it.
func TestBatchStopsWhenLeaseRunsShort(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, handed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/handed=%v", d, handed), func(t *testing.T) {
				db := storetest.Open(t, d)
				c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
				s := &slowSender{c: c, d: 40 * time.Second}
				w, logs := worker(t, db, newVault(t), s, s, c)
				ids := []string{"a", "b", "c"}
				var n int
				var err error
				if handed {
					w.Handoff().Hand(context.Background(), reserve(t, db, w.Handoff(), ids...))
					n, err = w.RunHanded(context.Background())
				} else {
					for _, id := range ids {
						addNotification(t, db, id, notify.KindReissueNotice, team, "email", handAddr)
					}
					n, err = w.RunOnce(context.Background())
				}
				if err != nil || n != 2 {
					t.Fatalf("first batch: %d finished, %v; want 2", n, err)
				}
				sent := s.sent() // a claim returns its rows in no set order
				left := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(sent, id) })
				if len(sent) != 2 || len(left) != 1 {
					t.Fatalf("sent %v of %v, want two", sent, ids)
				}
				for _, id := range sent {
					if st, a, cu := row(t, db, id); st != "sent" || a != 1 || cu != 0 {
						t.Errorf("%s: %s, %d attempts, claimed until %d; want sent once", id, st, a, cu)
					}
				}
				if st, a, cu := row(t, db, left[0]); st != "pending" || a != 0 || cu != 0 {
					t.Errorf("%s: %s, %d attempts, claimed until %d; want pending, untried, released", left[0], st, a, cu)
				}
				if !strings.Contains(logs.String(), "notifications released unsent") {
					t.Error("the release is not logged")
				}
				if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
					t.Fatalf("claim after the release: %d, %v; want 1", n, err)
				}
				if st, a, _ := row(t, db, left[0]); st != "sent" || a != 1 {
					t.Errorf("%s after the claim: %s, %d attempts; want sent once", left[0], st, a)
				}
				if got := w.Handoff().Used(); got != 0 {
					t.Errorf("hand-off holds %d, want 0", got)
				}
			})
		}
	}
}

// Rows reserved before the worker stopped and handed after it (their
// batch committed meanwhile) are released by Hand, claimable at once.
func TestHandAfterStopReleases(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			s := &slowSender{c: c}
			w, _ := worker(t, db, newVault(t), s, s, c)
			rows := reserve(t, db, w.Handoff(), "a", "b")
			stop(t, w)
			w.Handoff().Hand(context.Background(), rows)
			for _, id := range []string{"a", "b"} {
				if st, _, cu := row(t, db, id); st != "pending" || cu != 0 {
					t.Errorf("%s: %s, claimed until %d; want pending, released", id, st, cu)
				}
			}
			if got := w.Handoff().Used(); got != 0 {
				t.Errorf("hand-off holds %d, want 0", got)
			}
			other, _ := worker(t, db, newVault(t), s, s, c)
			if n, err := other.RunOnce(context.Background()); err != nil || n != 2 {
				t.Fatalf("claim after the release: %d, %v; want 2", n, err)
			}
		})
	}
}

// Hand after the worker stopped runs on the engine's lane: its release is
// bounded. With the rows locked by another transaction it gives up,
// logs, and returns with the rows still claimed.
func TestHandReleaseBounded(t *testing.T) {
	notify.SetReleaseTimeout(t, 100*time.Millisecond)
	db := storetest.Open(t, store.Postgres)
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := &slowSender{c: c}
	w, logs := worker(t, db, newVault(t), s, s, c)
	rows := reserve(t, db, w.Handoff(), "a")
	stop(t, w)
	tx, err := db.SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT id FROM notifications WHERE id = 'a' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		w.Handoff().Hand(context.Background(), rows)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Hand still waits on the locked rows after a minute")
	}
	// Read beside the lock: once the lock is gone the abandoned statement
	// may still complete (its cancel races the unlock), which is as safe.
	if _, _, cu := row(t, db, "a"); cu != int64(rows[0].Token) {
		t.Errorf("claimed until %d, want still %d", cu, rows[0].Token)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "handed notifications not released") {
		t.Error("the failed release is not logged")
	}
}

// TestHandedBatchLogsAtDebug: a handed batch whose every notice left is
// the everyday path, a line per engine batch under load: DEBUG, not INFO.
// A claimed batch stays at INFO (TestSentBatchOneLine).
func TestHandedBatchLogsAtDebug(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := &slowSender{c: c}
	w, logs := worker(t, db, newVault(t), s, s, c)
	w.Handoff().Hand(context.Background(), reserve(t, db, w.Handoff(), "a", "b"))
	if n, err := w.RunHanded(context.Background()); err != nil || n != 2 {
		t.Fatalf("handed batch: %d finished, %v; want 2", n, err)
	}
	out := logs.String()
	if !strings.Contains(out, `level=DEBUG msg="notification batch" sent=2 retried=0 failed=0 handed=true`) ||
		strings.Contains(out, `level=INFO msg="notification batch"`) {
		t.Errorf("handed batch not logged at DEBUG only:\n%s", out)
	}
}
