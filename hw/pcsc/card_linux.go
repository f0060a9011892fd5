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
type Card struct {
	reader string
	atr    []byte

	mu sync.Mutex
	h  *scard.Card
}

// Reader returns the name of the card's reader.
func (c *Card) Reader() string { return c.reader }

// ATR returns the card's answer to reset.
func (c *Card) ATR() []byte { return append([]byte(nil), c.atr...) }

// Transmit sends one command APDU. PC/SC calls cannot be interrupted, so ctx
// is checked before the call; a card pulled out during the call gives
// ErrCardRemoved. If another application reset the card, Transmit
// reconnects (leaving the card as it is) and sends the command once more;
// the card's security state (a verified PIN, a selected key or file) was
// lost with the reset, so a command that needs it fails with the card's
// own status word, and a second reset gives ErrCardReset.
func (c *Card) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h == nil {
		return nil, ErrClosed
	}
	out, err := c.h.Transmit(cmd)
	if errors.Is(err, scard.ErrResetCard) {
		if err = c.h.Reconnect(scard.ShareShared, scard.ProtocolAny, scard.LeaveCard); err != nil {
			return nil, c.transmitError(err)
		}
		out, err = c.h.Transmit(cmd)
	}
	if err != nil {
		return nil, c.transmitError(err)
	}
	return out, nil
}

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
// was pulled out is not an error.
func (c *Card) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h == nil {
		return nil
	}
	err := c.h.Disconnect(scard.ResetCard)
	c.h = nil
	if err = wrap("disconnect", err); err != nil && !isGone(err) {
		return err
	}
	return nil
}
