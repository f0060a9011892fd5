package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cnskiosk.dev/cloud/internal/notify"
)

// TestSendersNeedSpoolFlag: without real senders the clear-text spool is
// used only when asked for.
func TestSendersNeedSpoolFlag(t *testing.T) {
	tests := []struct {
		name string
		w    workerConfig
		want error
	}{
		{"nothing", workerConfig{}, ErrNoSender},
		{"sms only", workerConfig{smsURL: "http://127.0.0.1:1/sms"}, ErrNoSender},
		{"dev spool", workerConfig{devSpool: true}, nil},
		{"both senders", workerConfig{smtpAddr: "127.0.0.1:25", smtpFrom: "cms@example.org", smsURL: "http://127.0.0.1:1/sms"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := senders(config{data: t.TempDir(), workers: tt.w}, testLogger(t))
			if !errors.Is(err, tt.want) {
				t.Errorf("senders() error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSpoolAppends: the development spool appends one record per message
// to a 0600 mailbox file of its channel.
func TestSpoolAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	s := newSpoolSender(dir, "email.mbox")
	msgs := []notify.Message{
		{ID: "n1", To: "a@example.it", Subject: "uno", Body: "primo"},
		{ID: "n2", To: "b@example.it", Subject: "due", Body: "secondo"},
	}
	for _, m := range msgs {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("Send(%s) = %v", m.ID, err)
		}
	}
	path := filepath.Join(dir, "email.mbox")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "From n1\nTo: a@example.it\nSubject: uno\nMessage-ID: n1\n\nprimo\n\n" +
		"From n2\nTo: b@example.it\nSubject: due\nMessage-ID: n2\n\nsecondo\n\n"
	if got := string(b); got != want {
		t.Errorf("spool = %q, want %q", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %v, want 0600", got)
	}
}
