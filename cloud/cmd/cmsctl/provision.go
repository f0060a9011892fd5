package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/pki"
)

// errNoFleetCA: provision found no CA in -ca-dir and was not told to
// create one.
var errNoFleetCA = errors.New("no fleet CA")

// fleetCAName is the subject of a fleet CA that provision creates.
const fleetCAName = "CNS kiosk fleet CA"

// devicesProvision registers a device and gives it a new certificate.
// The new bundle is in place in -out before the certificate is recorded
// and the device's older ones revoked: if recording fails, the old bundle
// is put back and the old certificate still works.
func devicesProvision(ctx context.Context, e *Env, args []string) error {
	c := commands["devices provision"]
	fs := e.Flags(c)
	caDir := fs.String("ca-dir", ".run/cmsd/pki", "directory of the fleet CA")
	newCA := fs.Bool("new-ca", false, "create a fleet CA in -ca-dir if it holds none (a new fleet only: brokers trust the CA they have)")
	out := fs.String("out", "", "directory for the device's key, certificate and CA (default ./ID)")
	site := fs.String("site", "", "site of the device")
	name := fs.String("name", "", "display name")
	days := fs.Int("days", 825, "certificate validity in days")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "want one device ID")
	}
	if *days < 1 {
		return e.badArgs(c, "-days must be at least 1")
	}
	id := fs.Arg(0)
	if *out == "" {
		*out = id
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	ca, err := fleetCA(*caDir, *newCA, e)
	if err != nil {
		return err
	}
	f := fleet.New(db, nil, e.Log)
	if err := f.Register(ctx, fleet.Device{ID: id, Name: *name, Site: *site}); err != nil && !errors.Is(err, fleet.ErrExists) {
		return err
	}
	is, err := ca.IssueClient(id, time.Now(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		return err
	}
	p, err := placeBundle(*out, is, ca.PEM)
	if err != nil {
		return fmt.Errorf("write the bundle to %s (nothing recorded, the old certificate stays valid): %w", *out, err)
	}
	if err := f.RecordCert(ctx, id, fleet.RoleDevice, is, true); err != nil {
		if uerr := p.undo(); uerr != nil {
			return fmt.Errorf("record the certificate: %w (and putting back the old bundle in %s: %v)", err, *out, uerr)
		}
		return fmt.Errorf("record the certificate (the old bundle is back in %s and its certificate stays valid): %w", *out, err)
	}
	if err := p.keep(); err != nil {
		e.Log.Warn("old bundle not removed", "dir", p.old, "err", err)
	}
	fmt.Fprintf(e.Stdout, "device %s provisioned: serial %s, expires %s, files in %s\n",
		id, is.Serial, is.NotAfter().Format(time.DateOnly), *out)
	return writeCRL(ctx, e, f, *caDir, "") // a re-provisioned device's old certificates are revoked
}

// fleetCA loads the CA in dir. Without create, a directory with no CA is
// an error: a CA made there by mistake would sign certificates that no
// broker trusts. With create, a CA is made only where there is no CA key.
func fleetCA(dir string, create bool, e *Env) (*pki.CA, error) {
	ca, err := pki.LoadCA(dir)
	if err == nil || !errors.Is(err, pki.ErrNoCA) {
		return ca, err
	}
	if !create {
		return nil, fmt.Errorf("%w in %s (no %s): give -ca-dir the directory of the CA the brokers trust (cmsd's DATA/pki), or -new-ca to create one for a new fleet", errNoFleetCA, dir, pki.CAFile)
	}
	if _, err := os.Stat(filepath.Join(dir, pki.CAKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s: %s is missing but %s is there; not overwriting a CA key", errNoFleetCA, dir, pki.CAFile, pki.CAKeyFile)
	}
	ca, created, err := pki.LoadOrCreateCA(dir, fleetCAName, time.Now())
	if err == nil && created {
		fmt.Fprintf(e.Stdout, "new fleet CA created in %s: brokers must trust its %s\n", dir, pki.CAFile)
	}
	return ca, err
}

// placed is a bundle renamed into place, with the directory it replaced
// kept aside ("" when there was none) until the certificate is recorded.
type placed struct{ out, old string }

// placeBundle writes the bundle to a new directory beside out, then puts
// it in out's place; the old out is renamed aside, not removed.
func placeBundle(out string, is pki.Issued, caPEM []byte) (placed, error) {
	p := placed{out: filepath.Clean(out)}
	parent, base := filepath.Dir(p.out), filepath.Base(p.out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return p, err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return p, err
	}
	if err := pki.WriteBundle(tmp, is, caPEM); err != nil {
		return p, errors.Join(err, os.RemoveAll(tmp))
	}
	if _, err := os.Lstat(p.out); err == nil {
		p.old = filepath.Join(parent, "."+base+".old-"+is.Serial)
		if err := os.Rename(p.out, p.old); err != nil {
			return p, errors.Join(err, os.RemoveAll(tmp))
		}
	}
	if err := os.Rename(tmp, p.out); err != nil {
		err = errors.Join(err, os.RemoveAll(tmp))
		if p.old != "" {
			err = errors.Join(err, os.Rename(p.old, p.out))
		}
		return p, err
	}
	return p, syncDir(parent)
}

// keep drops the old bundle: the new certificate is recorded.
func (p placed) keep() error {
	if p.old == "" {
		return nil
	}
	return os.RemoveAll(p.old)
}

// undo puts the old bundle back (or removes the new one when there was
// none): the new certificate could not be recorded.
func (p placed) undo() error {
	if err := os.RemoveAll(p.out); err != nil {
		return err
	}
	if p.old == "" {
		return nil
	}
	if err := os.Rename(p.old, p.out); err != nil {
		return err
	}
	return syncDir(filepath.Dir(p.out))
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
