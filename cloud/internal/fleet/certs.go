package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// Role is what a certificate may do on the broker.
type Role string

// Certificate roles.
const (
	RoleDevice Role = "device" // a kiosk: its own topics only
	RoleCloud  Role = "cloud"  // a cmsd instance: every device topic, shared subscriptions
)

// Provision registers device d (if new), issues its client certificate
// from ca, revokes the certificates issued to it before, and records the
// new serial.
func (f *Fleet) Provision(ctx context.Context, ca *pki.CA, d Device, validity time.Duration) (pki.Issued, error) {
	if err := f.Register(ctx, d); err != nil && !errors.Is(err, ErrExists) {
		return pki.Issued{}, err
	}
	is, err := ca.IssueClient(d.ID, f.now(), validity)
	if err != nil {
		return pki.Issued{}, err
	}
	return is, f.RecordCert(ctx, d.ID, RoleDevice, is, true)
}

// IssueCloud issues and records a client certificate for a cloud instance.
func (f *Fleet) IssueCloud(ctx context.Context, ca *pki.CA, cn string, validity time.Duration) (pki.Issued, error) {
	is, err := ca.IssueClient(cn, f.now(), validity)
	if err != nil {
		return pki.Issued{}, err
	}
	return is, f.RecordCert(ctx, cn, RoleCloud, is, false)
}

// RecordCert records an issued certificate; with replace, the certificates
// issued to the same CN before are revoked in the same transaction.
func (f *Fleet) RecordCert(ctx context.Context, cn string, role Role, is pki.Issued, replace bool) error {
	now := micros(f.now())
	err := f.db.InTx(ctx, func(tx *sql.Tx) error {
		if replace {
			if _, err := tx.ExecContext(ctx, `UPDATE fleet_certs SET revoked_at = $1
				WHERE cn = $2 AND revoked_at IS NULL`, now, cn); err != nil {
				return fmt.Errorf("fleet: revoke old certificates: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO fleet_certs (serial, cn, role, issued_at, not_after)
			VALUES ($1, $2, $3, $4, $5)`, is.Serial, cn, string(role), now, micros(is.NotAfter()))
		if err != nil {
			return fmt.Errorf("fleet: record certificate: %w", err)
		}
		return nil
	})
	if err == nil && replace {
		f.crlChange()
	}
	return err
}

// Revoke revokes the certificate with serial: the broker refuses it from
// the next connection. When its Common Name is left with no valid
// certificate, the Kicker (the embedded broker) also drops that name's
// live connection and kept session at once, so that nothing queued for it
// is delivered over the revoked certificate. When another valid
// certificate has the same name (the cmsd instances share one), nothing
// is kicked: the broker sees names, not serials, and kicking would drop
// the clients of the valid certificates and their queues, and race with
// their reconnection.
func (f *Fleet) Revoke(ctx context.Context, serial string) error {
	var cn string
	now := micros(f.now())
	err := f.db.SQL().QueryRowContext(ctx, `UPDATE fleet_certs SET revoked_at = $1
		WHERE serial = $2 AND revoked_at IS NULL RETURNING cn`, now, serial).Scan(&cn)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrUnknownCert, serial)
	}
	if err != nil {
		return fmt.Errorf("fleet: revoke: %w", err)
	}
	var valid int
	if err := f.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM fleet_certs
		WHERE cn = $1 AND revoked_at IS NULL AND not_after > $2`, cn, now).Scan(&valid); err != nil {
		return fmt.Errorf("fleet: revoke: %w", err)
	}
	f.crlChange()
	f.log.Info("certificate revoked", "serial", serial, "cn", cn, "valid_left", valid)
	if valid > 0 {
		return nil
	}
	f.mu.Lock()
	k := f.kicker
	f.mu.Unlock()
	if k != nil {
		k.Kick(cn)
	}
	return nil
}

// Admit decides whether a client presenting a verified certificate with
// Common Name cn and serial may connect, and with which role.
func (f *Fleet) Admit(ctx context.Context, cn, serial string) (Role, error) {
	var role string
	var revoked sql.NullInt64
	var notAfter int64
	err := f.db.SQL().QueryRowContext(ctx, `SELECT role, revoked_at, not_after FROM fleet_certs
		WHERE serial = $1 AND cn = $2`, serial, cn).Scan(&role, &revoked, &notAfter)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("%w: %s serial %s", ErrUnknownCert, cn, serial)
	case err != nil:
		return "", fmt.Errorf("fleet: admit: %w", err)
	case revoked.Valid:
		return "", fmt.Errorf("%w: %s serial %s", ErrRevoked, cn, serial)
	case micros(f.now()) > notAfter:
		return "", fmt.Errorf("%w: %s serial %s expired", ErrRevoked, cn, serial)
	}
	if Role(role) == RoleCloud {
		return RoleCloud, nil
	}
	ok, err := f.enabledNow(ctx, cn)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrDisabled, cn)
	}
	return RoleDevice, nil
}

// Disable disables device id: its next connection is refused, its messages
// are rejected, and its current connection is dropped.
func (f *Fleet) Disable(ctx context.Context, id string) error {
	if err := f.setEnabled(ctx, id, false); err != nil {
		return err
	}
	f.mu.Lock()
	k := f.kicker
	f.mu.Unlock()
	if k != nil {
		k.Kick(id)
	}
	f.log.Info("device disabled", "dev", id)
	return nil
}

// Enable enables device id again.
func (f *Fleet) Enable(ctx context.Context, id string) error {
	return f.setEnabled(ctx, id, true)
}

func (f *Fleet) setEnabled(ctx context.Context, id string, on bool) error {
	var disabledAt any
	if !on {
		disabledAt = micros(f.now())
	}
	res, err := f.db.SQL().ExecContext(ctx, `UPDATE devices SET enabled = $1, disabled_at = $2 WHERE id = $3`,
		boolInt(on), disabledAt, id)
	if err != nil {
		return fmt.Errorf("fleet: set enabled %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrUnknownDevice, id)
	}
	f.setLocal(id, on)
	f.crlChange()
	return nil
}
