package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cnskiosk.dev/shared/wire"
)

// HealthEvery is how often a health row is written for a device whose
// health did not change: a row is written at a change (presence,
// firmware, applied config, reader, printer, payment, outbox depth) and
// otherwise at most once per HealthEvery, instead of one per heartbeat.
const HealthEvery = 15 * time.Minute

// HealthKeep is how long health rows are kept ([Fleet.PruneHealth]).
const HealthKeep = 7 * 24 * time.Hour

// Health is one entry of a device's health history.
type Health struct {
	At            time.Time `json:"at"`
	Online        bool      `json:"online"`
	Firmware      string    `json:"firmware"`
	ConfigVersion int64     `json:"config_version"`
	Reader        string    `json:"reader"`
	Printer       string    `json:"printer"`
	Payment       string    `json:"payment"`
	OutboxDepth   int       `json:"outbox_depth"`

	key int64 // the row's key in device_health (see [Health.Cursor])
}

// same reports whether h and o say the same (their times and keys apart).
func (h Health) same(o Health) bool {
	h.At, o.At = time.Time{}, time.Time{}
	h.key, o.key = 0, 0
	return h == o
}

// ObserveState records a state message of dev sent at at: presence,
// latest health and the config it refused, if any, on the device row, and
// a row of history when the health changed or HealthEvery passed since
// the last one. A last will (Online false) only marks the device offline
// (its history row keeps the last health known).
func (f *Fleet) ObserveState(ctx context.Context, dev string, at time.Time, s wire.State) error {
	now := f.now()
	return f.db.InTx(ctx, func(tx *sql.Tx) error {
		last, wrote, err := lastHealth(ctx, tx, dev)
		if err != nil {
			return err
		}
		cur := Health{At: at, Online: s.Online, Firmware: s.Firmware, ConfigVersion: s.ConfigVersion,
			Reader: s.Reader, Printer: s.Printer, Payment: s.Payment, OutboxDepth: s.OutboxDepth}
		if !s.Online {
			cur = last
			cur.At, cur.Online = at, false
		}
		record := wrote.IsZero() || now.Sub(wrote) >= HealthEvery || now.Before(wrote) || !cur.same(last)
		healthAt := any(nil)
		if record {
			healthAt = micros(now)
		}
		if s.Online {
			_, err = tx.ExecContext(ctx, `UPDATE devices SET online = 1, last_seen = $1, firmware = $2,
				reader = $3, printer = $4, payment = $5, outbox_depth = $6, reported_version = $7,
				rejected_version = $8, rejected_reason = $9, health_at = COALESCE($10, health_at) WHERE id = $11`,
				micros(now), s.Firmware, s.Reader, s.Printer, s.Payment, s.OutboxDepth, s.ConfigVersion,
				s.RejectedVersion, s.RejectedReason, healthAt, dev)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE devices SET online = 0, health_at = COALESCE($1, health_at) WHERE id = $2`,
				healthAt, dev)
		}
		if err != nil {
			return fmt.Errorf("fleet: state of %s: %w", dev, err)
		}
		if !record {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_health (dev, at, online, firmware, config_version,
			reader, printer, payment, outbox_depth) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			dev, micros(at), boolInt(cur.Online), cur.Firmware, cur.ConfigVersion, cur.Reader, cur.Printer, cur.Payment, cur.OutboxDepth)
		if err != nil {
			return fmt.Errorf("fleet: health of %s: %w", dev, err)
		}
		return nil
	})
}

// lastHealth reads the health on the device row and when its last health
// row was written (zero: never).
func lastHealth(ctx context.Context, tx *sql.Tx, dev string) (Health, time.Time, error) {
	var h Health
	var online int
	var wrote sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT online, firmware, reported_version, reader, printer, payment, outbox_depth,
		health_at FROM devices WHERE id = $1`, dev).Scan(&online, &h.Firmware, &h.ConfigVersion, &h.Reader, &h.Printer,
		&h.Payment, &h.OutboxDepth, &wrote)
	if errors.Is(err, sql.ErrNoRows) {
		return h, time.Time{}, fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
	}
	if err != nil {
		return h, time.Time{}, fmt.Errorf("fleet: state of %s: %w", dev, err)
	}
	h.Online = online == 1
	if !wrote.Valid {
		return h, time.Time{}, nil
	}
	return h, fromMicros(wrote.Int64), nil
}
