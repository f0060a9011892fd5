package fse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/fse/fsesim"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// A service slower than the worker's call timeout is a technical error,
// retried; once the latency is lowered the retry succeeds. Latency is set
// per CF (Fault.Latency) and for every call (SetLatency).
func TestLatencyAboveCallTimeout(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testLatency(t, storetest.Open(t, d)) })
	}
}

func testLatency(t *testing.T, db *store.DB) {
	c, sim := newClock(), fsesim.New()
	w, err := fse.NewWorker(db, fse.Options{Service: sim, MaxAttempts: 3, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute,
		Lease: time.Minute, CallTimeout: 100 * time.Millisecond, Now: c.Now, Jitter: func(time.Duration) time.Duration { return 0 }},
		storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	run := func(want int) {
		t.Helper()
		c.Add(time.Hour) // past every retry delay
		if n, err := w.RunOnce(context.Background()); err != nil || n != want {
			t.Fatalf("RunOnce = %d, %v; want %d", n, err, want)
		}
	}
	check := func(id, wantStatus string, wantAttempts int) {
		t.Helper()
		if s, n := status(t, db, id); s != wantStatus || n != wantAttempts {
			t.Errorf("%s: %s after %d attempts, want %s after %d", id, s, n, wantStatus, wantAttempts)
		}
	}

	// Per CF: SLOW answers after an hour, FAST at once.
	sim.Set("SLOW", fsesim.Fault{Latency: time.Hour})
	addRequest(t, db, "r-SLOW", "SLOW", c.Now())
	addRequest(t, db, "r-FAST", "FAST", c.Now())
	run(2)
	check("r-SLOW", "pending", 1)
	check("r-FAST", "done", 1)
	var last string
	if err := db.SQL().QueryRow(`SELECT last_error FROM fse_requests WHERE id = 'r-SLOW'`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(last, "technical") || !strings.Contains(last, "deadline") {
		t.Errorf("r-SLOW last_error %q, want a technical error past the deadline", last)
	}

	// SLOW's own latency lowered below the timeout; every other CF now
	// waits an hour.
	sim.Set("SLOW", fsesim.Fault{Latency: time.Microsecond})
	sim.SetLatency(time.Hour)
	addRequest(t, db, "r-GLOBAL", "GLOBAL", c.Now())
	run(2)
	check("r-SLOW", "done", 2)
	check("r-GLOBAL", "pending", 1)

	sim.SetLatency(0)
	run(1)
	check("r-GLOBAL", "done", 2)
	checkTicket(t, db, "r-SLOW", "", 0)
	checkTicket(t, db, "r-GLOBAL", "", 0)
	for _, cf := range []string{"SLOW", "FAST", "GLOBAL"} {
		if got := sim.Created(cf); got != 1 {
			t.Errorf("%s created %d times, want 1", cf, got)
		}
	}
}
