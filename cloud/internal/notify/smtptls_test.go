package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

const smtpUser, smtpPassword = "cms-notify", "pw-5e1f-relay"

// smtpCA is a CA and the --tls arguments of a sink serving a certificate
// it issued for 127.0.0.1.
func smtpCA(t *testing.T) (*pki.CA, []string) {
	t.Helper()
	ca, err := pki.NewCA("test SMTP CA", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"127.0.0.1", "localhost"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "smtp.pem"), filepath.Join(dir, "smtp-key.pem")
	for f, b := range map[string][]byte{cert: srv.CertPEM, key: srv.KeyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ca, []string{"--tls", cert, key}
}

// TestSMTPStartTLSAuth: as cmsd sends by default (RequireTLS), to a
// server that requires STARTTLS and AUTH: the message leaves over TLS,
// authenticated, and neither the secrets nor the password are logged.
func TestSMTPStartTLSAuth(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	v := newVault(t)
	addCard(t, db, v, team, secrets)
	addNotification(t, db, "n-tls", notify.KindSecondHalves, team, "email", "mario.rossi@example.it")
	ca, tlsArgs := smtpCA(t)
	addr, dir := startSMTP(t, append(tlsArgs, "--auth", smtpUser+":"+smtpPassword)...)
	_, sms := smsGateway(t)
	mail := notify.SMTP{Addr: addr, From: "cms@asl.example.it", Username: smtpUser, Password: smtpPassword,
		RequireTLS: true, TLS: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}
	w, logs := worker(t, db, v, mail, sms, nil)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1", n, err)
	}
	if s, _ := notifStatus(t, db.SQL(), "n-tls"); s != "sent" {
		t.Errorf("status %s, want sent", s)
	}
	mails := readMails(t, dir)
	if len(mails) != 1 {
		t.Fatalf("SMTP server got %d messages, want 1", len(mails))
	}
	for _, want := range []string{"X-TLS: yes\r\n", "X-Auth: " + smtpUser + "\r\n", "X-Rcpt: mario.rossi@example.it"} {
		if !strings.Contains(mails[0], want) {
			t.Errorf("mail lacks %q", want)
		}
	}
	assertNoSecrets(t, logs.String())
	if strings.Contains(logs.String(), smtpPassword) {
		t.Error("logs contain the SMTP password")
	}
}

// TestSMTPConfigErrors: what only we can fix is ErrSenderConfig, against
// a real server: no STARTTLS while TLS is required, a certificate of
// another CA or for another name, a wrong password, a user set towards a
// server that offers no AUTH.
func TestSMTPConfigErrors(t *testing.T) {
	ca, tlsArgs := smtpCA(t)
	other, _ := smtpCA(t)
	plain, _ := startSMTP(t)
	withTLS, _ := startSMTP(t, tlsArgs...)
	withAuth, _ := startSMTP(t, append(tlsArgs, "--auth", smtpUser+":"+smtpPassword)...)
	trust := func(c *pki.CA) *tls.Config { return &tls.Config{RootCAs: c.Pool(), MinVersion: tls.VersionTLS12} }
	tests := []struct {
		name string
		s    notify.SMTP
		why  string // in the error
	}{
		{"no STARTTLS offered", notify.SMTP{Addr: plain, RequireTLS: true}, "offers no STARTTLS"},
		{"certificate of another CA", notify.SMTP{Addr: withTLS, RequireTLS: true, TLS: trust(other)}, "unknown authority"},
		{"certificate not in the system roots", notify.SMTP{Addr: withTLS, RequireTLS: true}, "unknown authority"},
		{"certificate for another name", notify.SMTP{Addr: withTLS, RequireTLS: true,
			TLS: &tls.Config{RootCAs: ca.Pool(), ServerName: "smtp.example.it", MinVersion: tls.VersionTLS12}}, "not smtp.example.it"},
		{"wrong password", notify.SMTP{Addr: withAuth, RequireTLS: true, TLS: trust(ca), Username: smtpUser, Password: "wrong"}, "535"},
		// Without TLS the sink offers no AUTH.
		{"no AUTH offered", notify.SMTP{Addr: plain, Username: smtpUser, Password: smtpPassword}, "offers no AUTH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.From = "cms@asl.example.it"
			err := tt.s.Send(context.Background(), notify.Message{ID: "n1", To: "mario.rossi@example.it", Subject: "x", Body: "y"})
			if !errors.Is(err, notify.ErrSenderConfig) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Send = %v, want ErrSenderConfig for %q", err, tt.why)
			}
		})
	}
}

// TestSenderConfigNeverFails: a notice the SMTP server refuses for our
// configuration (no STARTTLS offered, TLS required) is retried past
// MaxAttempts without using its attempts, and within ConfigGrace (10
// hours of refusals here, the default 24 hours) never failed, no ticket
// opened; every refusal is counted and one ERROR logged; once the server
// is right it is sent. Both databases. (Past ConfigGrace it fails:
// TestSenderConfigGrace.)
func TestSenderConfigNeverFails(t *testing.T) {
	plain, _ := startSMTP(t)
	ca, tlsArgs := smtpCA(t)
	good, dir := startSMTP(t, tlsArgs...)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			v := newVault(t)
			addCard(t, db, v, team, secrets)
			addNotification(t, db, "n-cfg", notify.KindSecondHalves, team, "email", "mario.rossi@example.it")
			_, sms := smsGateway(t)
			mail := &switchable{s: notify.SMTP{Addr: plain, From: "cms@asl.example.it", RequireTLS: true}}
			log, logs := newLogger(t)
			reg := metrics.NewRegistry()
			c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			const maxAttempts = 3
			w, err := notify.NewWorker(db, notify.Options{Email: mail, SMS: sms, Vault: v, Policy: vault.Policy{PinFirst: 3, PukFirst: 3},
				MaxAttempts: maxAttempts, BaseDelay: time.Minute, MaxDelay: time.Hour, Metrics: reg, Now: c.Now,
				Jitter: func(time.Duration) time.Duration { return 0 }}, log)
			if err != nil {
				t.Fatal(err)
			}
			const rounds = 2 * maxAttempts
			for i := range rounds {
				if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
					t.Fatalf("round %d: RunOnce = %d, %v; want 1", i, n, err)
				}
				if s, n := notifStatus(t, db.SQL(), "n-cfg"); s != "pending" || n != 0 {
					t.Fatalf("round %d: %s after %d counted attempts, want pending after 0", i, s, n)
				}
				c.Add(2 * time.Hour) // past the longest delay
			}
			if n, _, _, _ := ticketsFor(t, db, "n-cfg"); n != 0 {
				t.Errorf("%d tickets for a refusal of ours, want 0", n)
			}
			if got := strings.Count(logs.String(), "level=ERROR"); got != 1 {
				t.Errorf("%d ERROR lines, want 1 for the burst", got)
			}
			var buf bytes.Buffer
			reg.Write(&buf)
			if want := `cms_notification_sender_refusals_total{channel="email"} 6`; !strings.Contains(buf.String(), want) {
				t.Errorf("metrics lack %s:\n%s", want, buf.String())
			}
			mail.set(notify.SMTP{Addr: good, From: "cms@asl.example.it", RequireTLS: true,
				TLS: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}})
			if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
				t.Fatalf("fixed: RunOnce = %d, %v; want 1", n, err)
			}
			if s, n := notifStatus(t, db.SQL(), "n-cfg"); s != "sent" || n != 1 {
				t.Errorf("fixed: %s after %d attempts, want sent after 1", s, n)
			}
			if len(readMails(t, dir)) == 0 {
				t.Error("the server got nothing")
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// switchable is an e-mail sender whose SMTP settings a test changes, as
// an operator fixes cmsd's configuration.
type switchable struct {
	mu sync.Mutex
	s  notify.SMTP
}

func (w *switchable) set(s notify.SMTP) { w.mu.Lock(); w.s = s; w.mu.Unlock() }

func (w *switchable) Send(ctx context.Context, m notify.Message) error {
	w.mu.Lock()
	s := w.s
	w.mu.Unlock()
	return s.Send(ctx, m)
}
