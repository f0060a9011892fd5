package cns

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/shared/team"
)

// seedCertificate is a small self-signed certificate with card padding
// after it, as EF.C_Carta returns it.
func seedCertificate(f *testing.F) []byte {
	f.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), deterministic{})
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "RSSMRA70A01F205V"},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(deterministic{}, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

type deterministic struct{}

func (deterministic) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return len(b), nil
}

// FuzzParseCertificate: bytes read from EF.C_Carta never panic the parser;
// what parses is a prefix of the input and derSize never goes negative.
func FuzzParseCertificate(f *testing.F) {
	der := seedCertificate(f)
	f.Add(der)
	f.Add(append(append([]byte{}, der...), make([]byte, 64)...)) // card padding
	f.Add(der[:len(der)/2])
	f.Add([]byte{0x30, 0x82, 0xFF, 0xFF})
	f.Add([]byte{0x30, 0x81, 0x05, 0, 0, 0, 0, 0})
	f.Add([]byte{0x30, 0x84, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		if n := derSize(b); n < 0 || (n > 0 && n < 2) {
			t.Fatalf("derSize(% X) = %d", b, n)
		}
		c, err := ParseCertificate(b)
		if err != nil {
			return
		}
		if len(c.DER) > len(b) || string(c.DER) != string(b[:len(c.DER)]) || c.Parsed == nil {
			t.Fatalf("parsed certificate is not a prefix of the input")
		}
	})
}

// FuzzSerialFromIDCarta: any EF.ID_Carta gives either an error or a
// 12-digit serial whose Codice TEAM is valid.
func FuzzSerialFromIDCarta(f *testing.F) {
	id, err := EncodeIDCarta("80380000900090510553")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(id)
	f.Add(id[:12])
	f.Add([]byte("\x0c12345678901A000"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := SerialFromIDCarta(b)
		if err != nil {
			return
		}
		if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
			t.Fatalf("serial %q is not 12 digits", s)
		}
		code, err := TEAMFromIDCarta(b)
		if err != nil || team.Validate(code) != nil {
			t.Fatalf("TEAMFromIDCarta = %q, %v: not a valid Codice TEAM", code, err)
		}
	})
}
