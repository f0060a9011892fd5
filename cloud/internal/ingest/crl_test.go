package ingest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestMosquittoCRL: Mosquitto checks only the CA and expiry, so a disabled
// device is kept out by the fleet CRL (crlfile), which Mosquitto reads
// again on SIGHUP.
func TestMosquittoCRL(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	ca, err := pki.NewCA("test fleet CA", time.Now(), time.Hour)
	must(t, err)
	f := fleet.New(db, nil, storetest.Logger(t))
	dir := t.TempDir()
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	must(t, err)
	writeFile(t, filepath.Join(dir, "ca.pem"), ca.PEM)
	writeFile(t, filepath.Join(dir, "server.pem"), srv.CertPEM)
	writeFile(t, filepath.Join(dir, "server-key.pem"), srv.KeyPEM)
	crl := filepath.Join(dir, "crl.pem")
	writeCRL := func() {
		t.Helper()
		_, err := f.WriteCRL(ctx, ca, crl)
		must(t, err)
	}
	writeCRL()
	m := ingesttest.StartMosquittoWith(t, dir, "")
	certs := map[string]pki.Issued{}
	for _, id := range []string{"kiosk-a", "kiosk-b"} {
		certs[id], err = f.Provision(ctx, ca, fleet.Device{ID: id}, time.Hour)
		must(t, err)
	}
	connects := func(id string) bool {
		cfg, err := pki.ClientTLS(certs[id], ca.Pool())
		must(t, err)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		k, err := ingesttest.Dial(cctx, m.URL, id, cfg, nil, storetest.Logger(t))
		if err != nil {
			return false
		}
		k.Close()
		return true
	}
	steps := []struct {
		name   string
		change func(context.Context, string) error
		want   map[string]bool
	}{
		{"before", nil, map[string]bool{"kiosk-a": true, "kiosk-b": true}},
		{"kiosk-a disabled", f.Disable, map[string]bool{"kiosk-a": false, "kiosk-b": true}},
		{"kiosk-a enabled", f.Enable, map[string]bool{"kiosk-a": true, "kiosk-b": true}},
	}
	for _, st := range steps {
		if st.change != nil {
			must(t, st.change(ctx, "kiosk-a"))
			writeCRL()
			m.Reload(t)
		}
		for id, want := range st.want {
			if got := connects(id); got != want {
				t.Errorf("%s: %s connects = %v, want %v", st.name, id, got, want)
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
