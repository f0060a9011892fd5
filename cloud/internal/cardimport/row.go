package cardimport

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/belfiore"
	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
)

// Header is the canonical column list of the CSV file.
var Header = []string{"cf", "team", "expiry", "surname", "name", "birth_date", "sex", "birth_place", "pin", "puk"}

const (
	colCF = iota
	colTEAM
	colExpiry
	colSurname
	colName
	colBirth
	colSex
	colPlace
	colPIN
	colPUK
)

// maxName caps surname and name (as the wire protocol does).
const maxName = 80

// Card is one validated row.
type Card struct {
	CF, TEAM        string
	Expiry, Birth   string // YYYY-MM-DD
	Surname, Name   string
	Sex, BirthPlace string
	PIN, PUK        string
}

// Lengths bounds the digits of PIN and PUK.
type Lengths struct{ PinMin, PinMax, PukMin, PukMax int }

// DefaultLengths: PIN 5 to 8 digits (the card accepts 5 to 8), PUK 8.
var DefaultLengths = Lengths{PinMin: 5, PinMax: 8, PukMin: 8, PukMax: 8}

// parseRow validates one record already mapped to canonical column order.
func parseRow(f []string, l Lengths, today time.Time) (Card, error) {
	c := Card{
		CF: strings.ToUpper(strings.TrimSpace(f[colCF])), TEAM: strings.TrimSpace(f[colTEAM]),
		Surname: strings.TrimSpace(f[colSurname]), Name: strings.TrimSpace(f[colName]),
		Sex: strings.ToUpper(strings.TrimSpace(f[colSex])), BirthPlace: strings.ToUpper(strings.TrimSpace(f[colPlace])),
		PIN: strings.TrimSpace(f[colPIN]), PUK: strings.TrimSpace(f[colPUK]),
	}
	birth, expiry, err := dates(f[colBirth], f[colExpiry], today)
	if err != nil {
		return Card{}, err
	}
	c.Birth, c.Expiry = birth.Format(time.DateOnly), expiry.Format(time.DateOnly)
	if c.TEAM, err = team.Normalize(c.TEAM); err != nil {
		return Card{}, fmt.Errorf("%w: %v", ErrTEAM, err)
	}
	if err := errors.Join(checkName("surname", c.Surname), checkName("name", c.Name)); err != nil {
		return Card{}, err
	}
	if c.Sex != "M" && c.Sex != "F" {
		return Card{}, fmt.Errorf("%w: %q (want M or F)", ErrSex, short(c.Sex))
	}
	if err := checkPlace(c.BirthPlace, birth); err != nil {
		return Card{}, err
	}
	if err := checkCF(c, birth, today); err != nil {
		return Card{}, err
	}
	return c, checkSecrets(c.PIN, c.PUK, l)
}

func dates(birthS, expiryS string, today time.Time) (birth, expiry time.Time, err error) {
	birth, err = time.Parse(time.DateOnly, strings.TrimSpace(birthS))
	if err != nil {
		return birth, expiry, fmt.Errorf("%w: birth_date %q (want YYYY-MM-DD)", ErrDate, short(birthS))
	}
	expiry, err = time.Parse(time.DateOnly, strings.TrimSpace(expiryS))
	if err != nil {
		return birth, expiry, fmt.Errorf("%w: expiry %q (want YYYY-MM-DD)", ErrDate, short(expiryS))
	}
	if err := team.CheckExpiry(expiry, today); err != nil {
		return birth, expiry, fmt.Errorf("%w: %w", ErrExpiry, err)
	}
	switch {
	case birth.After(today):
		return birth, expiry, fmt.Errorf("%w: birth_date %s is in the future", ErrDate, birth.Format(time.DateOnly))
	case birth.Year() < 1880:
		return birth, expiry, fmt.Errorf("%w: birth_date %s is too old", ErrDate, birth.Format(time.DateOnly))
	case !expiry.After(birth):
		return birth, expiry, fmt.Errorf("%w: expiry %s is not after the birth date", ErrDate, expiry.Format(time.DateOnly))
	}
	return birth, expiry, nil
}

func checkName(field, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: %s is empty", ErrName, field)
	case len(s) > maxName*2 || utf8.RuneCountInString(s) > maxName:
		return fmt.Errorf("%w: %s longer than %d characters", ErrName, field, maxName)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not UTF-8", ErrName, field)
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !strings.ContainsRune(" '-.", r) {
			return fmt.Errorf("%w: %s has character %q", ErrName, field, r)
		}
	}
	return nil
}

func checkPlace(code string, birth time.Time) error {
	if code == "" {
		return nil
	}
	if _, err := belfiore.Check(code, birth); err != nil {
		return fmt.Errorf("%w: %v", ErrPlace, err)
	}
	return nil
}

// checkCF validates the code and that it was computed for the holder of
// the row: surname and name letters, birth date, sex and (if given) place
// of birth, as [cf.Mismatch] compares them.
func checkCF(c Card, birth, today time.Time) error {
	fields, err := cf.Mismatch(c.CF, cf.Person{Surname: c.Surname, Name: c.Name, BirthDate: birth, Sex: c.Sex, PlaceCode: c.BirthPlace})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCF, err)
	}
	if c.BirthPlace == "" {
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == cf.FieldBirthPlace })
	}
	if len(fields) == 0 {
		return nil
	}
	info, err := cf.Decode(c.CF, today) // only to say what the code holds
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCF, err)
	}
	diff := make([]string, len(fields))
	for i, f := range fields {
		switch f {
		case cf.FieldSurname:
			diff[i] = "surname (cf letters " + info.SurnameCode + ")"
		case cf.FieldName:
			diff[i] = "name (cf letters " + info.NameCode + ")"
		case cf.FieldBirthDate:
			diff[i] = fmt.Sprintf("birth_date (cf %s, row %s)", info.BirthDate.Format(time.DateOnly), birth.Format(time.DateOnly))
		case cf.FieldSex:
			diff[i] = fmt.Sprintf("sex (cf %s, row %s)", info.Sex, c.Sex)
		default:
			diff[i] = fmt.Sprintf("birth_place (cf %s, row %s)", info.Place.Code, c.BirthPlace)
		}
	}
	return fmt.Errorf("%w: %s", ErrMatch, strings.Join(diff, ", "))
}

// redact removes the row's PIN and PUK from a reason, in case a shifted
// or mistyped row put one of them in a field that a reason quotes; and,
// since a swapped row may put another row's secret or this row's secret in
// a column the reason quotes while the pin column holds something else,
// it also masks every run of 5 to 19 digits: the shape of a PIN or PUK, and
// of nothing a reason needs to show (years have 4 digits, a TEAM 20).
func redact(reason string, rec []string) string {
	if rec != nil {
		for _, i := range []int{colPIN, colPUK} {
			if s := strings.TrimSpace(rec[i]); len(s) >= 4 {
				reason = strings.ReplaceAll(reason, s, "[pin/puk]")
			}
		}
	}
	return digitRun.ReplaceAllStringFunc(reason, func(run string) string {
		if len(run) >= 5 && len(run) <= 19 {
			return "[digits]"
		}
		return run
	})
}

var digitRun = regexp.MustCompile(`[0-9]+`)

func checkSecrets(pin, puk string, l Lengths) error {
	if !digitsIn(pin, l.PinMin, l.PinMax) {
		return fmt.Errorf("%w: pin must be %d to %d digits", ErrSecret, l.PinMin, l.PinMax)
	}
	if !digitsIn(puk, l.PukMin, l.PukMax) {
		return fmt.Errorf("%w: puk must be %d to %d digits", ErrSecret, l.PukMin, l.PukMax)
	}
	return nil
}

func digitsIn(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// short quotes at most 24 bytes of outside text in a reason.
func short(s string) string {
	if len(s) > 24 {
		return strings.ToValidUTF8(s[:24], "") + "..."
	}
	return s
}

// sealedCard is a valid row with its secrets sealed; PIN and PUK are gone.
type sealedCard struct {
	Card
	Line   int // line of the file
	KeyID  string
	Nonce  []byte
	Sealed []byte
}

// row validates one record and seals its secrets.
func (im *Importer) row(rec []string, readErr error, today time.Time) (sealedCard, error) {
	if readErr != nil {
		return sealedCard{}, readErr
	}
	for _, f := range rec {
		if len(f) > maxField {
			return sealedCard{}, fmt.Errorf("%w: more than %d bytes", ErrTooLong, maxField)
		}
	}
	c, err := parseRow(rec, im.opts.Lengths, today)
	if err != nil {
		return sealedCard{}, err
	}
	s, err := im.v.Seal(c.TEAM, vault.Secrets{PIN: c.PIN, PUK: c.PUK})
	if err != nil {
		return sealedCard{}, fmt.Errorf("%w: %v", ErrSecret, err)
	}
	c.PIN, c.PUK = "", ""
	return sealedCard{Card: c, KeyID: s.KeyID, Nonce: s.Nonce, Sealed: s.Ciphertext}, nil
}
