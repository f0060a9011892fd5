package apdu

import "fmt"

// StatusError is a status word other than 9000. errors.Is matches it against
// the sentinel of its class (see [StatusError.Is]).
type StatusError struct {
	SW uint16
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("apdu: status %04X: %s", e.SW, e.sentinel().Error()[len("apdu: "):])
}

// Unwrap returns the sentinel error of the status word's class.
func (e *StatusError) Unwrap() error { return e.sentinel() }

// TriesLeft returns x of a 63Cx status (wrong PIN, x tries left) and true;
// for 6983 it returns 0 and true; otherwise false.
func (e *StatusError) TriesLeft() (int, bool) {
	switch {
	case e.SW&0xFFF0 == 0x63C0:
		return int(e.SW & 0x0F), true
	case e.SW == SWBlocked:
		return 0, true
	}
	return 0, false
}

func (e *StatusError) sentinel() error {
	if s, ok := exact[e.SW]; ok {
		return s
	}
	switch {
	case e.SW&0xFFF0 == 0x63C0:
		return ErrWrongPIN
	case e.SW>>8 == 0x62 || e.SW>>8 == 0x63:
		return ErrWarning
	case e.SW>>8 == 0x69:
		return ErrNotAllowed
	case e.SW>>8 == 0x6A || e.SW>>8 == 0x6B:
		return ErrWrongParameters
	}
	return ErrCardError
}

var exact = map[uint16]error{
	SWEndOfFile:       ErrEndOfFile,
	SWWrongLength:     ErrWrongLength,
	SWSecurity:        ErrSecurity,
	SWBlocked:         ErrBlocked,
	SWRefDataUnusable: ErrBlocked,
	SWConditions:      ErrConditions,
	SWNoCurrentEF:     ErrNoCurrentEF,
	SWNotFound:        ErrNotFound,
	SWWrongOffset:     ErrWrongOffset,
	SWINSNotSupported: ErrINSNotSupported,
	SWCLANotSupported: ErrCLANotSupported,
}
