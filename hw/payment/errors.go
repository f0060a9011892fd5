package payment

import "errors"

var (
	// ErrAmount: the amount to collect is not positive.
	ErrAmount = errors.New("payment: amount must be positive")
	// ErrTimeout: the time allowed is not positive.
	ErrTimeout = errors.New("payment: timeout must be positive")
	// ErrBusy: another payment is in progress.
	ErrBusy = errors.New("payment: another payment in progress")
	// ErrClosed: the Payment is closed or not running.
	ErrClosed = errors.New("payment: closed")
	// ErrDevice: the payment device stopped.
	ErrDevice = errors.New("payment: device stopped")
)
