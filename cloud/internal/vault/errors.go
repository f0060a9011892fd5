package vault

import "errors"

// Sentinel errors, wrapped with detail by the functions that return them.
var (
	ErrKeyFile     = errors.New("vault: bad key file")
	ErrPermissions = errors.New("vault: key file permissions too open (want 0600)")
	ErrUnknownKey  = errors.New("vault: unknown key id")
	ErrOpen        = errors.New("vault: cannot open sealed secrets (wrong card or tampered)")
	ErrSecret      = errors.New("vault: invalid secret")
)
