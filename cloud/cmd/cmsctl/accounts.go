package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/account"
)

func init() {
	register(Command{Name: "accounts add", Args: "[-role admin|supervisor|auditor] [-name NAME] [-password-stdin] USER", Run: accountsAdd,
		Summary: "add a console account; the password is read from stdin with -password-stdin, else generated and printed once"})
	register(Command{Name: "accounts list", Args: "", Run: accountsList, Summary: "list console accounts"})
}

func accountsAdd(ctx context.Context, e *Env, args []string) error {
	c := commands["accounts add"]
	fs := e.Flags(c)
	role := fs.String("role", "supervisor", "role: admin, supervisor or auditor")
	name := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "one user name is needed")
	}
	r, err := account.ParseRole(*role)
	if err != nil {
		return e.badArgs(c, err.Error())
	}
	pw, generated := account.GeneratePassword(), true
	if *fromStdin {
		line, err := bufio.NewReader(e.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		pw, generated = strings.TrimRight(line, "\r\n"), false
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	if err := account.NewStore(db).Add(ctx, fs.Arg(0), *name, r, pw); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "account %s added with role %s\n", strings.ToLower(fs.Arg(0)), r)
	if generated {
		fmt.Fprintf(e.Stdout, "password (shown only now): %s\n", pw)
	}
	return nil
}

func accountsList(ctx context.Context, e *Env, args []string) error {
	if err := e.Parse(e.Flags(commands["accounts list"]), args); err != nil {
		return err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	as, err := account.NewStore(db).List(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		state := "enabled"
		if !a.Enabled {
			state = "disabled"
		}
		fmt.Fprintf(e.Stdout, "%-24s %-10s %-8s %s\n", a.Username, a.Role, state, a.DisplayName)
	}
	return nil
}
