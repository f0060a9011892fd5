package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

// A batch reads its cards' secrets together and records its sent notices
// together: each message still carries its own card's halves, a missing
// secret still fails alone with its ticket.
func TestBatchMixedCards(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			for i := range 3 {
				tm := fmt.Sprintf("8038000090009051%04d", i)
				addCard(t, db, v, tm, vault.Secrets{PIN: fmt.Sprintf("1111%04d", i), PUK: fmt.Sprintf("2222%04d", i)})
				addNotification(t, db, fmt.Sprintf("n%d", i), notify.KindSecondHalves, tm, "sms", "+393331234567")
			}
			addNotification(t, db, "n-missing", notify.KindSecondHalves, "80380000900000000000", "sms", "+393331234567")
			g, sms := smsGateway(t)
			w, _ := worker(t, db, v, sms, sms, nil) // batch of 4: one RunOnce
			if k, err := w.RunOnce(context.Background()); err != nil || k != 4 {
				t.Fatalf("RunOnce = %d, %v; want 4, nil", k, err)
			}
			for i := range 3 {
				id := fmt.Sprintf("n%d", i)
				if s, a := notifStatus(t, db.SQL(), id); s != "sent" || a != 1 || g.Deliveries(id) != 1 {
					t.Errorf("%s: %s after %d attempts, %d deliveries; want sent, 1, 1", id, s, a, g.Deliveries(id))
				}
			}
			for _, m := range g.Messages() {
				i := strings.TrimPrefix(m.Ref, "n") // policy 3/3: second halves of 1111000i / 2222000i
				if want := "PIN 1000" + i + ", PUK 2000" + i; !strings.Contains(m.Text, want) {
					t.Errorf("%s: text %q, want %q", m.Ref, m.Text, want)
				}
			}
			if s, _ := notifStatus(t, db.SQL(), "n-missing"); s != "failed" {
				t.Errorf("n-missing: %s, want failed", s)
			}
			if n, _, _, _ := ticketsFor(t, db, "n-missing"); n != 1 {
				t.Errorf("n-missing: %d tickets, want 1", n)
			}
		})
	}
}

// stealer takes the lease of one notice while the worker is sending, as a
// second worker would after the lease expired.
type stealer struct {
	inner notify.Sender
	db    *store.DB
	id    string
}

func (s stealer) Send(ctx context.Context, m notify.Message) error {
	if m.ID == s.id {
		if _, err := s.db.SQL().ExecContext(ctx, `UPDATE notifications SET claimed_until = 1 WHERE id = $1`, s.id); err != nil {
			return err
		}
	}
	return s.inner.Send(ctx, m)
}

// The batched record of sent notices still checks each row's lease.
func TestBatchLeaseLost(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			for _, id := range []string{"a", "b", "c"} {
				addNotification(t, db, id, notify.KindSecondHalves, team, "sms", "+393331234567")
			}
			_, sms := smsGateway(t)
			w, logs := worker(t, db, v, sms, stealer{inner: sms, db: db, id: "b"}, nil)
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]string{"a": "sent", "b": "pending", "c": "sent"} {
				if s, _ := notifStatus(t, db.SQL(), id); s != want {
					t.Errorf("%s: %s, want %s", id, s, want)
				}
			}
			if !strings.Contains(logs.String(), "notification lease lost") {
				t.Error("lost lease not logged")
			}
		})
	}
}
