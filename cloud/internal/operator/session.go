package operator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"cnskiosk.dev/shared/outcome"
	"github.com/oklog/ulid/v2"
)

// Session is an operator session granted by OPAUTH, bound to one device.
type Session struct {
	ID         string
	OperatorCF string
	Device     string
	Menus      []string // menus granted; empty = the operator's menus
	IssuedAt   time.Time
	ExpiresAt  time.Time
}

// DefaultSessionTTL is how long a session lasts when CreateSession is given
// no expiry: one lobby shift segment, short enough to be re-proved often.
const DefaultSessionTTL = 4 * time.Hour

// CreateSession records s and returns it with its id and times filled in.
// The operator must exist and be enabled.
func (r *Registry) CreateSession(ctx context.Context, s Session) (Session, error) {
	o, err := r.Get(ctx, s.OperatorCF)
	if err != nil {
		return Session{}, err
	}
	if !o.Enabled || s.Device == "" {
		return Session{}, fmt.Errorf("%w: operator disabled or no device", ErrInvalid)
	}
	if s.IssuedAt.IsZero() {
		s.IssuedAt = r.now()
	}
	if s.ExpiresAt.IsZero() {
		s.ExpiresAt = s.IssuedAt.Add(DefaultSessionTTL)
	}
	if s.ID == "" {
		s.ID = ulid.Make().String()
	}
	_, err = r.db.SQL().ExecContext(ctx, `INSERT INTO operator_sessions (id, operator_cf, device, menus, issued_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.ID, s.OperatorCF, s.Device, joinList(s.Menus),
		s.IssuedAt.UnixMicro(), s.ExpiresAt.UnixMicro())
	if err != nil {
		return Session{}, fmt.Errorf("operator: create session: %w", err)
	}
	return s, nil
}

// Query is what an operation says about its operator.
type Query struct {
	OperatorCF     string
	Session        string
	Device         string
	Counter        string
	Menu           string // operation type; "" = any menu (card lookup)
	At             time.Time
	RequireSession bool
}

// Querier is *sql.DB or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Check answers whether the operator may run q: outcome.Applied, or
// outcome.OperatorNotAuthorised with a detail for the log. The error is for
// database failures only.
func Check(ctx context.Context, db Querier, q Query) (outcome.Code, string, error) {
	var g grant
	err := db.QueryRowContext(ctx, `SELECT o.enabled, o.menus, o.counters, s.device, s.menus, s.issued_at, s.expires_at
		FROM operators o LEFT JOIN operator_sessions s ON s.id = $2 AND s.operator_cf = o.cf
		WHERE o.cf = $1`, q.OperatorCF, q.Session).Scan(&g.enabled, &g.menus, &g.counters, &g.sDev, &g.sMenus, &g.sFrom, &g.sTo)
	if errors.Is(err, sql.ErrNoRows) {
		return outcome.OperatorNotAuthorised, "operator not registered", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("operator: check: %w", err)
	}
	code, detail := g.decide(q)
	return code, detail, nil
}

// grant is an operator's registry row with the session an operation
// names (session columns NULL when there is no such session of his).
type grant struct {
	enabled         int
	menus, counters string
	sDev, sMenus    sql.NullString
	sFrom, sTo      sql.NullInt64
}

// decide is the check of q against g, without the database.
func (g grant) decide(q Query) (outcome.Code, string) {
	o, s := g.operator(), g.session()
	return decide(&o, &s, q)
}

// operator is the operator of g's row.
func (g grant) operator() Operator {
	return Operator{Enabled: g.enabled == 1, Menus: splitList(g.menus), Counters: splitList(g.counters)}
}

// sessionRow is the session of a grant's row.
type sessionRow struct {
	valid    bool // false: no such session of the operator (NULL columns)
	dev      string
	menus    []string
	from, to int64 // unix microseconds
}

// session is the session of g's row.
func (g grant) session() sessionRow {
	return sessionRow{valid: g.sDev.Valid, dev: g.sDev.String, menus: splitList(g.sMenus.String),
		from: g.sFrom.Int64, to: g.sTo.Int64}
}

// decide is the check of q against the operator's row o and the session
// row s that q names, without the database.
func decide(o *Operator, s *sessionRow, q Query) (outcome.Code, string) {
	switch {
	case !o.Enabled:
		return outcome.OperatorNotAuthorised, "operator disabled"
	case !o.CanCounter(q.Counter):
		return outcome.OperatorNotAuthorised, "operator not enabled at counter " + q.Counter
	case q.Menu != "" && !o.CanMenu(q.Menu):
		return outcome.OperatorNotAuthorised, "operator not enabled for menu " + q.Menu
	case !q.RequireSession:
		return outcome.Applied, ""
	case !s.valid:
		return outcome.OperatorNotAuthorised, "no such session for this operator"
	case s.dev != q.Device:
		return outcome.OperatorNotAuthorised, "session bound to another device"
	case q.At.UnixMicro() < s.from || q.At.UnixMicro() >= s.to:
		return outcome.OperatorNotAuthorised, "session not valid at the operation's time"
	}
	if granted := s.menus; q.Menu != "" && len(granted) > 0 &&
		!slices.Contains(granted, q.Menu) && !slices.Contains(granted, All) {
		return outcome.OperatorNotAuthorised, "menu not granted to this session"
	}
	return outcome.Applied, ""
}
