package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.srv.URL+"/accesso", url.Values{"utente": {"admin"}, "password": {"sbagliata!!!!"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", res.StatusCode)
	}
	res, err = c.PostForm(e.srv.URL+"/accesso", url.Values{"utente": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ck := res.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie = %+v, want HttpOnly SameSite=Strict", ck)
	}
	if got, _ := get(t, c, e.srv.URL+"/dispositivi"); got != http.StatusSeeOther {
		t.Errorf("anonymous fleet page: %d, want 303 to sign-in", got)
	}
}

func TestRolesAndPages(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		user, path string
		want       int
	}{
		{"admin", "/dispositivi", 200},
		{"admin", "/dispositivi/kiosk-001", 200},
		{"admin", "/dispositivi/nessuno", 404},
		{"admin", "/operazioni?cf=RSSMRA80A01H501U&dal=2026-01-01&al=2026-12-31", 200},
		{"admin", "/operazioni?dal=ieri", 400},
		{"admin", "/ticket?coda=L1", 200},
		{"admin", "/ticket/" + e.tkt, 200},
		{"admin", "/fse", 200},
		{"admin", "/audit?verifica=1", 200},
		{"supervisore", "/dispositivi", 200},
		{"supervisore", "/operazioni", 200},
		{"supervisore", "/audit", 403},
		{"revisore", "/dispositivi", 200},
		{"revisore", "/audit?verifica=1", 200},
		{"revisore", "/api/v1/devices", 200},
		{"supervisore", "/api/v1/devices", 200},
	}
	clients := map[string]*http.Client{}
	for _, tt := range tests {
		c := clients[tt.user]
		if c == nil {
			c = e.client(t, tt.user)
			clients[tt.user] = c
		}
		if got, body := get(t, c, e.srv.URL+tt.path); got != tt.want {
			t.Errorf("%s GET %s = %d, want %d\n%.300s", tt.user, tt.path, got, tt.want, body)
		}
	}
}

func TestHTMLInNamesIsEscaped(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "admin")
	for _, p := range []string{"/dispositivi", "/dispositivi/kiosk-001"} {
		_, body := get(t, c, e.srv.URL+p)
		if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;b&gt;Chiosco&lt;/b&gt;") {
			t.Errorf("%s: the device name is not escaped", p)
		}
	}
}

func post(t *testing.T, c *http.Client, u string, form url.Values, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestConfigChangeCSRFAndRoles(t *testing.T) {
	e := newEnv(t)
	admin, auditor := e.client(t, "admin"), e.client(t, "revisore")
	form := func(tok string) url.Values {
		return url.Values{"csrf": {tok}, "capacita": {"reissue"}, "consensi": {"fse-2015"}, "lingue": {"it", "en"}, "prezzo": {"4,20"}}
	}
	u := e.srv.URL + "/dispositivi/kiosk-001/configurazione"
	tok := e.csrf(t, admin)
	tests := []struct {
		name string
		c    *http.Client
		form url.Values
		hdr  map[string]string
		want int
	}{
		{"no token", admin, form(""), nil, 403},
		{"wrong token", admin, form("x" + tok), nil, 403},
		{"cross-site", admin, form(tok), map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"auditor", auditor, form(e.csrf(t, auditor)), nil, 403},
		{"admin", admin, form(tok), map[string]string{"Sec-Fetch-Site": "same-origin"}, 303},
	}
	for _, tt := range tests {
		if got := post(t, tt.c, u, tt.form, tt.hdr); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	c, err := e.fleet.Config(context.Background(), "kiosk-001")
	if err != nil || c.Version != 1 || c.ReaderPriceCents != 420 || len(c.Capabilities) != 1 {
		t.Errorf("config = %+v, %v; want version 1 with 420 cents and reissue", c, err)
	}
}

func TestAPI(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "supervisore")
	tok := e.csrf(t, c)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tickets/"+e.tkt+"/status", strings.NewReader(`{"status":"in_progress","note":"presa in carico"}`))
	req.Header.Set("X-CSRF-Token", tok)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Ticket struct{ Status string }
		Events []struct{ Actor string }
	}
	_ = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	if res.StatusCode != 200 || got.Ticket.Status != "in_progress" || len(got.Events) != 1 || got.Events[0].Actor != "supervisore" {
		t.Errorf("status change: %d %+v", res.StatusCode, got)
	}
	code, body := get(t, c, e.srv.URL+"/api/v1/operations?from=2026-01-01")
	if code != 200 || !strings.Contains(body, `"operations":[]`) {
		t.Errorf("operations: %d %s", code, body)
	}
	code, body = get(t, http.DefaultClient, e.srv.URL+"/api/v1/openapi.json")
	var doc map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("openapi: %d", code)
	}
	if code, _ := get(t, http.DefaultClient, e.srv.URL+"/api/v1/tickets"); code != 401 {
		t.Errorf("anonymous API: %d, want 401", code)
	}
	if code, body := get(t, http.DefaultClient, e.srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	if _, body := get(t, http.DefaultClient, e.srv.URL+"/metrics"); !strings.Contains(body, `cms_web_requests_total{route="api_ticket_status",code="2xx"} 1`) {
		t.Errorf("metrics lack the API request:\n%s", body)
	}
}
