package broker

import "errors"

// Errors returned by this package.
var (
	ErrNoTLS    = errors.New("broker: TLS configuration required")
	ErrNotReady = errors.New("broker: not listening yet")
)
