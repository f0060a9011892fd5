package audit

import "errors"

// Sentinel errors.
var (
	ErrRecord = errors.New("audit: invalid record")
	ErrStore  = errors.New("audit: database error")
)
