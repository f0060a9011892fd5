package team

import "errors"

// Errors. Every error of this package wraps exactly one of them.
var (
	ErrLength     = errors.New("team: length is not 20 digits")
	ErrDigits     = errors.New("team: not only digits")
	ErrPrefix     = errors.New("team: does not start with 8038000")
	ErrCheckDigit = errors.New("team: check digit does not match")
	ErrRange      = errors.New("team: region or serial out of range")

	// Errors of CheckExpiry.
	ErrExpiryRange = errors.New("team: expiry date not plausible")
	ErrExpired     = errors.New("team: card expired")
)

var reasons = []struct {
	err error
	it  string
}{
	{ErrLength, "Il codice TEAM deve avere 20 cifre."},
	{ErrDigits, "Il codice TEAM contiene solo cifre."},
	{ErrPrefix, "Il codice TEAM di una tessera italiana inizia con 8038000."},
	{ErrCheckDigit, "L'ultima cifra (di controllo) del codice TEAM non corrisponde: controllare le cifre inserite."},
	{ErrRange, "Regione o numero di serie fuori intervallo."},
	{ErrExpiryRange, "Data di scadenza non plausibile: controllare la data stampata sulla tessera."},
	{ErrExpired, "La tessera è scaduta."},
}

// Reason returns the Italian sentence for people that explains err, or ""
// if err is not an error of this package.
func Reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.it
		}
	}
	return ""
}
