package rules

import "errors"

// Errors of the code checks. Decide maps them to outcome codes.
var (
	ErrCF      = errors.New("rules: codice fiscale not valid")
	ErrTEAM    = errors.New("rules: codice TEAM not valid")
	ErrContact = errors.New("rules: contact not valid")
)
