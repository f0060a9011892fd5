package web

import (
	"context"
	"io/fs"
	"net/http"
	"strconv"
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
	mux.HandleFunc("GET /healthz", s.healthz)
	if !s.o.MetricsElsewhere {
		mux.Handle("GET /metrics", s.o.Metrics.Handler())
	}
	mux.HandleFunc("GET /accesso", s.loginPage)
	mux.HandleFunc("POST /accesso", s.login)
	mux.HandleFunc("POST /uscita", s.logout)
	mux.HandleFunc("GET /{$}", s.authed("", false, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, home(sessionFrom(r.Context()).Role), http.StatusSeeOther)
	}))
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
	cop := http.NewCrossOriginProtection()
	for _, o := range s.o.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	return headers(cop.Handler(mux)), nil
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
