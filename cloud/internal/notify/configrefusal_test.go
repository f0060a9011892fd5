package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/notify/smssim"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

const phone = "+393331234567"

// refusalWorker is a worker with MaxAttempts 3, delays of 1 minute
// doubling up to 1 hour without jitter, the default ConfigGrace and an
// injected clock, sending SMS to a simulated gateway.
func refusalWorker(t *testing.T, db *store.DB, v *vault.Vault, c *clock) (*notify.Worker, *smssim.Gateway, *logBuf, *metrics.Registry) {
	t.Helper()
	g, sms := smsGateway(t)
	log, logs := newLogger(t)
	reg := metrics.NewRegistry()
	w, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: v, Policy: vault.Policy{PinFirst: 3, PukFirst: 3},
		MaxAttempts: 3, BaseDelay: time.Minute, MaxDelay: time.Hour, Batch: 4, Metrics: reg, Now: c.Now,
		Jitter: func(time.Duration) time.Duration { return 0 }}, log)
	if err != nil {
		t.Fatal(err)
	}
	return w, g, logs, reg
}

func runOnce(t *testing.T, w *notify.Worker) {
	t.Helper()
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// refusals returns a notice's configuration refusals in a row and its
// next attempt's time.
func refusals(t *testing.T, db *store.DB, id string) (n int, next time.Time) {
	t.Helper()
	var at int64
	if err := db.SQL().QueryRow(`SELECT config_refusals, next_at FROM notifications WHERE id = $1`, id).Scan(&n, &at); err != nil {
		t.Fatal(err)
	}
	return n, time.UnixMicro(at)
}

func ticketDetail(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	var d string
	if err := db.SQL().QueryRow(`SELECT detail FROM tickets WHERE source = 'notify' AND ref = $1`, id).Scan(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSMSPerMessageRefusalFails: a gateway that refuses one notice with
// 403 or 404 while it takes the others (sent in between, as on a busy
// channel) has the refusal counted as an attempt: the notice fails at
// MaxAttempts and opens one L1 ticket, with no configuration alert.
// Both databases.
func TestSMSPerMessageRefusalFails(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, code := range []int{http.StatusForbidden, http.StatusNotFound} {
			t.Run(fmt.Sprintf("%s/%d", d, code), func(t *testing.T) {
				db := storetest.Open(t, d)
				v := newVault(t)
				addCard(t, db, v, team, secrets)
				addNotification(t, db, "n-bad", notify.KindSecondHalves, team, "sms", phone)
				c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
				w, g, logs, reg := refusalWorker(t, db, v, c)
				g.FailRef("n-bad", code)
				for i := range 3 { // MaxAttempts
					addNotification(t, db, fmt.Sprintf("n-ok-%d", i), notify.KindReissueNotice, team, "sms", phone)
					runOnce(t, w)
					want := "pending"
					if i == 2 {
						want = "failed"
					}
					if s, n := notifStatus(t, db.SQL(), "n-bad"); s != want || n != i+1 {
						t.Fatalf("round %d: %s after %d attempts, want %s after %d", i, s, n, want, i+1)
					}
					if s, _ := notifStatus(t, db.SQL(), fmt.Sprintf("n-ok-%d", i)); s != "sent" {
						t.Fatalf("round %d: the other notice is %s, want sent", i, s)
					}
					c.Add(time.Hour)
				}
				if n, tasks, q, _ := ticketsFor(t, db, "n-bad"); n != 1 || tasks != 1 || q != "L1" {
					t.Errorf("%d tickets (%s), %d tasks; want one L1 ticket with one task", n, q, tasks)
				}
				if d := ticketDetail(t, db, "n-bad"); !strings.Contains(d, "3 tentativi") || !strings.Contains(d, fmt.Sprint(code)) {
					t.Errorf("ticket detail %q lacks the attempts or the answer", d)
				}
				if g.Deliveries("n-bad") != 0 {
					t.Error("the refused notice was delivered")
				}
				if strings.Contains(logs.String(), "level=ERROR") {
					t.Error("a per-message refusal raised the configuration alert")
				}
				var buf bytes.Buffer
				reg.Write(&buf)
				if strings.Contains(buf.String(), "cms_notification_sender_refusals_total{") {
					t.Errorf("a per-message refusal counted as a configuration refusal:\n%s", buf.String())
				}
				assertNoSecrets(t, logs.String())
			})
		}
	}
}

// TestSenderConfigGrace: a notice the gateway refuses with 401 is never
// counted as an attempt, its delay doubles with its own refusals in a row
// even though other notices of the channel are sent in between (which end
// the channel's alert burst), and the refusal that finds the first one 24
// hours (the default ConfigGrace) old fails it with one L1 ticket that
// names the configuration. Both databases.
func TestSenderConfigGrace(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n-cfg", notify.KindSecondHalves, team, "sms", phone)
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			c := &clock{t: start}
			w, g, logs, reg := refusalWorker(t, db, v, c)
			g.FailRef("n-cfg", http.StatusUnauthorized)
			const step = 2 * time.Hour // past the longest delay
			const lastRound = int(24*time.Hour/step) + 1
			for k := 1; k <= lastRound; k++ {
				addNotification(t, db, fmt.Sprintf("n-ok-%d", k), notify.KindReissueNotice, team, "sms", phone)
				runOnce(t, w)
				if s, _ := notifStatus(t, db.SQL(), fmt.Sprintf("n-ok-%d", k)); s != "sent" {
					t.Fatalf("refusal %d: the other notice is %s, want sent", k, s)
				}
				s, n := notifStatus(t, db.SQL(), "n-cfg")
				if k == lastRound {
					if s != "failed" || n != 0 {
						t.Fatalf("refusal %d, %v after the first: %s after %d counted attempts, want failed after 0",
							k, c.Now().Sub(start), s, n)
					}
					break
				}
				if s != "pending" || n != 0 {
					t.Fatalf("refusal %d: %s after %d counted attempts, want pending after 0", k, s, n)
				}
				got, next := refusals(t, db, "n-cfg")
				want := min(time.Minute<<(k-1), time.Hour)
				if got != k || next.Sub(c.Now()) != want {
					t.Fatalf("refusal %d: %d refusals in a row, next in %v; want %d, next in %v", k, got, next.Sub(c.Now()), k, want)
				}
				c.Add(step)
			}
			if n, tasks, q, _ := ticketsFor(t, db, "n-cfg"); n != 1 || tasks != 1 || q != "L1" {
				t.Errorf("%d tickets (%s), %d tasks; want one L1 ticket with one task", n, q, tasks)
			}
			if d := ticketDetail(t, db, "n-cfg"); !strings.Contains(d, "configurazione") || !strings.Contains(d, "dal 02/03/2026 09:00 UTC") ||
				!strings.Contains(d, fmt.Sprintf("%d rifiuti", lastRound)) {
				t.Errorf("ticket detail %q does not name the configuration refusals since the first", d)
			}
			var buf bytes.Buffer
			reg.Write(&buf)
			if want := fmt.Sprintf(`cms_notification_sender_refusals_total{channel="sms"} %d`, lastRound); !strings.Contains(buf.String(), want) {
				t.Errorf("metrics lack %s:\n%s", want, buf.String())
			}
			if !strings.Contains(logs.String(), "level=ERROR") {
				t.Error("no configuration alert logged")
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// TestSenderConfigFixed: a notice refused with 401, then accepted once
// the credentials are fixed, is delivered once and recorded sent after
// one counted attempt, with no ticket. Both databases.
func TestSenderConfigFixed(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n1", notify.KindSecondHalves, team, "sms", phone)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			w, g, logs, _ := refusalWorker(t, db, v, c)
			g.FailRef("n1", http.StatusUnauthorized)
			for k := 1; k <= 2; k++ {
				runOnce(t, w)
				if n, _ := refusals(t, db, "n1"); n != k {
					t.Fatalf("refusal %d: %d refusals in a row recorded", k, n)
				}
				c.Add(time.Hour)
			}
			g.FailRef("n1", 0) // the operator fixed the token
			for range 2 {
				runOnce(t, w)
				c.Add(time.Hour)
			}
			if s, n := notifStatus(t, db.SQL(), "n1"); s != "sent" || n != 1 {
				t.Errorf("%s after %d attempts, want sent after 1", s, n)
			}
			if got := g.Deliveries("n1"); got != 1 || len(g.Messages()) != 1 {
				t.Errorf("gateway got n1 %d times (%d messages), want once", got, len(g.Messages()))
			}
			if n, _, _, _ := ticketsFor(t, db, "n1"); n != 0 {
				t.Errorf("%d tickets for a notice that was sent", n)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// TestNegativeConfigGrace: a negative bound is a configuration error.
func TestNegativeConfigGrace(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, sms := smsGateway(t)
	_, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: newVault(t), ConfigGrace: -time.Hour}, slog.New(slog.DiscardHandler))
	if !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("NewWorker with a negative ConfigGrace: %v, want ErrConfig", err)
	}
}
