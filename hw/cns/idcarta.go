package cns

import (
	"fmt"

	"cnskiosk.dev/shared/team"
)

// The layout of EF.ID_Carta is an assumption to confirm on a real card: one
// public reader takes 12 ASCII digits after byte 0 and prefixes "8038000"
// ("80" health, "380" Italy, "00"), then appends a Luhn check digit, to get
// the 20-digit Codice TEAM printed on the back of the card. This file is the
// one place that knows it.
const (
	idCartaSerialOffset = 1
	idCartaSerialLen    = 12
	idCartaSize         = 16
	teamPrefix          = team.Prefix
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
	return body + string(team.Luhn(body)), nil
}

// EncodeIDCarta builds EF.ID_Carta for a Codice TEAM (the inverse of
// [TEAMFromIDCarta]): byte 0 holds the serial length, then the 12 digits,
// padded to 16 bytes. The virtual card uses it.
func EncodeIDCarta(code string) ([]byte, error) {
	code, err := team.Normalize(code)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadIDCarta, err)
	}
	b := make([]byte, idCartaSize)
	b[0] = idCartaSerialLen
	copy(b[idCartaSerialOffset:], code[len(teamPrefix):len(teamPrefix)+idCartaSerialLen])
	return b, nil
}
