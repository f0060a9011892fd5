package coin

import "errors"

var (
	// ErrConfig reports an invalid decoder or acceptor configuration.
	ErrConfig = errors.New("coin: invalid configuration")
	// ErrPin reports a GPIO line that could not be found or configured.
	ErrPin = errors.New("coin: gpio line")
	// ErrUnsupported reports a feature that this operating system lacks.
	ErrUnsupported = errors.New("coin: not supported on this system")
	// ErrClosed reports use of a closed Acceptor.
	ErrClosed = errors.New("coin: acceptor closed")
)
