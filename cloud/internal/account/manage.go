package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SetEnabled enables or disables an account; disabling ends its sessions.
func (s *Store) SetEnabled(ctx context.Context, username string, enabled bool) error {
	username = strings.ToLower(username)
	en := 0
	if enabled {
		en = 1
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.update(ctx, tx, `UPDATE accounts SET enabled = $1, updated_at = $2 WHERE username = $3`,
			en, s.Now().UnixMicro(), username); err != nil {
			return err
		}
		if enabled {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE username = $1`, username)
		return err
	})
}

// SetPassword replaces an account's password (an administrator's reset)
// and ends all its sessions.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	return s.setPassword(ctx, strings.ToLower(username), password, "")
}

// ChangePassword is the user's own change: it checks the current password,
// sets the new one and ends every other session of the account (keep is
// the cookie value of the session making the change).
func (s *Store) ChangePassword(ctx context.Context, username, current, next, keep string) error {
	var hash string
	err := s.db.SQL().QueryRowContext(ctx, `SELECT pw_hash FROM accounts WHERE username = $1 AND enabled = 1`, username).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrCredentials
	}
	if err != nil {
		return fmt.Errorf("account: change password: %w", err)
	}
	if !CheckPassword(hash, current) {
		return ErrCredentials
	}
	if current == next {
		return fmt.Errorf("%w: the new password must differ from the current one", ErrPassword)
	}
	return s.setPassword(ctx, username, next, hashID(keep))
}

func (s *Store) setPassword(ctx context.Context, username, password, keepHash string) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.update(ctx, tx, `UPDATE accounts SET pw_hash = $1, updated_at = $2 WHERE username = $3`,
			h, s.Now().UnixMicro(), username); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE username = $1 AND id_hash <> $2`, username, keepHash)
		return err
	})
}

// update runs one UPDATE of accounts and reports ErrUnknown when it
// matched no row.
func (s *Store) update(ctx context.Context, tx *sql.Tx, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("account: update: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: %v", ErrUnknown, args[len(args)-1])
	}
	return nil
}
