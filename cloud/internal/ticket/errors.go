package ticket

import "errors"

// Sentinel errors.
var (
	ErrNotFound   = errors.New("ticket: not found")
	ErrStatus     = errors.New("ticket: invalid status")
	ErrQueue      = errors.New("ticket: invalid queue")
	ErrTransition = errors.New("ticket: status change not allowed")
	ErrCursor     = errors.New("ticket: invalid page cursor")
)
