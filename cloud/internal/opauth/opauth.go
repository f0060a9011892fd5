package opauth

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Registry is the operator registry (package operator).
type Registry interface {
	Get(ctx context.Context, cf string) (operator.Operator, error)
	CreateSession(ctx context.Context, s operator.Session) (operator.Session, error)
}

// Options configure the authenticator.
type Options struct {
	Roots *x509.CertPool // operator CA: certificates must chain to it
	// Intermediates are the CA certificates between Roots and the cards
	// (the card carries only its own certificate).
	Intermediates *x509.CertPool
	// CRLs are revocation lists of the operator CAs: a card (or an
	// intermediate) listed by the CRL of its issuer is refused. A CRL is
	// applied only if its signature verifies against that issuer.
	CRLs         []*x509.RevocationList
	ChallengeTTL time.Duration // default 2 minutes
	SessionTTL   time.Duration // default 1 hour
	Now          func() time.Time
	// CounterOf returns the counter a device serves; nil: the device id.
	CounterOf func(ctx context.Context, dev string) (string, error)
}

// Auth issues challenges and checks responses.
type Auth struct {
	db   *store.DB
	reg  Registry
	opts Options
	log  *slog.Logger
}

// New returns an authenticator over db (table opauth_challenges) and reg.
func New(db *store.DB, reg Registry, opts Options, log *slog.Logger) *Auth {
	if opts.ChallengeTTL == 0 {
		opts.ChallengeTTL = 2 * time.Minute
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CounterOf == nil {
		opts.CounterOf = func(_ context.Context, dev string) (string, error) { return dev, nil }
	}
	return &Auth{db: db, reg: reg, opts: opts, log: log}
}

// Challenge hands out a nonce for the operator whose card says p.CF.
func (a *Auth) Challenge(ctx context.Context, dev string, p wire.OperatorChallengeParams) (wire.OperatorChallengeResult, outcome.Code, error) {
	cf := strings.ToUpper(strings.TrimSpace(p.CF))
	if cf == "" || len(cf) > 16 {
		return wire.OperatorChallengeResult{}, outcome.InvalidCF, nil
	}
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return wire.OperatorChallengeResult{}, "", fmt.Errorf("opauth: nonce: %w", err)
	}
	now := a.opts.Now()
	exp := now.Add(a.opts.ChallengeTTL).UTC().Truncate(time.Millisecond)
	q := a.db.SQL()
	if _, err := q.ExecContext(ctx, `DELETE FROM opauth_challenges WHERE expires_at < $1`,
		now.Add(-time.Hour).UnixMicro()); err != nil {
		return wire.OperatorChallengeResult{}, "", fmt.Errorf("opauth: purge: %w", err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO opauth_challenges (nonce, dev, cf, expires_at) VALUES ($1, $2, $3, $4)`,
		hex.EncodeToString(nonce), dev, cf, exp.UnixMicro()); err != nil {
		return wire.OperatorChallengeResult{}, "", fmt.Errorf("opauth: store nonce: %w", err)
	}
	return wire.OperatorChallengeResult{Nonce: nonce, Expires: exp}, outcome.Applied, nil
}

// Auth checks a signed nonce and grants an operator session bound to dev.
func (a *Auth) Auth(ctx context.Context, dev string, p wire.OperatorAuthParams) (wire.OperatorAuthResult, outcome.Code, error) {
	cf := strings.ToUpper(strings.TrimSpace(p.CF))
	o, err := a.check(ctx, dev, cf, p)
	if err != nil {
		if isRefusal(err) {
			a.log.Warn("operator authentication refused", "dev", dev, "cf", cf, "reason", err)
			return wire.OperatorAuthResult{}, outcome.OperatorNotAuthorised, nil
		}
		return wire.OperatorAuthResult{}, "", err
	}
	menus := o.Menus
	if p.Menu != "" {
		menus = []string{p.Menu}
	}
	now := a.opts.Now()
	s, err := a.reg.CreateSession(ctx, operator.Session{OperatorCF: cf, Device: dev, Menus: menus,
		IssuedAt: now, ExpiresAt: now.Add(a.opts.SessionTTL)})
	if err != nil {
		return wire.OperatorAuthResult{}, "", fmt.Errorf("opauth: session: %w", err)
	}
	a.log.Info("operator authenticated", "dev", dev, "cf", cf, "menus", menus)
	return wire.OperatorAuthResult{Session: s.ID, Name: o.Name, Role: o.Role, Menus: menus,
		Expires: s.ExpiresAt.UTC().Truncate(time.Millisecond)}, outcome.Applied, nil
}

func isRefusal(err error) bool {
	for _, e := range []error{ErrNonce, ErrCert, ErrCF, ErrSignature, ErrOperator} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
