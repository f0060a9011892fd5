package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/account"
)

const cookieName = "cms_session"

type ctxKey struct{}

func sessionFrom(ctx context.Context) *account.Session {
	s, _ := ctx.Value(ctxKey{}).(*account.Session)
	return s
}

// authed loads the session and checks the permission; API routes answer
// JSON, pages redirect to the sign-in page.
func (s *Server) authed(perm account.Permission, api bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r)
		switch {
		case err != nil && !errors.Is(err, account.ErrNoSession):
			if api {
				s.apiFail(w, r, fmt.Errorf("session lookup: %w", err))
				return
			}
			s.fail(w, r, err)
			return
		case err != nil && api:
			writeJSONError(w, http.StatusUnauthorized, "autenticazione richiesta")
			return
		case err != nil:
			s.toSignIn(w, r)
			return
		}
		if perm != "" && !sess.Role.Can(perm) {
			s.forbidden(w, r, api, sess)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !validCSRF(r, sess.CSRF) {
			s.log.WarnContext(r.Context(), "csrf token missing or wrong", "user", sess.Username, "path", r.URL.Path)
			s.forbidden(w, r, api, sess)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &sess)))
	}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, api bool, sess account.Session) {
	if api {
		writeJSONError(w, http.StatusForbidden, "operazione non consentita")
		return
	}
	s.render(w, http.StatusForbidden, "error", view{Title: "Accesso negato", Sess: &sess,
		Error: "Il suo profilo non consente questa operazione."})
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) session(r *http.Request) (account.Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return account.Session{}, account.ErrNoSession
	}
	return s.accounts.Lookup(r.Context(), c.Value)
}

// toSignIn sends a request without a valid session to the sign-in page,
// which brings the user back to the page afterwards. A request that came
// with a session cookie had a session that ended: the cookie is removed
// and the sign-in page says the session expired.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	q := url.Values{"dopo": {s.pageOf(r)}}
	if _, err := r.Cookie(cookieName); err == nil {
		q.Set("scaduta", "1")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			q.Set("scaduta", "modulo")
		}
		clearCookie(w, r)
	}
	http.Redirect(w, r, "/accesso?"+q.Encode(), http.StatusSeeOther)
}

// pageOf is where to come back to after signing in: the request itself
// for a GET, else the nearest parent path a GET route takes (a form posted
// to /dispositivi/{id}/configurazione returns to /dispositivi/{id}).
func (s *Server) pageOf(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	p := r.URL.Path
	for p != "/" && p != "" {
		p = p[:strings.LastIndexByte(p, '/')]
		if p != "" && s.routed(http.MethodGet, p) {
			return p
		}
	}
	return "/"
}

// loginData is what the sign-in page shows besides the form.
type loginData struct {
	Next    string // where to go after signing in (a local path)
	Expired string // why the user is asked to sign in again
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := loginData{Next: safeNext(q.Get("dopo"))}
	switch q.Get("scaduta") {
	case "1":
		d.Expired = "Sessione scaduta: accedi di nuovo."
	case "modulo":
		d.Expired = "Sessione scaduta: accedi di nuovo. I dati dell'ultimo modulo non sono stati salvati: inserirli di nuovo."
	}
	s.render(w, http.StatusOK, "login", view{Title: "Accesso", Data: d})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx, user, pw := r.Context(), strings.ToLower(strings.TrimSpace(r.PostFormValue("utente"))), r.PostFormValue("password")
	next, client := safeNext(r.PostFormValue("dopo")), clientAddr(r)
	if len(user) > 64 {
		user = user[:64]
	}
	until, err := s.throttle.Locked(ctx, user, client)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !until.IsZero() {
		s.signinRefused(w, r, user, client, account.EvSignInLocked, until)
		return
	}
	id, sess, err := s.accounts.Login(ctx, user, pw)
	if err != nil {
		if !errors.Is(err, account.ErrCredentials) {
			s.fail(w, r, err)
			return
		}
		until, err = s.throttle.Fail(ctx, user, client)
		if err != nil {
			s.log.ErrorContext(ctx, "sign-in throttle", "err", err)
		}
		s.signinRefused(w, r, user, client, account.EvSignInRefused, until)
		return
	}
	if err := s.throttle.Succeed(ctx, user, client); err != nil {
		s.log.ErrorContext(ctx, "sign-in throttle", "err", err)
	}
	s.event(r, account.Event{Username: sess.Username, Client: client, Action: account.EvSignIn})
	s.signins.With("ok").Inc()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: sess.Expires})
	s.log.InfoContext(ctx, "console sign-in", "user", sess.Username, "role", sess.Role, "client", client)
	if next == "/" {
		next = home(sess.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signinRefused answers a refused sign-in: 401, or 429 while locked.
func (s *Server) signinRefused(w http.ResponseWriter, r *http.Request, user, client, action string, until time.Time) {
	result, status, msg := "refused", http.StatusUnauthorized, "Nome utente o password non corretti."
	if action == account.EvSignInLocked {
		result = "locked"
	}
	detail := ""
	if !until.IsZero() {
		status = http.StatusTooManyRequests
		msg = "Troppi tentativi non riusciti. Riprovare dopo le " + until.In(rome).Format("15:04") + "."
		detail = "locked until " + until.UTC().Format(time.RFC3339)
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(until.Sub(s.o.Now()).Seconds()))))
	}
	s.signins.With(result).Inc()
	// A name that is no account may be a password typed in the wrong
	// field: it is neither logged nor recorded.
	if ok, err := s.accounts.Exists(r.Context(), user); err != nil || !ok {
		user = "(sconosciuto)"
	}
	s.event(r, account.Event{Username: user, Client: client, Action: action, Detail: detail})
	s.log.InfoContext(r.Context(), "console sign-in refused", "user", user, "client", client, "result", result)
	s.render(w, status, "login", view{Title: "Accesso", Data: loginData{Next: safeNext(r.PostFormValue("dopo"))}, Error: msg})
}

// event writes the console log; a failure is logged, never shown.
func (s *Server) event(r *http.Request, e account.Event) {
	if err := s.accounts.Log(r.Context(), e); err != nil {
		s.log.ErrorContext(r.Context(), "console event not recorded", "action", e.Action, "err", err)
	}
}

// clientAddr is the client's IP address (the TCP peer; a reverse proxy in
// front would make every client one address, see docs/console.md).
func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		_ = s.accounts.Logout(r.Context(), c.Value)
	}
	clearCookie(w, r)
	http.Redirect(w, r, "/accesso", http.StatusSeeOther)
}

func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: time.Unix(0, 0)})
}

func home(r account.Role) string {
	if r.Can(account.ViewFleet) {
		return "/dispositivi"
	}
	return "/operazioni"
}

// safeNext keeps only local paths, so the sign-in page is no open
// redirect: a path of this site ("/..."), never "//host" or "/\host"
// (which browsers read as another host), nor one with control characters
// (browsers drop a tab or newline, so "/\t/host" would become "//host").
func safeNext(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(p, "/") ||
		strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\x00\t\n\r") {
		return "/"
	}
	return p
}
