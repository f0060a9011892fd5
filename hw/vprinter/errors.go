package vprinter

import "errors"

// Errors of the virtual printer.
var (
	ErrControl  = errors.New("vprinter: unknown control command")
	ErrTooLarge = errors.New("vprinter: command larger than the input buffer")
	ErrClosed   = errors.New("vprinter: closed")
)
