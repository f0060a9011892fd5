package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/web"
)

// TestCommandNotDelivered: a command stored but not published (no
// connection to the broker) is shown as not delivered, not as a success.
func TestCommandNotDelivered(t *testing.T) {
	tests := []struct {
		name      string
		connected bool
		wantLoc   string
		wantText  string
	}{
		{"delivered", true, "ok=comando", "Comando inviato."},
		{"not delivered", false, "warn=comando", "Non consegnato."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if !tt.connected {
				e.fleet.SetPublisher(nil)
			}
			admin := e.client(t, "admin")
			form := url.Values{"csrf": {e.csrf(t, admin)}, "comando": {"reboot"}}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/dispositivi/kiosk-001/comandi", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := admin.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, tt.wantLoc) {
				t.Fatalf("POST = %d %q, want 303 to ...%s", res.StatusCode, loc, tt.wantLoc)
			}
			if _, body := get(t, admin, e.srv.URL+loc); !strings.Contains(body, tt.wantText) {
				t.Errorf("device page does not say %q", tt.wantText)
			}
		})
	}
}

// TestCommandAPI: an admin sends a command through the API with the CSRF
// token; it is recorded with its sender and listed; an unknown command is
// 400, an unknown device 404, a call without the token 403, an auditor 403.
func TestCommandAPI(t *testing.T) {
	e := newEnv(t)
	admin, auditor := e.client(t, "admin"), e.client(t, "revisore")
	tok := e.csrf(t, admin)
	u := e.srv.URL + "/api/v1/devices/"
	tests := []struct {
		name      string
		c         *http.Client
		tok, path string
		body      string
		want      int
	}{
		{"no token", admin, "", "kiosk-002/commands", `{"name":"reboot"}`, 403},
		{"auditor", auditor, e.csrf(t, auditor), "kiosk-002/commands", `{"name":"reboot"}`, 403},
		{"unknown command", admin, tok, "kiosk-002/commands", `{"name":"format_disk"}`, 400},
		{"unknown field", admin, tok, "kiosk-002/commands", `{"name":"reboot","ttl":1}`, 400},
		{"unknown device", admin, tok, "nessuno/commands", `{"name":"reboot"}`, 404},
		{"sent", admin, tok, "kiosk-002/commands", `{"name":"sync_now"}`, 202},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, u+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tt.tok)
		res, err := tt.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var sent web.CommandSent
		_ = json.NewDecoder(res.Body).Decode(&sent)
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.want)
		}
		if tt.want == 202 && (sent.CmdID == "" || !sent.Delivered || sent.Name != "sync_now") {
			t.Errorf("%s: answer %+v", tt.name, sent)
		}
	}
	cmds, err := e.fleet.Commands(context.Background(), "kiosk-002", 10)
	if err != nil || len(cmds) != 1 || cmds[0].Name != "sync_now" || cmds[0].SentBy != "admin" {
		t.Errorf("commands = %+v, %v; want sync_now sent by admin", cmds, err)
	}
}
