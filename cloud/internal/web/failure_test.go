package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/web"
)

// english are fragments of the internal errors that must never reach a page.
var english = []string{"web:", "ticket:", "fleet:", "bad input", "not allowed", "not found", "page not found", "Method Not Allowed", "Forbidden"}

func noEnglish(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range english {
		if strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

// TestFailureMessages: a failed page shows an Italian sentence per kind
// of error; the internal error is in the log with a request id.
func TestFailureMessages(t *testing.T) {
	c := newConsole(t, web.Options{})
	admin := c.client()
	c.signIn(t, admin, "admin", "")
	tok := c.csrfOf(t, admin)
	tests := []struct {
		name, method, path string
		form               url.Values
		code               int
		say                string
	}{
		{"bad date", "GET", "/operazioni?dal=ieri", nil, 400, "Alcuni dati inviati non sono validi"},
		{"unknown ticket", "GET", "/ticket/nessuno", nil, 404, "L&#39;elemento richiesto non esiste"},
		{"unknown device", "GET", "/dispositivi/nessuno", nil, 404, "L&#39;elemento richiesto non esiste"},
		{"same status", "POST", "/ticket/" + c.tkt + "/stato", url.Values{"csrf": {tok}, "stato": {"open"}}, 400, "Il ticket è già in questo stato"},
		{"bad status", "POST", "/ticket/" + c.tkt + "/stato", url.Values{"csrf": {tok}, "stato": {"chiuso"}}, 400, "Lo stato del ticket indicato non è valido"},
		{"long note", "POST", "/ticket/" + c.tkt + "/stato", url.Values{"csrf": {tok}, "stato": {"in_progress"}, "nota": {strings.Repeat("x", 1001)}}, 400, "La nota non può superare i 1000 caratteri."},
	}
	for _, tt := range tests {
		r := c.do(t, admin, tt.method, tt.path, tt.form, nil)
		if r.code != tt.code || !strings.Contains(r.body, tt.say) {
			t.Errorf("%s: %d, want %d with %q\n%s", tt.name, r.code, tt.code, tt.say, r.body)
		}
		noEnglish(t, tt.name, r.body)
	}
	if log := c.log.String(); !strings.Contains(log, "ticket: status change not allowed") || !strings.Contains(log, "request_id=") {
		t.Error("the log lacks the internal error or its request id")
	}

	// An internal error: the page gives the request id that the log has.
	if _, err := c.db.SQL().Exec(`ALTER TABLE tickets RENAME TO tickets_gone`); err != nil {
		t.Fatal(err)
	}
	r := c.do(t, admin, "GET", "/ticket?coda=L1", nil, nil)
	if r.code != 500 || !strings.Contains(r.body, "Si è verificato un errore interno") {
		t.Fatalf("internal error: %d\n%s", r.code, r.body)
	}
	noEnglish(t, "internal error", r.body)
	m := regexp.MustCompile(`<code>([0-9a-f]{12})</code>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the page gives no request id:\n%s", r.body)
	}
	if log := c.log.String(); !regexp.MustCompile(`level=ERROR .*request_id=` + m[1] + `.*err=.*tickets`).MatchString(log) {
		t.Errorf("no ERROR log line with request id %s and the database error", m[1])
	}
}

// TestUnmatched: an unknown path is an Italian 404 and a wrong method an
// Italian 405 with Allow (JSON under /api/), counted in the metrics.
func TestUnmatched(t *testing.T) {
	c := newConsole(t, web.Options{})
	admin := c.client()
	c.signIn(t, admin, "admin", "")
	tests := []struct {
		who          *http.Client
		method, path string
		code         int
		allow, say   string
		json, menu   bool
	}{
		{http.DefaultClient, "GET", "/nessuna/pagina", 404, "", "La pagina richiesta non esiste", false, false},
		{admin, "GET", "/nessuna/pagina", 404, "", "La pagina richiesta non esiste", false, true},
		{admin, "POST", "/dispositivi", 405, "GET, HEAD", "Questo indirizzo non accetta la richiesta", false, true},
		{admin, "GET", "/dispositivi/kiosk-001/configurazione", 405, "POST", "Questo indirizzo non accetta la richiesta", false, true},
		{admin, "DELETE", "/api/v1/devices/kiosk-001", 405, "GET, HEAD", `"error":"metodo non consentito"`, true, false},
		{admin, "GET", "/api/v1/nessuna", 404, "", `"error":"risorsa non trovata"`, true, false},
	}
	for _, tt := range tests {
		r := c.do(t, tt.who, tt.method, tt.path, nil, nil)
		if r.code != tt.code || r.header.Get("Allow") != tt.allow || !strings.Contains(r.body, tt.say) {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q with %q\n%.400s", tt.method, tt.path, r.code, r.header.Get("Allow"), tt.code, tt.allow, tt.say, r.body)
		}
		if ct := r.header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") != tt.json {
			t.Errorf("%s %s: Content-Type %s", tt.method, tt.path, ct)
		}
		if got := strings.Contains(r.body, "Navigazione principale"); got != tt.menu {
			t.Errorf("%s %s: menu shown %v, want %v", tt.method, tt.path, got, tt.menu)
		}
		noEnglish(t, tt.method+" "+tt.path, r.body)
	}
	if got, want := c.metric(t, `cms_web_requests_total{route="unmatched",code="4xx"}`), `cms_web_requests_total{route="unmatched",code="4xx"} 6`; got != want {
		t.Errorf("metric: %q, want %q", got, want)
	}
}

// TestCrossOriginRefused: a post from another site gets an Italian 403,
// counted in the metrics, and changes nothing.
func TestCrossOriginRefused(t *testing.T) {
	c := newConsole(t, web.Options{})
	admin := c.client()
	c.signIn(t, admin, "admin", "")
	tok := c.csrfOf(t, admin)
	cross := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	r := c.do(t, admin, "POST", "/ticket/"+c.tkt+"/stato", url.Values{"csrf": {tok}, "stato": {"in_progress"}}, cross)
	if r.code != 403 || !strings.Contains(r.body, "La richiesta proviene da un altro sito") || !strings.Contains(r.body, `lang="it"`) {
		t.Errorf("cross-site page post: %d\n%s", r.code, r.body)
	}
	noEnglish(t, "cross-site post", r.body)
	r = c.do(t, admin, "POST", "/api/v1/tickets/"+c.tkt+"/status", nil, map[string]string{"Sec-Fetch-Site": "cross-site", "X-CSRF-Token": tok})
	if r.code != 403 || !strings.Contains(r.body, `"error":"richiesta da un'altra origine rifiutata"`) {
		t.Errorf("cross-site API post: %d %s", r.code, r.body)
	}
	r = c.do(t, http.DefaultClient, "POST", "/accesso", url.Values{"utente": {"admin"}, "password": {password}}, cross)
	if r.code != 403 || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site sign-in: %d, cookie %q", r.code, r.header.Get("Set-Cookie"))
	}
	if got, want := c.metric(t, `cms_web_requests_total{route="cross_origin",code="4xx"}`), `cms_web_requests_total{route="cross_origin",code="4xx"} 3`; got != want {
		t.Errorf("metric: %q, want %q", got, want)
	}
	if r := c.do(t, admin, "GET", "/ticket/"+c.tkt, nil, nil); !strings.Contains(r.body, `id="stato-attuale">Aperto<`) {
		t.Error("a refused post changed the ticket")
	}
}

// TestSignInRoutesCounted: the sign-in, sign-out, home and health routes
// are counted like the pages.
func TestSignInRoutesCounted(t *testing.T) {
	c := newConsole(t, web.Options{})
	cl := c.client()
	c.do(t, cl, "GET", "/accesso", nil, nil)
	c.signIn(t, cl, "admin", "")
	c.do(t, cl, "GET", "/", nil, nil)
	c.do(t, cl, "POST", "/uscita", url.Values{}, nil)
	c.do(t, cl, "GET", "/healthz", nil, nil)
	for _, want := range []string{
		`cms_web_requests_total{route="signin_page",code="2xx"} 1`,
		`cms_web_requests_total{route="signin",code="3xx"} 1`,
		`cms_web_requests_total{route="home",code="3xx"} 1`,
		`cms_web_requests_total{route="signout",code="3xx"} 1`,
		`cms_web_requests_total{route="healthz",code="2xx"} 1`,
	} {
		name := want[:strings.LastIndexByte(want, ' ')]
		if got := c.metric(t, name); got != want {
			t.Errorf("metric: %q, want %q", got, want)
		}
	}
}
