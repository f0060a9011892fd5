package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
