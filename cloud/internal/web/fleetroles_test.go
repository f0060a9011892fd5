package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// send makes a request as c with the user's CSRF token (form field for a
// page, header for the API) and returns the status and body.
func send(t *testing.T, c *http.Client, method, u, tok, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	if method != http.MethodGet && !strings.Contains(u, "/api/") {
		form, _ := url.ParseQuery(body)
		form.Set("csrf", tok)
		body, ctype = form.Encode(), "application/x-www-form-urlencoded"
	}
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-CSRF-Token", tok)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// fleetRoutes is every route of the fleet pages and API, in an order in
// which the allowed state changes all succeed (disable before enable).
var fleetRoutes = []struct {
	method, path, body string
	edit               bool // needs edit_fleet; else view_fleet
	ok                 int  // status when allowed
}{
	{"GET", "/dispositivi", "", false, 200},
	{"GET", "/dispositivi/kiosk-001", "", false, 200},
	{"GET", "/api/v1/devices", "", false, 200},
	{"GET", "/api/v1/devices/kiosk-001", "", false, 200},
	{"POST", "/dispositivi/kiosk-001/configurazione", "consensi=fse-2015&lingue=it&prezzo=1", true, 303},
	{"PUT", "/api/v1/devices/kiosk-001/config", `{"consent_policy":"fse-2015","languages":["it"]}`, true, 200},
	{"POST", "/dispositivi/kiosk-001/comandi", "comando=sync_now", true, 303},
	{"POST", "/api/v1/devices/kiosk-001/commands", `{"name":"sync_now"}`, true, 202},
	{"POST", "/dispositivi/kiosk-001/disattiva", "", true, 303},
	{"POST", "/dispositivi/kiosk-001/attiva", "", true, 303},
	{"POST", "/api/v1/devices/kiosk-001/disable", "", true, 200},
	{"POST", "/api/v1/devices/kiosk-001/enable", "", true, 200},
}

// TestFleetRoutesByRole: every role on every fleet route. Admins may do
// everything; auditors and supervisors see the fleet and may change
// nothing, and a refused change leaves the device as it was.
func TestFleetRoutesByRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The refused roles go first, so the device is still untouched after
	// them; the admin last.
	for _, role := range []struct {
		user string
		edit bool
	}{{"supervisore", false}, {"revisore", false}, {"admin", true}} {
		c := e.client(t, role.user)
		tok := e.csrf(t, c)
		for _, rt := range fleetRoutes {
			want := rt.ok
			if rt.edit && !role.edit {
				want = http.StatusForbidden
			}
			if got, body := send(t, c, rt.method, e.srv.URL+rt.path, tok, rt.body); got != want {
				t.Errorf("%s %s %s = %d, want %d\n%.300s", role.user, rt.method, rt.path, got, want, body)
			}
		}
		if role.edit {
			continue
		}
		cfg, err := e.fleet.Config(ctx, "kiosk-001")
		if err != nil || cfg.Version != 0 {
			t.Errorf("after %s: config %+v, %v; want none", role.user, cfg, err)
		}
		cmds, err := e.fleet.Commands(ctx, "kiosk-001", 10)
		if err != nil || len(cmds) != 0 {
			t.Errorf("after %s: commands %+v, %v; want none", role.user, cmds, err)
		}
		d, err := e.fleet.Get(ctx, "kiosk-001")
		if err != nil || !d.Enabled {
			t.Errorf("after %s: device %+v, %v; want enabled", role.user, d, err)
		}
	}
	cfg, err := e.fleet.Config(ctx, "kiosk-001")
	if err != nil || cfg.Version != 2 {
		t.Errorf("after admin: config version %d, %v; want 2", cfg.Version, err)
	}
	if cmds, err := e.fleet.Commands(ctx, "kiosk-001", 10); err != nil || len(cmds) != 2 {
		t.Errorf("after admin: %d commands, %v; want 2", len(cmds), err)
	}
}

// TestSupervisorSeesKioskStatus: a supervisor's device list and page show
// presence, health and last contact, and none of the admin's forms.
func TestSupervisorSeesKioskStatus(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "supervisore")
	_, home := get(t, c, e.srv.URL+"/profilo")
	if !strings.Contains(home, `href="/dispositivi"`) {
		t.Error("the supervisor's menu has no link to the devices")
	}
	for _, p := range []string{"/dispositivi", "/dispositivi/kiosk-001"} {
		code, body := get(t, c, e.srv.URL+p)
		if code != 200 {
			t.Fatalf("%s = %d", p, code)
		}
		for _, want := range []string{"In linea", "Carta esaurita", "1.2.0"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %q", p, want)
			}
		}
		for _, form := range []string{"/configurazione", "/comandi", "/disattiva", "/attiva", `name="csrf"`} {
			if strings.Contains(body, form) {
				t.Errorf("%s: the supervisor's page has %q", p, form)
			}
		}
	}
}
