package escpos

import "errors"

// Errors returned by this package.
var (
	// ErrIncomplete means the bytes end inside a command: read more and try again.
	ErrIncomplete = errors.New("escpos: incomplete command")
	// ErrQRTooLong means the QR payload does not fit one GS ( k store command.
	ErrQRTooLong = errors.New("escpos: QR data too long")
)
