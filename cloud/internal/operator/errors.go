package operator

import "errors"

// Errors returned by the registry.
var (
	ErrNotFound = errors.New("operator: not found")
	ErrInvalid  = errors.New("operator: invalid record")
)
