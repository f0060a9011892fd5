package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleLogInItalian: every kind of console event, of accounts and
// of devices, is named in Italian on /registro, never by its code.
func TestConsoleLogInItalian(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	u := e.srv.URL + "/dispositivi/kiosk-002"
	for path, form := range map[string]url.Values{
		"/configurazione": {"csrf": {tok}, "sportello": {"desk-7"}, "consensi": {"fse-2015"}, "lingue": {"it"}, "prezzo": {"3,50"}},
		"/comandi":        {"csrf": {tok}, "comando": {"reboot"}},
	} {
		if got := post(t, admin, u+path, form, sameOrigin); got != 303 {
			t.Fatalf("POST %s: %d", path, got)
		}
	}
	for _, action := range []string{"disable", "enable"} {
		if got := post(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002/"+action, nil, map[string]string{"X-CSRF-Token": tok, "Sec-Fetch-Site": "same-origin"}); got != 200 {
			t.Fatalf("%s: %d", action, got)
		}
	}
	_, body := get(t, admin, e.srv.URL+"/registro")
	for _, want := range []string{"<td>Accesso</td>", "<td>Configurazione del dispositivo cambiata</td>", "<td>Comando inviato al dispositivo</td>",
		"<td>Dispositivo disabilitato</td>", "<td>Dispositivo abilitato</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("console log lacks %s", want)
		}
	}
	if m := regexp.MustCompile(`<td>[a-z]+_[a-z_]+</td>`).FindString(body); m != "" {
		t.Errorf("console log shows an event by its code: %s", m)
	}
}
