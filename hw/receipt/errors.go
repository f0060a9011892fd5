package receipt

import "errors"

// Errors of the layouts.
var (
	ErrMissing = errors.New("receipt: required field missing")
	ErrSecret  = errors.New("receipt: PIN/PUK half must be 1 to 8 digits")
	ErrPaper   = errors.New("receipt: unknown paper width")
	// ErrNotMinor: parental authority declared over a holder aged 18 or more.
	ErrNotMinor = errors.New("receipt: parental authority only over a minor holder")
)
