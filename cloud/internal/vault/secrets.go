package vault

import (
	"bytes"
	"fmt"
	"log/slog"
)

const redacted = "[REDACTED]"

// MaxSecretLen caps the number of digits of a PIN or PUK.
const MaxSecretLen = 16

// Secrets are the PIN and PUK of one card. They never print: String,
// GoString, LogValue and MarshalJSON all redact.
type Secrets struct {
	PIN, PUK string
}

// String redacts.
func (Secrets) String() string { return "vault.Secrets{" + redacted + "}" }

// GoString redacts (the %#v verb).
func (s Secrets) GoString() string { return s.String() }

// LogValue redacts for log/slog.
func (Secrets) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (Secrets) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

func (s Secrets) validate() error {
	if !digits(s.PIN) || !digits(s.PUK) {
		return fmt.Errorf("%w: PIN and PUK must be 1 to %d digits", ErrSecret, MaxSecretLen)
	}
	return nil
}

func digits(s string) bool {
	if len(s) == 0 || len(s) > MaxSecretLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// marshal encodes s as "PIN\x00PUK" (digits only, validated before).
func (s Secrets) marshal() []byte {
	return []byte(s.PIN + "\x00" + s.PUK)
}

func unmarshalSecrets(b []byte) (Secrets, error) {
	pin, puk, ok := bytes.Cut(b, []byte{0})
	if !ok {
		return Secrets{}, fmt.Errorf("plaintext layout")
	}
	s := Secrets{PIN: string(pin), PUK: string(puk)}
	return s, s.validate()
}

// Halves is one half of each secret: the first half goes on the printed
// acceptance form, the second half to the notifier.
type Halves struct {
	PIN, PUK string
}

// String redacts.
func (Halves) String() string { return "vault.Halves{" + redacted + "}" }

// GoString redacts (the %#v verb).
func (h Halves) GoString() string { return h.String() }

// LogValue redacts for log/slog.
func (Halves) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (Halves) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Policy says how many leading digits of the PIN and of the PUK form the
// first half. The lengths are a regional setting (domain facts: Tuscany's
// are not public), so they are configuration, not constants.
type Policy struct {
	PinFirst int
	PukFirst int
}

// DefaultPolicy is PIN 8 = 4+4, PUK 8 = 4+4.
var DefaultPolicy = Policy{PinFirst: 4, PukFirst: 4}

// Split cuts s into the first and second halves. A count larger than the
// secret gives the whole secret as the first half; a negative count is 0.
func (p Policy) Split(s Secrets) (first, second Halves) {
	a, b := cut(s.PIN, p.PinFirst)
	c, d := cut(s.PUK, p.PukFirst)
	return Halves{PIN: a, PUK: c}, Halves{PIN: b, PUK: d}
}

func cut(s string, n int) (string, string) {
	n = max(0, min(n, len(s)))
	return s[:n], s[n:]
}
