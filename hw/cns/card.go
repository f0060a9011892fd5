package cns

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"
)

// Certificate is the part of EF.C_Carta that people and logs need.
type Certificate struct {
	Subject   string            `json:"subject"`
	Issuer    string            `json:"issuer"`
	Serial    string            `json:"serial"`
	NotBefore time.Time         `json:"not_before"`
	NotAfter  time.Time         `json:"not_after"`
	DER       []byte            `json:"der"`
	Parsed    *x509.Certificate `json:"-"`
}

// Card is what [ReadCard] reads from a TS-CNS. It holds no PIN or key and
// marshals to JSON for diagnostics.
type Card struct {
	ATR         string      `json:"atr,omitempty"` // hex, when the transmitter knows it
	Serial      string      `json:"serial"`        // 12 digits from EF.ID_Carta
	TEAM        string      `json:"team"`          // Codice TEAM, 20 digits
	Personal    Personal    `json:"personal"`
	Certificate Certificate `json:"certificate"`
}

// ATRer is implemented by transmitters that know the card's ATR (pcsc.Card).
type ATRer interface {
	ATR() []byte
}

// Size caps for the files read by ReadCard.
const (
	maxIDCarta = 64
	maxCert    = 4096
)

// ReadCard reads EF.ID_Carta, EF.Dati_personali and EF.C_Carta and parses
// them. If t implements [ATRer], the ATR is checked first ([ErrNotCNS]).
func ReadCard(ctx context.Context, t Transmitter) (Card, error) {
	var c Card
	if a, ok := t.(ATRer); ok {
		atr := a.ATR()
		c.ATR = hex.EncodeToString(atr)
		if !IsCNS(atr) {
			return c, fmt.Errorf("%w: ATR %s", ErrNotCNS, c.ATR)
		}
	}
	id, err := ReadFile(ctx, t, PathIDCarta, maxIDCarta)
	if err != nil {
		return c, fmt.Errorf("EF.ID_Carta: %w", err)
	}
	if c.Serial, err = SerialFromIDCarta(id); err != nil {
		return c, err
	}
	if c.TEAM, err = TEAMFromIDCarta(id); err != nil {
		return c, err
	}
	if c.Personal, err = ReadPersonal(ctx, t); err != nil {
		return c, err
	}
	c.Certificate, err = ReadCertificate(ctx, t)
	return c, err
}

// ReadPersonal reads and parses EF.Dati_personali. The first chunk gives the
// length, so the file is read to its end and no further.
func ReadPersonal(ctx context.Context, t Transmitter) (Personal, error) {
	if err := SelectFile(ctx, t, PathPersonal); err != nil {
		return Personal{}, fmt.Errorf("EF.Dati_personali: %w", err)
	}
	b, err := ReadBinary(ctx, t, 0, MaxPersonalSize)
	if err != nil {
		return Personal{}, fmt.Errorf("EF.Dati_personali: %w", err)
	}
	return ParsePersonal(trimPersonal(b))
}

// trimPersonal cuts b to its announced length when the prefix is readable.
func trimPersonal(b []byte) []byte {
	if n, err := hexLen(b, 6); err == nil && 6+n <= len(b) {
		return b[:6+n]
	}
	return b
}

// ReadCertificate reads EF.C_Carta. The DER header in the first chunk gives
// the size, so the file is read in as few chunks as it takes.
func ReadCertificate(ctx context.Context, t Transmitter) (Certificate, error) {
	if err := SelectFile(ctx, t, PathCCarta); err != nil {
		return Certificate{}, fmt.Errorf("EF.C_Carta: %w", err)
	}
	head, err := ReadBinary(ctx, t, chunk, maxCert)
	if err != nil {
		return Certificate{}, fmt.Errorf("EF.C_Carta: %w", err)
	}
	want := derSize(head)
	if want > maxCert {
		return Certificate{}, fmt.Errorf("%w: EF.C_Carta of %d bytes", ErrTooLarge, want)
	}
	b, err := readFrom(ctx, t, head, want, maxCert)
	if err != nil {
		return Certificate{}, fmt.Errorf("EF.C_Carta: %w", err)
	}
	return ParseCertificate(b)
}

// derSize returns the total size of the DER SEQUENCE starting with head,
// or 0 when head does not say.
func derSize(head []byte) int {
	if len(head) < 4 || head[0] != 0x30 {
		return 0
	}
	switch head[1] {
	case 0x81:
		return 3 + int(head[2])
	case 0x82:
		return 4 + (int(head[2])<<8 | int(head[3]))
	}
	if head[1] < 0x80 {
		return 2 + int(head[1])
	}
	return 0
}

// ParseCertificate parses the DER of EF.C_Carta, ignoring card padding
// after the certificate.
func ParseCertificate(der []byte) (Certificate, error) {
	if n := derSize(der); n > 0 && n < len(der) {
		der = der[:n]
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificate{}, fmt.Errorf("%w: %v", ErrBadCertificate, err)
	}
	return Certificate{Subject: x.Subject.String(), Issuer: x.Issuer.String(),
		Serial: x.SerialNumber.Text(16), NotBefore: x.NotBefore, NotAfter: x.NotAfter,
		DER: der, Parsed: x}, nil
}
