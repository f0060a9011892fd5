package receipt

import (
	"fmt"
	"log/slog"
)

// Halves are the first halves of PIN and PUK. They are printed and never
// logged: every textual form of Halves is redacted, including JSON, text
// marshalling and fmt of a struct that holds Halves in an unexported field
// (the digits sit behind a pointer, which fmt prints as an address). Build
// one with [NewHalves]; the zero value holds no digits.
type Halves struct {
	s *halves
}

type halves struct{ pin, puk string }

// NewHalves returns the halves pin and puk (checked when a receipt is built).
func NewHalves(pin, puk string) Halves { return Halves{&halves{pin, puk}} }

// Pin returns the first half of the PIN.
func (h Halves) Pin() string {
	if h.s == nil {
		return ""
	}
	return h.s.pin
}

// Puk returns the first half of the PUK.
func (h Halves) Puk() string {
	if h.s == nil {
		return ""
	}
	return h.s.puk
}

const redacted = "Halves{<redacted>}"

// String hides the secrets.
func (Halves) String() string { return redacted }

// GoString hides the secrets from %#v.
func (Halves) GoString() string { return redacted }

// LogValue hides the secrets from log/slog.
func (Halves) LogValue() slog.Value { return slog.StringValue(redacted) }

// Format hides the secrets from every fmt verb.
func (Halves) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// MarshalText hides the secrets from encoders that use text (and from JSON
// map keys).
func (Halves) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// MarshalJSON hides the secrets from encoding/json and slog's JSON handler.
func (Halves) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

func (h Halves) validate() error {
	for _, s := range []string{h.Pin(), h.Puk()} {
		if len(s) == 0 || len(s) > 8 {
			return ErrSecret
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return ErrSecret
			}
		}
	}
	return nil
}

// print writes the halves in large digits, with the delivery note.
func (d *doc) halves(h Halves, delivery string) {
	d.heading("Codici segreti della carta")
	d.para("Prima parte del PIN:")
	d.big(h.Pin())
	d.para("Prima parte del PUK:")
	d.big(h.Puk())
	d.para("La seconda parte di PIN e PUK arriverà " + delivery + ". Il PIN completo è la prima parte seguita dalla seconda; lo stesso vale per il PUK.")
	d.para("Conservare questo foglio in un luogo sicuro, separato dalla carta. Nessun operatore chiederà mai i codici.")
}
