package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/pki"
)

func init() {
	register(Command{Name: "devices provision", Args: "[-ca-dir DIR] [-new-ca] [-out DIR] [-site S] [-name N] [-days N] ID", Run: devicesProvision,
		Summary: "register device ID, issue its client certificate (CN = ID) and write key.pem, cert.pem, ca.pem to -out"})
	register(Command{Name: "devices list", Args: "", Run: devicesList, Summary: "list devices as JSON lines"})
	register(Command{Name: "devices disable", Args: "[-ca-dir DIR] [-crl FILE] ID", Run: devicesSet(false),
		Summary: "disable a device: its connections are refused; rewrites the CRL for Mosquitto (reload it with SIGHUP)"})
	register(Command{Name: "devices enable", Args: "[-ca-dir DIR] [-crl FILE] ID", Run: devicesSet(true),
		Summary: "enable a device again; rewrites the CRL"})
	register(Command{Name: "devices crl", Args: "[-ca-dir DIR] [-crl FILE]", Run: devicesCRL,
		Summary: "write the fleet CRL (revoked certificates, disabled devices on hold) for Mosquitto's crlfile"})
}

func devicesList(ctx context.Context, e *Env, args []string) error {
	db, err := e.NoFlagsStore(ctx, "devices list", args)
	if err != nil {
		return err
	}
	ds, err := fleet.New(db, nil, e.Log).List(ctx, fleet.Filter{Limit: 5000})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.Stdout)
	for _, d := range ds {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	return nil
}

func devicesSet(on bool) func(ctx context.Context, e *Env, args []string) error {
	return func(ctx context.Context, e *Env, args []string) error {
		name := "devices disable"
		if on {
			name = "devices enable"
		}
		c := commands[name]
		fs := e.Flags(c)
		caDir, crl := crlFlags(fs)
		if err := e.Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return e.badArgs(c, "want one device ID")
		}
		db, err := e.Store(ctx)
		if err != nil {
			return err
		}
		f := fleet.New(db, nil, e.Log)
		set := f.Disable
		if on {
			set = f.Enable
		}
		if err := set(ctx, fs.Arg(0)); err != nil {
			return err
		}
		return writeCRL(ctx, e, f, *caDir, *crl)
	}
}

func crlFlags(fs *flag.FlagSet) (caDir, crl *string) {
	caDir = fs.String("ca-dir", ".run/cmsd/pki", "directory of the fleet CA")
	crl = fs.String("crl", "", "CRL file to write (default CA-DIR/crl.pem)")
	return caDir, crl
}

func devicesCRL(ctx context.Context, e *Env, args []string) error {
	c := commands["devices crl"]
	fs := e.Flags(c)
	caDir, crl := crlFlags(fs)
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return e.badArgs(c, "no arguments expected")
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	return writeCRL(ctx, e, fleet.New(db, nil, e.Log), *caDir, *crl)
}

// writeCRL rewrites the CRL; Mosquitto reads it again on SIGHUP.
func writeCRL(ctx context.Context, e *Env, f *fleet.Fleet, caDir, path string) error {
	ca, err := pki.LoadCA(caDir)
	if err != nil {
		return err
	}
	if path == "" {
		path = filepath.Join(caDir, "crl.pem")
	}
	n, err := f.WriteCRL(ctx, ca, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "CRL written to %s (%d entries); reload Mosquitto with SIGHUP to apply it\n", path, n)
	return nil
}
