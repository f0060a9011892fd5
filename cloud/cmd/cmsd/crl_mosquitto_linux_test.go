package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestCRLFollowsDisable: with the CRL keeper running against a real
// Mosquitto, a device disabled through the fleet (what the console and the
// API call) is refused at its next TLS connection within a bounded poll,
// and so is one disabled by another process (cmsctl, another instance:
// here a second Fleet over the same database), which the keeper finds by
// polling; enabling lets it in again.
func TestCRLFollowsDisable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t, store.SQLite)
	ca, err := pki.NewCA("test fleet CA", time.Now(), time.Hour)
	must(t, err)
	fl := fleet.New(db, nil, testLogger(t))
	other := fleet.New(db, nil, testLogger(t)) // another process on the same registry
	dir := t.TempDir()
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), time.Hour)
	must(t, err)
	for name, b := range map[string][]byte{"ca.pem": ca.PEM, "server.pem": srv.CertPEM, "server-key.pem": srv.KeyPEM} {
		must(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	crl := filepath.Join(dir, "crl.pem")
	_, err = fl.WriteCRL(ctx, ca, crl)
	must(t, err)
	m := ingesttest.StartMosquittoWith(t, dir, "")
	pidFile := filepath.Join(dir, "mosquitto.pid")
	must(t, os.WriteFile(pidFile, []byte(strconv.Itoa(mosquittoPID(t, filepath.Join(dir, "mosquitto.conf")))), 0o600))

	certs := map[string]pki.Issued{}
	for _, id := range []string{"kiosk-a", "kiosk-b"} {
		certs[id], err = fl.Provision(ctx, ca, fleet.Device{ID: id}, time.Hour)
		must(t, err)
	}
	connects := func(id string) bool {
		cfg, err := pki.ClientTLS(certs[id], ca.Pool())
		must(t, err)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		kc, err := ingesttest.Dial(cctx, m.URL, id, cfg, nil, testLogger(t))
		if err != nil {
			return false
		}
		kc.Close()
		return true
	}
	// eventually polls until id connects as want, for at most 20 s.
	eventually := func(step, id string, want bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for connects(id) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s connects != %v after 20 s", step, id, want)
			}
			<-tick.C
		}
	}
	eventually("start", "kiosk-a", true)
	// The changes of this instance are signed from CRLChanged (the keeper
	// would not poll within the test), the others' from the poll.
	phases := []struct {
		name string
		poll time.Duration
		by   *fleet.Fleet
	}{
		{"this instance", time.Hour, fl},
		{"elsewhere", 200 * time.Millisecond, other},
	}
	for _, ph := range phases {
		kctx, stop := context.WithCancel(ctx)
		reloads := filepath.Join(dir, "reloads-"+ph.name)
		k := &crlKeeper{fleet: fl, ca: ca, path: crl, pidFile: pidFile, expiry: gauge(t, "crl"),
			reloadCmd: "echo >> '" + reloads + "'", log: testLogger(t), now: time.Now, poll: ph.poll}
		done := make(chan error, 1)
		go func() { done <- k.run(kctx) }()
		// The signature at start comes first, so that what follows is
		// signed because of the change.
		waitFile(t, reloads)
		steps := []struct {
			name   string
			change func(context.Context, string) error
			want   bool
		}{
			{"disabled by " + ph.name, ph.by.Disable, false},
			{"enabled by " + ph.name, ph.by.Enable, true},
		}
		for _, st := range steps {
			must(t, st.change(ctx, "kiosk-a"))
			eventually(st.name, "kiosk-a", st.want)
			if !connects("kiosk-b") {
				t.Errorf("%s: kiosk-b refused", st.name)
			}
		}
		stop()
		must(t, <-done)
	}
}

// waitFile polls until path exists, for at most 20 s.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not written within 20 s", path)
		}
		<-tick.C
	}
}

// mosquittoPID finds the process started with configuration conf (the
// private broker of the test) in /proc.
func mosquittoPID(t *testing.T, conf string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	must(t, err)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := bytes.Split(bytes.TrimRight(cmd, "\x00"), []byte{0})
		if len(args) == 3 && string(args[1]) == "-c" && string(args[2]) == conf {
			return pid
		}
	}
	t.Fatalf("no Mosquitto process with -c %s", conf)
	return 0
}
