// Command hwdiag checks a kiosk's devices, for the field technician:
//
//	hwdiag card [-reader NAME | -citizen S -operator S [-slot operator]]
//	                                      print the inserted card as JSON (no PIN)
//	hwdiag print test [-printer ADDR]     print a test receipt
//	hwdiag pay watch [-pin GPIO17] [-sim] show payment pulses and amounts live
//
// Run "hwdiag <command> -h" for the flags of a command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cnskiosk.dev/hw/coin"
)

func main() {
	cfg, err := parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hwdiag:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hwdiag:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  hwdiag card [flags]         read the inserted card, print it as JSON (no PIN)
  hwdiag print test [flags]   print a test receipt
  hwdiag pay watch [flags]    show payment pulses and amounts live
`

// parse turns the command line into a config; it does no I/O but usage.
func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	verb := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case len(args) >= 1 && args[0] == "card":
		c.cmd, args = cmdCard, args[1:]
	case verb == "print test":
		c.cmd, args = cmdPrint, args[2:]
	case verb == "pay watch":
		c.cmd, args = cmdPay, args[2:]
	default:
		fmt.Fprint(stderr, usage)
		return c, fmt.Errorf("%w: %q", errUsage, verb)
	}
	fs := flag.NewFlagSet("hwdiag "+string(c.cmd), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.verbose, "v", false, "log debug detail to stderr")
	switch c.cmd {
	case cmdCard:
		fs.StringVar(&c.reader, "reader", "", "PC/SC reader name (default: the first reader with a card)")
		fs.StringVar(&c.slots.Citizen, "citizen", "", "substring of the citizen reader's name (the kiosk's slot configuration)")
		fs.StringVar(&c.slots.Operator, "operator", "", "substring of the operator reader's name (empty: single-reader mode)")
		fs.StringVar(&c.slot, "slot", "", "with -citizen/-operator: read the citizen (default) or the operator slot")
		fs.DurationVar(&c.wait, "wait", 30*time.Second, "time allowed to read the card")
	case cmdPrint:
		fs.StringVar(&c.printer, "printer", "/dev/usb/lp0",
			"printer address: tcp://host:9100, /dev/usb/lp0, serial:///dev/ttyUSB0?baud=19200")
		fs.IntVar(&c.paper, "paper", 80, "paper width in mm: 80 or 58")
	case cmdPay:
		payFlags(fs, &c)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected %q", errUsage, fs.Args())
	}
	return c, c.check()
}

func payFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.pin, "pin", "GPIO17", "input line of the pulse signal")
	fs.StringVar(&c.inhibit, "inhibit", "GPIO27", `INHIBIT output line ("" if not wired)`)
	fs.Int64Var(&c.pulseCents, "pulse-cents", coin.DefaultPulseCents, "value of one pulse in euro cents")
	fs.StringVar(&c.mode, "mode", "coin", "coin (pulse trains) or pos (approved relay)")
	fs.BoolVar(&c.activeHigh, "active-high", false, "the line is high during a pulse")
	fs.BoolVar(&c.accept, "accept", true, "lift INHIBIT while watching, so coins are taken")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (0: until interrupted)")
	fs.BoolVar(&c.json, "json", false, "one JSON object per line")
	fs.BoolVar(&c.sim, "sim", false, "watch a simulated device driven by -sim-coins")
	fs.Func("sim-coins", "coins the simulator inserts, in cents (default 100,50,20)", func(s string) error {
		return parseCoins(s, &c.simCoins)
	})
	fs.BoolVar(&c.simGlitch, "sim-glitch", true, "the simulator also sends a 2 ms glitch")
}

func parseCoins(s string, out *[]int64) error {
	*out = (*out)[:0]
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("bad coin %q", f)
		}
		*out = append(*out, v)
	}
	return nil
}
