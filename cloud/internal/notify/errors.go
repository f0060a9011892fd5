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
	// ErrSenderConfig marks a refusal that points at our side (credentials,
	// URL, size limit, sender address): the notice is retried and an
	// operator is alerted, because no retry helps until someone fixes it.
	ErrSenderConfig = errors.New("notify: sender refused the request (configuration)")
)
