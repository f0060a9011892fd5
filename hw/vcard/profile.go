package vcard

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/shared/team"
)

// Profile describes one virtual card. Certificate and Key are PEM files,
// relative to the directory given to [LoadProfile] (the PKI directory that
// scripts/devca.sh fills); CertificatePEM and KeyPEM carry them inline.
type Profile struct {
	Name           string       `json:"name"`
	Description    string       `json:"description,omitempty"`
	Historical     string       `json:"historical,omitempty"` // ATR historical bytes, ASCII; default "CNS-VIRTUAL"
	TEAM           string       `json:"team"`
	Personal       cns.Personal `json:"personal"`
	Certificate    string       `json:"certificate,omitempty"`
	Key            string       `json:"key,omitempty"`
	CertificatePEM string       `json:"certificate_pem,omitempty"`
	KeyPEM         string       `json:"key_pem,omitempty"`
	PIN            string       `json:"pin"`
	PUK            string       `json:"puk"`
	PINTries       int          `json:"pin_tries,omitempty"` // tries left now; default MaxTries
	PUKTries       int          `json:"puk_tries,omitempty"`
	MaxTries       int          `json:"max_tries,omitempty"` // default 3
	PUKMaxTries    int          `json:"puk_max_tries,omitempty"`

	certDER []byte
	key     *rsa.PrivateKey
}

// LoadProfile reads a JSON profile and the certificate and key it names,
// resolving relative paths against pkiDir.
func LoadProfile(path, pkiDir string) (*Profile, error) {
	p, err := ReadProfile(path)
	if err != nil {
		return nil, err
	}
	if err := p.loadPEM(pkiDir); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, p.check()
}

// ReadProfile reads a JSON profile without its certificate and key (set
// them with [Profile.SetKeys] or [DevCA.Issue]).
func ReadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParseProfile decodes a JSON profile without its certificate and key.
func ParseProfile(b []byte) (*Profile, error) {
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	return &p, nil
}

func (p *Profile) loadPEM(dir string) error {
	for _, f := range []struct {
		name string
		dst  *string
	}{{p.Certificate, &p.CertificatePEM}, {p.Key, &p.KeyPEM}} {
		if f.name == "" || *f.dst != "" {
			continue
		}
		name := f.name
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("%w: %v (run scripts/devca.sh)", ErrProfile, err)
		}
		*f.dst = string(b)
	}
	return nil
}

// SetKeys sets the certificate and key directly (tests that make their own).
func (p *Profile) SetKeys(certDER []byte, key *rsa.PrivateKey) {
	p.certDER, p.key = certDER, key
}

// check fills the defaults and decodes the PEM blocks.
func (p *Profile) check() error {
	if p.MaxTries == 0 {
		p.MaxTries = 3
	}
	if p.PUKMaxTries == 0 {
		p.PUKMaxTries = 10
	}
	if p.PINTries == 0 {
		p.PINTries = p.MaxTries
	}
	if p.PUKTries == 0 {
		p.PUKTries = p.PUKMaxTries
	}
	if p.Historical == "" {
		p.Historical = "CNS-VIRTUAL"
	}
	if err := team.Validate(p.TEAM); err != nil {
		return fmt.Errorf("%w: %w", ErrProfile, err)
	}
	if p.key != nil || p.KeyPEM == "" {
		return nil
	}
	return p.decodePEM()
}

func (p *Profile) decodePEM() error {
	cb, _ := pem.Decode([]byte(p.CertificatePEM))
	kb, _ := pem.Decode([]byte(p.KeyPEM))
	if cb == nil || kb == nil {
		return fmt.Errorf("%w: certificate or key is not PEM", ErrProfile)
	}
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(kb.Bytes); err != nil {
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if err != nil || !ok {
		return fmt.Errorf("%w: key is not an RSA private key", ErrProfile)
	}
	p.certDER, p.key = cb.Bytes, rk
	return nil
}
