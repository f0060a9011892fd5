package team

import (
	"fmt"
	"strconv"
	"strings"
)

// Prefix starts every Italian Codice TEAM: 80 (health), 380 (Italy), 00.
const Prefix = "8038000"

// Length is the number of digits of a Codice TEAM.
const Length = 20

// Code is a valid Codice TEAM.
type Code struct{ s string }

// String returns the 20 digits.
func (c Code) String() string { return c.s }

// IsZero reports whether c is the zero Code.
func (c Code) IsZero() bool { return c.s == "" }

// Region returns the 3-digit region code as a number (Toscana is 90).
func (c Code) Region() int { n, _ := strconv.Atoi(c.s[7:10]); return n }

// Serial returns the 9-digit serial.
func (c Code) Serial() int { n, _ := strconv.Atoi(c.s[10:19]); return n }

// RegionName returns the name of the region, or "" if the code is not one
// of the 21 regions and autonomous provinces.
func (c Code) RegionName() string { return regions[c.Region()] }

// regions are the ISTAT codes of the regions and autonomous provinces as
// used by the health service.
var regions = map[int]string{
	10: "Piemonte", 20: "Valle d'Aosta", 30: "Lombardia", 41: "P.A. Bolzano", 42: "P.A. Trento",
	50: "Veneto", 60: "Friuli-Venezia Giulia", 70: "Liguria", 80: "Emilia-Romagna", 90: "Toscana",
	100: "Umbria", 110: "Marche", 120: "Lazio", 130: "Abruzzo", 140: "Molise", 150: "Campania",
	160: "Puglia", 170: "Basilicata", 180: "Calabria", 190: "Sicilia", 200: "Sardegna",
}

// Validate reports whether s is a valid Codice TEAM (spaces ignored).
func Validate(s string) error {
	_, err := Parse(s)
	return err
}

// Normalize returns the canonical 20 digits of s if it is valid.
func Normalize(s string) (string, error) {
	c, err := Parse(s)
	return c.s, err
}

// Parse checks s (spaces ignored) and returns it as a Code.
func Parse(s string) (Code, error) {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != Length {
		return Code{}, fmt.Errorf("%w: %d characters", ErrLength, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return Code{}, fmt.Errorf("%w: %q at position %d", ErrDigits, s[i], i+1)
		}
	}
	if !strings.HasPrefix(s, Prefix) {
		return Code{}, fmt.Errorf("%w: %s", ErrPrefix, s[:7])
	}
	if d := Luhn(s[:19]); d != s[19] {
		return Code{}, fmt.Errorf("%w: %c, want %c", ErrCheckDigit, s[19], d)
	}
	return Code{s}, nil
}

// New builds the Codice TEAM of serial in region (0..999 and
// 0..999999999).
func New(region, serial int) (string, error) {
	if region < 0 || region > 999 || serial < 0 || serial > 999_999_999 {
		return "", fmt.Errorf("%w: region %d, serial %d", ErrRange, region, serial)
	}
	s := fmt.Sprintf("%s%03d%09d", Prefix, region, serial)
	return s + string(Luhn(s)), nil
}

// Luhn returns the Luhn check digit of the decimal digits s.
func Luhn(s string) byte {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
