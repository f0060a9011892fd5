package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/broker"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/opauth"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/web"
)

// shutdownGrace bounds the shutdown after SIGTERM.
const shutdownGrace = 10 * time.Second

// part is one long-running piece of cmsd.
type part struct {
	name string
	run  func(ctx context.Context) error
}

func run(ctx context.Context, c config, log *slog.Logger) error {
	if err := c.defaults(); err != nil {
		return err
	}
	if c.cpuProfile != "" {
		stop, err := startCPUProfile(c.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	db, err := store.Open(ctx, c.db, log)
	if err != nil {
		return err
	}
	defer db.Close()
	parts, err := build(ctx, c, db, log)
	if err != nil {
		return err
	}
	return runParts(ctx, parts, log)
}

func build(ctx context.Context, c config, db *store.DB, log *slog.Logger) ([]part, error) {
	v, err := loadVault(c.vaultKey)
	if err != nil {
		return nil, err
	}
	roots, err := operatorRoots(c.operatorCA)
	if err != nil {
		return nil, err
	}
	if roots == nil {
		log.Warn("no --operator-ca: every operator authentication will be refused")
	}
	inter, err := operatorIntermediates(c.operatorInter)
	if err != nil {
		return nil, err
	}
	crls, err := operatorCRLs(c.operatorCRL)
	if err != nil {
		return nil, err
	}
	if crls == nil && roots != nil {
		log.Warn("no --operator-crl: revoked operator cards are not detected")
	}
	reg := metrics.NewRegistry()
	fl := fleet.New(db, nil, log.With("part", "fleet"))
	var parts []part
	url := c.broker
	var clientTLS *tls.Config
	if url == "" {
		srvTLS, cl, err := embeddedTLS(ctx, c, fl)
		if err != nil {
			return nil, err
		}
		b, err := broker.New(broker.Config{Addr: c.mqttAddr, TLS: srvTLS}, fl, reg, log.With("part", "broker"))
		if err != nil {
			return nil, err
		}
		fl.SetKicker(b)
		parts = append(parts, part{"broker", b.Run},
			part{"kick-disabled", func(ctx context.Context) error { return fl.WatchDisabled(ctx, disabledPoll) }})
		url, clientTLS = "tls://"+b.Addr(), cl
	} else if clientTLS, err = externalTLS(c.certDir); err != nil {
		return nil, err
	}
	batchSize, err := reg.NewHistogram("cms_batch_operations",
		"Operations committed per engine batch transaction.", []float64{1, 2, 4, 8, 16, 32, 64, 128, 256})
	if err != nil {
		return nil, err
	}
	eng := cms.New(db, v, cms.Options{RequireSession: true, MaxBatch: c.maxBatch, Batches: c.batches,
		OnBatch: func(n int) { batchSize.Observe(float64(n)) }}, log.With("part", "cms"))
	opReg := operator.NewRegistry(db, nil)
	auth := opauth.New(db, opReg, opauth.Options{Roots: roots, Intermediates: inter, CRLs: crls, CounterOf: counterOf(fl)}, log.With("part", "opauth"))
	reconnected := make(chan struct{}, 1)
	onConnect := func() {
		select {
		case reconnected <- struct{}{}:
		default:
		}
	}
	in, err := ingest.New(ingest.Options{Broker: url, ClientID: c.name, TLS: clientTLS, Workers: c.ingestWorkers, OnConnect: onConnect},
		ingest.Deps{Engine: eng, Cards: eng, Operators: auth, Devices: fl}, reg, log.With("part", "ingest"))
	if err != nil {
		return nil, err
	}
	fl.SetPublisher(in)
	console, err := web.New(web.Options{DB: db, Fleet: fl, Counters: opReg, Engine: eng, Metrics: reg, Addr: c.httpAddr,
		TLSCert: c.tlsCert, TLSKey: c.tlsKey, MetricsElsewhere: true, Log: log.With("part", "web")})
	if err != nil {
		return nil, err
	}
	parts = append(parts, part{"ingest", in.Run}, part{"console", console.Run}, part{"metrics", serveMetrics(c.metricsAddr, reg, log)},
		part{"republish", republish(in, fl, reconnected, log)})
	if !c.ingestOnly {
		ws, err := workers(c, db, v, reg, log)
		if err != nil {
			return nil, err
		}
		parts = append(parts, ws...)
	}
	log.Info("cmsd starting", "db", db.Dialect(), "broker", url, "console", c.consoleURL(), "instance", c.name)
	return parts, nil
}

// serveMetrics serves GET /metrics on addr, apart from the console so that
// the console port exposes nothing without a sign-in.
func serveMetrics(addr string, reg *metrics.Registry, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", reg.Handler())
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		log.Info("metrics listening", "addr", addr)
		select {
		case err := <-errc:
			return fmt.Errorf("metrics: %w", err)
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func counterOf(f *fleet.Fleet) func(ctx context.Context, dev string) (string, error) {
	return func(ctx context.Context, dev string) (string, error) {
		d, err := f.Get(ctx, dev)
		if err != nil {
			return "", err
		}
		return d.Counter, nil
	}
}

// disabledPoll is how often cmsd looks for devices disabled by another
// process (cmsctl) to drop their connections to the embedded broker.
const disabledPoll = 2 * time.Second

// republishEvery is how often the desired configs are published again, so
// that one whose publication failed reaches its device all the same.
const republishEvery = 5 * time.Minute

// republish sends the desired configs again once ingest is connected and
// at every reconnection (an embedded or restarted broker may have
// forgotten the retained messages), and every republishEvery.
func republish(in *ingest.Ingest, f *fleet.Fleet, reconnected <-chan struct{}, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		select {
		case <-in.Ready():
		case <-ctx.Done():
			return nil
		}
		t := time.NewTicker(republishEvery)
		defer t.Stop()
		for {
			n, err := f.Republish(ctx)
			if err != nil && ctx.Err() == nil {
				log.Warn("republishing configs failed", "err", err)
			} else if err == nil {
				log.Info("desired configs republished", "devices", n)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			case <-reconnected:
			}
		}
	}
}

// runParts runs every part until ctx ends or one fails, then waits for the
// others at most shutdownGrace.
func runParts(outer context.Context, parts []part, log *slog.Logger) error {
	ctx, cancel := context.WithCancelCause(outer)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Go(func() {
			if err := p.run(ctx); err != nil {
				log.Error("part failed", "part", p.name, "err", err)
				cancel(fmt.Errorf("%s: %w", p.name, err))
			}
		})
	}
	<-ctx.Done()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		log.Warn("shutdown grace elapsed; exiting")
	}
	if outer.Err() != nil {
		return nil // asked to stop
	}
	return context.Cause(ctx)
}
