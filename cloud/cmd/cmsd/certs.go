package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/pki"
)

// crlEvery is how often cmsd re-signs the fleet CRL (valid
// fleet.CRLValidity), so that Mosquitto never holds an expired one.
const crlEvery = 24 * time.Hour

// gaugeEvery is how often the expiry gauges are brought up to date.
const gaugeEvery = time.Minute

// crlDebounce is how long the CRL keeper waits after a change made by
// this instance before it signs, so that a burst of changes (a site
// disabled device by device) gives one signature and one reload.
const crlDebounce = 250 * time.Millisecond

// crlPoll is how often the CRL keeper reads the entries of the CRL to find
// the changes made by other processes (cmsctl, another instance).
const crlPoll = 2 * time.Second

// crlKeeper re-signs the fleet CRL and has Mosquitto reload it: at start,
// every crlEvery, soon (crlDebounce) after this instance disables or
// enables a device or revokes a certificate, and within crlPoll of such a
// change made elsewhere.
type crlKeeper struct {
	fleet     *fleet.Fleet
	ca        *pki.CA
	path      string
	reloadCmd string // run with sh -c after writing
	pidFile   string // Mosquitto's: SIGHUP after writing
	expiry    *metrics.Gauge
	log       *slog.Logger
	now       func() time.Time
	next      time.Time // NextUpdate of the CRL written last
	key       string    // fleet.CRLKey of the entries signed (or tried) last
	poll      time.Duration
}

// sign writes a fresh CRL and makes the broker reload it.
func (k *crlKeeper) sign(ctx context.Context) error {
	rs, err := k.fleet.CRLEntries(ctx)
	if err != nil {
		return fmt.Errorf("fleet CRL: %w", err)
	}
	return k.write(ctx, rs)
}

// write signs a CRL of rs and makes the broker reload it. The entries
// count as signed even when the reload fails, so that a poll does not try
// again every crlPoll: the gauge tick does, every minute.
func (k *crlKeeper) write(ctx context.Context, rs []pki.Revoked) error {
	k.key = fleet.CRLKey(rs)
	if err := k.fleet.WriteCRLOf(k.ca, rs, k.path); err != nil {
		return fmt.Errorf("fleet CRL: %w", err)
	}
	k.next = k.now().Add(fleet.CRLValidity)
	k.log.Info("fleet CRL signed", "path", k.path, "entries", len(rs), "next_update", k.next)
	k.gauge()
	return k.reload(ctx)
}

// refresh signs when the entries differ from those signed last.
func (k *crlKeeper) refresh(ctx context.Context) error {
	rs, err := k.fleet.CRLEntries(ctx)
	if err != nil {
		return fmt.Errorf("fleet CRL: %w", err)
	}
	if fleet.CRLKey(rs) == k.key {
		return nil
	}
	return k.write(ctx, rs)
}
func (k *crlKeeper) gauge() { k.expiry.Set(k.next.Sub(k.now()).Seconds()) }

// reload runs --crl-reload-cmd and signals the --mosquitto-pid-file process.
func (k *crlKeeper) reload(ctx context.Context) error {
	if k.reloadCmd != "" {
		out, err := exec.CommandContext(ctx, "sh", "-c", k.reloadCmd).CombinedOutput()
		if err != nil {
			return fmt.Errorf("--crl-reload-cmd: %w: %s", err, strings.TrimSpace(string(out)))
		}
	}
	if k.pidFile == "" {
		return nil
	}
	b, err := os.ReadFile(k.pidFile)
	if err != nil {
		return fmt.Errorf("--mosquitto-pid-file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return fmt.Errorf("--mosquitto-pid-file %s: no process id", k.pidFile)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("SIGHUP to Mosquitto (%d): %w", pid, err)
	}
	k.log.Info("Mosquitto asked to reload the CRL", "pid", pid)
	return nil
}

// run signs at start and every crlEvery, after changes (see crlKeeper);
// a failed signature or reload is logged and retried at the next gauge
// tick.
func (k *crlKeeper) run(ctx context.Context) error {
	every := k.poll
	if every <= 0 {
		every = crlPoll
	}
	due := k.now()
	renew := func() {
		if !k.now().Before(due) {
			if err := k.sign(ctx); err != nil && ctx.Err() == nil {
				k.log.Error("fleet CRL not renewed", "err", err)
			} else {
				due = k.now().Add(crlEvery)
			}
		}
		k.gauge()
	}
	renew()
	tick := time.NewTicker(gaugeEvery)
	defer tick.Stop()
	poll := time.NewTicker(every)
	defer poll.Stop()
	var debounce <-chan time.Time
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			renew()
		case <-k.fleet.CRLChanged():
			if debounce == nil {
				debounce = time.After(crlDebounce)
			}
		case <-debounce:
			debounce = nil
			err = k.refresh(ctx)
		case <-poll.C:
			err = k.refresh(ctx)
		}
		if err != nil && ctx.Err() == nil {
			k.log.Error("fleet CRL not updated", "err", err)
			due = k.now() // signed again at the next gauge tick
		}
	}
}

// clientCert holds cmsd's own broker client certificate and, when cmsd
// holds the fleet CA, renews it before it expires; the TLS config reads it
// through GetClientCertificate at each (re)connection.
type clientCert struct {
	mu     sync.Mutex
	cur    tls.Certificate
	notAft time.Time
	issue  func(ctx context.Context) (pki.Issued, error) // nil: no renewal
	before time.Duration                                 // renew this long before expiry
	expiry *metrics.Gauge
	log    *slog.Logger
	now    func() time.Time
}

func (c *clientCert) set(is pki.Issued) error {
	tc, err := is.TLSCert()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.cur, c.notAft = tc, is.NotAfter()
	c.mu.Unlock()
	return nil
}

// get is tls.Config.GetClientCertificate.
func (c *clientCert) get(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tc := c.cur
	return &tc, nil
}

// check renews the certificate when it expires within c.before.
func (c *clientCert) check(ctx context.Context) error {
	c.mu.Lock()
	left := c.notAft.Sub(c.now())
	c.mu.Unlock()
	c.expiry.Set(left.Seconds())
	if c.issue == nil || left > c.before {
		return nil
	}
	is, err := c.issue(ctx)
	if err != nil {
		return fmt.Errorf("renew client certificate: %w", err)
	}
	if err := c.set(is); err != nil {
		return err
	}
	c.expiry.Set(is.NotAfter().Sub(c.now()).Seconds())
	c.log.Info("client certificate renewed", "serial", is.Serial, "not_after", is.NotAfter())
	return nil
}

func (c *clientCert) run(ctx context.Context) error {
	t := time.NewTicker(gaugeEvery)
	defer t.Stop()
	for {
		if err := c.check(ctx); err != nil && ctx.Err() == nil {
			c.log.Error("client certificate", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
