package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestProvisionNeedsCA: provision does not create a CA unless told to,
// so that a wrong -ca-dir cannot sign certificates no broker trusts; with
// -new-ca it creates one once and then uses it.
func TestProvisionNeedsCA(t *testing.T) {
	c := newCLI(t, store.SQLite)
	out := filepath.Join(c.dir, "kiosk-01")
	empty := filepath.Join(c.dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(c.dir, "missing"), empty} {
		r := c.run("", "devices", "provision", "-ca-dir", dir, "-out", out, "kiosk-01")
		if r.code == 0 || !strings.Contains(r.err, "no fleet CA in "+dir) || !strings.Contains(r.err, "-new-ca") {
			t.Errorf("CA dir %s: exit %d, stderr %q; want a failure naming the directory and -new-ca", dir, r.code, r.err)
		}
		if _, err := os.Stat(filepath.Join(dir, pki.CAFile)); err == nil {
			t.Errorf("a CA was created in %s", dir)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a bundle was written without a CA")
	}

	caDir := filepath.Join(c.dir, "pki")
	r := c.run("", "devices", "provision", "-new-ca", "-ca-dir", caDir, "-out", out, "kiosk-01")
	if r.code != 0 || !strings.Contains(r.out, "new fleet CA created in "+caDir) {
		t.Fatalf("-new-ca: exit %d, stdout %q", r.code, r.out)
	}
	ca, err := pki.LoadCA(caDir)
	if err != nil {
		t.Fatal(err)
	}
	r = c.run("", "devices", "provision", "-new-ca", "-ca-dir", caDir, "-out", filepath.Join(c.dir, "kiosk-02"), "kiosk-02")
	if r.code != 0 || strings.Contains(r.out, "new fleet CA") {
		t.Errorf("-new-ca with a CA: exit %d, stdout %q; want the CA used as it is", r.code, r.out)
	}
	if again, err := pki.LoadCA(caDir); err != nil || !again.Cert.Equal(ca.Cert) {
		t.Errorf("the CA changed: %v", err)
	}
	if _, pool, err := pki.LoadBundle(filepath.Join(c.dir, "kiosk-02")); err != nil || !pool.Equal(ca.Pool()) {
		t.Errorf("kiosk-02's bundle does not trust the fleet CA: %v", err)
	}

	// A CA key without its certificate is not overwritten.
	half := filepath.Join(c.dir, "half")
	if err := os.MkdirAll(half, 0o700); err != nil {
		t.Fatal(err)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(caDir, pki.CAKeyFile))
	if err := os.WriteFile(filepath.Join(half, pki.CAKeyFile), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("", "devices", "provision", "-new-ca", "-ca-dir", half, "-out", out, "kiosk-01"); r.code == 0 || !strings.Contains(r.err, "not overwriting") {
		t.Errorf("CA key without certificate: exit %d, stderr %q", r.code, r.err)
	}
	if b, _ := os.ReadFile(filepath.Join(half, pki.CAKeyFile)); !bytes.Equal(b, keyPEM) {
		t.Error("the CA key was overwritten")
	}
}

// TestReprovisionKeepsOldOnFailure: re-provisioning replaces the bundle
// and revokes the old certificate; when the new bundle cannot be written,
// or the new certificate cannot be recorded, the old bundle is in place,
// byte for byte, and its certificate is still admitted.
func TestReprovisionKeepsOldOnFailure(t *testing.T) {
	c := newCLI(t, store.SQLite)
	caDir, out := filepath.Join(c.dir, "pki"), filepath.Join(c.dir, "bundles", "kiosk-01")
	if r := c.run("", "devices", "provision", "-new-ca", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code != 0 {
		t.Fatalf("provision: exit %d", r.code)
	}
	first := readBundle(t, out)
	ctx := context.Background()
	db, err := store.Open(ctx, c.db, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := fleet.New(db, nil, storetest.Logger(t))
	admitted := func(b map[string][]byte) bool {
		t.Helper()
		cert, err := pki.ParseCert(b[pki.CertFile])
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Admit(ctx, "kiosk-01", pki.Serial(cert))
		return err == nil
	}

	// The new bundle cannot be written (here: a directory is where the
	// copy of the old cert.pem would go): nothing is recorded or revoked.
	blocked := filepath.Join(c.dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, pki.CertFile+".old", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	for n, data := range first {
		if err := os.WriteFile(filepath.Join(blocked, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := c.run("", "devices", "provision", "-ca-dir", caDir, "-out", blocked, "kiosk-01")
	if r.code == 0 || !strings.Contains(r.err, "nothing recorded, the old certificate stays valid") {
		t.Fatalf("failed write: exit %d, stderr %q", r.code, r.err)
	}
	if !equalBundles(readBundle(t, blocked), first) || !admitted(first) {
		t.Error("a failed write changed the old bundle or revoked its certificate")
	}
	bundleOnly(t, blocked, pki.CertFile+".old")

	// The directory cannot be synced after the new files are renamed in:
	// they are renamed back, and the message says what is true.
	calls := 0
	realSync := syncDir
	syncDir = func(dir string) error {
		calls++
		if calls == 2 {
			return errors.New("input/output error")
		}
		return realSync(dir)
	}
	r = c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01")
	syncDir = realSync
	if r.code == 0 || !strings.Contains(r.err, "nothing recorded, the old certificate stays valid): sync "+out+": input/output error") {
		t.Fatalf("failed sync: exit %d, stderr %q", r.code, r.err)
	}
	if !equalBundles(readBundle(t, out), first) || !admitted(first) {
		t.Error("a failed sync left the new bundle in place or revoked the old certificate")
	}
	bundleOnly(t, out)

	// Nor after the old files are renamed back: the message says they are
	// back, not synced.
	calls = 0
	syncDir = func(dir string) error {
		calls++
		if calls >= 2 {
			return errors.New("input/output error")
		}
		return realSync(dir)
	}
	r = c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01")
	syncDir = realSync
	if r.code == 0 || !strings.Contains(r.err, "nothing recorded, the old certificate stays valid)") ||
		!strings.Contains(r.err, "the old files are back, but sync "+out) {
		t.Fatalf("failed sync twice: exit %d, stderr %q", r.code, r.err)
	}
	if !equalBundles(readBundle(t, out), first) || !admitted(first) {
		t.Error("a failed sync left the new bundle in place or revoked the old certificate")
	}
	bundleOnly(t, out)

	// The database refuses the new certificate's record.
	if _, err := db.SQL().Exec(`CREATE TRIGGER refuse_certs BEFORE INSERT ON fleet_certs BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	r = c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01")
	if r.code == 0 || !strings.Contains(r.err, "the old bundle is back in "+out) {
		t.Fatalf("failed record: exit %d, stderr %q", r.code, r.err)
	}
	if got := readBundle(t, out); !equalBundles(got, first) {
		t.Error("the old bundle was not put back as it was")
	}
	if !admitted(first) {
		t.Error("the old certificate was revoked although the new one was not recorded")
	}
	leftovers(t, filepath.Dir(out), "kiosk-01")
	bundleOnly(t, out)

	if _, err := db.SQL().Exec(`DROP TRIGGER refuse_certs`); err != nil {
		t.Fatal(err)
	}
	if r := c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code != 0 {
		t.Fatalf("re-provision: exit %d", r.code)
	}
	second := readBundle(t, out)
	if equalBundles(second, first) || !admitted(second) || admitted(first) {
		t.Error("re-provision: want a new admitted certificate in place and the old one revoked")
	}
	leftovers(t, filepath.Dir(out), "kiosk-01")
	bundleOnly(t, out)
}

// TestProvisionWritesIntoOut: provision writes the three files into -out
// and touches nothing else there: other files stay, the directory keeps
// its mode, a symlinked -out stays a symlink and its target gets the
// files; a failed recording puts the old three back byte for byte.
func TestProvisionWritesIntoOut(t *testing.T) {
	c := newCLI(t, store.SQLite)
	caDir := filepath.Join(c.dir, "pki")
	target := filepath.Join(c.dir, "usb", "kiosk-01")
	if err := os.MkdirAll(target, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o750); err != nil { // whatever the umask
		t.Fatal(err)
	}
	notes := filepath.Join(target, "notes.txt")
	if err := os.WriteFile(notes, []byte("sportello 3\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(target, "logs"), 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(c.dir, "kiosk-01")
	if err := os.Symlink(target, out); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		if st, err := os.Lstat(out); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s: -out is no longer a symlink (%v)", step, err)
		}
		if st, err := os.Stat(target); err != nil || st.Mode().Perm() != 0o750 {
			t.Errorf("%s: the target directory's mode changed (%v)", step, err)
		}
		if b, err := os.ReadFile(notes); err != nil || string(b) != "sportello 3\n" {
			t.Errorf("%s: another file in -out was lost: %q, %v", step, b, err)
		}
		if st, err := os.Stat(filepath.Join(target, "logs")); err != nil || !st.IsDir() {
			t.Errorf("%s: a directory in -out was lost: %v", step, err)
		}
		if st, err := os.Stat(filepath.Join(target, pki.KeyFile)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: key.pem missing or not 0600: %v", step, err)
		}
		bundleOnly(t, target, "notes.txt", "logs")
	}

	if r := c.run("", "devices", "provision", "-new-ca", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code != 0 {
		t.Fatalf("provision: exit %d", r.code)
	}
	check("provision")
	first := readBundle(t, target)

	ctx := context.Background()
	db, err := store.Open(ctx, c.db, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().Exec(`CREATE TRIGGER refuse_certs BEFORE INSERT ON fleet_certs BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	if r := c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code == 0 || !strings.Contains(r.err, "the old bundle is back in "+out) {
		t.Fatalf("failed record: exit %d, stderr %q", r.code, r.err)
	}
	check("failed record")
	if !equalBundles(readBundle(t, target), first) {
		t.Error("failed record: the old three files are not back byte for byte")
	}
	if _, err := db.SQL().Exec(`DROP TRIGGER refuse_certs`); err != nil {
		t.Fatal(err)
	}

	if r := c.run("", "devices", "provision", "-ca-dir", caDir, "-out", out, "kiosk-01"); r.code != 0 {
		t.Fatalf("re-provision: exit %d", r.code)
	}
	check("re-provision")
	if equalBundles(readBundle(t, target), first) {
		t.Error("re-provision: the bundle did not change")
	}
}

// bundleOnly fails when dir holds anything but the three bundle files
// and the names in extra: no temporary file or old copy stays behind.
func bundleOnly(t *testing.T, dir string, extra ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{pki.KeyFile, pki.CertFile, pki.CAFile}, extra...)
	for _, e := range es {
		if !slices.Contains(want, e.Name()) {
			t.Errorf("%s is left in %s", e.Name(), dir)
		}
	}
}

// readBundle reads the three files of a device bundle.
func readBundle(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	b := map[string][]byte{}
	for _, n := range []string{pki.KeyFile, pki.CertFile, pki.CAFile} {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		b[n] = data
	}
	return b
}

func equalBundles(a, b map[string][]byte) bool {
	for n := range a {
		if !bytes.Equal(a[n], b[n]) {
			return false
		}
	}
	return len(a) == len(b)
}

// leftovers fails when dir holds anything but the bundle directory want:
// no temporary or set-aside bundle stays behind.
func leftovers(t *testing.T, dir, want string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name() != want {
			t.Errorf("%s is left in %s", e.Name(), dir)
		}
	}
}
