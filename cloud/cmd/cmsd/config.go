package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/vault"
)

type config struct {
	data, db, broker, mqttAddr, httpAddr, name, certDir, operatorCA, vaultKey string
	operatorInter, operatorCRL, metricsAddr                                   string
	tlsCert, tlsKey, crlReloadCmd, mosquittoPID, crl                          string
	cpuProfile                                                                string
	serverNames                                                               names
	verbose, ingestOnly                                                       bool
	workers                                                                   workerConfig
	ingestWorkers, maxBatch, batches, gcFloorMiB                              int
	gather, sessionIdle                                                       time.Duration
}

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(s string) error { *n = append(*n, s); return nil }

func (c *config) defaults() error {
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return err
	}
	if c.db == "" {
		c.db = filepath.Join(c.data, "cms.db")
	}
	if c.vaultKey == "" {
		c.vaultKey = filepath.Join(c.data, "vault.key")
	}
	if c.name == "" {
		h, _ := os.Hostname()
		c.name = fleet.CloudCN + "-" + strings.ToLower(h)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.sessionIdle == 0 {
		c.sessionIdle = 30 * time.Minute
	}
	if c.sessionIdle < time.Minute || c.sessionIdle > 8*time.Hour {
		return fmt.Errorf("--session-idle %s: between 1m and 8h", c.sessionIdle)
	}
	if c.gcFloorMiB < 0 || c.gcFloorMiB > 1<<20 {
		return fmt.Errorf("--gc-floor %d: MiB between 0 (off) and %d", c.gcFloorMiB, 1<<20)
	}
	if !strings.HasPrefix(c.name, fleet.CloudCN+"-") {
		return fmt.Errorf("--name %q: must start with %q (it is the instance's certificate CN and client id)", c.name, fleet.CloudCN+"-")
	}
	return nil
}

// crlPath is where the fleet CRL is written (--crl, default DATA/pki/crl.pem).
func (c config) crlPath() string {
	if c.crl != "" {
		return c.crl
	}
	return filepath.Join(c.data, "pki", "crl.pem")
}

func (c config) consoleURL() string {
	if c.tlsCert != "" {
		return "https://" + c.httpAddr
	}
	return "http://" + c.httpAddr
}

// loadVault opens the vault key, generating it on first start.
func loadVault(path string) (*vault.Vault, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := vault.Generate(path); err != nil {
			return nil, fmt.Errorf("generate vault key: %w", err)
		}
	}
	return vault.Load(path)
}

// operatorRoots reads the operator CA; none configured refuses every
// operator authentication (logged at start).
func operatorRoots(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return p, nil
}

// operatorIntermediates reads the bundle of intermediate operator CAs.
func operatorIntermediates(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	return operatorRoots(path)
}

// operatorCRLs reads the operator CA's CRL (PEM or DER); none configured
// means no revocation check (logged at start).
func operatorCRLs(path string) ([]*x509.RevocationList, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.RevocationList
	for blk, rest := pem.Decode(b); blk != nil; blk, rest = pem.Decode(rest) {
		l, err := x509.ParseRevocationList(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, l)
	}
	if out == nil {
		l, err := x509.ParseRevocationList(b)
		if err != nil {
			return nil, fmt.Errorf("%s: no CRL: %w", path, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// cloudCertValidity is the validity of cmsd's own client certificate in
// embedded mode; it is renewed when a third of it is left.
const cloudCertValidity = 30 * 24 * time.Hour

// embeddedTLS loads or creates the fleet CA in DATA/pki, issues the
// broker's server certificate and this instance's client certificate.
func embeddedTLS(ctx context.Context, c config, f *fleet.Fleet) (*tls.Config, *pki.CA, pki.Issued, error) {
	ca, _, err := pki.LoadOrCreateCA(filepath.Join(c.data, "pki"), "CNS kiosk fleet CA", time.Now())
	if err != nil {
		return nil, nil, pki.Issued{}, err
	}
	names := append([]string{"localhost", "127.0.0.1"}, c.serverNames...)
	srv, err := ca.IssueServer(names, time.Now(), 365*24*time.Hour)
	if err != nil {
		return nil, nil, pki.Issued{}, err
	}
	server, err := pki.ServerTLS(srv, ca.Pool())
	if err != nil {
		return nil, nil, pki.Issued{}, err
	}
	cl, err := f.IssueCloud(ctx, ca, c.name, cloudCertValidity)
	return server, ca, cl, err
}

// externalTLS loads this instance's client bundle for an external broker.
func externalTLS(dir string) (pki.Issued, *x509.CertPool, error) {
	if dir == "" {
		return pki.Issued{}, nil, fmt.Errorf("--broker needs --cert-dir with this instance's certificate")
	}
	return pki.LoadBundle(dir)
}

// fleetCA is the fleet CA in DATA/pki, nil when this instance has none
// (an external broker whose CA is kept elsewhere).
func fleetCA(c config) (*pki.CA, error) {
	ca, err := pki.LoadCA(filepath.Join(c.data, "pki"))
	if errors.Is(err, pki.ErrNoCA) {
		return nil, nil
	}
	return ca, err
}
