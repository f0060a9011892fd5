package pcsc

import (
	"errors"
	"fmt"
)

// Sentinel errors.
var (
	ErrNoService   = errors.New("pcsc: pcscd is not running (start it: pcscd -f, or make services)")
	ErrNoReader    = errors.New("pcsc: no reader matches")
	ErrNoCard      = errors.New("pcsc: no card in the reader")
	ErrCardRemoved = errors.New("pcsc: card removed")
	ErrCardReset   = errors.New("pcsc: card reset by another application")
	ErrClosed      = errors.New("pcsc: closed")
	ErrAbandoned   = errors.New("pcsc: the card did not answer in time; its connection was abandoned (connect again)")
	ErrUnsupported = errors.New("pcsc: this build has no PC/SC: it needs Linux, cgo and libpcsclite (build with CGO_ENABLED=1, apt install libpcsclite-dev)")
)

func isGone(err error) bool {
	return errors.Is(err, ErrCardRemoved) || errors.Is(err, ErrNoCard)
}

// CancelError is returned when ctx ended before pcscd answered a call
// (Connect, Transmit). PC/SC cannot interrupt a command the reader is
// running, so the call goes on in the background and the Card is spent:
// further calls give ErrAbandoned. When the card answers (or is pulled
// out) the background call ends, the card is reset and disconnected, and a
// new Connect works. errors.Is(err, ErrAbandoned) and
// errors.Is(err, context.DeadlineExceeded) (or context.Canceled) both hold.
type CancelError struct {
	Op     string // "connect", "transmit"
	Reader string
	Err    error // ctx.Err()
}

func (e *CancelError) Error() string {
	return fmt.Sprintf("pcsc: %s %s: %v: the card did not answer", e.Op, e.Reader, e.Err)
}

// Unwrap gives ErrAbandoned and ctx.Err().
func (e *CancelError) Unwrap() []error { return []error{ErrAbandoned, e.Err} }
