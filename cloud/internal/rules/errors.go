package rules

import "errors"

// ErrContact: an e-mail address or mobile number is not valid. Decide maps
// it to invalid_contact. Codice fiscale and TEAM errors are those of
// shared/cf and shared/team.
var ErrContact = errors.New("rules: contact not valid")
