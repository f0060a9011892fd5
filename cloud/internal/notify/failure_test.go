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
	"unicode/utf8"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// ticketsFor returns how many tickets and tasks were opened for a notice.
func ticketsFor(t *testing.T, db *store.DB, id string) (tickets, tasks int, queue, cf string) {
	t.Helper()
	err := db.SQL().QueryRow(`SELECT COUNT(*), COALESCE(MAX(queue), ''), COALESCE(MAX(cf), '') FROM tickets WHERE source = 'notify' AND ref = $1`, id).
		Scan(&tickets, &queue, &cf)
	if err == nil {
		err = db.SQL().QueryRow(`SELECT COUNT(*) FROM tasks k JOIN tickets t ON t.id = k.ticket_id
			WHERE t.source = 'notify' AND t.ref = $1 AND k.kind = 'contact_citizen'`, id).Scan(&tasks)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tickets, tasks, queue, cf
}

// TestSMSAnswerClasses: one answer of the gateway to a notice's first
// attempt. Only a refusal of our credentials (401, 407) is ours: alerted,
// not counted. The other 4xx may concern the one number or text and are
// counted like any temporary failure.
func TestSMSAnswerClasses(t *testing.T) {
	tests := []struct {
		code       int
		wantStatus string
		wantAlert  bool
	}{
		{400, "failed", false},
		{422, "failed", false},
		{401, "pending", true},
		{407, "pending", true},
		{403, "pending", false},
		{404, "pending", false},
		{409, "sent", false}, // the ref was accepted by an earlier try
		{413, "pending", false},
		{408, "pending", false},
		{429, "pending", false},
		{503, "pending", false},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.code), func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n1", notify.KindSecondHalves, team, "sms", "+393331234567")
			g, sms := smsGateway(t)
			g.FailNextWith(1, tt.code)
			w, logs := worker(t, db, v, sms, sms, nil)
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			// A refusal of ours (the alert) is not counted in attempts.
			wantN := 1
			if tt.wantAlert {
				wantN = 0
			}
			if got, n := notifStatus(t, db.SQL(), "n1"); got != tt.wantStatus || n != wantN {
				t.Errorf("HTTP %d: %s after %d attempts, want %s after %d", tt.code, got, n, tt.wantStatus, wantN)
			}
			if got := strings.Contains(logs.String(), "level=ERROR"); got != tt.wantAlert {
				t.Errorf("HTTP %d: error logged = %v, want %v", tt.code, got, tt.wantAlert)
			}
			wantTickets := 0
			if tt.wantStatus == "failed" {
				wantTickets = 1
			}
			if n, _, _, _ := ticketsFor(t, db, "n1"); n != wantTickets {
				t.Errorf("HTTP %d: %d tickets, want %d", tt.code, n, wantTickets)
			}
		})
	}
}

func TestSenderAlertOncePerBurst(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	for _, id := range []string{"n1", "n2", "n3"} {
		addNotification(t, db, id, notify.KindReissueNotice, team, "sms", "+393331234567")
	}
	g, sms := smsGateway(t)
	g.FailNextWith(3, http.StatusUnauthorized)
	log, logs := newLogger(t)
	reg := metrics.NewRegistry()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	w, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: v, Metrics: reg, Now: c.Now, BaseDelay: time.Minute,
		Jitter: func(time.Duration) time.Duration { return 0 }}, log)
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if got := strings.Count(logs.String(), "level=ERROR"); got != 1 {
		t.Errorf("after a burst of 3 refusals: %d error lines, want 1", got)
	}
	c.Add(2 * time.Minute)
	run() // all three succeed: the burst ends
	addNotification(t, db, "n4", notify.KindReissueNotice, team, "sms", "+393331234567")
	g.FailNextWith(1, http.StatusProxyAuthRequired)
	run()
	if got := strings.Count(logs.String(), "level=ERROR"); got != 2 {
		t.Errorf("after a second burst: %d error lines, want 2", got)
	}
	var buf bytes.Buffer
	reg.Write(&buf)
	if !strings.Contains(buf.String(), `cms_notification_sender_refusals_total{channel="sms"} 4`) {
		t.Errorf("metrics lack 4 refusals:\n%s", buf.String())
	}
}

func TestSMTPReplyClasses(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	addNotification(t, db, "n-refused", notify.KindSecondHalves, team, "email", "refused@example.it")
	addNotification(t, db, "n-busy", notify.KindSecondHalves, team, "email", "busy@example.it")
	addr, dir := startSMTP(t)
	_, sms := smsGateway(t)
	w, logs := worker(t, db, v, notify.SMTP{Addr: addr, From: "cms@asl.example.it"}, sms, nil)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, n := notifStatus(t, db.SQL(), "n-refused"); s != "failed" || n != 1 {
		t.Errorf("550: %s after %d attempts, want failed after 1", s, n)
	}
	if s, n := notifStatus(t, db.SQL(), "n-busy"); s != "pending" || n != 1 {
		t.Errorf("450: %s after %d attempts, want pending after 1", s, n)
	}
	if n, tasks, q, cf := ticketsFor(t, db, "n-refused"); n != 1 || tasks != 1 || q != "L1" || cf != "RSSMRA80A01H501U" {
		t.Errorf("550: %d tickets (%s, %s) %d tasks, want 1 L1 ticket with the CF and 1 task", n, q, cf, tasks)
	}
	if len(readMails(t, dir)) != 0 {
		t.Error("a refused recipient got a message")
	}
	assertNoSecrets(t, logs.String())
}

// failing refuses every message with a long accented error.
type failing struct{ msg string }

func (f failing) Send(context.Context, notify.Message) error { return errors.New(f.msg) }

func TestFinalFailureOpensOneTicket(t *testing.T) {
	long := "rifiutato: " + strings.Repeat("è", 300) // > 600 bytes, split at 500 would cut a rune
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n1", notify.KindSecondHalves, team, "sms", "+393331234567")
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			w, _ := worker(t, db, v, failing{long}, failing{long}, c)
			for i := 0; i < 3; i++ { // MaxAttempts
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
				c.Add(time.Hour)
			}
			if s, n := notifStatus(t, db.SQL(), "n1"); s != "failed" || n != 3 {
				t.Fatalf("%s after %d attempts, want failed after 3", s, n)
			}
			var last string
			if err := db.SQL().QueryRow(`SELECT last_error FROM notifications WHERE id = 'n1'`).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if len(last) > 500 || !utf8.ValidString(last) || !strings.HasPrefix(last, "rifiutato: èè") {
				t.Errorf("last_error: %d bytes, valid %v", len(last), utf8.ValidString(last))
			}
			// A second final failure of the same notice (e.g. re-queued by
			// hand) must not open a second ticket.
			if _, err := db.SQL().Exec(`UPDATE notifications SET status = 'pending', attempts = 2 WHERE id = 'n1'`); err != nil {
				t.Fatal(err)
			}
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n, tasks, q, _ := ticketsFor(t, db, "n1"); n != 1 || tasks != 1 || q != "L1" {
				t.Errorf("%d tickets (%s), %d tasks; want one L1 ticket with one task", n, q, tasks)
			}
		})
	}
}

func TestInsecureSMTPWarns(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	_, sms := smsGateway(t)
	for _, tt := range []struct {
		name string
		smtp notify.Sender
		want bool
	}{
		{"tls required", notify.SMTP{Addr: "relay:25", RequireTLS: true}, false},
		{"insecure", notify.SMTP{Addr: "relay:25"}, true},
		{"insecure pointer", &notify.SMTP{Addr: "relay:25"}, true},
	} {
		log, logs := newLogger(t)
		if _, err := notify.NewWorker(db, notify.Options{Email: tt.smtp, SMS: sms, Vault: v}, log); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "SMTP WITHOUT TLS"); got != tt.want {
			t.Errorf("%s: warned = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAttemptLogLines: a batch logs one INFO line with its counts; a sent
// notice is logged alone at DEBUG only, a retry at INFO and a failure at
// WARN, each grouped under "notification" and without secrets.
func TestAttemptLogLines(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	// Claimed in id order: n1 has no stored secrets (fails at once, no
	// request), n2 meets the gateway's 503 (retried), n3 is sent.
	addNotification(t, db, "n1", notify.KindSecondHalves, "80380000900000000000", "sms", "+393331234567")
	addNotification(t, db, "n2", notify.KindSecondHalves, team, "sms", "+393331234567")
	addNotification(t, db, "n3", notify.KindSecondHalves, team, "sms", "+393331234567")
	g, sms := smsGateway(t)
	g.FailNextWith(1, http.StatusServiceUnavailable)
	w, logs := worker(t, db, v, sms, sms, nil)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{
		`level=INFO msg="notification batch" sent=1 retried=1 failed=1`,
		`level=WARN msg="notification attempt" notification.id=n1 `,
		`level=INFO msg="notification attempt" notification.id=n2 `,
		`level=DEBUG msg="notification attempt" notification.id=n3 `,
	} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want one line with %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "msg.id=") {
		t.Errorf("attempt log must group the notice under \"notification\", not \"msg\":\n%s", out)
	}
	assertNoSecrets(t, out)
}

// TestSentBatchOneLine: at INFO, a batch of notices that all left writes
// one log line.
func TestSentBatchOneLine(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	for i := range 4 {
		addNotification(t, db, fmt.Sprintf("n%d", i), notify.KindSecondHalves, team, "sms", "+393331234567")
	}
	_, sms := smsGateway(t)
	lb := &logBuf{t: t}
	w, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: v, Batch: 4},
		slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.RunOnce(context.Background()); n != 4 || err != nil {
		t.Fatalf("RunOnce = %d, %v; want 4", n, err)
	}
	out := logs(lb)
	if len(out) != 1 || !strings.Contains(out[0], `msg="notification batch" sent=4 retried=0 failed=0`) {
		t.Errorf("log lines %q, want one batch line", out)
	}
}

func logs(lb *logBuf) []string { return strings.Split(strings.TrimRight(lb.String(), "\n"), "\n") }
