package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIssueAndVerify(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test fleet CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ca.IssueClient("kiosk-01", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := cl.Cert.Verify(opts); err != nil {
		t.Fatalf("client cert does not verify: %v", err)
	}
	if got, want := cl.Cert.Subject.CommonName, "kiosk-01"; got != want {
		t.Errorf("CN = %q, want %q", got, want)
	}
	if got := Serial(cl.Cert); got != cl.Serial || got == "" {
		t.Errorf("serial %q, issued %q", got, cl.Serial)
	}
	opts.CurrentTime = now.Add(2 * time.Hour)
	if _, err := cl.Cert.Verify(opts); err == nil {
		t.Error("expired certificate verifies")
	}
}

func TestBadNames(t *testing.T) {
	ca, err := NewCA("ca", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, cn := range []string{"", "a/b", "a+", "#", string(make([]byte, 65))} {
		if _, err := ca.IssueClient(cn, time.Now(), time.Hour); !errors.Is(err, ErrBadName) {
			t.Errorf("IssueClient(%q) = %v, want ErrBadName", cn, err)
		}
	}
	if _, err := ca.IssueServer(nil, time.Now(), time.Hour); !errors.Is(err, ErrBadName) {
		t.Errorf("IssueServer(nil) = %v, want ErrBadName", err)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCA(dir); !errors.Is(err, ErrNoCA) {
		t.Fatalf("LoadCA(empty) = %v, want ErrNoCA", err)
	}
	ca, created, err := LoadOrCreateCA(dir, "fleet", time.Now())
	if err != nil || !created {
		t.Fatalf("LoadOrCreateCA = %v, %v", created, err)
	}
	again, created, err := LoadOrCreateCA(dir, "fleet", time.Now())
	if err != nil || created {
		t.Fatalf("second LoadOrCreateCA = %v, %v", created, err)
	}
	if !again.Cert.Equal(ca.Cert) {
		t.Error("reloaded CA differs")
	}
	st, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("key mode %v, want %v", got, want)
	}
	is, err := again.IssueClient("kiosk-02", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "kiosk-02")
	if err := WriteBundle(out, is, ca.PEM); err != nil {
		t.Fatal(err)
	}
	back, pool, err := LoadBundle(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Serial != is.Serial || pool == nil {
		t.Errorf("bundle serial %q, want %q", back.Serial, is.Serial)
	}
}

// TestMutualTLS runs a real handshake: the server sees the client's CN and
// serial, and a client signed by another CA is refused.
func TestMutualTLS(t *testing.T) {
	now := time.Now()
	ca, _ := NewCA("fleet", now, time.Hour)
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	scfg, err := ServerTLS(srv, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	good, _ := ca.IssueClient("kiosk-07", now, time.Hour)
	other, _ := NewCA("other", now, time.Hour)
	bad, _ := other.IssueClient("kiosk-07", now, time.Hour)

	tests := []struct {
		name   string
		client Issued
		wantCN string
	}{{"fleet client", good, "kiosk-07"}, {"foreign client", bad, ""}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := handshake(t, scfg, ca, tt.client)
			if got != tt.wantCN {
				t.Errorf("server saw CN %q, want %q", got, tt.wantCN)
			}
		})
	}
}

func handshake(t *testing.T, scfg *tls.Config, ca *CA, client Issued) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ccfg, err := ClientTLS(client, ca.Pool())
	if err != nil {
		t.Fatal(err)
	}
	ccfg.ServerName = "localhost"
	done := make(chan error, 1)
	go func() {
		tc, err := tls.Dial("tcp", ln.Addr().String(), ccfg)
		if err == nil {
			err = tc.Handshake()
			tc.Close()
		}
		done <- err
	}()
	c2, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	ts := tls.Server(c2, scfg)
	err = ts.Handshake()
	if err != nil {
		ts.Close()
		<-done
		return ""
	}
	defer ts.Close()
	<-done
	cn, _, err := PeerIdentity(ts.ConnectionState())
	if err != nil {
		t.Fatal(err)
	}
	return cn
}
