package notify_test

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

const team = "80380000900090510553"

// Distinctive secrets so a grep of the logs cannot match by chance.
var secrets = vault.Secrets{PIN: "47205813", PUK: "93617428"}

func worker(t *testing.T, db *store.DB, v *vault.Vault, email, sms notify.Sender, c *clock) (*notify.Worker, *logBuf) {
	t.Helper()
	log, lb := newLogger(t)
	o := notify.Options{Email: email, SMS: sms, Vault: v, Policy: vault.Policy{PinFirst: 3, PukFirst: 3},
		MaxAttempts: 3, BaseDelay: time.Minute, Batch: 4, Jitter: func(time.Duration) time.Duration { return 0 }}
	if c != nil {
		o.Now = c.Now
	}
	w, err := notify.NewWorker(db, o, log)
	if err != nil {
		t.Fatal(err)
	}
	return w, lb
}

func TestSecondHalvesByRealSMTP(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	addNotification(t, db, "n-mail", notify.KindSecondHalves, team, "email", "mario.rossi@example.it")
	addr, dir := startSMTP(t)
	_, sms := smsGateway(t)
	w, logs := worker(t, db, v, notify.SMTP{Addr: addr, From: "cms@asl.example.it"}, sms, nil)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1", n, err)
	}
	mails := readMails(t, dir)
	if len(mails) != 1 {
		t.Fatalf("SMTP server got %d messages, want 1", len(mails))
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(mails[0][strings.Index(mails[0], "\r\n\r\n")+4:])))
	for _, want := range []string{"Seconda parte del PIN: 05813", "Seconda parte del PUK: 17428", team} {
		if !strings.Contains(string(body), want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}
	for _, want := range []string{"X-Rcpt: mario.rossi@example.it", "Message-ID: <n-mail@asl.example.it>"} {
		if !strings.Contains(mails[0], want) {
			t.Errorf("mail lacks %q", want)
		}
	}
	if strings.Contains(string(body), "472") || strings.Contains(string(body), "936") {
		t.Errorf("mail carries a first half:\n%s", body)
	}
	if s, _ := notifStatus(t, db.SQL(), "n-mail"); s != "sent" {
		t.Errorf("status %s, want sent", s)
	}
	assertNoSecrets(t, logs.String())
}

func assertNoSecrets(t *testing.T, logs string) {
	t.Helper()
	for _, s := range []string{secrets.PIN, secrets.PUK, "05813", "17428"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain a secret (%d digits)", len(s))
		}
	}
}

func TestSMSRetriesThenSends(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n-sms", notify.KindSecondHalves, team, "sms", "333 123 4567")
			addNotification(t, db, "n-bad", notify.KindReissueNotice, team, "sms", "not a phone")
			g, sms := smsGateway(t)
			g.FailNext(1)
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			w, logs := worker(t, db, v, notify.SMTP{Addr: "127.0.0.1:1"}, sms, c)
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if s, n := notifStatus(t, db.SQL(), "n-sms"); s != "pending" || n != 1 {
				t.Fatalf("after a 503: %s/%d, want pending/1", s, n)
			}
			if s, _ := notifStatus(t, db.SQL(), "n-bad"); s != "failed" {
				t.Errorf("bad number: %s, want failed", s)
			}
			c.Add(2 * time.Minute)
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			msgs := g.Messages()
			if len(msgs) != 1 || msgs[0].To != "+393331234567" || !strings.Contains(msgs[0].Text, "PIN 05813, PUK 17428") {
				t.Fatalf("gateway got %+v", msgs)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// stopAfter cancels the worker's context after n messages left.
type stopAfter struct {
	inner  notify.Sender
	n      int
	cancel context.CancelFunc
}

func (s *stopAfter) Send(ctx context.Context, m notify.Message) error {
	err := s.inner.Send(ctx, m)
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return err
}

func TestRestartMidQueueSendsEachOnce(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			const n = 10
			for i := range n {
				addNotification(t, db, fmt.Sprintf("n%02d", i), notify.KindSecondHalves, team, "sms", "+393331234567")
			}
			g, sms := smsGateway(t)
			ctx, cancel := context.WithCancel(context.Background())
			first, _ := worker(t, db, v, sms, &stopAfter{inner: sms, n: 3, cancel: cancel}, nil)
			if err := first.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if got := len(g.Messages()); got != 3 {
				t.Fatalf("first worker sent %d, want 3", got)
			}
			second, _ := worker(t, db, v, sms, sms, nil)
			for {
				k, err := second.RunOnce(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					break
				}
			}
			for i := range n {
				id := fmt.Sprintf("n%02d", i)
				if got := g.Deliveries(id); got != 1 {
					t.Errorf("%s delivered %d times, want 1", id, got)
				}
				if s, _ := notifStatus(t, db.SQL(), id); s != "sent" {
					t.Errorf("%s status %s, want sent", id, s)
				}
			}
		})
	}
}

func TestMissingSecretsFail(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addNotification(t, db, "n1", notify.KindSecondHalves, "80380000900000000000", "sms", "+393331234567")
	g, sms := smsGateway(t)
	w, _ := worker(t, db, v, sms, sms, nil)
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, _ := notifStatus(t, db.SQL(), "n1"); s != "failed" || len(g.Messages()) != 0 {
		t.Errorf("status %s, %d sent; want failed, 0", s, len(g.Messages()))
	}
}

func TestMessageRedacts(t *testing.T) {
	m := notify.Message{ID: "x", Body: "PIN 12345"}
	for _, s := range []string{m.String(), fmt.Sprint(m), m.LogValue().String()} {
		if strings.Contains(s, "12345") {
			t.Errorf("%q shows the body", s)
		}
	}
}
