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
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/metrics"
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
	// MaxChallenges is how many challenges a device may hold unused and
	// unexpired (default 8); more are refused until some are used or
	// expire, so that a device cannot fill the table.
	MaxChallenges int
	Now           func() time.Time
	// CounterOf returns the counter a device serves; nil: the device id.
	CounterOf func(ctx context.Context, dev string) (string, error)
	// Metrics, if set, receives cms_opauth_crl_stale and
	// cms_opauth_challenges_capped_total.
	Metrics *metrics.Registry
}

// Auth issues challenges and checks responses.
type Auth struct {
	db   *store.DB
	reg  Registry
	opts Options
	log  *slog.Logger

	stale  *metrics.Gauge   // operator CRLs past their NextUpdate; nil without Metrics
	capped *metrics.Counter // challenges refused by MaxChallenges; nil without Metrics
	warned sync.Map         // *x509.RevocationList -> struct{}: its staleness was logged
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
	if opts.MaxChallenges <= 0 {
		opts.MaxChallenges = 8
	}
	a := &Auth{db: db, reg: reg, opts: opts, log: log}
	if opts.Metrics != nil {
		// A second Auth on the same registry (tests) keeps nil metrics.
		a.stale, _ = opts.Metrics.NewGauge("cms_opauth_crl_stale",
			"Operator CA CRLs in use past their NextUpdate: cmsd needs the issuer's newer CRL (--operator-crl).")
		a.capped, _ = opts.Metrics.NewCounter("cms_opauth_challenges_capped_total",
			"Operator challenges refused because the device already holds MaxChallenges unused ones.")
	}
	a.checkCRLs()
	return a
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
	var held int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM opauth_challenges
		WHERE dev = $1 AND used_at IS NULL AND expires_at >= $2`, dev, now.UnixMicro()).Scan(&held); err != nil {
		return wire.OperatorChallengeResult{}, "", fmt.Errorf("opauth: count challenges: %w", err)
	}
	if held >= a.opts.MaxChallenges {
		if a.capped != nil {
			a.capped.Inc()
		}
		a.log.Warn("operator challenge refused", "dev", dev, "reason", ErrTooManyChallenges, "held", held)
		return wire.OperatorChallengeResult{}, outcome.OperatorNotAuthorised, nil
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
