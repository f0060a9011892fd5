package opauth

import "errors"

// Reasons a response is refused, wrapped with detail in the logs.
var (
	ErrNonce     = errors.New("opauth: nonce unknown, expired, used or bound elsewhere")
	ErrCert      = errors.New("opauth: certificate invalid or not from the operator CA")
	ErrCF        = errors.New("opauth: certificate names another CF")
	ErrSignature = errors.New("opauth: bad signature")
	ErrOperator  = errors.New("opauth: operator not registered, disabled or not allowed here")
)
