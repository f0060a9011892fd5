package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/wire"
)

func init() {
	register(Command{Name: "operators add", Args: "-name NAME [-role operator|supervisor] [-menus M,..|*] [-counters C,..|*] [-disabled] CF", Run: operatorsAdd,
		Summary: "register or update an operator (OPAUTH): the procedures (menus) and counters they may run"})
	register(Command{Name: "operators list", Args: "", Run: operatorsList, Summary: "list operators"})
	register(Command{Name: "operators disable", Args: "CF", Run: operatorsSet(false), Summary: "disable an operator: new authentications and their operations are refused"})
	register(Command{Name: "operators enable", Args: "CF", Run: operatorsSet(true), Summary: "enable an operator again"})
}

// operatorRoles are the roles the registry knows.
var operatorRoles = []string{"operator", "supervisor"}

func operatorsAdd(ctx context.Context, e *Env, args []string) error {
	c := commands["operators add"]
	fs := e.Flags(c)
	name := fs.String("name", "", "full name of the operator (required)")
	role := fs.String("role", "operator", "role: operator or supervisor")
	menus := fs.String("menus", operator.All, "comma-separated operation types (op.activation,...) or * for all")
	counters := fs.String("counters", operator.All, "comma-separated counter ids or * for all")
	disabled := fs.Bool("disabled", false, "register the operator disabled")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(*name) == "" {
		return e.badArgs(c, "want -name and one codice fiscale")
	}
	o, err := newOperator(fs.Arg(0), *name, *role, *menus, *counters)
	if err != nil {
		return e.badArgs(c, err.Error())
	}
	o.Enabled = !*disabled
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	if err := operator.NewRegistry(db, nil).Upsert(ctx, o); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "operator %s (%s) registered: role %s, menus %s, counters %s\n",
		o.CF, o.Name, o.Role, strings.Join(o.Menus, ","), strings.Join(o.Counters, ","))
	return nil
}

// newOperator checks and normalises the fields of an operator.
func newOperator(code, name, role, menus, counters string) (operator.Operator, error) {
	code, err := cf.Normalize(code)
	if err == nil {
		err = cf.Validate(code)
	}
	if err != nil {
		return operator.Operator{}, fmt.Errorf("codice fiscale: %w", err)
	}
	if !slices.Contains(operatorRoles, role) {
		return operator.Operator{}, fmt.Errorf("role %q: want operator or supervisor", role)
	}
	o := operator.Operator{CF: code, Name: strings.TrimSpace(name), Role: role,
		Menus: splitCSV(menus), Counters: splitCSV(counters)}
	if len(o.Menus) == 0 || len(o.Counters) == 0 {
		return operator.Operator{}, errors.New("menus and counters may not be empty")
	}
	for _, m := range o.Menus {
		if m != operator.All && !wire.Type(m).IsOp() {
			return operator.Operator{}, fmt.Errorf("menu %q: want an operation type such as op.activation, or *", m)
		}
	}
	return o, nil
}

func splitCSV(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func operatorsList(ctx context.Context, e *Env, args []string) error {
	db, err := e.NoFlagsStore(ctx, "operators list", args)
	if err != nil {
		return err
	}
	os, err := operator.NewRegistry(db, nil).List(ctx)
	if err != nil {
		return err
	}
	for _, o := range os {
		state := "enabled"
		if !o.Enabled {
			state = "disabled"
		}
		fmt.Fprintf(e.Stdout, "%-16s %-10s %-8s %-24s menus=%s counters=%s\n", o.CF, o.Role, state, o.Name,
			strings.Join(o.Menus, ","), strings.Join(o.Counters, ","))
	}
	return nil
}

func operatorsSet(on bool) func(ctx context.Context, e *Env, args []string) error {
	name := map[bool]string{true: "operators enable", false: "operators disable"}[on]
	return func(ctx context.Context, e *Env, args []string) error {
		c := commands[name]
		fs := e.Flags(c)
		if err := e.Parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return e.badArgs(c, "want one codice fiscale")
		}
		code, err := cf.Normalize(fs.Arg(0))
		if err != nil {
			return e.badArgs(c, err.Error())
		}
		db, err := e.Store(ctx)
		if err != nil {
			return err
		}
		if err := operator.NewRegistry(db, nil).SetEnabled(ctx, code, on); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "operator %s %s\n", code, map[bool]string{true: "enabled", false: "disabled"}[on])
		return nil
	}
}
