package apdu

import "errors"

// Sentinel errors. A [StatusError] matches the one its status word belongs to.
var (
	ErrShortResponse   = errors.New("apdu: response shorter than two status bytes")
	ErrDataTooLong     = errors.New("apdu: command data longer than 255 bytes")
	ErrLeTooLarge      = errors.New("apdu: Le larger than 256")
	ErrTooManyChains   = errors.New("apdu: too many GET RESPONSE or resend rounds")
	ErrEndOfFile       = errors.New("apdu: end of file reached before Le bytes (6282)")
	ErrWarning         = errors.New("apdu: warning status")
	ErrWrongPIN        = errors.New("apdu: verification failed (63Cx)")
	ErrWrongLength     = errors.New("apdu: wrong length (6700)")
	ErrSecurity        = errors.New("apdu: security status not satisfied (6982)")
	ErrBlocked         = errors.New("apdu: authentication method blocked (6983)")
	ErrConditions      = errors.New("apdu: conditions of use not satisfied (6985)")
	ErrNoCurrentEF     = errors.New("apdu: command not allowed, no current EF (6986)")
	ErrNotAllowed      = errors.New("apdu: command not allowed")
	ErrNotFound        = errors.New("apdu: file or application not found (6A82)")
	ErrWrongParameters = errors.New("apdu: wrong parameters P1-P2")
	ErrWrongOffset     = errors.New("apdu: offset outside the EF (6B00)")
	ErrINSNotSupported = errors.New("apdu: instruction not supported (6D00)")
	ErrCLANotSupported = errors.New("apdu: class not supported (6E00)")
	ErrCardError       = errors.New("apdu: card error status")
)
