package notify_test

import (
	"context"
	"errors"
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

// holder is a Flusher: Send keeps the message, Flush delivers what it
// holds, or fails with fail and drops it (the worker sends it again).
type holder struct {
	mu        sync.Mutex
	held      []notify.Message
	delivered []notify.Message
	flushes   int
	fail      error
	onFlush   func(ctx context.Context, held []notify.Message) // runs first in Flush
}

func (h *holder) Send(_ context.Context, m notify.Message) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = append(h.held, m)
	return nil
}

func (h *holder) Flush(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushes++
	if h.onFlush != nil {
		h.onFlush(ctx, h.held)
	}
	held := h.held
	h.held = nil
	if h.fail != nil {
		return h.fail
	}
	h.delivered = append(h.delivered, held...)
	return nil
}

// deliveredIDs returns the ids delivered, sorted.
func (h *holder) deliveredIDs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.delivered {
		out = append(out, m.ID)
	}
	slices.Sort(out)
	return out
}

// statusAttempts returns "status/attempts" of every notification.
func statusAttempts(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rs, err := db.SQL().Query(`SELECT id, status, attempts FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var id, s string
		var n int
		if err := rs.Scan(&id, &s, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = fmt.Sprintf("%s/%d", s, n)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A batch through flushing senders is flushed once per sender, after all
// its sends, and recorded sent only after that; one sender serving both
// channels is flushed once.
func TestFlushBeforeRecorded(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, shared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/shared=%v", d, shared), func(t *testing.T) {
				db := storetest.Open(t, d)
				v := newVault(t)
				addCard(t, db, v, team, secrets)
				ids := []string{"e1", "e2", "s1", "s2"}
				for _, id := range ids {
					ch, addr := "email", "mario.rossi@example.it"
					if id[0] == 's' {
						ch, addr = "sms", "+393331234567"
					}
					addNotification(t, db, id, notify.KindSecondHalves, team, ch, addr)
				}
				email, sms := &holder{}, &holder{}
				if shared {
					sms = email
				}
				check := func(_ context.Context, held []notify.Message) {
					if got := statusAttempts(t, db); !maps(got, "pending/0") {
						t.Errorf("at Flush: %v, want every notice pending/0 (none recorded yet)", got)
					}
					if len(held) != 2 && !shared || len(held) != 4 && shared {
						t.Errorf("at Flush: %d messages held, want the whole batch's", len(held))
					}
				}
				email.onFlush, sms.onFlush = check, check
				w, logs := worker(t, db, v, email, sms, nil)
				if n, err := w.RunOnce(context.Background()); err != nil || n != 4 {
					t.Fatalf("RunOnce = %d, %v; want 4, nil", n, err)
				}
				if got := statusAttempts(t, db); !maps(got, "sent/1") {
					t.Errorf("after RunOnce: %v, want every notice sent/1", got)
				}
				want := ids[:2]
				if shared {
					want = ids
				}
				if got := email.deliveredIDs(); !slices.Equal(got, want) || email.flushes != 1 {
					t.Errorf("e-mail sender: delivered %v in %d flushes, want %v in 1", got, email.flushes, want)
				}
				if !shared {
					if got := sms.deliveredIDs(); !slices.Equal(got, ids[2:]) || sms.flushes != 1 {
						t.Errorf("SMS sender: delivered %v in %d flushes, want %v in 1", got, sms.flushes, ids[2:])
					}
				}
				if !strings.Contains(logs.String(), "sent=4") {
					t.Error("batch line does not count 4 sent")
				}
				// Nothing due: no Flush either.
				if n, err := w.RunOnce(context.Background()); err != nil || n != 0 || email.flushes != 1 {
					t.Errorf("idle RunOnce = %d, %v, %d flushes; want 0, nil, 1", n, err, email.flushes)
				}
				assertNoSecrets(t, logs.String())
			})
		}
	}
}

// maps reports whether every value of m is want.
func maps(m map[string]string, want string) bool {
	for _, v := range m {
		if v != want {
			return false
		}
	}
	return len(m) > 0
}

// A failed Flush is a failed send of each message it held: those notices
// are retried with backoff (or fail for good, with a ticket, on their last
// attempt or on ErrPermanent) and never recorded sent, while the other
// channel's flushed notices are; no secret reaches the logs or the row.
func TestFlushErrorRetries(t *testing.T) {
	tests := []struct {
		name   string
		fail   error
		wantE1 string
	}{
		{"transient", errors.New("write email.mbox: no space left on device"), "pending/1"},
		{"permanent", fmt.Errorf("%w: mailbox gone", notify.ErrPermanent), "failed/1"},
	}
	for _, d := range storetest.Dialects() {
		for _, tt := range tests {
			t.Run(string(d)+"/"+tt.name, func(t *testing.T) {
				db := storetest.Open(t, d)
				v := newVault(t)
				addCard(t, db, v, team, secrets)
				addNotification(t, db, "e1", notify.KindSecondHalves, team, "email", "mario.rossi@example.it")
				addNotification(t, db, "e2", notify.KindSecondHalves, team, "email", "mario.rossi@example.it")
				addNotification(t, db, "s1", notify.KindSecondHalves, team, "sms", "+393331234567")
				// e2 is on its last attempt (MaxAttempts 3).
				if _, err := db.SQL().Exec(`UPDATE notifications SET attempts = 2 WHERE id = 'e2'`); err != nil {
					t.Fatal(err)
				}
				c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
				email, sms := &holder{fail: tt.fail}, &holder{}
				w, logs := worker(t, db, v, email, sms, c)
				n, err := w.RunOnce(context.Background())
				if err != nil || n != 3 {
					t.Fatalf("RunOnce = %d, %v; want 3, nil", n, err)
				}
				want := map[string]string{"e1": tt.wantE1, "e2": "failed/3", "s1": "sent/1"}
				if got := statusAttempts(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("after a failed e-mail Flush: %v, want %v", got, want)
				}
				var lastErr string
				var nextAt int64
				if err := db.SQL().QueryRow(`SELECT last_error, next_at FROM notifications WHERE id = 'e1'`).Scan(&lastErr, &nextAt); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(lastErr, "flush email sender") || !strings.Contains(lastErr, tt.fail.Error()) {
					t.Errorf("e1 last_error %q, want the Flush error", lastErr)
				}
				if tt.wantE1 == "pending/1" && nextAt != c.Now().Add(time.Minute).UnixMicro() {
					t.Errorf("e1 next_at %d, want now + 1 min (backoff)", nextAt)
				}
				for _, id := range []string{"e2", "e1"} {
					wantTickets := 0
					if id == "e2" || tt.wantE1 == "failed/1" {
						wantTickets = 1
					}
					if n, _, _, _ := ticketsFor(t, db, id); n != wantTickets {
						t.Errorf("%s: %d tickets, want %d", id, n, wantTickets)
					}
				}
				if got := sms.deliveredIDs(); !slices.Equal(got, []string{"s1"}) {
					t.Errorf("SMS delivered %v, want [s1]", got)
				}
				assertNoSecrets(t, logs.String()+lastErr)

				// The sender recovers: the retried notice goes out once.
				email.fail = nil
				c.Add(2 * time.Minute)
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
				wantDelivered := []string{"e1"}
				if tt.wantE1 == "failed/1" {
					wantDelivered = nil
				} else if s := statusAttempts(t, db)["e1"]; s != "sent/2" {
					t.Errorf("e1 after the retry: %s, want sent/2", s)
				}
				if got := email.deliveredIDs(); !slices.Equal(got, wantDelivered) {
					t.Errorf("e-mail delivered %v, want %v", got, wantDelivered)
				}
			})
		}
	}
}

// stopHolder cancels the worker's context after n sends.
type stopHolder struct {
	*holder
	n      int
	cancel context.CancelFunc
}

func (s *stopHolder) Send(ctx context.Context, m notify.Message) error {
	err := s.holder.Send(ctx, m)
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return err
}

// At shutdown the messages a sender accepted are still flushed (with a
// context that outlives the worker's) and recorded sent; if that Flush
// fails they are released for the next worker, like a send that fails
// during shutdown, and the rows not sent are released.
func TestFlushAtShutdown(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, fail := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/fail=%v", d, fail), func(t *testing.T) {
				db := storetest.Open(t, d)
				v := newVault(t)
				addCard(t, db, v, team, secrets)
				for _, id := range []string{"n1", "n2", "n3", "n4"} {
					addNotification(t, db, id, notify.KindSecondHalves, team, "sms", "+393331234567")
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				h := &holder{}
				if fail {
					h.fail = errors.New("gateway batch refused")
				}
				h.onFlush = func(fctx context.Context, _ []notify.Message) {
					if fctx.Err() != nil {
						t.Errorf("Flush context already done: %v", fctx.Err())
					}
				}
				s := &stopHolder{holder: h, n: 2, cancel: cancel}
				w, _ := worker(t, db, v, s, s, nil)
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatalf("RunOnce = %v", err)
				}
				// The claim's order is the database's: the two sent are
				// those the sender delivered.
				want := map[string]string{"n1": "pending/0", "n2": "pending/0", "n3": "pending/0", "n4": "pending/0"}
				for _, id := range h.deliveredIDs() {
					want[id] = "sent/1"
				}
				if got := len(h.deliveredIDs()); got != 2 && !fail || got != 0 && fail {
					t.Errorf("%d delivered, want 2 (0 when Flush fails)", got)
				}
				if got := statusAttempts(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("after shutdown: %v, want %v", got, want)
				}
				var held int
				if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM notifications WHERE claimed_until <> 0`).Scan(&held); err != nil {
					t.Fatal(err)
				}
				if held != 0 || h.flushes != 1 {
					t.Errorf("%d rows still claimed, %d flushes; want 0, 1", held, h.flushes)
				}
			})
		}
	}
}
