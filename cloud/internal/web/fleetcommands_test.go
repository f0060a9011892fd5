package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/shared/wire"
)

// TestCommandNoticeByPresence: the device page says how a command reaches
// the device: sent (online), when it connects again before the expiry
// (offline or stale), never (never connected); a disabled device is
// refused with a sentence saying so, and nothing is recorded.
func TestCommandNoticeByPresence(t *testing.T) {
	tests := []struct {
		name  string
		dev   string
		setup func(t *testing.T, e *env)
		code  int
		loc   string // in the redirect
		text  string // on the page it leads to (or the error page)
		saved int    // commands recorded
	}{
		{"online", "kiosk-001", func(*testing.T, *env) {}, 303, "ok=comando", "Comando inviato.", 1},
		{"offline", "kiosk-001", func(t *testing.T, e *env) {
			if err := e.fleet.ObserveState(context.Background(), "kiosk-001", time.Now(), wire.State{Online: false}); err != nil {
				t.Fatal(err)
			}
		}, 303, "warn=comando_assente", "Lo riceverà quando si ricollega, se entro 15 minuti dall&#39;invio", 1},
		{"stale", "kiosk-002", func(t *testing.T, e *env) {
			// Heard an hour ago, online: stale now.
			e.fleet.SetClock(func() time.Time { return time.Now().Add(-time.Hour) })
			defer e.fleet.SetClock(time.Now)
			if err := e.fleet.ObserveState(context.Background(), "kiosk-002", time.Now().Add(-time.Hour), wire.State{Online: true}); err != nil {
				t.Fatal(err)
			}
		}, 303, "warn=comando_assente", "il dispositivo non risulta in linea", 1},
		{"disabled", "kiosk-001", func(t *testing.T, e *env) {
			if err := e.fleet.Disable(context.Background(), "kiosk-001"); err != nil {
				t.Fatal(err)
			}
		}, 400, "", "Il dispositivo è disattivato e non riceve comandi: il comando non è stato inviato.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.setup(t, e)
			admin := e.client(t, "admin")
			tok := e.csrf(t, admin)
			code, body := sendCommandForm(t, e, admin, tok, tt.dev)
			if code.status != tt.code || !strings.Contains(code.loc, tt.loc) {
				t.Fatalf("POST = %d %q, want %d to ...%s", code.status, code.loc, tt.code, tt.loc)
			}
			if code.status == 303 {
				_, body = get(t, admin, e.srv.URL+code.loc)
			}
			if !strings.Contains(body, tt.text) {
				t.Errorf("the page does not say %q:\n%.2000s", tt.text, body)
			}
			if tt.code == 303 && tt.loc != "ok=comando" && strings.Contains(body, "Comando inviato.") {
				t.Error("the page says the command was sent")
			}
			if cmds, err := e.fleet.Commands(context.Background(), tt.dev, 10); err != nil || len(cmds) != tt.saved {
				t.Errorf("%d commands recorded (%v), want %d", len(cmds), err, tt.saved)
			}
		})
	}
}

// TestCommandNeverConnected: a device that never connected has no broker
// session to keep a command in; the page says it will not get it.
func TestCommandNeverConnected(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	_, before := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002")
	if !strings.Contains(before, "non si è mai collegato: un comando inviato ora non gli arriva") {
		t.Error("the device page does not warn before sending to a device never connected")
	}
	code, _ := sendCommandForm(t, e, admin, e.csrf(t, admin), "kiosk-002")
	if code.status != 303 || !strings.Contains(code.loc, "warn=comando_mai") {
		t.Fatalf("POST = %d %q, want 303 to ...warn=comando_mai", code.status, code.loc)
	}
	if _, body := get(t, admin, e.srv.URL+code.loc); !strings.Contains(body, "ma il dispositivo non si è mai collegato: non lo riceverà") {
		t.Error("the device page does not say the command will not arrive")
	}
}

// TestDisabledDeviceNoCommands: the page of a disabled device offers no
// command form, and the API refuses a command with the same sentence.
func TestDisabledDeviceNoCommands(t *testing.T) {
	e := newEnv(t)
	if err := e.fleet.Disable(context.Background(), "kiosk-001"); err != nil {
		t.Fatal(err)
	}
	admin := e.client(t, "admin")
	_, body := get(t, admin, e.srv.URL+"/dispositivi/kiosk-001")
	if strings.Contains(body, "/comandi") || !strings.Contains(body, "Il dispositivo è disattivato e non riceve comandi.") {
		t.Error("the page of a disabled device offers commands")
	}
	code, body := send(t, admin, "POST", e.srv.URL+"/api/v1/devices/kiosk-001/commands", e.csrf(t, admin), `{"name":"reboot"}`)
	if code != 400 || !strings.Contains(body, `"code":"device_disabled"`) || !strings.Contains(body, "disattivato e non riceve comandi") {
		t.Errorf("API command to a disabled device = %d %s", code, body)
	}
}

type redirect struct {
	status int
	loc    string
}

// sendCommandForm posts the command form (reboot) of device id.
func sendCommandForm(t *testing.T, e *env, c *http.Client, tok, id string) (redirect, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/dispositivi/"+id+"/comandi",
		strings.NewReader("comando=reboot&csrf="+tok))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return redirect{res.StatusCode, res.Header.Get("Location")}, b.String()
}
