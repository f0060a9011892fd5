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
	// ErrSenderConfig marks a refusal that every message would meet, a
	// fault of our side (credentials, TLS, sender address), not of the
	// notice: an operator is alerted and the notice is retried without
	// counting an attempt, for at most Options.ConfigGrace.
	ErrSenderConfig = errors.New("notify: sender refused the request (configuration)")
)
