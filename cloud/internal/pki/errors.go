package pki

import "errors"

// Errors returned by this package, wrapped with detail.
var (
	ErrNoCA       = errors.New("pki: no CA in directory")
	ErrBadPEM     = errors.New("pki: bad PEM data")
	ErrBadName    = errors.New("pki: bad certificate name")
	ErrNoPeerCert = errors.New("pki: no peer certificate")
)
