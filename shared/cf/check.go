package cf

import (
	"fmt"
	"strings"
)

// oddValue is the value of a character at an odd position (1st, 3rd, ...);
// digits 0-9 count as A-J.
var oddValue = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// months maps month 1..12 to its letter.
const months = "ABCDEHLMPRST"

// omocodes maps a digit to the letter that replaces it in omocodia.
const omocodes = "LMNPQRSTUV"

// omoPos are the positions (0-based) of the digits omocodia may replace,
// right to left.
var omoPos = [7]int{14, 13, 12, 10, 9, 7, 6}

// CheckChar returns the check character of the first 15 characters of s,
// which must be upper case letters and digits.
func CheckChar(s string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		v := int(s[i] - 'A')
		if s[i] <= '9' {
			v = int(s[i] - '0')
		}
		if i%2 == 0 {
			sum += oddValue[v]
		} else {
			sum += v
		}
	}
	return byte('A' + sum%26)
}

// Normalize returns the canonical form of s (upper case, spaces removed) if
// it is a valid codice fiscale; see [Validate].
func Normalize(s string) (string, error) {
	info, err := Decode(s, now())
	if err != nil {
		return "", err
	}
	return info.Code, nil
}

// clean upper-cases s and removes spaces and tabs around and inside it.
func clean(s string) string {
	if canonical(s) {
		return s
	}
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s))
}

// shape checks length, the character class of every position and the
// check character of an already cleaned code.
func shape(s string) error {
	if len(s) != 16 {
		return fmt.Errorf("%w: %d characters", ErrLength, len(s))
	}
	for i := 0; i < 16; i++ {
		if !allowed(i, s[i]) {
			return fmt.Errorf("%w: %q at position %d", ErrCharset, s[i], i+1)
		}
	}
	if c := CheckChar(s); c != s[15] {
		return fmt.Errorf("%w: %c, want %c", ErrCheckChar, s[15], c)
	}
	return nil
}

func allowed(i int, c byte) bool {
	letter := c >= 'A' && c <= 'Z'
	switch i {
	case 6, 7, 9, 10, 12, 13, 14:
		return c >= '0' && c <= '9' || strings.IndexByte(omocodes, c) >= 0
	case 8:
		return strings.IndexByte(months, c) >= 0
	default:
		return letter
	}
}

// canonical reports whether s has no lower case letters, spaces or tabs.
func canonical(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || c == '\t' || c >= 'a' && c <= 'z' || c >= 0x80 {
			return false
		}
	}
	return true
}
