package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

func testCA(t *testing.T) (*pki.CA, *fleet.Fleet) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ca, err := pki.NewCA("test fleet CA", time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return ca, fleet.New(db, nil, storetest.Logger(t))
}

func gauge(t *testing.T, name string) *metrics.Gauge {
	t.Helper()
	g, err := metrics.NewRegistry().NewGauge(name, "test")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestCRLSignAndReload: the CRL is written, valid, and the reload command
// runs and Mosquitto (here a shell waiting for SIGHUP) is signalled.
func TestCRLSignAndReload(t *testing.T) {
	ca, fl := testCA(t)
	dir := t.TempDir()
	// A shell cannot trap a signal that was ignored when it started (as
	// under nohup): with a handler here, the stand-in starts with SIGHUP at
	// its default, as exec resets caught signals and keeps ignored ones.
	hupSeen := make(chan os.Signal, 1)
	signal.Notify(hupSeen, syscall.SIGHUP)
	defer signal.Stop(hupSeen)
	// The stand-in says when its trap is set: a SIGHUP before that would
	// find the shell still starting.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hup := exec.CommandContext(ctx, "sh", "-c", `trap 'exit 42' HUP; echo ready; while :; do sleep 1; done`)
	ready, err := hup.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := hup.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(ready).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("Mosquitto stand-in did not start: %q, %v", line, err)
	}
	pidFile := filepath.Join(dir, "mosquitto.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(hup.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k := &crlKeeper{fleet: fl, ca: ca, path: filepath.Join(dir, "crl.pem"), pidFile: pidFile,
		reloadCmd: "touch " + filepath.Join(dir, "reloaded"), expiry: gauge(t, "crl"), log: storetest.Logger(t), now: time.Now}
	if err := k.sign(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = hup.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 42 {
		t.Errorf("Mosquitto stand-in: %v, want exit 42 on SIGHUP", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "reloaded")); err != nil {
		t.Errorf("reload command did not run: %v", err)
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("CRL is not PEM")
	}
	crl, err := x509.ParseRevocationList(blk.Bytes)
	if err != nil || crl.CheckSignatureFrom(ca.Cert) != nil || !crl.NextUpdate.After(time.Now().Add(fleet.CRLValidity-time.Hour)) {
		t.Errorf("CRL %v: next update %v", err, crl.NextUpdate)
	}
	if got := k.expiry.Value(); got < (fleet.CRLValidity - time.Hour).Seconds() {
		t.Errorf("expiry gauge = %v", got)
	}
}

// TestClientCertRenewal: a certificate within the renewal window is
// replaced, and GetClientCertificate returns the new one.
func TestClientCertRenewal(t *testing.T) {
	ca, fl := testCA(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		validity time.Duration
		renewed  bool
	}{
		{"far from expiry", 20 * time.Hour, false},
		{"within the window", 2 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, err := fl.IssueCloud(ctx, ca, "cmsd-test", tt.validity)
			if err != nil {
				t.Fatal(err)
			}
			cc := &clientCert{before: 3 * time.Hour, expiry: gauge(t, "cert"), log: storetest.Logger(t), now: time.Now,
				issue: func(ctx context.Context) (pki.Issued, error) {
					return fl.IssueCloud(ctx, ca, "cmsd-test", 12*time.Hour)
				}}
			if err := cc.set(old); err != nil {
				t.Fatal(err)
			}
			if err := cc.check(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := cc.get(nil)
			leaf, err := x509.ParseCertificate(got.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			if renewed := leaf.SerialNumber.Text(16) != old.Serial; renewed != tt.renewed {
				t.Errorf("renewed = %v, want %v", renewed, tt.renewed)
			}
			if cc.expiry.Value() <= 3600 {
				t.Errorf("expiry gauge = %v, want the current certificate's", cc.expiry.Value())
			}
		})
	}
}
