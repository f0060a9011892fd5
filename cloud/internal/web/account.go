package web

import (
	"errors"
	"net/http"

	"cnskiosk.dev/cloud/internal/account"
)

// profilePage shows the signed-in account and the password change form.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "profile", view{Title: "Il mio profilo", Nav: "profile", Sess: sessionFrom(r.Context()), Flash: flash(r)})
}

// passwordPost changes the signed-in account's own password and ends its
// other sessions.
func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	cur, next := r.PostFormValue("attuale"), r.PostFormValue("nuova")
	msg := ""
	var err error
	switch {
	case next != r.PostFormValue("conferma"):
		msg = "La nuova password e la conferma non coincidono."
	default:
		c, _ := r.Cookie(cookieName) // present: authed checked it
		err = s.accounts.ChangePassword(r.Context(), sess.Username, cur, next, c.Value)
	}
	switch {
	case errors.Is(err, account.ErrCredentials):
		msg = "La password attuale non è corretta."
	case errors.Is(err, account.ErrPassword):
		msg = "La nuova password deve avere almeno 12 caratteri ed essere diversa dall'attuale."
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if msg != "" {
		s.render(w, http.StatusBadRequest, "profile", view{Title: "Il mio profilo", Nav: "profile", Sess: sess, Error: msg})
		return
	}
	s.event(r, account.Event{Username: sess.Username, Client: clientAddr(r), Action: account.EvPasswordChange})
	s.log.InfoContext(r.Context(), "console password changed", "user", sess.Username)
	http.Redirect(w, r, "/profilo?ok=password", http.StatusSeeOther)
}

// consoleLogPage lists the newest console events (sign-ins, password
// changes, accounts enabled or disabled).
func (s *Server) consoleLogPage(w http.ResponseWriter, r *http.Request) {
	evs, err := s.accounts.Events(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "consolelog", view{Title: "Registro della console", Nav: "consolelog", Sess: sessionFrom(r.Context()), Data: evs})
}
