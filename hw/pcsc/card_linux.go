//go:build cgo

package pcsc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ebfe/scard"
)

// Card is an open connection to the card in one reader. It implements the
// Transmitter of packages apdu and cns, and cns.ATRer.
//
// Each Card has its own pcscd context: a card that stops answering blocks
// only its own calls (libpcsclite serialises the calls of one context), so
// the kiosk can abandon it and go on with a new connection.
type Card struct {
	reader string
	atr    []byte
	sem    chan struct{} // held by the PC/SC call in flight
	gone   chan struct{} // closed once the handle and context are released

	mu        sync.Mutex
	sc        *scard.Context
	h         *scard.Card
	closed    bool // Close was called
	abandoned bool // a call outlived its ctx; the handle goes when it ends
}

func newCard(reader string, sc *scard.Context, h *scard.Card, atr []byte) *Card {
	return &Card{reader: reader, atr: atr, sem: make(chan struct{}, 1), gone: make(chan struct{}), sc: sc, h: h}
}

// Reader returns the name of the card's reader.
func (c *Card) Reader() string { return c.reader }

// ATR returns the card's answer to reset.
func (c *Card) ATR() []byte { return append([]byte(nil), c.atr...) }

// Transmit sends one command APDU. If ctx ends before the card answers,
// Transmit returns a *CancelError (errors.Is ErrAbandoned and ctx.Err())
// at once and the Card is spent: see CancelError. A card pulled out during
// the call gives ErrCardRemoved. If another application reset the card,
// Transmit reconnects (leaving the card as it is) and sends the command
// once more; the card's security state (a verified PIN, a selected key or
// file) was lost with the reset, so a command that needs it fails with the
// card's own status word, and a second reset gives ErrCardReset.
func (c *Card) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	var out []byte
	err := c.call(ctx, "transmit", func(h *scard.Card) error {
		var err error
		out, err = h.Transmit(cmd)
		if errors.Is(err, scard.ErrResetCard) {
			if err = h.Reconnect(scard.ShareShared, scard.ProtocolAny, scard.LeaveCard); err != nil {
				return c.transmitError(err)
			}
			out, err = h.Transmit(cmd)
		}
		if err != nil {
			return c.transmitError(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// call runs fn on the handle in a goroutine and waits for it or for ctx.
// When ctx wins, the card is marked abandoned and the goroutine, once
// pcscd answers, disconnects (resetting the card) and releases the context.
func (c *Card) call(ctx context.Context, op string, fn func(h *scard.Card) error) error {
	if err := ctx.Err(); err != nil {
		return &CancelError{Op: op, Reader: c.reader, Err: err}
	}
	if _, err := c.handle(); err != nil { // spent: do not queue behind it
		return err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return &CancelError{Op: op, Reader: c.reader, Err: ctx.Err()}
	}
	h, err := c.handle()
	if err != nil {
		<-c.sem
		return err
	}
	done := make(chan error, 1)
	go func() { done <- fn(h) }()
	select {
	case err := <-done:
		c.mu.Lock()
		if c.closed { // closed during the call
			c.releaseLocked()
		}
		c.mu.Unlock()
		<-c.sem
		return err
	case <-ctx.Done():
		c.mu.Lock()
		c.abandoned = true
		c.mu.Unlock()
		go c.finish(done)
		return &CancelError{Op: op, Reader: c.reader, Err: ctx.Err()}
	}
}

func (c *Card) handle() (*scard.Card, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.abandoned:
		return nil, fmt.Errorf("%w: %s", ErrAbandoned, c.reader)
	case c.h == nil || c.closed:
		return nil, ErrClosed
	}
	return c.h, nil
}

// finish waits for an abandoned call and frees what it held.
func (c *Card) finish(done <-chan error) {
	<-done
	c.mu.Lock()
	c.releaseLocked()
	c.mu.Unlock()
	<-c.sem
}

// releaseLocked resets and disconnects the card and releases the context.
func (c *Card) releaseLocked() {
	_ = c.disconnectLocked()
}

// disconnectLocked resets and disconnects the card, releases the context
// and closes gone; it returns the error of the disconnect.
func (c *Card) disconnectLocked() error {
	if c.sc == nil {
		return nil
	}
	var err error
	if c.h != nil {
		err = c.h.Disconnect(scard.ResetCard)
		c.h = nil
	}
	_ = c.sc.Release()
	c.sc = nil
	close(c.gone)
	return err
}

// Released is closed once the connection is gone: after Close, or after
// an abandoned call (see CancelError) ended and its connection was closed.
// The kiosk may wait on it before connecting to the same card again.
func (c *Card) Released() <-chan struct{} { return c.gone }

// removalWait is how long a failed transmit waits for pcscd to notice that
// the card left (pcscd polls the readers about every 400 ms).
const removalWait = 1500 * time.Millisecond

// transmitError tells a card pulled out mid-command (which pcscd first
// reports as a failed transaction) from other failures: it asks pcscd for
// the reader's state and, if the card still looks present, waits for a
// change for at most removalWait.
func (c *Card) transmitError(err error) error {
	err = wrap("transmit", err)
	if errors.Is(err, ErrCardRemoved) || errors.Is(err, ErrNoService) || errors.Is(err, ErrCardReset) {
		return err
	}
	sc, e := scard.EstablishContext()
	if e != nil {
		return err
	}
	defer sc.Release()
	rs := []scard.ReaderState{{Reader: c.reader, CurrentState: scard.StateUnaware}}
	if sc.GetStatusChange(rs, 0) != nil {
		return err
	}
	if present(rs[0].EventState) {
		rs[0].CurrentState = rs[0].EventState &^ scard.StateChanged
		if e := sc.GetStatusChange(rs, removalWait); e != nil || present(rs[0].EventState) {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrCardRemoved, err)
}

func present(s scard.StateFlag) bool {
	return s&scard.StatePresent != 0 && s&scard.StateMute == 0
}

// Close disconnects and resets the card, so that a verified PIN or a
// selected key does not survive into the next session. Closing a card that
// was pulled out is not an error. Close never waits for a card that does
// not answer: a call still in flight frees the connection when it ends.
func (c *Card) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	default:
		return nil // the call in flight (or finish) releases
	}
	if err := wrap("disconnect", c.disconnectLocked()); err != nil && !isGone(err) {
		return err
	}
	return nil
}
