package cns

import "fmt"

// The layout of EF.ID_Carta is an assumption to confirm on a real card: one
// public reader takes 12 ASCII digits after byte 0 and prefixes "8038000"
// ("80" health, "380" Italy, "00"), then appends a Luhn check digit, to get
// the 20-digit Codice TEAM printed on the back of the card. This file is the
// one place that knows it.
const (
	idCartaSerialOffset = 1
	idCartaSerialLen    = 12
	idCartaSize         = 16
	teamPrefix          = "8038000"
)

// SerialFromIDCarta returns the 12-digit serial held in EF.ID_Carta.
func SerialFromIDCarta(b []byte) (string, error) {
	if len(b) < idCartaSerialOffset+idCartaSerialLen {
		return "", fmt.Errorf("%w: %d bytes", ErrBadIDCarta, len(b))
	}
	s := b[idCartaSerialOffset : idCartaSerialOffset+idCartaSerialLen]
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("%w: serial is not 12 digits", ErrBadIDCarta)
		}
	}
	return string(s), nil
}

// TEAMFromIDCarta returns the Codice TEAM of the card whose EF.ID_Carta is b.
func TEAMFromIDCarta(b []byte) (string, error) {
	s, err := SerialFromIDCarta(b)
	if err != nil {
		return "", err
	}
	body := teamPrefix + s
	return body + string('0'+LuhnDigit(body)), nil
}

// EncodeIDCarta builds EF.ID_Carta for a Codice TEAM (the inverse of
// [TEAMFromIDCarta]): byte 0 holds the serial length, then the 12 digits,
// padded to 16 bytes. The virtual card uses it.
func EncodeIDCarta(team string) ([]byte, error) {
	if !ValidTEAM(team) || team[:len(teamPrefix)] != teamPrefix {
		return nil, fmt.Errorf("%w: %q is not a valid Codice TEAM", ErrBadIDCarta, team)
	}
	b := make([]byte, idCartaSize)
	b[0] = idCartaSerialLen
	copy(b[idCartaSerialOffset:], team[len(teamPrefix):len(teamPrefix)+idCartaSerialLen])
	return b, nil
}

// LuhnDigit returns the Luhn check digit (0-9) for the decimal string s.
func LuhnDigit(s string) byte {
	sum := 0
	double := true // the rightmost digit of s is next to the check digit
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte((10 - sum%10) % 10)
}

// ValidTEAM reports whether s is 20 digits starting with "80380" whose last
// digit is the Luhn check digit of the others.
func ValidTEAM(s string) bool {
	if len(s) != 20 || s[:5] != "80380" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return LuhnDigit(s[:19]) == s[19]-'0'
}
