package main

import (
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type tlog struct{ t *testing.T }

func (w tlog) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// buildCmsd compiles cmsd for the test (the build cache makes it cheap).
func buildCmsd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cmsd")
	out, err := exec.Command("go", "build", "-o", bin, "cnskiosk.dev/cloud/cmd/cmsd").CombinedOutput()
	if err != nil {
		t.Fatalf("build cmsd: %v\n%s", err, out)
	}
	return bin
}

// TestShortLoad is a short loadgen run on both broker and database
// pairings, so the load generator cannot rot: 20 kiosks x 50 activations,
// every one acked "applied" and recorded exactly once.
func TestShortLoad(t *testing.T) {
	bin := buildCmsd(t)
	for _, tc := range []struct{ mode, db, client string }{
		{"embedded", "", clientLean}, {"mosquitto", "postgres", clientLean}, {"mosquitto", "postgres", clientPaho},
	} {
		t.Run(tc.mode+"-"+tc.client, func(t *testing.T) {
			c := config{cmsd: bin, mode: tc.mode, db: tc.db, client: tc.client, dir: t.TempDir(), kiosks: 20, ops: 50, idle: 10, raw: 2000,
				timeout: 2 * time.Minute, pgAdmin: pgURL()}
			rep, err := run(context.Background(), c, slog.New(slog.NewTextHandler(tlog{t}, nil)))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			rep.print(&b)
			t.Log(b.String())
			if rep.Outcomes["applied"] != 1000 || !rep.ExactlyOnce {
				t.Errorf("outcomes %v, exactly once %v; want 1000 applied, exactly once", rep.Outcomes, rep.ExactlyOnce)
			}
			if rep.RawN != 2000 || rep.RawPerSec <= 0 || rep.P99 <= 0 {
				t.Errorf("baseline or latency missing: %+v", rep)
			}
			if rep.Client != tc.client || !strings.Contains(b.String(), "client "+tc.client+",") {
				t.Errorf("report names client %q, want %q", rep.Client, tc.client)
			}
			if rep.BadAcks != 0 || rep.StrayAcks != 0 {
				t.Errorf("%d acks did not decode, %d stray", rep.BadAcks, rep.StrayAcks)
			}
		})
	}
}

// TestKillAndRestart kills cmsd in the middle of a run (Mosquitto keeps
// the kiosks' messages): every operation is still recorded exactly once.
func TestKillAndRestart(t *testing.T) {
	bin := buildCmsd(t)
	c := config{cmsd: bin, mode: "mosquitto", db: "postgres", dir: t.TempDir(), kiosks: 10, ops: 40, rate: 100,
		killAfter: 1500 * time.Millisecond, timeout: 2 * time.Minute, pgAdmin: pgURL()}
	rep, err := run(context.Background(), c, slog.New(slog.NewTextHandler(tlog{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Restarts != 1 || !rep.ExactlyOnce {
		t.Errorf("restarts %d, exactly once %v (recorded %d of %d, %d duplicates)", rep.Restarts, rep.ExactlyOnce, rep.Recorded, rep.Sent, rep.Duplicate)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    config
		ok   bool
	}{
		{"good", config{client: clientLean, mode: "embedded", kiosks: 1, ops: 1}, true},
		{"bad mode", config{client: clientLean, mode: "emqx", kiosks: 1, ops: 1}, false},
		{"no kiosks", config{client: clientLean, mode: "embedded", ops: 1}, false},
		{"too many", config{client: clientLean, mode: "embedded", kiosks: 2000, ops: 1000}, false},
		{"too many idle", config{mode: "embedded", client: clientLean, kiosks: 1, ops: 1, idle: 50000}, false},
		{"paho", config{mode: "embedded", client: clientPaho, kiosks: 1, ops: 1}, true},
		{"bad client", config{mode: "embedded", client: "mosquitto_pub", kiosks: 1, ops: 1}, false},
	} {
		if got := tc.c.check() == nil; got != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, got, tc.ok)
		}
	}
}
