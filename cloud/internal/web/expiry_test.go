package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/web"
)

// TestExpiredSessionReturnsToPage: a form posted after the session ended
// sends the user to sign in, saying the session expired, and back to the
// form's page (a GET route), not to the POST-only path.
func TestExpiredSessionReturnsToPage(t *testing.T) {
	c := newConsole(t, web.Options{SessionIdle: 30 * time.Minute})
	tests := []struct {
		user, method, path string
		wantNext, scaduta  string
	}{
		{"admin", "POST", "/dispositivi/kiosk-001/configurazione", "/dispositivi/kiosk-001", "modulo"},
		{"admin", "POST", "/dispositivi/kiosk-001/comandi", "/dispositivi/kiosk-001", "modulo"},
		{"supervisore", "POST", "/ticket/{tkt}/stato", "/ticket/{tkt}", "modulo"},
		{"supervisore", "POST", "/profilo/password", "/profilo", "modulo"},
		{"supervisore", "GET", "/operazioni?cf=RSSMRA80A01H501U", "/operazioni?cf=RSSMRA80A01H501U", "1"},
	}
	for _, tt := range tests {
		path, wantNext := strings.ReplaceAll(tt.path, "{tkt}", c.tkt), strings.ReplaceAll(tt.wantNext, "{tkt}", c.tkt)
		cl := c.client()
		c.signIn(t, cl, tt.user, "")
		tok := c.csrfOf(t, cl)
		c.advance(31 * time.Minute)
		var form url.Values
		if tt.method == "POST" {
			form = url.Values{"csrf": {tok}, "stato": {"in_progress"}}
		}
		r := c.do(t, cl, tt.method, path, form, nil)
		loc, _ := url.Parse(r.header.Get("Location"))
		if r.code != http.StatusSeeOther || loc == nil || loc.Path != "/accesso" ||
			loc.Query().Get("dopo") != wantNext || loc.Query().Get("scaduta") != tt.scaduta {
			t.Errorf("%s %s after expiry: %d %q, want /accesso?dopo=%s&scaduta=%s", tt.method, path, r.code, r.header.Get("Location"), wantNext, tt.scaduta)
			continue
		}
		page := c.do(t, cl, "GET", loc.RequestURI(), nil, nil)
		if !strings.Contains(page.body, "Sessione scaduta: accedi di nuovo.") ||
			!strings.Contains(page.body, `name="dopo" value="`+strings.ReplaceAll(wantNext, "&", "&amp;")+`"`) {
			t.Errorf("%s: sign-in page lacks the notice or the return path\n%s", path, page.body)
		}
		if got := c.signIn(t, cl, tt.user, wantNext); got != wantNext {
			t.Errorf("%s: after sign-in to %q, want %q", path, got, wantNext)
		}
		if r := c.do(t, cl, "GET", wantNext, nil, nil); r.code != http.StatusOK {
			t.Errorf("GET %s after sign-in: %d, want 200", wantNext, r.code)
		}
	}

	// Never signed in: no expiry notice.
	r := c.do(t, c.client(), "GET", "/dispositivi", nil, nil)
	if loc := r.header.Get("Location"); loc != "/accesso?dopo=%2Fdispositivi" {
		t.Errorf("anonymous: Location %q", loc)
	}
	if page := c.do(t, c.client(), "GET", "/accesso?dopo=%2Fdispositivi", nil, nil); strings.Contains(page.body, "Sessione scaduta") {
		t.Error("the sign-in page says the session expired without scaduta")
	}
}

// TestSignInRedirectStaysLocal: "dopo" never sends the browser to
// another site, however it is spelt.
func TestSignInRedirectStaysLocal(t *testing.T) {
	c := newConsole(t, web.Options{})
	for _, next := range []string{
		"//evil.example/", `/\evil.example`, `/\/evil.example`, "https://evil.example/", "http:/evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\r//evil.example", "javascript:alert(1)", "evil.example", "",
		"/dispositivi/../\t/evil.example",
	} {
		if got := c.signIn(t, c.client(), "admin", next); got != "/dispositivi" {
			t.Errorf("dopo=%q: Location %q, want /dispositivi", next, got)
		}
		page := c.do(t, c.client(), "GET", "/accesso?dopo="+url.QueryEscape(next), nil, nil)
		if !strings.Contains(page.body, `name="dopo" value="/"`) {
			t.Errorf("dopo=%q: the sign-in form keeps it", next)
		}
	}
	for _, next := range []string{"/ticket/x?y=1", "/operazioni?cf=RSSMRA80A01H501U&al=2026-12-31"} {
		if got := c.signIn(t, c.client(), "admin", next); got != next {
			t.Errorf("dopo=%q: Location %q", next, got)
		}
	}
}
