package web

import "errors"

// Sentinel errors.
var (
	ErrConfig    = errors.New("web: invalid configuration")
	ErrForbidden = errors.New("web: forbidden")
	ErrBadInput  = errors.New("web: bad input")
)
