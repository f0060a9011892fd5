package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignInThrottle(t *testing.T) {
	e := newEnv(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	try := func(user, pw string) int {
		t.Helper()
		return post(t, c, e.srv.URL+"/accesso", url.Values{"utente": {user}, "password": {pw}}, nil)
	}
	want := []int{401, 401, 401, 401, 429}
	for i, w := range want {
		if got := try("admin", "sbagliata sbagliata"); got != w {
			t.Errorf("failure %d: %d, want %d", i+1, got, w)
		}
	}
	if got := try("admin", password); got != 429 {
		t.Errorf("right password while locked: %d, want 429", got)
	}
	if got := try("revisore", password); got != 303 {
		t.Errorf("another account from the same address: %d, want 303", got)
	}
	_, body := get(t, c, e.srv.URL+"/metrics")
	for _, m := range []string{`cms_web_signins_total{result="refused"} 5`, `cms_web_signins_total{result="locked"} 1`, `cms_web_signins_total{result="ok"} 1`} {
		if !strings.Contains(body, m) {
			t.Errorf("metrics lack %s", m)
		}
	}
	_, body = get(t, e.client(t, "revisore"), e.srv.URL+"/registro")
	for _, s := range []string{"Accesso rifiutato", "Accesso bloccato", "127.0.0.1"} {
		if !strings.Contains(body, s) {
			t.Errorf("console log page lacks %q", s)
		}
	}
	if strings.Contains(body, "sbagliata") {
		t.Error("a typed password reached the console log")
	}
}

func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	c, other := e.client(t, "supervisore"), e.client(t, "supervisore")
	tok := e.csrf(t, c)
	const next = "la mia nuova password"
	tests := []struct {
		name string
		form url.Values
		want int
	}{
		{"no csrf", url.Values{"attuale": {password}, "nuova": {next}, "conferma": {next}}, 403},
		{"wrong current", url.Values{"csrf": {tok}, "attuale": {"non è questa!!"}, "nuova": {next}, "conferma": {next}}, 400},
		{"mismatch", url.Values{"csrf": {tok}, "attuale": {password}, "nuova": {next}, "conferma": {next + "x"}}, 400},
		{"too short", url.Values{"csrf": {tok}, "attuale": {password}, "nuova": {"corta"}, "conferma": {"corta"}}, 400},
		{"ok", url.Values{"csrf": {tok}, "attuale": {password}, "nuova": {next}, "conferma": {next}}, 303},
	}
	for _, tt := range tests {
		if got := post(t, c, e.srv.URL+"/profilo/password", tt.form, nil); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	if code, body := get(t, c, e.srv.URL+"/profilo?ok=password"); code != 200 || !strings.Contains(body, "Password cambiata") {
		t.Errorf("profile after the change: %d", code)
	}
	if code, _ := get(t, other, e.srv.URL+"/operazioni"); code != http.StatusSeeOther {
		t.Errorf("another session survived the change: %d, want 303 to sign-in", code)
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if got := post(t, plain, e.srv.URL+"/accesso", url.Values{"utente": {"supervisore"}, "password": {next}}, nil); got != 303 {
		t.Errorf("sign-in with the new password: %d", got)
	}
}

func TestUnknownUserNameIsNotRecorded(t *testing.T) {
	e := newEnv(t)
	const typedPassword = "miapassword-nel-campo-utente"
	if got := post(t, http.DefaultClient, e.srv.URL+"/accesso", url.Values{"utente": {typedPassword}, "password": {"x"}}, nil); got != 401 {
		t.Errorf("sign-in: %d, want 401", got)
	}
	_, body := get(t, e.client(t, "admin"), e.srv.URL+"/registro")
	if strings.Contains(body, typedPassword) || !strings.Contains(body, "(sconosciuto)") {
		t.Error("an unknown user name reached the console log")
	}
	var n int
	if err := e.db.SQL().QueryRow(`SELECT count(*) FROM signin_failures WHERE key LIKE '%nel-campo%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the throttle keeps the typed name: %d rows, %v", n, err)
	}
}
