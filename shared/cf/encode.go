package cf

import (
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/shared/belfiore"
	"cnskiosk.dev/shared/internal/translit"
)

// Person is what the codice fiscale is computed from.
type Person struct {
	Surname   string
	Name      string
	BirthDate time.Time // only the calendar date counts
	Sex       string    // "M" or "F"
	PlaceCode string    // Belfiore code of the comune or foreign state of birth
}

// Encode computes the codice fiscale of p, without omocodia. Accents,
// apostrophes and spaces of the names are ignored (D'Amico = DAMICO). The
// place must have been valid on the birth date.
func Encode(p Person) (string, error) {
	sur, name := translit.Letters(p.Surname), translit.Letters(p.Name)
	if sur == "" || name == "" {
		return "", fmt.Errorf("%w: %q %q", ErrName, p.Surname, p.Name)
	}
	if p.BirthDate.IsZero() {
		return "", fmt.Errorf("%w: no birth date", ErrDate)
	}
	y, m, d := p.BirthDate.Date()
	switch strings.ToUpper(p.Sex) {
	case "M":
	case "F":
		d += 40
	default:
		return "", fmt.Errorf("%w: %q", ErrSex, p.Sex)
	}
	place := strings.ToUpper(strings.TrimSpace(p.PlaceCode))
	if _, err := belfiore.Check(place, p.BirthDate); err != nil {
		return "", fmt.Errorf("%w: %w", ErrPlace, err)
	}
	s := fmt.Sprintf("%s%s%02d%c%02d%s", surnameCode(sur), nameCode(name), y%100, months[m-1], d, place)
	return s + string(CheckChar(s)), nil
}

// surnameCode is consonants, then vowels, then X, three letters.
func surnameCode(s string) string {
	cons, vow := split(s)
	return (cons + vow + "XXX")[:3]
}

// nameCode is like surnameCode, but with four or more consonants it takes
// the 1st, 3rd and 4th.
func nameCode(s string) string {
	cons, vow := split(s)
	if len(cons) >= 4 {
		return cons[0:1] + cons[2:4]
	}
	return (cons + vow + "XXX")[:3]
}

func split(s string) (cons, vow string) {
	var c, v strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("AEIOU", s[i]) >= 0 {
			v.WriteByte(s[i])
		} else {
			c.WriteByte(s[i])
		}
	}
	return c.String(), v.String()
}
