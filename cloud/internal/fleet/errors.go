package fleet

import "errors"

// Errors returned by this package, wrapped with detail.
var (
	ErrUnknownDevice = errors.New("fleet: unknown device")
	ErrDisabled      = errors.New("fleet: device disabled")
	ErrUnknownCert   = errors.New("fleet: certificate not issued by this fleet")
	ErrRevoked       = errors.New("fleet: certificate revoked")
	ErrExists        = errors.New("fleet: device already registered")
	ErrUnknownCmd    = errors.New("fleet: unknown command")
	ErrInvalid       = errors.New("fleet: invalid argument")
	ErrCursor        = errors.New("fleet: invalid health history cursor")
	// ErrNotDelivered: the change is stored but could not be handed to the
	// broker now; config is republished at start, a command stays listed.
	ErrNotDelivered = errors.New("fleet: stored, not delivered to the broker")
)
