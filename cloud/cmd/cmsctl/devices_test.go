package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"cnskiosk.dev/cloud/internal/store"
)

func TestDevicesDisableWritesCRL(t *testing.T) {
	c := newCLI(t, store.SQLite)
	caDir, out := filepath.Join(c.dir, "pki"), filepath.Join(c.dir, "kiosk-01")
	if r := c.run("", "devices", "provision", "-new-ca", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code != 0 {
		t.Fatalf("provision: exit %d", r.code)
	}
	crlEntries := func() int {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(caDir, "crl.pem"))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			t.Fatal("crl.pem is not PEM")
		}
		crl, err := x509.ParseRevocationList(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return len(crl.RevokedCertificateEntries)
	}
	for _, st := range []struct {
		cmd  string
		want int
	}{{"crl", 0}, {"disable", 1}, {"enable", 0}} {
		args := []string{"devices", st.cmd, "-ca-dir", caDir}
		if st.cmd != "crl" {
			args = append(args, "kiosk-01")
		}
		if r := c.run("", args...); r.code != 0 {
			t.Fatalf("%s: exit %d", st.cmd, r.code)
		}
		if got := crlEntries(); got != st.want {
			t.Errorf("after %s: %d CRL entries, want %d", st.cmd, got, st.want)
		}
	}
}
