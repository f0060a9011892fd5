package cns

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cnskiosk.dev/shared/wire"
)

// MaxPersonalSize caps EF.Dati_personali, as OpenSC does: a longer file is
// not a TS-CNS.
const MaxPersonalSize = 400

// personalFields is the number of fields of EF.Dati_personali.
const personalFields = 16

// Personal is the content of EF.Dati_personali, decoded to UTF-8.
type Personal struct {
	IssuerCode       string    `json:"issuer_code"`
	Region           string    `json:"region"` // last 3 digits of IssuerCode [A]
	IssueDate        wire.Date `json:"issue_date"`
	ExpiryDate       wire.Date `json:"expiry_date"`
	Surname          string    `json:"surname"`
	Name             string    `json:"name"`
	BirthDate        wire.Date `json:"birth_date"`
	Sex              string    `json:"sex"`
	Height           string    `json:"height,omitempty"`
	CF               string    `json:"cf"`
	Citizenship      string    `json:"citizenship,omitempty"`
	BirthComune      string    `json:"birth_comune,omitempty"`
	BirthCountry     string    `json:"birth_country,omitempty"`
	BirthCertificate string    `json:"birth_certificate,omitempty"`
	ResidenceComune  string    `json:"residence_comune,omitempty"`
	ResidenceAddress string    `json:"residence_address,omitempty"`
	Notes            string    `json:"notes,omitempty"`
}

// ParsePersonal decodes EF.Dati_personali: six ASCII hex digits with the
// length of the rest, then 16 fields, each two ASCII hex digits of length and
// that many Latin-1 bytes. Bytes after the announced length (card padding)
// are ignored. Nothing is read at a fixed offset.
func ParsePersonal(b []byte) (Personal, error) {
	if len(b) > MaxPersonalSize {
		return Personal{}, fmt.Errorf("%w: %d bytes, cap %d", ErrTooLarge, len(b), MaxPersonalSize)
	}
	n, err := hexLen(b, 6)
	if err != nil {
		return Personal{}, fmt.Errorf("%w: length prefix: %v", ErrMalformed, err)
	}
	if 6+n > len(b) {
		return Personal{}, fmt.Errorf("%w: announces %d bytes, has %d", ErrMalformed, n, len(b)-6)
	}
	rest := b[6 : 6+n]
	var f [personalFields]string
	for i := range f {
		l, err := hexLen(rest, 2)
		if err != nil || 2+l > len(rest) {
			return Personal{}, fmt.Errorf("%w: field %d truncated", ErrMalformed, i+1)
		}
		f[i] = latin1(rest[2 : 2+l])
		rest = rest[2+l:]
	}
	return personalOf(f)
}

func personalOf(f [personalFields]string) (Personal, error) {
	p := Personal{
		IssuerCode: f[0], Surname: f[3], Name: f[4], Sex: f[6], Height: f[7],
		CF: f[8], Citizenship: f[9], BirthComune: f[10], BirthCountry: f[11],
		BirthCertificate: f[12], ResidenceComune: f[13], ResidenceAddress: f[14], Notes: f[15],
	}
	if len(p.IssuerCode) >= 3 {
		p.Region = p.IssuerCode[len(p.IssuerCode)-3:]
	}
	if err := checkIdentity(p); err != nil {
		return Personal{}, err
	}
	var err error
	for _, d := range []struct {
		dst  *wire.Date
		src  string
		name string
	}{{&p.IssueDate, f[1], "issue date"}, {&p.ExpiryDate, f[2], "expiry date"}, {&p.BirthDate, f[5], "birth date"}} {
		if *d.dst, err = parseDate(d.src); err != nil {
			return Personal{}, fmt.Errorf("%w: %s: %v", ErrMalformed, d.name, err)
		}
	}
	return p, nil
}

// hexLen reads an n-digit ASCII hex number at the start of b.
func hexLen(b []byte, n int) (int, error) {
	if len(b) < n {
		return 0, fmt.Errorf("need %d hex digits, have %d bytes", n, len(b))
	}
	v, err := strconv.ParseUint(string(b[:n]), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("not hex: %q", b[:n])
	}
	return int(v), nil
}

// latin1 converts ISO 8859-1 bytes to a UTF-8 string; control bytes become
// spaces so that nothing from the card reaches a screen or printer raw.
func latin1(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		r := rune(c)
		if c < 0x20 || (c >= 0x7F && c < 0xA0) {
			r = ' '
		}
		s.WriteRune(r)
	}
	return strings.TrimSpace(s.String())
}

// parseDate parses DDMMYYYY; an empty field is the zero Date.
func parseDate(s string) (wire.Date, error) {
	if s == "" {
		return wire.Date{}, nil
	}
	t, err := time.Parse("02012006", s)
	if err != nil {
		return wire.Date{}, fmt.Errorf("want DDMMYYYY, got %q", s)
	}
	return wire.DateOf(t), nil
}

// Encode returns p in the EF.Dati_personali format, Latin-1 encoded. Runes
// outside Latin-1 become '?'. The virtual card uses it.
func (p Personal) Encode() ([]byte, error) {
	f := [personalFields]string{p.IssuerCode, fmtDate(p.IssueDate), fmtDate(p.ExpiryDate),
		p.Surname, p.Name, fmtDate(p.BirthDate), p.Sex, p.Height, p.CF, p.Citizenship,
		p.BirthComune, p.BirthCountry, p.BirthCertificate, p.ResidenceComune,
		p.ResidenceAddress, p.Notes}
	var body []byte
	for i, s := range f {
		l := toLatin1(s)
		if len(l) > 0xFF {
			return nil, fmt.Errorf("%w: field %d has %d bytes", ErrTooLarge, i+1, len(l))
		}
		body = fmt.Appendf(body, "%02X", len(l))
		body = append(body, l...)
	}
	if 6+len(body) > MaxPersonalSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, 6+len(body))
	}
	return append(fmt.Appendf(nil, "%06X", len(body)), body...), nil
}

func fmtDate(d wire.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02012006")
}

func toLatin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF || r == utf8.RuneError {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}
