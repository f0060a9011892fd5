package cf

import "errors"

// Errors. Every error of this package wraps exactly one of them.
var (
	ErrLength    = errors.New("cf: length is not 16")
	ErrCharset   = errors.New("cf: character not allowed at its position")
	ErrCheckChar = errors.New("cf: check character does not match")
	ErrDate      = errors.New("cf: impossible birth date")
	ErrPlace     = errors.New("cf: place of birth unknown or not valid on the birth date")
	ErrName      = errors.New("cf: surname or name without letters")
	ErrSex       = errors.New("cf: sex is not M or F")
)

var reasons = []struct {
	err error
	it  string
}{
	{ErrLength, "Il codice fiscale deve avere 16 caratteri."},
	{ErrCharset, "Il codice fiscale contiene un carattere non ammesso: controllare lettere e cifre."},
	{ErrCheckChar, "L'ultimo carattere (di controllo) del codice fiscale non corrisponde: controllare i caratteri inseriti."},
	{ErrDate, "La data di nascita nel codice fiscale non esiste."},
	{ErrPlace, "Il luogo di nascita nel codice fiscale non esiste o non era valido alla data di nascita."},
	{ErrName, "Cognome o nome mancante."},
	{ErrSex, "Il sesso deve essere M o F."},
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
