package rules

import (
	"fmt"
	"strings"
	"time"
)

// CheckCF validates a codice fiscale: 16 characters, letters and digits in
// their positions (digits may be omocodia letters), a possible birth date
// and the check character.
func CheckCF(s string) error {
	if len(s) != 16 {
		return fmt.Errorf("%w: length %d", ErrCF, len(s))
	}
	for i := 0; i < 16; i++ {
		c := s[i]
		switch {
		case i == 6 || i == 7 || i == 9 || i == 10 || (i >= 12 && i <= 14):
			if !isDigit(c) && !strings.ContainsRune(omocodia, rune(c)) {
				return fmt.Errorf("%w: position %d", ErrCF, i+1)
			}
		case !isUpper(c):
			return fmt.Errorf("%w: position %d", ErrCF, i+1)
		}
	}
	if cfCheck(s[:15]) != s[15] {
		return fmt.Errorf("%w: check character", ErrCF)
	}
	if _, _, err := cfBirth(s); err != nil {
		return err
	}
	return nil
}

const (
	omocodia = "LMNPQRSTUV"
	months   = "ABCDEHLMPRST"
)

var cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

func cfCheck(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		v := cfValue(s[i])
		if i%2 == 0 {
			sum += cfOdd[v]
		} else {
			sum += evenValue(s[i])
		}
	}
	return byte('A' + sum%26)
}

// evenValue is the EVEN table: a digit is its value, A-Z are 0-25.
func evenValue(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c - 'A')
}

// cfValue maps 0-9 to 0-9 and A-Z to 10-35, the index in the ODD table.
func cfValue(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// digit reads one date/place digit, undoing omocodia.
func digit(c byte) int {
	if i := strings.IndexByte(omocodia, c); i >= 0 {
		return i
	}
	return int(c - '0')
}

// cfBirth returns the two-digit year, month and day of the codice fiscale.
func cfBirth(s string) (yy int, md time.Time, err error) {
	yy = digit(s[6])*10 + digit(s[7])
	m := strings.IndexByte(months, s[8])
	d := digit(s[9])*10 + digit(s[10])
	if d > 40 {
		d -= 40
	}
	if m < 0 || d < 1 || d > 31 {
		return 0, time.Time{}, fmt.Errorf("%w: birth date", ErrCF)
	}
	md = time.Date(2000, time.Month(m+1), d, 0, 0, 0, 0, time.UTC) // leap year: 29 Feb passes
	if md.Day() != d {
		return 0, time.Time{}, fmt.Errorf("%w: birth date", ErrCF)
	}
	return yy, md, nil
}

// CFBirthDate decodes the birth date of a valid codice fiscale, choosing
// the century so that the date is not after asOf.
func CFBirthDate(s string, asOf time.Time) (time.Time, error) {
	if err := CheckCF(s); err != nil {
		return time.Time{}, err
	}
	yy, md, _ := cfBirth(s)
	year := asOf.Year()/100*100 + yy
	t := time.Date(year, md.Month(), md.Day(), 0, 0, 0, 0, time.UTC)
	if t.After(asOf) {
		t = t.AddDate(-100, 0, 0)
	}
	return t, nil
}

// CheckTEAM validates a Codice TEAM: 20 digits, "80380" (health, Italy)
// and a Luhn check digit.
func CheckTEAM(s string) error {
	if len(s) != 20 {
		return fmt.Errorf("%w: length %d", ErrTEAM, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return fmt.Errorf("%w: not digits", ErrTEAM)
		}
	}
	if !strings.HasPrefix(s, "80380") {
		return fmt.Errorf("%w: not an Italian health card number", ErrTEAM)
	}
	if !luhn(s) {
		return fmt.Errorf("%w: check digit", ErrTEAM)
	}
	return nil
}

func luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// CompleteCF appends the check character to the first 15 characters of a
// codice fiscale (for test data and imports).
func CompleteCF(first15 string) string { return first15 + string(cfCheck(first15)) }

// CompleteTEAM appends the Luhn check digit to the first 19 digits of a
// Codice TEAM.
func CompleteTEAM(first19 string) string {
	for d := byte('0'); d <= '9'; d++ {
		if luhn(first19 + string(d)) {
			return first19 + string(d)
		}
	}
	return first19
}
