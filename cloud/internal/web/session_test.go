package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/web"
)

// TestSessionIdleTimeout: a console session ends after SessionIdle without
// a request, stays open while used, and ends at SessionTTL regardless.
func TestSessionIdleTimeout(t *testing.T) {
	c := newConsole(t, web.Options{SessionTTL: 2 * time.Hour, SessionIdle: 20 * time.Minute})
	cl := c.client()
	c.signIn(t, cl, "supervisore", "")
	open := func(when string, want int) {
		t.Helper()
		if r := c.do(t, cl, "GET", "/operazioni", nil, nil); r.code != want {
			t.Errorf("%s: %d, want %d", when, r.code, want)
		}
	}
	for i := range 11 { // one request every 10 minutes, up to 1h50
		c.advance(10 * time.Minute)
		open(fmt.Sprintf("used every 10 minutes, request %d", i+1), http.StatusOK)
	}
	c.advance(10 * time.Minute)
	open("2h after sign-in", http.StatusSeeOther)

	c.signIn(t, cl, "supervisore", "")
	c.advance(19 * time.Minute)
	open("19 min idle", http.StatusOK)
	c.advance(20 * time.Minute)
	open("20 min idle", http.StatusSeeOther)
}

// TestServeDeletesEndedSessions: Serve deletes the rows of ended sessions.
func TestServeDeletesEndedSessions(t *testing.T) {
	c := newConsole(t, web.Options{SessionIdle: 30 * time.Minute})
	c.signIn(t, c.client(), "admin", "")
	c.advance(30 * time.Minute)
	live := c.client()
	c.signIn(t, live, "admin", "")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.srv.Serve(ctx, l) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	count := func() int {
		var n int
		if err := c.db.SQL().QueryRow(`SELECT count(*) FROM web_sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Serve sweeps once as it starts; the count is read until it shows
	// that sweep, bounded.
	tick, limit := time.NewTicker(10*time.Millisecond), time.NewTimer(10*time.Second)
	defer tick.Stop()
	defer limit.Stop()
	for count() != 1 {
		select {
		case <-tick.C:
		case <-limit.C:
			t.Fatalf("%d sessions left, want 1 (the live one)", count())
		}
	}
	if r := c.do(t, live, "GET", "/profilo", nil, nil); r.code != http.StatusOK {
		t.Errorf("the live session after the sweep: %d", r.code)
	}
}
