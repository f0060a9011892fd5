package belfiore

import "errors"

// Errors returned by [Check].
var (
	ErrUnknown  = errors.New("belfiore: unknown code")
	ErrNotValid = errors.New("belfiore: code not valid on that date")
	ErrSyntax   = errors.New("belfiore: code is not a letter and three digits")
)
