package vcard

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// DevCA is a development certificate authority made in memory, for tests
// and demos that do not run scripts/devca.sh. Never use it in production.
type DevCA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// NewDevCA makes a self-signed CA named cn with an RSA key of bits.
func NewDevCA(cn string, bits int) (*DevCA, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: cn, Organization: []string{"CNS Kiosk development"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &DevCA{Cert: cert, Key: key}, err
}

// Issue gives p a new RSA key of bits and a client-authentication
// certificate signed by ca, with CN "CF/TEAM" as on a TS-CNS.
func (ca *DevCA) Issue(p *Profile, bits int) error {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject: pkix.Name{CommonName: p.Personal.CF + "/" + p.TEAM, Country: []string{"IT"},
			SerialNumber: "TINIT-" + p.Personal.CF},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(6, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return err
	}
	p.SetKeys(der, key)
	return nil
}

// WriteKeys writes p's certificate and key as PEM files named by
// p.Certificate and p.Key under dir (0600 for the key).
func (p *Profile) WriteKeys(dir string) error {
	if p.key == nil || p.Certificate == "" || p.Key == "" {
		return fmt.Errorf("%w: no keys or file names to write", ErrProfile)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		return err
	}
	files := []struct {
		name, typ string
		der       []byte
		mode      os.FileMode
	}{{p.Certificate, "CERTIFICATE", p.certDER, 0o644}, {p.Key, "PRIVATE KEY", kb, 0o600}}
	for _, f := range files {
		b := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(filepath.Join(dir, f.name), b, f.mode); err != nil {
			return err
		}
	}
	return nil
}
