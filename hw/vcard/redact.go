package vcard

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// A Profile holds a card's PIN and PUK. Even on a virtual card they are
// never logged: every textual form of a Profile names the card only, and
// its JSON leaves the codes out.

// String names the profile without its codes.
func (p Profile) String() string { return "vcard.Profile{" + p.Name + " <codes redacted>}" }

// GoString hides the codes from %#v.
func (p Profile) GoString() string { return p.String() }

// Format hides the codes from every fmt verb.
func (p Profile) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue hides the codes from log/slog.
func (p Profile) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", p.Name), slog.String("team", p.TEAM))
}

// MarshalJSON writes the profile without PIN, PUK and private key.
func (p Profile) MarshalJSON() ([]byte, error) {
	type plain Profile
	c := plain(p)
	c.PIN, c.PUK, c.KeyPEM = "", "", ""
	return json.Marshal(c)
}
