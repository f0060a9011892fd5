package vcard

import "errors"

// Sentinel errors.
var (
	ErrProfile      = errors.New("vcard: invalid profile")
	ErrFrameTooLong = errors.New("vcard: frame longer than 65535 bytes")
	ErrInserted     = errors.New("vcard: a card is already inserted in this slot")
	ErrNotInserted  = errors.New("vcard: no card inserted in this slot")
	ErrSlotLock     = errors.New("vcard: cannot lock the vpcd slots")
	ErrDial         = errors.New("vcard: cannot reach vpcd (is pcscd running with the vpcd driver?)")
)
