package notify

import "errors"

// Sentinel errors.
var (
	// ErrPermanent marks a failure that a retry cannot fix (bad address).
	ErrPermanent = errors.New("notify: permanent failure")
	// ErrConfig: the worker options are not usable.
	ErrConfig = errors.New("notify: invalid configuration")
	// ErrSecret: the card's secrets are missing or cannot be opened.
	ErrSecret = errors.New("notify: card secrets unavailable")
)
