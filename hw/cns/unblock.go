package cns

import (
	"context"
	"errors"
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

// PUKError is a wrong PUK with the number of tries the card has left. It
// matches [ErrWrongPUK]; with no tries left it also matches [ErrPUKBlocked].
type PUKError struct {
	TriesLeft int
}

func (e *PUKError) Error() string {
	return fmt.Sprintf("cns: wrong PUK, %d tries left", e.TriesLeft)
}

// Is makes errors.Is(err, ErrWrongPUK) true, and ErrPUKBlocked at 0 tries.
func (e *PUKError) Is(target error) bool {
	return target == ErrWrongPUK || (target == ErrPUKBlocked && e.TriesLeft == 0)
}

// Unblock sends RESET RETRY COUNTER (00 2C 00 10, data PUK || new PIN,
// each padded with FF to 8 bytes as VERIFY pads): with the right puk the
// card sets the PIN to newPIN and gives back every PIN try. A wrong PUK
// returns a [*PUKError]; a blocked PUK an error matching [ErrPUKBlocked]
// (the card can then only be reissued). Neither code is logged or kept.
func Unblock(ctx context.Context, t Transmitter, puk, newPIN string) error {
	pukB, err := pinBlock(puk)
	if err != nil {
		return fmt.Errorf("PUK: %w", err)
	}
	defer clear(pukB)
	pinB, err := pinBlock(newPIN)
	if err != nil {
		return fmt.Errorf("new PIN: %w", err)
	}
	defer clear(pinB)
	data := append(pukB, pinB...)
	defer clear(data)
	r, err := apdu.Exchange(ctx, t, apdu.Command{INS: 0x2C, P1: 0x00, P2: PINRef, Data: data})
	if err != nil {
		return err
	}
	return pukStatus(r)
}

// VerifyPUK presents puk for reference [PUKRef] without changing the PIN.
func VerifyPUK(ctx context.Context, t Transmitter, puk string) error {
	block, err := pinBlock(puk)
	if err != nil {
		return fmt.Errorf("PUK: %w", err)
	}
	defer clear(block)
	r, err := apdu.Exchange(ctx, t, apdu.Command{INS: 0x20, P2: PUKRef, Data: block})
	if err != nil {
		return err
	}
	return pukStatus(r)
}

func pukStatus(r apdu.Response) error {
	err := pinStatus(r)
	if pe, ok := errors.AsType[*PINError](err); ok {
		return &PUKError{TriesLeft: pe.TriesLeft}
	}
	if errors.Is(err, ErrPINBlocked) {
		return fmt.Errorf("%w (%04X)", ErrPUKBlocked, r.SW)
	}
	return err
}
