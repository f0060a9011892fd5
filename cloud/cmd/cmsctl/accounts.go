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
	register(Command{Name: "accounts disable", Args: "USER", Run: accountsEnable(false),
		Summary: "disable a console account and end its sessions"})
	register(Command{Name: "accounts enable", Args: "USER", Run: accountsEnable(true), Summary: "enable a console account again"})
	register(Command{Name: "accounts passwd", Args: "[-password-stdin] USER", Run: accountsPasswd,
		Summary: "reset a console account's password (from stdin with -password-stdin, else generated and printed once) and end its sessions"})
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
	pw, generated, err := readPassword(e, *fromStdin)
	if err != nil {
		return err
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
	db, err := e.NoFlagsStore(ctx, "accounts list", args)
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

// readPassword reads the first line of stdin, or generates a password.
func readPassword(e *Env, fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return account.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(e.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func accountsEnable(on bool) func(context.Context, *Env, []string) error {
	name, ev, word := "accounts disable", account.EvDisabled, "disabled"
	if on {
		name, ev, word = "accounts enable", account.EvEnabled, "enabled"
	}
	return func(ctx context.Context, e *Env, args []string) error {
		c := commands[name]
		fs := e.Flags(c)
		if err := e.Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return e.badArgs(c, "one user name is needed")
		}
		db, err := e.Store(ctx)
		if err != nil {
			return err
		}
		as, user := account.NewStore(db), strings.ToLower(fs.Arg(0))
		if err := as.SetEnabled(ctx, user, on); err != nil {
			return err
		}
		if err := as.Log(ctx, account.Event{Username: user, Client: "cmsctl", Action: ev}); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "account %s %s\n", user, word)
		return nil
	}
}

func accountsPasswd(ctx context.Context, e *Env, args []string) error {
	c := commands["accounts passwd"]
	fs := e.Flags(c)
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of stdin")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "one user name is needed")
	}
	pw, generated, err := readPassword(e, *fromStdin)
	if err != nil {
		return err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	as, user := account.NewStore(db), strings.ToLower(fs.Arg(0))
	if err := as.SetPassword(ctx, user, pw); err != nil {
		return err
	}
	if err := as.Log(ctx, account.Event{Username: user, Client: "cmsctl", Action: account.EvPasswordReset}); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "password of %s reset; its sessions ended\n", user)
	if generated {
		fmt.Fprintf(e.Stdout, "password (shown only now): %s\n", pw)
	}
	return nil
}
