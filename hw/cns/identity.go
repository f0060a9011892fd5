package cns

import "cnskiosk.dev/shared/cf"

// PersonalError is EF.Dati_personali that parses but cannot identify the
// holder: an empty surname or codice fiscale, or a codice fiscale whose
// check character is wrong. It matches [ErrBadPersonal].
type PersonalError struct {
	Field   string // "surname" or "cf"
	Problem string
}

func (e *PersonalError) Error() string {
	return "cns: EF.Dati_personali: " + e.Field + ": " + e.Problem
}

// Is makes errors.Is(err, ErrBadPersonal) true.
func (e *PersonalError) Is(target error) bool { return target == ErrBadPersonal }

// checkIdentity checks the fields the kiosk identifies the holder by. The
// codice fiscale is only checked for shape and check character: the
// birth place code may be one the calendar of comuni does not know yet.
func checkIdentity(p Personal) error {
	switch {
	case p.Surname == "":
		return &PersonalError{Field: "surname", Problem: "empty"}
	case p.CF == "":
		return &PersonalError{Field: "cf", Problem: "empty"}
	case len(p.CF) != 16 || !upperAlnum(p.CF):
		return &PersonalError{Field: "cf", Problem: "not 16 upper-case letters and digits"}
	case cf.CheckChar(p.CF) != p.CF[15]:
		return &PersonalError{Field: "cf", Problem: "wrong check character"}
	}
	return nil
}

func upperAlnum(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
