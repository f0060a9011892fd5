package main

import (
	"context"
	"fmt"

	"cnskiosk.dev/cloud/internal/vault"
)

func init() {
	register(Command{Name: "key generate", Run: keyGenerate,
		Summary: "create the vault key file named by --key (mode 0600); refuses to overwrite"})
	register(Command{Name: "key rotate", Run: keyRotate,
		Summary: "add a new key to the --key file; new secrets use it, old ones still open"})
}

func keyGenerate(ctx context.Context, e *Env, args []string) error {
	if err := e.Parse(e.Flags(commands["key generate"]), args); err != nil {
		return err
	}
	if err := vault.Generate(e.KeyFile); err != nil {
		return err
	}
	v, err := vault.Load(e.KeyFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "key file %s created, key id %s\n", e.KeyFile, v.KeyID())
	return nil
}

func keyRotate(ctx context.Context, e *Env, args []string) error {
	if err := e.Parse(e.Flags(commands["key rotate"]), args); err != nil {
		return err
	}
	id, err := vault.Rotate(e.KeyFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "key file %s: new key id %s\n", e.KeyFile, id)
	return nil
}
