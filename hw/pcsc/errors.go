package pcsc

import "errors"

// Sentinel errors.
var (
	ErrNoService   = errors.New("pcsc: pcscd is not running (start it: pcscd -f, or make services)")
	ErrNoReader    = errors.New("pcsc: no reader matches")
	ErrNoCard      = errors.New("pcsc: no card in the reader")
	ErrCardRemoved = errors.New("pcsc: card removed")
	ErrCardReset   = errors.New("pcsc: card reset by another application")
	ErrClosed      = errors.New("pcsc: closed")
	ErrUnsupported = errors.New("pcsc: this build has no PC/SC: it needs Linux, cgo and libpcsclite (build with CGO_ENABLED=1, apt install libpcsclite-dev)")
)

func isGone(err error) bool {
	return errors.Is(err, ErrCardRemoved) || errors.Is(err, ErrNoCard)
}
