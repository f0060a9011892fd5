package main

import (
	"errors"
	"testing"
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
