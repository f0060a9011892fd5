package opauth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

// intermediate issues a sub-CA of ca.
func (ca testCA) intermediate(t *testing.T, now time.Time) testCA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "test operator sub-CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testCA{c, key}
}

// crl is a CRL of ca listing serials.
func (ca testCA) crl(t *testing.T, now time.Time, serials ...int64) *x509.RevocationList {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: now.Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestVerifyCertChainAndCRL: a card issued by an intermediate CA needs the
// intermediates bundle; a card listed in its issuer's CRL is refused; a
// CRL of another CA does not count.
func TestVerifyCertChainAndCRL(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	root, other := newCA(t, now), newCA(t, now)
	sub := root.intermediate(t, now)
	card, _ := sub.card(t, opCF, now) // serial 2
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.cert)
	inter.AddCert(sub.cert)
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"no intermediates", Options{Roots: roots}, ErrCert},
		{"with intermediates", Options{Roots: roots, Intermediates: inter}, nil},
		{"revoked by its issuer", Options{Roots: roots, Intermediates: inter, CRLs: []*x509.RevocationList{sub.crl(t, now, 2)}}, ErrRevoked},
		{"issuer's CRL, not listed", Options{Roots: roots, Intermediates: inter, CRLs: []*x509.RevocationList{sub.crl(t, now, 3)}}, nil},
		{"intermediate revoked by the root", Options{Roots: roots, Intermediates: inter, CRLs: []*x509.RevocationList{root.crl(t, now, 7)}}, ErrRevoked},
		{"another CA's CRL", Options{Roots: roots, Intermediates: inter, CRLs: []*x509.RevocationList{other.crl(t, now, 2)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return now }
			a := &Auth{opts: tt.opts}
			_, err := a.verifyCert(card)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("verifyCert() = %v, want %v", err, tt.want)
			}
		})
	}
}
