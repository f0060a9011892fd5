package opauthtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// keyBits is the size of every test key: the smallest crypto/rsa makes,
// to keep tests quick.
const keyBits = 1024

// CA is an operator certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// NewCA makes a self-signed CA named cn, valid an hour either side of now.
func NewCA(cn string, now time.Time) (*CA, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("opauthtest: CA key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("opauthtest: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("opauthtest: CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// Pool returns a pool holding only ca's certificate.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Card is an operator card: its certificate (DER) and private key.
type Card struct {
	DER []byte
	Key *rsa.PrivateKey
}

// Card issues a card certificate for cf as a TS-CNS carries it (CN
// "CF/TEAM", serialNumber "TINIT-CF"), with serial number serial, valid an
// hour either side of now.
func (ca *CA) Card(cf string, serial int64, now time.Time) (Card, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return Card{}, fmt.Errorf("opauthtest: card key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial),
		Subject:   pkix.Name{CommonName: cf + "/80380000000000000001", SerialNumber: "TINIT-" + cf},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return Card{}, fmt.Errorf("opauthtest: card certificate: %w", err)
	}
	return Card{DER: der, Key: key}, nil
}

// Sign signs nonce as the card does for opauth: RSA PKCS#1 v1.5 over
// SHA-256(nonce).
func (c Card) Sign(nonce []byte) ([]byte, error) {
	sum := sha256.Sum256(nonce)
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.Key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("opauthtest: sign: %w", err)
	}
	return sig, nil
}
