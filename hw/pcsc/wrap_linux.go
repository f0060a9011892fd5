//go:build cgo

package pcsc

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// wrap maps scard errors to the sentinels above, keeping the original.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var s error
	switch {
	case errors.Is(err, scard.ErrNoService), errors.Is(err, scard.ErrServiceStopped):
		s = ErrNoService
	case errors.Is(err, scard.ErrRemovedCard):
		s = ErrCardRemoved
	case errors.Is(err, scard.ErrResetCard):
		s = ErrCardReset
	case errors.Is(err, scard.ErrNoSmartcard), errors.Is(err, scard.ErrUnpoweredCard):
		s = ErrNoCard
	case errors.Is(err, scard.ErrUnknownReader), errors.Is(err, scard.ErrReaderUnavailable):
		s = ErrNoReader
	default:
		return fmt.Errorf("pcsc: %s: %w", op, err)
	}
	return fmt.Errorf("%w: %s: %w", s, op, err)
}
