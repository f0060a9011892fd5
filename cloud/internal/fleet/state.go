package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cnskiosk.dev/shared/wire"
)

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
}

// ObserveState records a state message of dev sent at at: presence,
// latest health and the config it refused, if any, on the device row, and one row of history. A last will
// (Online false) only marks the device offline.
func (f *Fleet) ObserveState(ctx context.Context, dev string, at time.Time, s wire.State) error {
	now := micros(f.now())
	return f.db.InTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if s.Online {
			res, err = tx.ExecContext(ctx, `UPDATE devices SET online = 1, last_seen = $1, firmware = $2,
				reader = $3, printer = $4, payment = $5, outbox_depth = $6, reported_version = $7,
				rejected_version = $8, rejected_reason = $9 WHERE id = $10`,
				now, s.Firmware, s.Reader, s.Printer, s.Payment, s.OutboxDepth, s.ConfigVersion,
				s.RejectedVersion, s.RejectedReason, dev)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE devices SET online = 0 WHERE id = $1`, dev)
		}
		if err != nil {
			return fmt.Errorf("fleet: state of %s: %w", dev, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_health (dev, at, online, firmware, config_version,
			reader, printer, payment, outbox_depth) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			dev, micros(at), boolInt(s.Online), s.Firmware, s.ConfigVersion, s.Reader, s.Printer, s.Payment, s.OutboxDepth)
		if err != nil {
			return fmt.Errorf("fleet: health of %s: %w", dev, err)
		}
		return nil
	})
}

// History returns the health entries of dev since since, newest first, at
// most limit (default 100).
func (f *Fleet) History(ctx context.Context, dev string, since time.Time, limit int) ([]Health, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT at, online, firmware, config_version, reader, printer,
		payment, outbox_depth FROM device_health WHERE dev = $1 AND at >= $2 ORDER BY at DESC LIMIT `+fmt.Sprint(limit),
		dev, micros(since))
	if err != nil {
		return nil, fmt.Errorf("fleet: history of %s: %w", dev, err)
	}
	defer rows.Close()
	var out []Health
	for rows.Next() {
		var h Health
		var at int64
		var online int
		if err := rows.Scan(&at, &online, &h.Firmware, &h.ConfigVersion, &h.Reader, &h.Printer,
			&h.Payment, &h.OutboxDepth); err != nil {
			return nil, fmt.Errorf("fleet: history of %s: %w", dev, err)
		}
		h.At, h.Online = fromMicros(at), online == 1
		out = append(out, h)
	}
	return out, rows.Err()
}
