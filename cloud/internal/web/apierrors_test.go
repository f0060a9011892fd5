package web_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/web"
)

// apiErr is the body of an API error.
type apiErr struct {
	Code      string `json:"code"`
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
}

// send makes an API request with a JSON body from the console's origin.
func (c *console) send(t *testing.T, cl *http.Client, method, path, tok, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, c.http.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-CSRF-Token", tok)
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b), res.Header}
}

func decodeErr(t *testing.T, what string, r response) apiErr {
	t.Helper()
	var e apiErr
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Code == "" || e.Error == "" {
		t.Errorf("%s: body %q is not an error with a code and a sentence", what, r.body)
	}
	noEnglish(t, what, r.body)
	return e
}

// TestAPIErrors: an API error has a stable code and the Italian sentence
// the console's page shows for the same error; the internal detail is in
// the log only.
func TestAPIErrors(t *testing.T) {
	c := newConsole(t, web.Options{})
	admin := c.client()
	c.signIn(t, admin, "admin", "")
	tok := c.csrfOf(t, admin)
	tests := []struct {
		name, method, path, body string
		page                     string // the console page of the same error; "" none
		status                   int
		code, say                string
	}{
		{"bad date", "GET", "/api/v1/operations?from=ieri", "", "/operazioni?dal=ieri", 400, "invalid_input", "Alcuni dati inviati non sono validi"},
		{"bad cursor", "GET", "/api/v1/tickets?after=rotto", "", "/ticket?dopo=rotto", 400, "invalid_cursor", "Il collegamento alla pagina non è valido"},
		{"bad FSE cursor", "GET", "/api/v1/fse-requests?before=rotto", "", "/fse?prima=rotto", 400, "invalid_cursor", "Il collegamento alla pagina non è valido"},
		{"bad health cursor", "GET", "/api/v1/devices/kiosk-001?health_before=ieri", "", "/dispositivi/kiosk-001?storico_prima=ieri", 400, "invalid_cursor", "La pagina dello storico richiesta non è valida."},
		{"unknown ticket", "GET", "/api/v1/tickets/nessuno", "", "/ticket/nessuno", 404, "not_found", "L'elemento richiesto non esiste"},
		{"unknown device", "GET", "/api/v1/devices/nessuno", "", "/dispositivi/nessuno", 404, "not_found", "L'elemento richiesto non esiste"},
		{"bad queue", "GET", "/api/v1/tickets?queue=L3", "", "/ticket?coda=L3", 400, "invalid_input", "La coda indicata non esiste"},
		{"bad enabled", "GET", "/api/v1/devices?enabled=forse", "", "", 400, "invalid_input", "Il filtro enabled accetta solo true o false."},
		{"same status", "POST", "/api/v1/tickets/" + c.tkt + "/status", `{"status":"open"}`, "", 400, "status_not_allowed", "Il ticket è già in questo stato"},
		{"bad status", "POST", "/api/v1/tickets/" + c.tkt + "/status", `{"status":"chiuso"}`, "", 400, "invalid_status", "Lo stato del ticket indicato non è valido."},
		{"long note", "POST", "/api/v1/tickets/" + c.tkt + "/status", `{"status":"in_progress","note":"` + strings.Repeat("x", 1001) + `"}`, "", 400, "invalid_input", "La nota non può superare i 1000 caratteri."},
		{"not JSON", "POST", "/api/v1/tickets/" + c.tkt + "/status", `{"status":`, "", 400, "invalid_json", "non è un JSON valido"},
		{"unknown field", "PUT", "/api/v1/devices/kiosk-001/config", `{"colour":"blu"}`, "", 400, "invalid_json", "non è un JSON valido"},
		{"unknown command", "POST", "/api/v1/devices/kiosk-001/commands", `{"name":"self_destruct"}`, "", 400, "invalid_input", "Il comando richiesto non è previsto"},
		{"no session", "GET", "/api/v1/tickets", "", "", 401, "unauthenticated", "autenticazione richiesta"},
		{"no route", "GET", "/api/v1/nessuna", "", "", 404, "not_found", "risorsa non trovata"},
	}
	for _, tt := range tests {
		cl := admin
		if tt.code == "unauthenticated" {
			cl = c.client()
		}
		r := c.send(t, cl, tt.method, tt.path, tok, tt.body)
		e := decodeErr(t, tt.name, r)
		if r.code != tt.status || e.Code != tt.code || !strings.Contains(e.Error, tt.say) || e.RequestID != "" {
			t.Errorf("%s: %d %+v, want %d, code %s and %q", tt.name, r.code, e, tt.status, tt.code, tt.say)
		}
		if tt.page == "" {
			continue
		}
		if p := c.do(t, admin, "GET", tt.page, nil, nil); p.code != r.code || !strings.Contains(p.body, html.EscapeString(e.Error)) {
			t.Errorf("%s: the page %s (%d) does not say what the API says: %q", tt.name, tt.page, p.code, e.Error)
		}
	}
	log := c.log.String()
	for _, detail := range []string{"ticket: status change not allowed", "ticket: invalid page cursor", `enabled \"forse\"`, "unknown field"} {
		if !strings.Contains(log, detail) {
			t.Errorf("the log lacks the detail %q", detail)
		}
	}

	// An internal error: the body gives the request id that the log has.
	if _, err := c.db.SQL().Exec(`ALTER TABLE tickets RENAME TO tickets_gone`); err != nil {
		t.Fatal(err)
	}
	r := c.send(t, admin, "GET", "/api/v1/tickets", tok, "")
	e := decodeErr(t, "internal error", r)
	if r.code != 500 || e.Code != "internal" || !strings.Contains(e.Error, "Si è verificato un errore interno") || e.RequestID == "" {
		t.Fatalf("internal error: %d %+v", r.code, e)
	}
	if strings.Contains(r.body, "tickets") {
		t.Errorf("the body shows the database error: %s", r.body)
	}
	if !regexp.MustCompile(`level=ERROR .*request_id=` + e.RequestID + `.*err=.*tickets`).MatchString(c.log.String()) {
		t.Errorf("no ERROR log line with request id %s and the database error", e.RequestID)
	}

	// The session itself cannot be read: the same answer, not a bare 500.
	if _, err := c.db.SQL().Exec(`ALTER TABLE web_sessions RENAME TO web_sessions_gone`); err != nil {
		t.Fatal(err)
	}
	r = c.send(t, admin, "GET", "/api/v1/devices", tok, "")
	e = decodeErr(t, "session lookup failed", r)
	if r.code != 500 || e.Code != "internal" || !strings.Contains(e.Error, "Si è verificato un errore interno") || e.RequestID == "" {
		t.Fatalf("session lookup failed: %d %+v", r.code, e)
	}
	if !regexp.MustCompile(`level=ERROR .*request_id=` + e.RequestID + `.*err=.*session lookup`).MatchString(c.log.String()) {
		t.Errorf("no ERROR log line with request id %s and the session lookup error", e.RequestID)
	}
}
