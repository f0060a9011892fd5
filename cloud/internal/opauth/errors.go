package opauth

import (
	"errors"
	"fmt"
)

// Reasons a response is refused, wrapped with detail in the logs.
var (
	ErrNonce     = errors.New("opauth: nonce unknown, expired, used or bound elsewhere")
	ErrCert      = errors.New("opauth: certificate invalid or not from the operator CA")
	ErrRevoked   = fmt.Errorf("%w: revoked", ErrCert)
	ErrCF        = errors.New("opauth: certificate names another CF")
	ErrSignature = errors.New("opauth: bad signature")
	ErrOperator  = errors.New("opauth: operator not registered, disabled or not allowed here")
	// ErrTooManyChallenges: the device holds Options.MaxChallenges unused
	// challenges already (logged; the kiosk gets operator_not_authorised).
	ErrTooManyChallenges = errors.New("opauth: too many unused challenges for this device")
)
