package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/store"
)

// Role of a console account.
type Role string

// Roles.
const (
	Admin      Role = "admin"
	Supervisor Role = "supervisor"
	Auditor    Role = "auditor"
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Admin, Supervisor, Auditor:
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrRole, s)
}

// Permission is something a role may do.
type Permission string

// Permissions.
const (
	ViewFleet      Permission = "view_fleet"
	EditFleet      Permission = "edit_fleet" // config changes, commands, disable/enable
	ViewOperations Permission = "view_operations"
	ViewTickets    Permission = "view_tickets"
	EditTickets    Permission = "edit_tickets"
	ViewAudit      Permission = "view_audit"
)

// grants gives each role its permissions. Supervisors (the operators
// supervising a lobby) see the fleet read-only, so they can tell a kiosk
// out of paper or offline; changing it (config, commands, disable) stays
// with admins.
var grants = map[Role][]Permission{
	Admin:      {ViewFleet, EditFleet, ViewOperations, ViewTickets, EditTickets, ViewAudit},
	Supervisor: {ViewFleet, ViewOperations, ViewTickets, EditTickets},
	Auditor:    {ViewFleet, ViewOperations, ViewTickets, ViewAudit},
}

// Can reports whether r has permission p.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// Account is one console user.
type Account struct {
	Username, DisplayName string
	Role                  Role
	Enabled               bool
}

// Default session limits.
const (
	DefaultTTL  = 8 * time.Hour    // a session ends this long after sign-in
	DefaultIdle = 30 * time.Minute // a session unused this long ends
)

// Store reads and writes accounts and sessions.
type Store struct {
	db   *store.DB
	TTL  time.Duration // absolute session lifetime; DefaultTTL when zero
	Idle time.Duration // idle timeout, within TTL; DefaultIdle when zero
	Now  func() time.Time
}

// NewStore returns a Store over db with the default session limits.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, TTL: DefaultTTL, Idle: DefaultIdle, Now: time.Now}
}

func (s *Store) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

func (s *Store) idle() time.Duration {
	if s.Idle <= 0 {
		return DefaultIdle
	}
	return min(s.Idle, s.ttl())
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Add creates an account.
func (s *Store) Add(ctx context.Context, username, display string, role Role, password string) error {
	username = strings.ToLower(username)
	if !nameRE.MatchString(username) {
		return fmt.Errorf("%w: %q", ErrName, username)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := s.Now().UnixMicro()
	_, err = s.db.SQL().ExecContext(ctx, `INSERT INTO accounts (username, display_name, role, pw_hash, enabled, created_at, updated_at)
		SELECT $1, $2, $3, $4, 1, $5, $5 WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE username = $1)`,
		username, display, string(role), h, now)
	if err != nil {
		return fmt.Errorf("account: add: %w", err)
	}
	var n int
	err = s.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE username = $1 AND pw_hash = $2`, username, h).Scan(&n)
	if err != nil {
		return fmt.Errorf("account: add: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrExists, username)
	}
	return nil
}

// List returns every account.
func (s *Store) List(ctx context.Context) ([]Account, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT username, display_name, role, enabled FROM accounts ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("account: list: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		var en int
		if err := rows.Scan(&a.Username, &a.DisplayName, &a.Role, &en); err != nil {
			return nil, err
		}
		a.Enabled = en == 1
		out = append(out, a)
	}
	return out, rows.Err()
}

// Session is a signed-in account.
type Session struct {
	Account
	CSRF string
	// Expires is the absolute end (sign-in + TTL); IdleUntil is when the
	// session ends if it is not used before.
	Expires, IdleUntil time.Time
}

// Login checks the password and opens a session; it returns the cookie value.
func (s *Store) Login(ctx context.Context, username, password string) (string, Session, error) {
	var a Account
	var hash string
	var en int
	err := s.db.SQL().QueryRowContext(ctx, `SELECT username, display_name, role, enabled, pw_hash FROM accounts WHERE username = $1`,
		strings.ToLower(username)).Scan(&a.Username, &a.DisplayName, &a.Role, &en, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		CheckPassword(dummyHash, password) // same work whether the user exists or not
		return "", Session{}, ErrCredentials
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("account: login: %w", err)
	}
	if !CheckPassword(hash, password) || en != 1 {
		return "", Session{}, ErrCredentials
	}
	a.Enabled = true
	id, csrf, now := token(), token(), s.Now()
	abs, idle := now.Add(s.ttl()), now.Add(s.idle())
	_, err = s.db.SQL().ExecContext(ctx, `INSERT INTO web_sessions (id_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hashID(id), a.Username, csrf, now.UnixMicro(), idle.UnixMicro())
	if err != nil {
		return "", Session{}, fmt.Errorf("account: session: %w", err)
	}
	return id, Session{Account: a, CSRF: csrf, Expires: abs, IdleUntil: idle}, nil
}

var dummyHash, _ = HashPassword("dummy-password-for-timing")

// Lookup returns the session for a cookie value and counts the lookup as
// activity: the idle deadline moves to now + Idle (never past the absolute
// end). The row is written at most once a minute per session, not on
// every request. A stored deadline further ahead than now + Idle (a
// session opened when expires_at held the absolute end, before the idle
// timeout, or under a longer Idle) is lowered to now + Idle.
func (s *Store) Lookup(ctx context.Context, id string) (Session, error) {
	var ss Session
	var created, exp int64
	var en int
	err := s.db.SQL().QueryRowContext(ctx, `SELECT a.username, a.display_name, a.role, a.enabled, s.csrf, s.created_at, s.expires_at
		FROM web_sessions s JOIN accounts a ON a.username = s.username WHERE s.id_hash = $1`, hashID(id)).
		Scan(&ss.Username, &ss.DisplayName, &ss.Role, &en, &ss.CSRF, &created, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, ErrNoSession
	}
	if err != nil {
		return ss, fmt.Errorf("account: lookup: %w", err)
	}
	now := s.Now()
	ss.Expires, ss.IdleUntil, ss.Enabled = time.UnixMicro(created).Add(s.ttl()), time.UnixMicro(exp), en == 1
	if !ss.Enabled || !now.Before(ss.IdleUntil) || !now.Before(ss.Expires) {
		return Session{}, ErrNoSession
	}
	next := now.Add(s.idle())
	if next.After(ss.Expires) {
		next = ss.Expires
	}
	q := `UPDATE web_sessions SET expires_at = $1 WHERE id_hash = $2 AND expires_at < $1`
	switch {
	case ss.IdleUntil.After(next):
		q = `UPDATE web_sessions SET expires_at = $1 WHERE id_hash = $2 AND expires_at > $1`
	case next.Sub(ss.IdleUntil) < touchStep:
		return ss, nil
	}
	_, err = s.db.SQL().ExecContext(ctx, q, next.UnixMicro(), hashID(id))
	if err != nil {
		return Session{}, fmt.Errorf("account: session activity: %w", err)
	}
	ss.IdleUntil = next
	return ss, nil
}

// touchStep is the least a lookup must move the idle deadline to be
// written.
const touchStep = time.Minute

// PurgeSessions deletes the sessions that have ended (idle or past their
// absolute end) and returns how many it deleted.
func (s *Store) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.Now()
	res, err := s.db.SQL().ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1 OR created_at <= $2`,
		now.UnixMicro(), now.Add(-s.ttl()).UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("account: purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// Exists reports whether an account with this user name exists.
func (s *Store) Exists(ctx context.Context, username string) (bool, error) {
	var n int
	err := s.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE username = $1`, strings.ToLower(username)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("account: exists: %w", err)
	}
	return n > 0, nil
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, id string) error {
	_, err := s.db.SQL().ExecContext(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, hashID(id))
	return err
}

func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}
