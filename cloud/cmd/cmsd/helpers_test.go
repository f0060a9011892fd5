package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// tlog sends a logger's output to t.Log.
type tlog struct{ t *testing.T }

func (w tlog) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().String()
}

// operatorCA is a stand-in for the CA that issues operators' TS-CNS cards.
type operatorCA struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newOperatorCA(t *testing.T, file string) operatorCA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test operator CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	c, err := x509.ParseCertificate(der)
	must(t, err)
	must(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return operatorCA{c, key}
}

// card issues the authentication certificate of an operator's card.
func (ca operatorCA) card(t *testing.T, cf string) ([]byte, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject:   pkix.Name{CommonName: cf + "/80380000000000000001", SerialNumber: "TINIT-" + cf},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	must(t, err)
	return der, key
}

func signNonce(t *testing.T, k *rsa.PrivateKey, nonce []byte) []byte {
	sum := sha256.Sum256(nonce)
	s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	must(t, err)
	return s
}

// seedCard inserts a not-yet-active card with sealed secrets.
func seedCard(t *testing.T, db *store.DB, v *vault.Vault) demodata.Citizen {
	t.Helper()
	ctx := context.Background()
	c, err := demodata.New(demodata.Options{Seed: 7, AsOf: time.Now(), Minors: 1e-12}).Next()
	must(t, err)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO cards (team, cf, expiry, surname, name, birth_date, sex, birth_place, state, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)`, c.TEAM, c.CF, c.Expiry.Format(time.DateOnly), c.Surname, c.Name,
		c.BirthDate.Format(time.DateOnly), c.Sex, c.BirthPlace, string(rules.NotActive))
	must(t, err)
	sealed, err := v.Seal(c.TEAM, vault.Secrets{PIN: c.PIN, PUK: c.PUK})
	must(t, err)
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES ($1, $2, $3, $4)`,
		c.TEAM, sealed.KeyID, sealed.Nonce, sealed.Ciphertext)
	must(t, err)
	return c
}

// call makes one rpc and decodes its result; it fails the test unless
// the outcome is applied.
func call[R any](t *testing.T, k *ingesttest.Kiosk, m wire.Method, params any) R {
	t.Helper()
	res, err := k.Request(context.Background(), m, params, 10*time.Second)
	must(t, err)
	if res.Outcome != string(outcome.Applied) {
		t.Fatalf("%s: outcome %s (%s)", m, res.Outcome, res.Message)
	}
	var r R
	must(t, json.Unmarshal(res.Result, &r))
	return r
}

// eventually polls cond until it holds, failing after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func httpGet(url string) (int, string, error) {
	r, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, string(b), err
}
