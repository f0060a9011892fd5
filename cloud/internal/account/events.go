package account

import (
	"context"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
)

// Event is one entry of the console's own log (sign-ins, password
// changes, accounts enabled or disabled). It never holds a password.
type Event struct {
	At       time.Time `json:"at"`
	Username string    `json:"username"`
	Client   string    `json:"client"`
	Action   string    `json:"action"`
	Detail   string    `json:"detail"`
}

// Console event actions.
const (
	EvSignIn         = "signin"
	EvSignInRefused  = "signin_refused"
	EvSignInLocked   = "signin_locked"
	EvPasswordChange = "password_changed"
	EvPasswordReset  = "password_reset"
	EvEnabled        = "account_enabled"
	EvDisabled       = "account_disabled"
)

// Log appends an event; At zero means now.
func (s *Store) Log(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	if len(e.Username) > 64 {
		e.Username = e.Username[:64]
	}
	_, err := s.db.SQL().ExecContext(ctx, `INSERT INTO console_events (id, at, username, client, action, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		ulid.Make().String(), e.At.UnixMicro(), e.Username, e.Client, e.Action, e.Detail)
	if err != nil {
		return fmt.Errorf("account: log event: %w", err)
	}
	return nil
}

// Events returns the newest events, at most limit (1..1000).
func (s *Store) Events(ctx context.Context, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT at, username, client, action, detail FROM console_events ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("account: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&at, &e.Username, &e.Client, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("account: events: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
