package account

import "errors"

// Sentinel errors.
var (
	ErrExists      = errors.New("account: already exists")
	ErrRole        = errors.New("account: unknown role")
	ErrCredentials = errors.New("account: wrong user name or password")
	ErrNoSession   = errors.New("account: no valid session")
	ErrName        = errors.New("account: invalid user name")
	ErrPassword    = errors.New("account: password not acceptable")
	ErrUnknown     = errors.New("account: no such account")
)
