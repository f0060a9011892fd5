package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/pki"
)

// errNoFleetCA: provision found no CA in -ca-dir and was not told to
// create one.
var errNoFleetCA = errors.New("no fleet CA")

// errNotPutBack: a bundle could not be written, and the files it had
// replaced could not all be put back.
var errNotPutBack = errors.New("the old bundle files are not all back (those not back are NAME.old)")

// fleetCAName is the subject of a fleet CA that provision creates.
const fleetCAName = "CNS kiosk fleet CA"

// devicesProvision registers a device and gives it a new certificate.
// The new key.pem, cert.pem and ca.pem are in place in -out before the
// certificate is recorded and the device's older ones revoked: if writing
// or recording fails, the old files are put back and the old certificate
// still works. Other files in -out are left alone.
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
	if errors.Is(err, errNotPutBack) {
		return fmt.Errorf("write the bundle to %s (nothing recorded, the old certificate stays valid, but some of its files are only NAME.old there): %w", *out, err)
	}
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
		e.Log.Warn("old bundle files not removed", "dir", *out, "err", err)
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

// bundleFile is one file of a device bundle and the mode it is written with.
type bundleFile struct {
	name string
	data []byte
	mode fs.FileMode
}

// placedFile is a bundle file renamed into place; old is the copy of the
// file it replaced ("" when there was none).
type placedFile struct{ path, old string }

// placed is a bundle written into out, with the files it replaced kept
// as NAME.old until the certificate is recorded.
type placed struct {
	out   string
	files []placedFile
}

// syncDir makes the renames in a directory durable (a variable so that a
// test can make it fail).
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// placeBundle writes key.pem (0600), cert.pem and ca.pem into out, which
// is created if missing (0700) and written through if it is a symlink;
// nothing else in out is touched. Each file is written to a temporary
// file and synced, and a file it replaces is first copied to NAME.old
// (same mode), so each name always holds a whole file. On an error,
// including a failed sync of out after the renames, the old files are put
// back; the error wraps errNotPutBack if some could not be.
func placeBundle(out string, is pki.Issued, caPEM []byte) (placed, error) {
	p := placed{out: out}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return p, err
	}
	files := []bundleFile{
		{pki.KeyFile, is.KeyPEM, 0o600},
		{pki.CertFile, is.CertPEM, 0o644},
		{pki.CAFile, caPEM, 0o644},
	}
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // gone once renamed; a leftover only after an error
		}
	}()
	for _, f := range files {
		t, err := pki.WriteTemp(out, f.name, f.data, f.mode)
		if err != nil {
			return p, err
		}
		tmps = append(tmps, t)
	}
	var olds []string
	for _, f := range files {
		path := filepath.Join(out, f.name)
		old, err := keepCopy(path)
		if err != nil {
			return p, errors.Join(err, removeAll(olds))
		}
		if old != "" {
			olds = append(olds, old)
		}
	}
	if err := syncDir(out); err != nil {
		return p, errors.Join(fmt.Errorf("sync %s: %w", out, err), removeAll(olds))
	}
	for i, f := range files {
		path := filepath.Join(out, f.name)
		old := path + ".old"
		if !slices.Contains(olds, old) {
			old = ""
		}
		if err := os.Rename(tmps[i], path); err != nil {
			return p.failed(err, olds)
		}
		p.files = append(p.files, placedFile{path: path, old: old})
	}
	if err := syncDir(out); err != nil {
		return p.failed(fmt.Errorf("sync %s: %w", out, err), olds)
	}
	return p, nil
}

// failed puts the old files back after err, so that out holds the old
// bundle again; the error says if that did not work.
func (p placed) failed(err error, olds []string) (placed, error) {
	if uerr := p.undo(); uerr != nil {
		return p, fmt.Errorf("%w (putting back the old files: %w)", err, uerr)
	}
	return placed{out: p.out}, errors.Join(err, removeAll(olds))
}

// keepCopy copies the file at path, if there is one, to path.old with its
// mode, synced, and returns path.old ("" when there was no file).
func keepCopy(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	dir, name := filepath.Split(path)
	t, err := pki.WriteTemp(dir, name+".old", data, st.Mode().Perm())
	if err != nil {
		return "", err
	}
	old := path + ".old"
	if err := os.Rename(t, old); err != nil {
		return "", errors.Join(err, os.Remove(t))
	}
	return old, nil
}

// removeAll removes the files at paths.
func removeAll(paths []string) error {
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// keep drops the copies of the old files: the new certificate is recorded.
func (p placed) keep() error {
	var olds []string
	for _, f := range p.files {
		if f.old != "" {
			olds = append(olds, f.old)
		}
	}
	return removeAll(olds)
}

// undo puts the old files back (and removes a new file that replaced
// none): the new certificate could not be recorded.
func (p placed) undo() error {
	var errs []error
	for _, f := range p.files {
		var err error
		if f.old != "" {
			err = os.Rename(f.old, f.path)
		} else {
			err = os.Remove(f.path)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", errNotPutBack, errors.Join(errs...))
	}
	if err := syncDir(p.out); err != nil {
		return fmt.Errorf("the old files are back, but sync %s: %w", p.out, err)
	}
	return nil
}
