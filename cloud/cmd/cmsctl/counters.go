package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
)

func init() {
	register(Command{Name: "counters set", Args: "[-name NAME] [-caps CAP,..] ID", Run: countersSet,
		Summary: "register a counter (sportello) or change its name and capabilities; a flag not given keeps its value"})
	register(Command{Name: "counters list", Args: "", Run: countersList, Summary: "list counters and their capabilities"})
}

func countersSet(ctx context.Context, e *Env, args []string) error {
	c := commands["counters set"]
	fs := e.Flags(c)
	name := fs.String("name", "", "name of the counter")
	caps := fs.String("caps", "", "comma-separated capabilities (reissue), empty for none")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		return e.badArgs(c, "want one counter id")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	capList, err := parseCaps(*caps)
	if err != nil {
		return e.badArgs(c, err.Error())
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	reg := operator.NewRegistry(db, nil)
	ctr, err := reg.GetCounter(ctx, strings.TrimSpace(fs.Arg(0)))
	if err != nil {
		return err
	}
	if given["name"] {
		ctr.Name = strings.TrimSpace(*name)
	}
	if given["caps"] {
		ctr.Capabilities = capList
	}
	if err := reg.UpsertCounter(ctx, ctr); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "counter %s (%s) set: capabilities %s\n", ctr.ID, ctr.Name, capString(ctr.Capabilities))
	return nil
}

// parseCaps reads a capability list, refusing capabilities the rules do not know.
func parseCaps(s string) ([]rules.Capability, error) {
	caps := rules.ParseCapabilities(s)
	for _, k := range caps {
		if !slices.Contains(rules.Capabilities(), k) {
			return nil, fmt.Errorf("capability %q unknown: want one of %s", k, capString(rules.Capabilities()))
		}
	}
	if len(caps) == 0 && strings.TrimSpace(s) != "" {
		return nil, errors.New("capabilities list without a capability")
	}
	return caps, nil
}

func capString(caps []rules.Capability) string {
	if len(caps) == 0 {
		return "-"
	}
	s := make([]string, len(caps))
	for i, k := range caps {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

func countersList(ctx context.Context, e *Env, args []string) error {
	db, err := e.NoFlagsStore(ctx, "counters list", args)
	if err != nil {
		return err
	}
	cs, err := operator.NewRegistry(db, nil).ListCounters(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		fmt.Fprintf(e.Stdout, "%-24s %-32s caps=%s\n", c.ID, c.Name, capString(c.Capabilities))
	}
	return nil
}
