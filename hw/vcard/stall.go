package vcard

import (
	"context"
	"errors"
)

// Stall makes the card stop answering: every command APDU that arrives
// while it is stalled (through Serve or Transmit) waits, unanswered, until
// Unstall, as a card that hangs mid-session does. vpcd then waits too, and
// pcscd's SCardTransmit with it. Control frames (ATR, power) are still
// answered. Stalling is not cleared by Reset or by reinsertion.
func (c *Card) Stall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stall == nil {
		c.stall = make(chan struct{})
	}
}

// Unstall lets the held command and the next ones through.
func (c *Card) Unstall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stall != nil {
		close(c.stall)
		c.stall = nil
	}
}

// Stalled reports whether the card is stalled.
func (c *Card) Stalled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stall != nil
}

// waitStall returns at once if the card is not stalled, otherwise when it
// is unstalled or ctx ends (then ctx.Err()).
func (c *Card) waitStall(ctx context.Context) error {
	c.mu.Lock()
	ch := c.stall
	c.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errStalledOut ends Serve when its context ends during a stall.
var errStalledOut = errors.New("vcard: removed while stalled")
