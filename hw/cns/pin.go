package cns

import (
	"context"
	"errors"
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

// PIN references. Some card masks use 0x90 for the PIN [A]; this is the one
// place to change it.
const (
	PINRef = 0x10
	PUKRef = 0x11
)

// PINError is a wrong PIN with the number of tries the card has left. It
// matches [ErrWrongPIN]; with no tries left it also matches [ErrPINBlocked].
type PINError struct {
	TriesLeft int
}

func (e *PINError) Error() string {
	return fmt.Sprintf("cns: wrong PIN, %d tries left", e.TriesLeft)
}

// Is makes errors.Is(err, ErrWrongPIN) true, and ErrPINBlocked at 0 tries.
func (e *PINError) Is(target error) bool {
	return target == ErrWrongPIN || (target == ErrPINBlocked && e.TriesLeft == 0)
}

// VerifyPIN presents pin (5 to 8 ASCII digits) for reference [PINRef].
// It returns nil when the card accepts it, a [*PINError] when it is wrong,
// and an error matching [ErrPINBlocked] when the PIN is blocked.
func VerifyPIN(ctx context.Context, t Transmitter, pin string) error {
	return verify(ctx, t, PINRef, pin)
}

func verify(ctx context.Context, t Transmitter, ref byte, pin string) error {
	block, err := pinBlock(pin)
	if err != nil {
		return err
	}
	defer clear(block)
	r, err := apdu.Exchange(ctx, t, apdu.Command{INS: 0x20, P2: ref, Data: block})
	if err != nil {
		return err
	}
	return pinStatus(r)
}

// PINTriesLeft asks the card how many PIN tries are left (VERIFY with no
// data); it returns -1 when the PIN is already verified in this session.
func PINTriesLeft(ctx context.Context, t Transmitter) (int, error) {
	r, err := apdu.Exchange(ctx, t, apdu.Command{INS: 0x20, P2: PINRef})
	if err != nil {
		return 0, err
	}
	if r.OK() {
		return -1, nil
	}
	err = pinStatus(r)
	if pe, ok := errors.AsType[*PINError](err); ok {
		return pe.TriesLeft, nil
	}
	if errors.Is(err, ErrPINBlocked) {
		return 0, nil
	}
	return 0, err
}

func pinStatus(r apdu.Response) error {
	err := r.Err()
	if err == nil {
		return nil
	}
	var se *apdu.StatusError
	if !errors.As(err, &se) {
		return err
	}
	if errors.Is(err, apdu.ErrBlocked) {
		return fmt.Errorf("%w (%04X)", ErrPINBlocked, se.SW)
	}
	if n, ok := se.TriesLeft(); ok {
		return &PINError{TriesLeft: n}
	}
	return fmt.Errorf("verify: %w", err)
}

// pinBlock checks pin and pads it with FF to 8 bytes.
func pinBlock(pin string) ([]byte, error) {
	if len(pin) < 5 || len(pin) > 8 {
		return nil, ErrBadPINFormat
	}
	b := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	for i := range len(pin) {
		if pin[i] < '0' || pin[i] > '9' {
			clear(b)
			return nil, ErrBadPINFormat
		}
		b[i] = pin[i]
	}
	return b, nil
}
