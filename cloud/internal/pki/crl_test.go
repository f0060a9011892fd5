package pki

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestCRL(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ca.CRL([]Revoked{{Serial: "1f", At: now}, {Serial: "a0", At: now, Hold: true}}, 7, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "X509 CRL" {
		t.Fatalf("not a PEM CRL: %q", b)
	}
	crl, err := x509.ParseRevocationList(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca.Cert); err != nil {
		t.Errorf("signature: %v", err)
	}
	got := map[string]int{}
	for _, e := range crl.RevokedCertificateEntries {
		got[e.SerialNumber.Text(16)] = e.ReasonCode
	}
	want := map[string]int{"1f": reasonSuperseded, "a0": reasonHold}
	if len(got) != 2 || got["1f"] != want["1f"] || got["a0"] != want["a0"] || crl.Number.Int64() != 7 {
		t.Errorf("entries %v number %v; want %v number 7", got, crl.Number, want)
	}
	if _, err := ca.CRL([]Revoked{{Serial: "zz"}}, 1, now, time.Hour); err == nil {
		t.Error("bad serial accepted")
	}
}
