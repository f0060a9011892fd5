package store

import "errors"

// Errors returned by this package.
var (
	ErrOpen      = errors.New("store: open database")
	ErrMigrate   = errors.New("store: migrate schema")
	ErrTxRetries = errors.New("store: transaction still conflicting after retries")
)
