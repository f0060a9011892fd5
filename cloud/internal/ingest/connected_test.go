package ingest_test

import (
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/store"
)

// TestConnected: an instance reports its broker connection, as /healthz
// reads it: not before Run connects, yes while it runs, not after it
// stopped.
func TestConnected(t *testing.T) {
	for _, kind := range []string{"embedded", "mosquitto"} {
		t.Run(kind, func(t *testing.T) {
			d := store.SQLite
			if kind == "mosquitto" {
				d = store.Postgres
			}
			s := newStack(t, kind, d)
			is, err := s.fleet.IssueCloud(context.Background(), s.ca, "cmsd-health", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			in, err := ingest.New(ingest.Options{Broker: s.url, ClientID: "cmsd-health", TLS: s.clientTLS(is), Workers: 1},
				ingest.Deps{}, metrics.NewRegistry(), s.logger())
			if err != nil {
				t.Fatal(err)
			}
			if in.Connected() {
				t.Error("an instance that has not run reports connected")
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- in.Run(ctx) }()
			select {
			case <-in.Ready():
			case err := <-done:
				t.Fatalf("run: %v", err)
			}
			if !in.Connected() {
				t.Error("a running, subscribed instance reports not connected")
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("run: %v", err)
			}
			if in.Connected() {
				t.Error("a stopped instance reports connected")
			}
		})
	}
}
