package cardimport

import "errors"

// Sentinel errors.
var (
	ErrHeader = errors.New("cardimport: bad header")
	ErrWrite  = errors.New("cardimport: database write failed")
	ErrRead   = errors.New("cardimport: cannot read the file")

	// Row errors, wrapped in the reason of a rejected row.
	ErrFields  = errors.New("wrong number of fields")
	ErrCF      = errors.New("invalid cf")
	ErrTEAM    = errors.New("invalid team")
	ErrDate    = errors.New("invalid date")
	ErrExpiry  = errors.New("invalid expiry")
	ErrSex     = errors.New("invalid sex")
	ErrName    = errors.New("invalid name")
	ErrPlace   = errors.New("invalid birth_place")
	ErrSecret  = errors.New("invalid pin or puk")
	ErrMatch   = errors.New("cf does not match the holder data")
	ErrSyntax  = errors.New("csv syntax error")
	ErrTooLong = errors.New("field too long")

	// ErrLineTooLong and ErrSyntax mark lines that could not be read as
	// CSV (counted in Summary.Unreadable).
	ErrLineTooLong = errors.New("line too long")

	// ErrConflict: the row's TEAM is stored with other registry data or
	// other PIN/PUK. The stored card is kept.
	ErrConflict = errors.New("card conflict")
)
