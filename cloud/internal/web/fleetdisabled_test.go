package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

var disabledRE = regexp.MustCompile(`Disattivato: i suoi messaggi sono rifiutati, la presenza non è nota \(ultimo contatto \d\d/\d\d/\d{4} `)

// row is the table row of device id in the fleet list body.
func row(t *testing.T, body, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `<a href="/dispositivi/`+id+`">`)
	if !ok {
		t.Fatalf("no row of %s in the list", id)
	}
	r, _, _ := strings.Cut(rest, "</tr>")
	return r
}

// TestDisabledDeviceShown: a disabled device is shown as "Disattivato"
// with its last contact, not with the presence it had (its last will is
// dropped, so "In linea" would turn "Silente" for ever).
func TestDisabledDeviceShown(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "supervisore")
	_, body := get(t, c, e.srv.URL+"/dispositivi")
	if r := row(t, body, "kiosk-001"); !strings.Contains(r, "In linea") || strings.Contains(r, "Disattivato") {
		t.Errorf("enabled kiosk-001 row: %s", r)
	}
	if err := e.fleet.Disable(context.Background(), "kiosk-001"); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, c, e.srv.URL+"/dispositivi")
	r := row(t, body, "kiosk-001")
	if !strings.Contains(r, "<td>Disattivato</td>") || strings.Contains(r, "In linea") || strings.Contains(r, "<td>—</td>") {
		t.Errorf("disabled kiosk-001 row, want Disattivato and a last contact: %s", r)
	}
	if _, body = get(t, c, e.srv.URL+"/dispositivi?presenza=online"); strings.Contains(body, `href="/dispositivi/kiosk-001"`) {
		t.Error("a disabled device is listed as online")
	}
	_, body = get(t, c, e.srv.URL+"/dispositivi/kiosk-001")
	if !disabledRE.MatchString(body) {
		t.Error("the device page does not say the device is disabled with its last contact")
	}
	if _, body = get(t, c, e.srv.URL+"/api/v1/devices/kiosk-001"); !strings.Contains(body, `"presence":"disabled"`) {
		t.Errorf("API presence of a disabled device: %.300s", body)
	}
}
