package web_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"cnskiosk.dev/cloud/internal/web"
)

type fakeLink struct{ up atomic.Bool }

func (l *fakeLink) Connected() bool { return l.up.Load() }

// TestHealthzBroker: /healthz is 503 while the broker connection is down.
func TestHealthzBroker(t *testing.T) {
	link := &fakeLink{}
	c := newConsole(t, web.Options{Broker: link})
	check := func(when string, code int, body string) {
		t.Helper()
		if r := c.do(t, http.DefaultClient, "GET", "/healthz", nil, nil); r.code != code || r.body != body {
			t.Errorf("%s: %d %q, want %d %q", when, r.code, r.body, code, body)
		}
	}
	check("before connecting", 503, "broker not connected\n")
	link.up.Store(true)
	check("connected", 200, "ok\n")
	link.up.Store(false)
	check("connection lost", 503, "broker not connected\n")
	if err := c.db.Close(); err != nil {
		t.Fatal(err)
	}
	link.up.Store(true)
	check("database closed", 503, "database unreachable\n")
}
