package web

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/account"
)

func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	static := http.StripPrefix("/assets/", http.FileServerFS(assets))
	mux.Handle("GET /assets/", cacheFor(static, 24*time.Hour))
	mux.Handle("GET /healthz", s.instrument("healthz", http.HandlerFunc(s.healthz)))
	if !s.o.MetricsElsewhere {
		mux.Handle("GET /metrics", s.o.Metrics.Handler())
	}
	mux.Handle("GET /accesso", s.instrument("signin_page", http.HandlerFunc(s.loginPage)))
	mux.Handle("POST /accesso", s.instrument("signin", http.HandlerFunc(s.login)))
	mux.Handle("POST /uscita", s.instrument("signout", http.HandlerFunc(s.logout)))
	mux.Handle("GET /{$}", s.instrument("home", s.authed("", false, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, home(sessionFrom(r.Context()).Role), http.StatusSeeOther)
	})))
	page := func(pattern, route string, p account.Permission, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(route, s.authed(p, false, h)))
	}
	page("GET /dispositivi", "devices", account.ViewFleet, s.devicesPage)
	page("GET /dispositivi/{id}", "device", account.ViewFleet, s.devicePage)
	page("POST /dispositivi/{id}/configurazione", "device_config", account.EditFleet, s.configPost)
	page("POST /dispositivi/{id}/comandi", "device_command", account.EditFleet, s.commandPost)
	page("POST /dispositivi/{id}/disattiva", "device_disable", account.EditFleet, s.enablePost(false))
	page("POST /dispositivi/{id}/attiva", "device_enable", account.EditFleet, s.enablePost(true))
	page("GET /operazioni", "operations", account.ViewOperations, s.operationsPage)
	page("GET /operazioni/{id}", "operation", account.ViewOperations, s.operationPage)
	page("GET /ticket", "tickets", account.ViewTickets, s.ticketsPage)
	page("GET /ticket/{id}", "ticket", account.ViewTickets, s.ticketPage)
	page("POST /ticket/{id}/stato", "ticket_status", account.EditTickets, s.ticketStatusPost)
	page("GET /fse", "fse", account.ViewTickets, s.fsePage)
	page("GET /notifiche", "notifications", account.ViewTickets, s.notificationsPage)
	page("GET /audit", "audit", account.ViewAudit, s.auditPage)
	page("GET /registro", "console_log", account.ViewAudit, s.consoleLogPage)
	page("GET /profilo", "profile", "", s.profilePage)
	page("POST /profilo/password", "password", "", s.passwordPost)
	s.apiRoutes(mux)
	mux.Handle("/", s.instrument("unmatched", http.HandlerFunc(s.unmatched)))
	s.mux = mux
	cop := http.NewCrossOriginProtection()
	for _, o := range s.o.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(s.instrument("cross_origin", http.HandlerFunc(s.crossOrigin)))
	return headers(cop.Handler(mux)), nil
}

// catchAll is the pattern of unmatched, which answers every request no
// other route takes.
const catchAll = "/"

// unmatched answers a path no route has (404) or a method the path does
// not take (405, with Allow), in Italian: a page, or JSON under /api/.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	status, title, msg := http.StatusNotFound, "Pagina non trovata",
		"La pagina richiesta non esiste. Controllare l'indirizzo oppure tornare alla pagina iniziale."
	if allow := s.allowed(r.URL.Path); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		status, title, msg = http.StatusMethodNotAllowed, "Operazione non consentita",
			"Questo indirizzo non accetta la richiesta inviata. Tornare alla pagina precedente e riprovare dai pulsanti della console."
	}
	s.log.InfoContext(r.Context(), "console request unmatched", "method", r.Method, "path", r.URL.Path, "status", status)
	if isAPI(r) {
		writeJSONError(w, status, map[int]string{404: "risorsa non trovata", 405: "metodo non consentito"}[status])
		return
	}
	s.render(w, status, "error", view{Title: title, Sess: s.optionalSession(r), Error: msg})
}

// crossOrigin answers a state-changing request that
// http.CrossOriginProtection refused (sent from another site).
func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	s.log.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	if isAPI(r) {
		writeJSONError(w, http.StatusForbidden, "richiesta da un'altra origine rifiutata")
		return
	}
	s.render(w, http.StatusForbidden, "error", view{Title: "Richiesta rifiutata", Sess: s.optionalSession(r),
		Error: "La richiesta proviene da un altro sito e non è stata eseguita. Aprire la console dal suo indirizzo e ripetere l'operazione."})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// optionalSession is the session of the request if it has a valid one,
// so an error page outside the signed-in routes still shows the menu.
func (s *Server) optionalSession(r *http.Request) *account.Session {
	sess, err := s.session(r)
	if err != nil {
		return nil
	}
	return &sess
}

// allowed lists the methods some route other than the catch-all takes
// for path.
func (s *Server) allowed(path string) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if s.routed(m, path) {
			out = append(out, m)
		}
	}
	return out
}

// routed reports whether a route other than the catch-all takes method
// on path.
func (s *Server) routed(method, path string) bool {
	r := &http.Request{Method: method, URL: &url.URL{Path: path}, Host: "console"}
	_, p := s.mux.Handler(r)
	return p != "" && p != catchAll
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.SQL().PingContext(ctx); err != nil {
		s.log.WarnContext(r.Context(), "healthz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	if s.o.Broker != nil && !s.o.Broker.Connected() {
		s.log.WarnContext(r.Context(), "healthz: broker not connected")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("broker not connected\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// headers sets the security headers of every response.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "+
			"style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

func cacheFor(h http.Handler, d time.Duration) http.Handler {
	v := "public, max-age=" + strconv.Itoa(int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(c int) { w.code = c; w.ResponseWriter.WriteHeader(c) }

// instrument counts requests and their latency per route.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.latency.With(route).Observe(time.Since(start).Seconds())
		s.reqs.With(route, strconv.Itoa(sw.code/100)+"xx").Inc()
	})
}
