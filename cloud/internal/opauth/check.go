package opauth

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/shared/wire"
)

// check runs every verification of an auth request, in order.
func (a *Auth) check(ctx context.Context, dev, cf string, p wire.OperatorAuthParams) (operator.Operator, error) {
	if err := a.consume(ctx, dev, cf, p.Nonce); err != nil {
		return operator.Operator{}, err
	}
	cert, err := a.verifyCert(p.Certificate)
	if err != nil {
		return operator.Operator{}, err
	}
	if got := CertCF(cert); got != cf {
		return operator.Operator{}, fmt.Errorf("%w: %q", ErrCF, got)
	}
	if err := VerifySignature(cert, p.Nonce, p.Signature); err != nil {
		return operator.Operator{}, err
	}
	return a.allowed(ctx, dev, cf, p.Menu)
}

// consume marks the nonce used, if it was handed to this device and CF and
// has not expired; a nonce is usable once whatever the outcome.
func (a *Auth) consume(ctx context.Context, dev, cf string, nonce []byte) error {
	if len(nonce) != 32 {
		return fmt.Errorf("%w: length %d", ErrNonce, len(nonce))
	}
	now := a.opts.Now().UnixMicro()
	res, err := a.db.SQL().ExecContext(ctx, `UPDATE opauth_challenges SET used_at = $1
		WHERE nonce = $2 AND dev = $3 AND cf = $4 AND used_at IS NULL AND expires_at >= $5`,
		now, hex.EncodeToString(nonce), dev, cf, now)
	if err != nil {
		return fmt.Errorf("opauth: consume nonce: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNonce
	}
	return nil
}

func (a *Auth) verifyCert(der []byte) (*x509.Certificate, error) {
	if a.opts.Roots == nil {
		return nil, fmt.Errorf("%w: no operator CA configured", ErrCert)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCert, err)
	}
	chains, err := cert.Verify(x509.VerifyOptions{Roots: a.opts.Roots, Intermediates: a.opts.Intermediates,
		CurrentTime: a.opts.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCert, err)
	}
	a.checkCRLs()
	for _, ch := range chains {
		if err := a.revoked(ch); err != nil {
			return nil, err
		}
	}
	return cert, nil
}

// revoked checks every certificate of chain (leaf first, root last)
// against the CRLs of its issuer.
func (a *Auth) revoked(chain []*x509.Certificate) error {
	for i := 0; i+1 < len(chain); i++ {
		c, issuer := chain[i], chain[i+1]
		for _, crl := range a.opts.CRLs {
			if crl.CheckSignatureFrom(issuer) != nil {
				continue // another CA's list
			}
			for _, e := range crl.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
					return fmt.Errorf("%w: %q serial %s", ErrRevoked, c.Subject.CommonName, c.SerialNumber)
				}
			}
		}
	}
	return nil
}

// CertCF returns the codice fiscale a TS-CNS certificate names: the
// serialNumber attribute ("TINIT-<CF>" or "IT:<CF>"), else the part of the
// Common Name before "/".
func CertCF(c *x509.Certificate) string {
	sn := c.Subject.SerialNumber
	for _, p := range []string{"TINIT-", "IT:"} {
		if v, ok := strings.CutPrefix(sn, p); ok {
			return strings.ToUpper(v)
		}
	}
	cn, _, _ := strings.Cut(c.Subject.CommonName, "/")
	return strings.ToUpper(cn)
}

// VerifySignature checks an RSA PKCS#1 v1.5 signature over SHA-256(nonce)
// made with the key of cert.
func VerifySignature(cert *x509.Certificate, nonce, sig []byte) error {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: not an RSA key", ErrSignature)
	}
	sum := sha256.Sum256(nonce)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return nil
}

func (a *Auth) allowed(ctx context.Context, dev, cf, menu string) (operator.Operator, error) {
	o, err := a.reg.Get(ctx, cf)
	if errors.Is(err, operator.ErrNotFound) {
		return o, fmt.Errorf("%w: not registered", ErrOperator)
	}
	if err != nil {
		return o, fmt.Errorf("opauth: registry: %w", err)
	}
	counter, err := a.opts.CounterOf(ctx, dev)
	if err != nil {
		return o, fmt.Errorf("opauth: counter of %s: %w", dev, err)
	}
	switch {
	case !o.Enabled:
		return o, fmt.Errorf("%w: disabled", ErrOperator)
	case !o.CanCounter(counter):
		return o, fmt.Errorf("%w: counter %s", ErrOperator, counter)
	case menu != "" && !o.CanMenu(menu):
		return o, fmt.Errorf("%w: menu %s", ErrOperator, menu)
	}
	return o, nil
}
