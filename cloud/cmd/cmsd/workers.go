package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/fse/fsesim"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// workerConfig selects the FSE service and the notification channels.
// Empty URLs/addresses select the development stand-ins (see docs/cloud.md).
type workerConfig struct {
	fseURL       string
	smtpAddr     string
	smtpFrom     string
	smtpUser     string
	smtpInsecure bool // allow clear-text SMTP (local relays only)
	smsURL       string
	devSpool     bool          // write messages without a sender to DATA/outbox, in clear (development only)
	poll         time.Duration // idle scan interval of both workers; 0 = their defaults
}

// workers builds the FSE and notification workers as two parts of cmsd,
// and returns the notification worker's hand-off for the engine.
func workers(c config, db *store.DB, v *vault.Vault, reg *metrics.Registry, log *slog.Logger) ([]part, *notify.Handoff, error) {
	w := c.workers
	var svc fse.Service = fse.HTTPService{URL: w.fseURL, Client: &http.Client{Timeout: 30 * time.Second}}
	if w.fseURL == "" {
		log.Warn("no --fse-url: FSE creation requests go to the in-process simulator (development only)")
		svc = fsesim.New()
	}
	fw, err := fse.NewWorker(db, fse.Options{Service: svc, Poll: w.poll, Metrics: reg}, log.With("part", "fse"))
	if err != nil {
		return nil, nil, err
	}
	email, sms, err := senders(c, log)
	if err != nil {
		return nil, nil, err
	}
	nw, err := notify.NewWorker(db, notify.Options{Email: email, SMS: sms, Vault: v, Poll: w.poll, Metrics: reg}, log.With("part", "notify"))
	if err != nil {
		return nil, nil, err
	}
	return []part{{"fse", fw.Run}, {"notify", nw.Run}}, nw.Handoff(), nil
}

// ErrNoSender: a notification channel has neither a sender nor the
// explicit development spool; the second halves would have nowhere to go.
var ErrNoSender = errors.New("no sender configured")

// senders returns the e-mail and SMS senders: the configured SMTP server
// and SMS gateway or, only with --dev-spool, the development spool in
// DATA/outbox (second halves of PIN and PUK in clear on disk).
func senders(c config, log *slog.Logger) (email, sms notify.Sender, err error) {
	w := c.workers
	spool := filepath.Join(c.data, "outbox")
	if !w.devSpool && (w.smtpAddr == "" || w.smsURL == "") {
		return nil, nil, fmt.Errorf("%w: set --smtp-addr and --sms-url, or --dev-spool to write e-mails and SMS "+
			"(with the second halves of PIN and PUK, in clear) to %s on a development machine", ErrNoSender, spool)
	}
	if w.smtpAddr != "" {
		if w.smtpFrom == "" {
			return nil, nil, fmt.Errorf("--smtp-addr needs --smtp-from")
		}
		email = notify.SMTP{Addr: w.smtpAddr, From: w.smtpFrom, Username: w.smtpUser,
			Password: os.Getenv("CNS_SMTP_PASSWORD"), RequireTLS: !w.smtpInsecure, Timeout: 30 * time.Second}
	} else {
		log.Warn("no --smtp-addr: e-mails are written to the development spool, not sent", "dir", spool)
		email = newSpoolSender(spool, "email.mbox")
	}
	if w.smsURL != "" {
		sms = notify.SMSGateway{URL: w.smsURL, Token: os.Getenv("CNS_SMS_TOKEN"), Client: &http.Client{Timeout: 30 * time.Second}}
	} else {
		log.Warn("no --sms-url: SMS are written to the development spool, not sent", "dir", spool)
		sms = newSpoolSender(spool, "sms.mbox")
	}
	return email, sms, nil
}

// spoolSender is the development stand-in for a mail server or SMS
// gateway: the messages of one channel are appended, one record each
// ("From <id>" line, headers, body), to one mailbox file (mode 0600 in a
// 0700 directory), opened once. Like a real mail server it is at least
// once: a notification resent after a crash between send and record
// appears twice with the same Message-ID. It is the citizen's mailbox of a
// development machine; the file holds the second halves of PIN and PUK
// exactly as the real message would.
//
// Send only adds the record to a buffer; Flush, which the worker calls
// after the sends of a batch and before it records them sent, appends the
// buffer in one write: a write system call per batch instead of one per
// message (they were a few per cent of cmsd's CPU under load). The buffer
// is a bytes.Buffer, not a bufio.Writer, so that it never writes a part of
// a batch by itself when the batch outgrows it. A failed write is undone
// (the file cut back to where it ended) and the records held are dropped:
// the worker sends those notices again, and the mailbox holds the records
// of the notices recorded sent, whole. The file is opened anew after an
// error. It serves one worker, whose batches run one after another: a
// second worker sending through it at the same time could have its
// records dropped by the other's failed Flush.
type spoolSender struct {
	path string
	mu   sync.Mutex
	f    *os.File
	buf  bytes.Buffer // the records Send accepted since the last Flush
}

func newSpoolSender(dir, name string) *spoolSender {
	return &spoolSender{path: filepath.Join(dir, name)}
}

// Send implements notify.Sender: the record waits for Flush.
func (s *spoolSender) Send(_ context.Context, m notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range [...]string{"From ", m.ID, "\nTo: ", m.To, "\nSubject: ", m.Subject, "\nMessage-ID: ", m.ID, "\n\n", m.Body, "\n\n"} {
		s.buf.WriteString(p)
	}
	return nil
}

// Flush implements notify.Flusher: it appends the records held in one
// write. The error names the file, never a record.
func (s *spoolSender) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.Len() == 0 {
		return nil
	}
	defer s.buf.Reset() // written, or dropped: the worker sends them again
	if s.f == nil {
		if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
			return fmt.Errorf("dev spool: %w", err)
		}
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("dev spool: %w", err)
		}
		s.f = f
	}
	n, err := s.f.Write(s.buf.Bytes())
	if err == nil {
		return nil
	}
	if n > 0 { // a part of the batch: cut it off, or the mailbox ends in half a record
		if fi, serr := s.f.Stat(); serr == nil {
			_ = s.f.Truncate(fi.Size() - int64(n))
		}
	}
	_ = s.f.Close()
	s.f = nil
	return fmt.Errorf("dev spool: %w", err)
}
