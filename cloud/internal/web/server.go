package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

// Fleet is what the console needs from the fleet registry.
type Fleet interface {
	List(ctx context.Context, f fleet.Filter) ([]fleet.Device, error)
	Get(ctx context.Context, id string) (fleet.Device, error)
	History(ctx context.Context, dev string, since time.Time, limit int) ([]fleet.Health, error)
	Config(ctx context.Context, dev string) (wire.Config, error)
	SetConfig(ctx context.Context, dev string, c wire.Config) (wire.Config, error)
	SendCommand(ctx context.Context, dev, name string, args json.RawMessage, ttl time.Duration) (wire.Command, error)
	Commands(ctx context.Context, dev string, limit int) ([]fleet.CommandRecord, error)
	Disable(ctx context.Context, id string) error
	Enable(ctx context.Context, id string) error
}

// Counters is the counters registry (the engine's source of truth for a
// counter's capabilities); operator.Registry implements it.
type Counters interface {
	GetCounter(ctx context.Context, id string) (rules.Counter, error)
	UpsertCounter(ctx context.Context, c rules.Counter) error
}

// Engine is what the console needs from the CMS engine; cms.Engine
// implements it.
type Engine interface {
	ConsentPolicies() []rules.ConsentPolicy
	LookupOperation(ctx context.Context, opID string) (cms.Operation, error)
}

// BrokerLink is this instance's connection to the MQTT broker, as /healthz
// reports it.
type BrokerLink interface {
	Connected() bool
}

// Options configure the console.
type Options struct {
	DB    *store.DB
	Fleet Fleet // nil: fleet pages say the registry is unavailable
	// Counters: nil, the config form offers no capabilities.
	Counters Counters
	// Engine: nil, the config form offers no consent policy and the
	// operation detail shows no persons.
	Engine Engine
	// TLSCert, TLSKey: PEM files; when set Run serves HTTPS and the
	// session cookie is Secure.
	TLSCert, TLSKey string
	Metrics         *metrics.Registry // nil: a new registry
	Addr            string            // listen address for Run; default 127.0.0.1:8080
	// MetricsElsewhere: the console does not serve /metrics (cmsd serves
	// it on its own, loopback-only address; see --metrics-listen).
	MetricsElsewhere bool
	// TrustedOrigins are extra origins allowed to post (e.g. a reverse proxy name).
	TrustedOrigins []string
	// Broker: /healthz answers 503 while it is not connected; nil, the
	// broker is not checked.
	Broker BrokerLink
	// SessionTTL: a console session ends this long after sign-in
	// (default account.DefaultTTL, 8h). SessionIdle: it ends sooner when
	// unused this long (default account.DefaultIdle, 30 min), so a
	// shared PC left signed in does not stay open for hours.
	SessionTTL, SessionIdle time.Duration
	Log                     *slog.Logger
	Now                     func() time.Time
}

// Server is the console. New -> Run(ctx) -> Close.
type Server struct {
	o        Options
	db       *store.DB
	accounts *account.Store
	throttle *account.Throttle
	signins  *metrics.CounterVec
	log      *slog.Logger
	tpl      *templates
	handler  http.Handler
	mux      *http.ServeMux
	reqs     *metrics.CounterVec
	latency  *metrics.HistogramVec
	srv      *http.Server
}

// New builds the console.
func New(o Options) (*Server, error) {
	if o.DB == nil || o.Log == nil {
		return nil, fmt.Errorf("%w: DB and Log are required", ErrConfig)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.NewRegistry()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8080"
	}
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{o: o, db: o.DB, accounts: account.NewStore(o.DB), log: o.Log, tpl: tpl}
	s.accounts.Now = o.Now
	if o.SessionTTL > 0 {
		s.accounts.TTL = o.SessionTTL
	}
	if o.SessionIdle > 0 {
		s.accounts.Idle = o.SessionIdle
	}
	s.throttle = account.NewThrottle(o.DB)
	s.throttle.Now = o.Now
	s.signins, err = o.Metrics.NewCounterVec("cms_web_signins_total", "Console sign-in attempts by result (ok, refused, locked).", "result")
	if err != nil {
		return nil, err
	}
	s.reqs, err = o.Metrics.NewCounterVec("cms_web_requests_total", "Console and API requests by route and status class.", "route", "code")
	if err != nil {
		return nil, err
	}
	s.latency, err = o.Metrics.NewHistogramVec("cms_web_request_seconds", "Console and API request latency.", nil, "route")
	if err != nil {
		return nil, err
	}
	if s.handler, err = s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the console's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Accounts returns the account store the console uses.
func (s *Server) Accounts() *account.Store { return s.accounts }

// Throttle returns the sign-in throttle, e.g. to change its limits.
func (s *Server) Throttle() *account.Throttle { return s.throttle }

// Run serves on Options.Addr until ctx ends, then shuts down within 10s.
func (s *Server) Run(ctx context.Context) error {
	l, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	return s.Serve(ctx, l)
}

// Serve serves on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	tls := s.o.TLSCert != "" || s.o.TLSKey != ""
	go func() {
		if tls {
			errc <- s.srv.ServeTLS(l, s.o.TLSCert, s.o.TLSKey)
			return
		}
		errc <- s.srv.Serve(l)
	}()
	s.log.InfoContext(ctx, "console listening", "addr", l.Addr().String(), "tls", tls)
	sctx, stop := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); s.sweepSessions(sctx) }()
	defer func() { stop(); <-swept }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(dctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepEvery is how often Serve deletes the sessions that have ended.
const sweepEvery = 10 * time.Minute

// sweepSessions deletes ended sessions at once and then every sweepEvery
// until ctx ends; a failure is logged and tried again next time.
func (s *Server) sweepSessions(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		n, err := s.accounts.PurgeSessions(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "ended console sessions not deleted", "err", err)
		case n > 0:
			s.log.DebugContext(ctx, "ended console sessions deleted", "n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close is here for the lifecycle; Run stops with its context.
func (s *Server) Close() error { return nil }
