package fleet

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"cnskiosk.dev/shared/wire"
)

// SetConfig checks c ([ValidateConfig]) and stores it as the desired
// configuration of dev with the next version, and publishes it retained on
// the device's config topic. The stored config stays the desired one even
// if publishing fails; Republish sends it again.
//
// What is published is the desired config read again after the commit
// ([Fleet.publishDesired]), so of two edits at once the broker keeps the
// newer, whichever commit finishes publishing first.
//
// The counter of a device has one source of truth, the devices row that
// the engine and operator authentication read: c.Counter is written there
// in the same transaction, and an empty c.Counter keeps the device's
// current counter (and is filled in with it). The config is also added to
// the device's history ([Fleet.ConfigHistory]) with [Actor] of ctx.
func (f *Fleet) SetConfig(ctx context.Context, dev string, c wire.Config) (wire.Config, error) {
	if err := ValidateConfig(c); err != nil {
		return wire.Config{}, err
	}
	err := f.db.InTx(ctx, func(tx *sql.Tx) error {
		// The increment takes the row lock before the version is read, so
		// two edits of one device at once get consecutive versions (a
		// plain SELECT would give both the same under READ COMMITTED).
		var counter string
		err := tx.QueryRowContext(ctx, `UPDATE devices SET desired_version = desired_version + 1
			WHERE id = $1 RETURNING desired_version, counter`, dev).Scan(&c.Version, &counter)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
		}
		if err != nil {
			return fmt.Errorf("fleet: config of %s: %w", dev, err)
		}
		if c.Counter == "" {
			c.Counter = counter
		}
		if c.Counter == "" {
			c.Counter = dev
		}
		raw, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("fleet: config: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE devices SET desired_config = $1, counter = $2, desired_at = $3
			WHERE id = $4`, string(raw), c.Counter, micros(f.now()), dev)
		if err != nil {
			return fmt.Errorf("fleet: config of %s: %w", dev, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO device_config_history (dev, version, config, changed_by, changed_at)
			VALUES ($1, $2, $3, $4, $5)`, dev, c.Version, string(raw), Actor(ctx), micros(f.now()))
		if err != nil {
			return fmt.Errorf("fleet: config history of %s: %w", dev, err)
		}
		return nil
	})
	if err != nil {
		return wire.Config{}, err
	}
	return c, f.publishDesired(ctx, dev)
}

// errStoredConfig: the desired config stored for a device is not JSON
// that decodes.
var errStoredConfig = errors.New("fleet: stored config")

// configLocks holds one mutex per device id: publishDesired of a device
// runs under it.
// publishDesired publishes, retained, the desired config of dev as the
// database holds it now. The read and the publish run under the device's
// mutex, so a publish that starts after a commit sends that version or a
// newer one, and the last publish of this process is the newest version:
// an older config cannot overwrite a newer one on the broker because its
// publish was late.
func (f *Fleet) publishDesired(ctx context.Context, dev string) error {
	m, _ := f.configLocks.LoadOrStore(dev, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	c, err := f.Config(ctx, dev)
	if err != nil {
		return err
	}
	if c.Version == 0 {
		return nil
	}
	return f.publishConfig(ctx, dev, c)
}

// Config returns the desired configuration of dev (Version 0: none set).
func (f *Fleet) Config(ctx context.Context, dev string) (wire.Config, error) {
	var raw string
	err := f.db.SQL().QueryRowContext(ctx, `SELECT desired_config FROM devices WHERE id = $1`, dev).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return wire.Config{}, fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
	}
	if err != nil || raw == "" {
		return wire.Config{}, err
	}
	var c wire.Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return wire.Config{}, fmt.Errorf("%w of %s: %w", errStoredConfig, dev, err)
	}
	return c, nil
}

// Republish publishes again, retained, the desired configuration of every
// device that has one (at start, since an embedded broker keeps retained
// messages in memory only). Each is read again under the device's mutex
// ([Fleet.publishDesired]), so an edit made meanwhile is not overwritten;
// a stored config that cannot be read is logged and skipped.
func (f *Fleet) Republish(ctx context.Context) (int, error) {
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT id FROM devices WHERE desired_version > 0`)
	if err != nil {
		return 0, fmt.Errorf("fleet: republish: %w", err)
	}
	var devs []string
	for rows.Next() {
		var dev string
		if err := rows.Scan(&dev); err != nil {
			rows.Close()
			return 0, fmt.Errorf("fleet: republish: %w", err)
		}
		devs = append(devs, dev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("fleet: republish: %w", err)
	}
	n := 0
	for _, dev := range devs {
		err := f.publishDesired(ctx, dev)
		if errors.Is(err, errStoredConfig) {
			f.log.Warn("config not republished", "dev", dev, "err", err)
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (f *Fleet) publishConfig(ctx context.Context, dev string, c wire.Config) error {
	env, err := wire.New(dev, 0, wire.TypeConfig, f.now(), c)
	if err != nil {
		return fmt.Errorf("fleet: config envelope: %w", err)
	}
	b, err := env.Encode()
	if err != nil {
		return err
	}
	return f.publish(ctx, wire.Topic(dev, wire.ChanConfig), b, true)
}

// ConfigChange is one desired config stored for a device, and by whom.
type ConfigChange struct {
	Version   int64       `json:"version"`
	Config    wire.Config `json:"config"`
	ChangedBy string      `json:"changed_by"`
	ChangedAt time.Time   `json:"changed_at"`
}

// ConfigHistory returns the configs stored for dev, newest first, at most
// limit (default 20).
func (f *Fleet) ConfigHistory(ctx context.Context, dev string, limit int) ([]ConfigChange, error) {
	if limit <= 0 || limit > 1000 {
		limit = 20
	}
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT version, config, changed_by, changed_at FROM device_config_history
		WHERE dev = $1 ORDER BY version DESC LIMIT `+fmt.Sprint(limit), dev)
	if err != nil {
		return nil, fmt.Errorf("fleet: config history of %s: %w", dev, err)
	}
	defer rows.Close()
	var out []ConfigChange
	for rows.Next() {
		var c ConfigChange
		var raw string
		var at int64
		if err := rows.Scan(&c.Version, &raw, &c.ChangedBy, &at); err != nil {
			return nil, fmt.Errorf("fleet: config history of %s: %w", dev, err)
		}
		if err := json.Unmarshal([]byte(raw), &c.Config); err != nil {
			return nil, fmt.Errorf("fleet: config history of %s, version %d: %w", dev, c.Version, err)
		}
		c.ChangedAt = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
