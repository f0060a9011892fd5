package rules

import (
	"time"

	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
)

// The code checks are those of shared/cf and shared/team; the rules only
// fix the date they are judged at (the operation's, not the clock's).

// checkCF validates a codice fiscale (omocodia allowed) as of asOf.
func checkCF(s string, asOf time.Time) error {
	_, err := cf.Decode(NormCF(s), asOf)
	return err
}

// checkTEAM validates a Codice TEAM.
func checkTEAM(s string) error { return team.Validate(s) }

// cfBirthDate decodes the birth date of a valid codice fiscale, choosing
// the century so that the date is not after asOf.
func cfBirthDate(s string, asOf time.Time) (time.Time, error) {
	info, err := cf.Decode(s, asOf)
	return info.BirthDate, err
}
