package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/broker"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/gcfloor"
	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/opauth"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/pki"
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
	if t := gcfloor.Start(uint64(c.gcFloorMiB) << 20); t != nil {
		defer t.Stop()
		log.Debug("heap goal floor", "mib", c.gcFloorMiB)
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
	parts, url, clientTLS, err := brokerParts(ctx, c, fl, reg, log)
	if err != nil {
		return nil, err
	}
	batchSize, err := reg.NewHistogram("cms_batch_operations",
		"Operations committed per engine batch transaction.", []float64{1, 2, 4, 8, 16, 32, 64, 128, 256})
	if err != nil {
		return nil, err
	}
	// The workers first: the engine hands the notifications it creates to
	// this instance's notification worker (none with --ingest-only).
	var ws []part
	var handoff *notify.Handoff
	if !c.ingestOnly {
		if ws, handoff, err = workers(c, db, v, reg, log); err != nil {
			return nil, err
		}
	}
	eng := cms.New(db, v, cms.Options{RequireSession: true, MaxBatch: c.maxBatch, Batches: c.batches, Gather: c.gather,
		OnBatch: func(n int) { batchSize.Observe(float64(n)) }, Handoff: handoff}, log.With("part", "cms"))
	opReg := operator.NewRegistry(db, nil)
	auth := opauth.New(db, opReg, opauth.Options{Roots: roots, Intermediates: inter, CRLs: crls, CounterOf: counterOf(fl), Metrics: reg}, log.With("part", "opauth"))
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
		TLSCert: c.tlsCert, TLSKey: c.tlsKey, MetricsElsewhere: true, Broker: in, SessionIdle: c.sessionIdle, Log: log.With("part", "web")})
	if err != nil {
		return nil, err
	}
	parts = append(parts, part{"ingest", in.Run}, part{"console", console.Run}, part{"metrics", serveMetrics(c.metricsAddr, reg, log)},
		part{"republish", republish(in, fl, reconnected, log)})
	parts = append(parts, ws...)
	if !c.ingestOnly {
		parts = append(parts, part{"health-prune", func(ctx context.Context) error { return fl.PruneHealthEvery(ctx, healthPruneEvery) }})
	}
	log.Info("cmsd starting", "db", db.Dialect(), "broker", url, "console", c.consoleURL(), "instance", c.name)
	return parts, nil
}

// brokerParts starts the embedded broker (or loads the bundle for an
// external one), the client certificate renewal and the CRL keeper.
func brokerParts(ctx context.Context, c config, fl *fleet.Fleet, reg *metrics.Registry, log *slog.Logger) ([]part, string, *tls.Config, error) {
	crlExp, err := reg.NewGauge("cms_fleet_crl_expiry_seconds", "Seconds until the fleet CRL written by this instance expires (NextUpdate).")
	if err != nil {
		return nil, "", nil, err
	}
	certExp, err := reg.NewGauge("cms_client_cert_expiry_seconds", "Seconds until this instance's broker client certificate expires.")
	if err != nil {
		return nil, "", nil, err
	}
	cc := &clientCert{before: cloudCertValidity / 3, expiry: certExp, log: log.With("part", "cert"), now: time.Now}
	var parts []part
	var ca *pki.CA
	var pool *x509.CertPool
	url := c.broker
	if url == "" {
		srvTLS, fca, cl, err := embeddedTLS(ctx, c, fl)
		if err != nil {
			return nil, "", nil, err
		}
		b, err := broker.New(broker.Config{Addr: c.mqttAddr, TLS: srvTLS}, fl, reg, log.With("part", "broker"))
		if err != nil {
			return nil, "", nil, err
		}
		fl.SetKicker(b)
		parts = append(parts, part{"broker", b.Run},
			part{"kick-disabled", func(ctx context.Context) error { return fl.WatchDisabled(ctx, disabledPoll) }})
		ca, pool, url = fca, fca.Pool(), "tls://"+b.Addr()
		cc.issue = func(ctx context.Context) (pki.Issued, error) {
			return fl.IssueCloud(ctx, ca, c.name, cloudCertValidity)
		}
		err = cc.set(cl)
		if err != nil {
			return nil, "", nil, err
		}
	} else {
		is, p, err := externalTLS(c.certDir)
		if err == nil {
			err = cc.set(is)
		}
		if err == nil {
			ca, err = fleetCA(c)
		}
		if err != nil {
			return nil, "", nil, err
		}
		pool = p
	}
	parts = append(parts, part{"client-cert", cc.run})
	if ca != nil {
		k := &crlKeeper{fleet: fl, ca: ca, path: c.crlPath(), reloadCmd: c.crlReloadCmd, pidFile: c.mosquittoPID,
			expiry: crlExp, log: log.With("part", "crl"), now: time.Now}
		parts = append(parts, part{"crl", k.run})
	} else if c.crlReloadCmd != "" || c.mosquittoPID != "" {
		log.Warn("no fleet CA in DATA/pki: this instance does not sign the CRL")
	}
	return parts, url, &tls.Config{GetClientCertificate: cc.get, RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
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

// healthPruneEvery is how often the instance that runs the workers
// deletes the health history older than fleet.HealthKeep.
const healthPruneEvery = time.Hour

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
