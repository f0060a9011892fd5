package main

import (
	"errors"
	"fmt"
	"time"

	"cnskiosk.dev/hw/pcsc"
)

var errUsage = errors.New("usage")

type command string

const (
	cmdCard  command = "card"
	cmdPrint command = "print test"
	cmdPay   command = "pay watch"
)

// config is the parsed command line.
type config struct {
	cmd     command
	verbose bool

	reader string // card
	slots  pcsc.Slots
	slot   string
	wait   time.Duration

	printer string // print
	paper   int

	pin, inhibit string // pay
	pulseCents   int64
	mode         string
	activeHigh   bool
	accept       bool
	duration     time.Duration
	json         bool
	sim          bool
	simCoins     []int64
	simGlitch    bool
}

func (c *config) check() error {
	switch {
	case c.cmd == cmdPrint && c.paper != 80 && c.paper != 58:
		return fmt.Errorf("%w: -paper %d, want 80 or 58", errUsage, c.paper)
	case c.cmd == cmdCard && c.slot != "" && c.slot != "citizen" && c.slot != "operator":
		return fmt.Errorf("%w: -slot %q, want citizen or operator", errUsage, c.slot)
	case c.cmd == cmdCard && c.slot != "" && c.slots == (pcsc.Slots{}):
		return fmt.Errorf("%w: -slot %s needs the slot configuration: -citizen NAME [-operator NAME] "+
			"(without them hwdiag reads the first reader with a card)", errUsage, c.slot)
	case c.cmd == cmdCard && c.reader != "" && c.slots != (pcsc.Slots{}):
		return fmt.Errorf("%w: -reader or -citizen/-operator, not both", errUsage)
	case c.cmd != cmdPay:
		return nil
	}
	if c.mode != "coin" && c.mode != "pos" {
		return fmt.Errorf("%w: -mode %q, want coin or pos", errUsage, c.mode)
	}
	if c.sim && c.simCoins == nil && c.mode == "coin" {
		c.simCoins = []int64{100, 50, 20}
	}
	return nil
}
