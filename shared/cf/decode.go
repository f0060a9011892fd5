package cf

import (
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/shared/belfiore"
)

// now is the clock of Validate and Normalize.
var now = time.Now

// Info is what a codice fiscale says about its holder.
type Info struct {
	Code        string         // the code, canonical (upper case, no spaces)
	Base        string         // the code without omocodia; equals Code if Omocode is false
	SurnameCode string         // the three surname letters, e.g. "RSS"
	NameCode    string         // the three name letters, e.g. "MRA"
	BirthDate   time.Time      // midnight UTC of the birth date
	Sex         string         // "M" or "F"
	Place       belfiore.Place // place of birth, as it was on BirthDate
	Omocode     bool           // some digits were replaced by letters
}

// Validate reports whether s is a valid codice fiscale: 16 characters of
// the right class at each position (spaces and case ignored), a matching
// check character, a birth date that exists and a place of birth valid on
// it. Omocode variants are valid. It decodes s as of now; see [Decode].
func Validate(s string) error {
	_, err := Decode(s, now())
	return err
}

// Decode validates s and returns what it says. The two-digit year is
// resolved to the most recent year in which the birth date is not after
// asOf (the date of the check, usually today).
func Decode(s string, asOf time.Time) (Info, error) {
	code := clean(s)
	if err := shape(code); err != nil {
		return Info{}, err
	}
	b := base(code)
	info := Info{Code: code, Base: b, SurnameCode: b[0:3], NameCode: b[3:6], Sex: "M", Omocode: b != code}
	day := atoi2(b[9:11])
	if day > 40 {
		info.Sex, day = "F", day-40
	}
	month := strings.IndexByte(months, b[8]) + 1
	if day < 1 || day > 31 {
		return Info{}, fmt.Errorf("%w: day %s", ErrDate, b[9:11])
	}
	born, err := birthDate(atoi2(b[6:8]), time.Month(month), day, asOf)
	if err != nil {
		return Info{}, err
	}
	info.BirthDate = born
	place, err := belfiore.Check(b[11:15], born)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrPlace, err)
	}
	info.Place = place
	return info, nil
}

// birthDate resolves a two-digit year: the latest year ending in yy whose
// m/d is not after asOf. It fails if that day does not exist (30 February,
// or 29 February of a year that is not a leap year).
func birthDate(yy int, m time.Month, d int, asOf time.Time) (time.Time, error) {
	ay, am, ad := asOf.Date()
	limit := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	y := ay - ay%100 + yy
	if time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d-1).After(limit) {
		y -= 100
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, fmt.Errorf("%w: %04d-%02d-%02d does not exist", ErrDate, y, m, d)
	}
	return t, nil
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
