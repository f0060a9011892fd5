package pcsc

import (
	"context"
	"errors"
	"log/slog"

	"cnskiosk.dev/hw/cns"
)

// ReadInserted reads the card in the first reader whose name contains
// readerSubstr ("" for any) and that holds a card, and returns it parsed, with no PIN involved: for
// diagnostics (hwdiag card) and the kiosk's card step.
func ReadInserted(ctx context.Context, log *slog.Logger, readerSubstr string) (card cns.Card, err error) {
	pc, err := Open(log)
	if err != nil {
		return cns.Card{}, err
	}
	defer func() { err = errors.Join(err, pc.Close()) }()
	reader, err := pc.ReaderWithCard(readerSubstr)
	if err != nil {
		return cns.Card{}, err
	}
	c, err := pc.Connect(ctx, reader)
	if err != nil {
		return cns.Card{}, err
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	return cns.ReadCard(ctx, c)
}

// ResolveSlots connects to pcscd and resolves s: for diagnostics and for
// a kiosk that starts before its readers are plugged in (retry on
// ErrNoReader).
func ResolveSlots(log *slog.Logger, s Slots) (a Assignment, err error) {
	pc, err := Open(log)
	if err != nil {
		return Assignment{}, err
	}
	defer func() { err = errors.Join(err, pc.Close()) }()
	return pc.Slots(s)
}
