package gpiosim

import "errors"

var (
	// ErrInhibited: the acceptor refused a coin because INHIBIT was asserted.
	ErrInhibited = errors.New("gpiosim: coin refused, acceptor inhibited")
	// ErrValue: the amount is not a positive multiple of the pulse value.
	ErrValue = errors.New("gpiosim: amount not a multiple of the pulse value")
)
