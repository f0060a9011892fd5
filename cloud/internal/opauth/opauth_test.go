package opauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

const opCF = "RSSMRA80A01H501U"

type testCA struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newCA(t *testing.T, now time.Time) testCA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test operator CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testCA{c, key}
}

// card issues an operator card certificate as a TS-CNS carries it.
func (ca testCA) card(t *testing.T, cf string, now time.Time) ([]byte, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject:   pkix.Name{CommonName: cf + "/80380000000000000001", SerialNumber: "TINIT-" + cf},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func sign(t *testing.T, k *rsa.PrivateKey, nonce []byte) []byte {
	sum := sha256.Sum256(nonce)
	s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuth(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ca, other := newCA(t, now), newCA(t, now)
	cert, key := ca.card(t, opCF, now)
	foreign, fkey := other.card(t, opCF, now)
	otherCF, okey := ca.card(t, "VRDGPP70B02F205X", now)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			clk := now
			reg := operator.NewRegistry(db, func() time.Time { return clk })
			for _, o := range []operator.Operator{
				{CF: opCF, Name: "Mario Rossi", Role: "operator", Enabled: true, Menus: []string{"op.activation"}, Counters: []string{"kiosk-01"}},
				{CF: "VRDGPP70B02F205X", Name: "Giuseppe Verdi", Role: "operator", Enabled: false, Menus: []string{"*"}, Counters: []string{"*"}},
			} {
				if err := reg.Upsert(ctx, o); err != nil {
					t.Fatal(err)
				}
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca.cert)
			a := New(db, reg, Options{Roots: pool, Now: func() time.Time { return clk }}, storetest.Logger(t))
			challenge := func(dev, cf string) []byte {
				r, code, err := a.Challenge(ctx, dev, wire.OperatorChallengeParams{CF: cf})
				if err != nil || code != outcome.Applied || len(r.Nonce) != 32 {
					t.Fatalf("Challenge = %v, %v, %v", r, code, err)
				}
				return r.Nonce
			}
			tests := []struct {
				name string
				dev  string // device answering (challenge asked by kiosk-01)
				cf   string
				cert []byte
				sig  func(nonce []byte) []byte
				menu string
				want outcome.Code
			}{
				{"unsigned", "kiosk-01", opCF, cert, func([]byte) []byte { return nil }, "op.activation", outcome.OperatorNotAuthorised},
				{"signed by another key", "kiosk-01", opCF, cert, func(n []byte) []byte { return sign(t, fkey, n) }, "op.activation", outcome.OperatorNotAuthorised},
				{"signature over other bytes", "kiosk-01", opCF, cert, func(n []byte) []byte { return sign(t, key, append(n, 0)) }, "op.activation", outcome.OperatorNotAuthorised},
				{"foreign CA", "kiosk-01", opCF, foreign, func(n []byte) []byte { return sign(t, fkey, n) }, "op.activation", outcome.OperatorNotAuthorised},
				{"certificate of another CF", "kiosk-01", opCF, otherCF, func(n []byte) []byte { return sign(t, okey, n) }, "op.activation", outcome.OperatorNotAuthorised},
				{"garbage certificate", "kiosk-01", opCF, []byte("junk"), func(n []byte) []byte { return sign(t, key, n) }, "op.activation", outcome.OperatorNotAuthorised},
				{"nonce of another device", "kiosk-02", opCF, cert, func(n []byte) []byte { return sign(t, key, n) }, "op.activation", outcome.OperatorNotAuthorised},
				{"menu not allowed", "kiosk-01", opCF, cert, func(n []byte) []byte { return sign(t, key, n) }, "op.revocation", outcome.OperatorNotAuthorised},
				{"good", "kiosk-01", opCF, cert, func(n []byte) []byte { return sign(t, key, n) }, "op.activation", outcome.Applied},
			}
			for _, tt := range tests {
				nonce := challenge("kiosk-01", tt.cf)
				p := wire.OperatorAuthParams{CF: tt.cf, Certificate: tt.cert, Nonce: nonce, Signature: tt.sig(nonce), Menu: tt.menu}
				got, code, err := a.Auth(ctx, tt.dev, p)
				if err != nil || code != tt.want {
					t.Errorf("%s: Auth = %v, %v; want %v", tt.name, code, err, tt.want)
				}
				if tt.want == outcome.Applied {
					if got.Session == "" || got.Name != "Mario Rossi" || !got.Expires.After(clk) {
						t.Errorf("%s: result %+v", tt.name, got)
					}
					if _, code, _ := a.Auth(ctx, tt.dev, p); code != outcome.OperatorNotAuthorised {
						t.Errorf("replayed nonce: %v, want refused", code)
					}
				}
			}
			nonce := challenge("kiosk-01", opCF)
			clk = clk.Add(3 * time.Minute)
			p := wire.OperatorAuthParams{CF: opCF, Certificate: cert, Nonce: nonce, Signature: sign(t, key, nonce), Menu: "op.activation"}
			if _, code, _ := a.Auth(ctx, "kiosk-01", p); code != outcome.OperatorNotAuthorised {
				t.Errorf("expired nonce: %v, want refused", code)
			}
			nonce = challenge("kiosk-01", "VRDGPP70B02F205X")
			p = wire.OperatorAuthParams{CF: "VRDGPP70B02F205X", Certificate: otherCF, Nonce: nonce, Signature: sign(t, okey, nonce)}
			if _, code, _ := a.Auth(ctx, "kiosk-01", p); code != outcome.OperatorNotAuthorised {
				t.Errorf("disabled operator: %v, want refused", code)
			}
		})
	}
}
