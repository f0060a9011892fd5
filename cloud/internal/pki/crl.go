package pki

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// Revoked is one entry of a certificate revocation list.
type Revoked struct {
	Serial string    // hex, as Serial returns it
	At     time.Time // when it was revoked or put on hold
	Hold   bool      // certificateHold (reversible: a disabled device) rather than revoked
}

// CRL reasons used (RFC 5280, 5.3.1).
const (
	reasonSuperseded = 4
	reasonHold       = 6
)

// CRL returns a PEM "X509 CRL" signed by ca listing rs, numbered number,
// valid from now for validity. Mosquitto reads it with `crlfile`.
func (ca *CA) CRL(rs []Revoked, number int64, now time.Time, validity time.Duration) ([]byte, error) {
	entries := make([]x509.RevocationListEntry, 0, len(rs))
	for _, r := range rs {
		sn, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok {
			return nil, fmt.Errorf("%w: serial %q", ErrBadPEM, r.Serial)
		}
		reason := reasonSuperseded
		if r.Hold {
			reason = reasonHold
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: r.At.UTC(), ReasonCode: reason})
	}
	tmpl := &x509.RevocationList{RevokedCertificateEntries: entries, Number: big.NewInt(number),
		ThisUpdate: now.UTC(), NextUpdate: now.Add(validity).UTC()}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: crl: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), nil
}

// WriteCRL writes a CRL PEM atomically (mode 0644: it is public).
func WriteCRL(path string, crl []byte) error { return writeAtomic(path, crl, 0o644) }
