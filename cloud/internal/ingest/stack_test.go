package ingest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/broker"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/opauth"
	"cnskiosk.dev/cloud/internal/opauth/opauthtest"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

const opCF = "MRNLCU00A01H501J"

// stack is a broker (embedded or Mosquitto) over one database and fleet.
type stack struct {
	t      *testing.T
	kind   string // "embedded" or "mosquitto"
	url    string
	db     *store.DB
	ca     *pki.CA
	fleet  *fleet.Fleet
	reg    *operator.Registry
	broker *broker.Broker
	breg   *metrics.Registry     // the embedded broker's metrics
	certs  map[string]pki.Issued // device certificates by id
	opCA   *opauthtest.CA        // operator CA cmsd trusts
	logs   *logTee               // everything the stack's parts log
}

// logTee passes log lines to the test's log and keeps them for asserts.
type logTee struct {
	t   testing.TB
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *logTee) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// String returns what was logged so far.
func (w *logTee) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// logger returns a logger at INFO writing to s.logs.
func (s *stack) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func newStack(t *testing.T, kind string, d store.Dialect) *stack {
	t.Helper()
	ctx := context.Background()
	s := &stack{t: t, kind: kind, db: storetest.Open(t, d), certs: map[string]pki.Issued{}}
	s.logs = &logTee{t: t}
	var err error
	if s.ca, err = pki.NewCA("test fleet CA", time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if s.opCA, err = opauthtest.NewCA("test operator CA", time.Now()); err != nil {
		t.Fatal(err)
	}
	s.fleet = fleet.New(s.db, nil, s.logger())
	s.reg = operator.NewRegistry(s.db, nil)
	if err := s.reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Luca Marini", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{operator.All}}); err != nil {
		t.Fatal(err)
	}
	srv, err := s.ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if kind == "mosquitto" {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "ca.pem"), s.ca.PEM)
		writeFile(t, filepath.Join(dir, "server.pem"), srv.CertPEM)
		writeFile(t, filepath.Join(dir, "server-key.pem"), srv.KeyPEM)
		if _, err := s.fleet.WriteCRL(ctx, s.ca, filepath.Join(dir, "crl.pem")); err != nil {
			t.Fatal(err)
		}
		s.url = ingesttest.StartMosquitto(t, dir)
		return s
	}
	cfg, err := pki.ServerTLS(srv, s.ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	s.breg = metrics.NewRegistry()
	if s.broker, err = broker.New(broker.Config{Addr: "127.0.0.1:0", TLS: cfg}, s.fleet, s.breg, s.logger()); err != nil {
		t.Fatal(err)
	}
	s.fleet.SetKicker(s.broker)
	bctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.broker.Run(bctx) }()
	t.Cleanup(func() { cancel(); <-done })
	s.url = "tls://" + s.broker.Addr()
	return s
}

func writeFile(t *testing.T, path string, b []byte) {
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) clientTLS(is pki.Issued) *tls.Config {
	cfg, err := pki.ClientTLS(is, s.ca.Pool())
	if err != nil {
		s.t.Fatal(err)
	}
	return cfg
}

// cmsd starts one ingest instance with a real engine; wrap may wrap the
// engine; roots nil trusts the stack's operator CA. It returns the instance, its metrics and a stop function.
func (s *stack) cmsd(name string, wrap func(ingest.Applier) ingest.Applier, roots *opauth.Options) (*ingest.Ingest, *metrics.Registry, func()) {
	t := s.t
	t.Helper()
	is, err := s.fleet.IssueCloud(context.Background(), s.ca, name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var eng ingest.Applier = cms.New(s.db, nil, cms.Options{}, s.logger())
	if wrap != nil {
		eng = wrap(eng)
	}
	opts := opauth.Options{Roots: s.opCA.Pool()}
	if roots != nil {
		opts = *roots
	}
	auth := opauth.New(s.db, s.reg, opts, s.logger())
	reg := metrics.NewRegistry()
	in, err := ingest.New(ingest.Options{Broker: s.url, ClientID: name, TLS: s.clientTLS(is), Workers: 8},
		ingest.Deps{Engine: eng, Cards: cms.New(s.db, nil, cms.Options{}, s.logger()), Operators: auth, Devices: s.fleet},
		reg, s.logger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	select {
	case <-in.Ready():
	case err := <-done:
		t.Fatalf("ingest %s: %v", name, err)
	}
	s.fleet.SetPublisher(in)
	var once sync.Once // stop may be called by the test and again at cleanup
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return in, reg, stop
}

// kiosk provisions device id and connects it.
func (s *stack) kiosk(id string, lost func(error)) *ingesttest.Kiosk {
	s.t.Helper()
	is, err := s.fleet.Provision(context.Background(), s.ca, fleet.Device{ID: id}, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	s.certs[id] = is
	k, err := ingesttest.Dial(context.Background(), s.url, id, s.clientTLS(is), lost, s.logger())
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(k.Close)
	return k
}

// suspension is an operation the engine always answers (refused by rule)
// and records once.
func suspension() wire.Suspension {
	return wire.Suspension{Common: wire.Common{Operator: wire.Operator{CF: opCF}},
		Card: wire.CardRef{CF: "RSSMRA70A01H501S", TEAM: "80380000900000000001", Expiry: wire.NewDate(2030, 1, 31)}}
}

func (s *stack) opsRecorded(ids []string) int {
	s.t.Helper()
	n := 0
	for _, id := range ids {
		var c int
		if err := s.db.SQL().QueryRow(`SELECT count(*) FROM operations WHERE op_id = $1`, id).Scan(&c); err != nil {
			s.t.Fatal(err)
		}
		n += c
	}
	return n
}
