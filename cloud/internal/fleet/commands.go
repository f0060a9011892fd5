package fleet

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"cnskiosk.dev/shared/wire"
)

// CommandRecord is a command sent to a device and what became of it.
type CommandRecord struct {
	wire.Command
	Dev      string    `json:"dev"`
	Created  time.Time `json:"created"`
	Status   string    `json:"status"` // "sent", "done", "failed", "expired", "unknown"
	Detail   string    `json:"detail"`
	ResultAt time.Time `json:"result_at,omitzero"`
	SentBy   string    `json:"sent_by"` // Actor of the context it was sent with
}

// SendCommand records command name for dev, valid for ttl, with [Actor] of
// ctx as its sender, and publishes it (QoS 1, not retained: the broker
// keeps it in the session of a kiosk that is away, see docs/fleet.md). A
// disabled device gets none: ErrDisabled, nothing recorded, since its
// connections are refused and its session was dropped.
func (f *Fleet) SendCommand(ctx context.Context, dev, name string, args json.RawMessage, ttl time.Duration) (wire.Command, error) {
	d, err := f.Get(ctx, dev)
	if err != nil {
		return wire.Command{}, err
	}
	if !d.Enabled {
		return wire.Command{}, fmt.Errorf("%w: %s: command %s not sent", ErrDisabled, dev, name)
	}
	now := f.now()
	c := wire.Command{CmdID: wire.NewID(now), Name: name, Args: args, Expires: now.Add(ttl).UTC().Truncate(time.Millisecond)}
	if err := c.Validate(); err != nil || ttl <= 0 {
		return wire.Command{}, fmt.Errorf("%w: command: %v", ErrInvalid, err)
	}
	_, err = f.db.SQL().ExecContext(ctx, `INSERT INTO device_commands (cmd_id, dev, name, args, created_at, expires_at, sent_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.CmdID, dev, name, string(args), micros(now), micros(c.Expires), Actor(ctx))
	if err != nil {
		return wire.Command{}, fmt.Errorf("fleet: command for %s: %w", dev, err)
	}
	env, err := wire.New(dev, 0, wire.TypeCmd, now, c)
	if err != nil {
		return wire.Command{}, fmt.Errorf("fleet: command envelope: %w", err)
	}
	b, err := env.Encode()
	if err != nil {
		return wire.Command{}, err
	}
	return c, f.publish(ctx, wire.Topic(dev, wire.ChanCmd), b, false)
}

// CommandResult records the result dev reported for one of its commands.
func (f *Fleet) CommandResult(ctx context.Context, dev string, r wire.CommandResult) error {
	res, err := f.db.SQL().ExecContext(ctx, `UPDATE device_commands SET status = $1, detail = $2, result_at = $3
		WHERE cmd_id = $4 AND dev = $5`, r.Status, r.Detail, micros(f.now()), r.CmdID, dev)
	if err != nil {
		return fmt.Errorf("fleet: command result: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s for %s", ErrUnknownCmd, r.CmdID, dev)
	}
	return nil
}

// Commands returns the latest commands of dev, newest first. A command
// still "sent" after its expiry is reported "expired".
func (f *Fleet) Commands(ctx context.Context, dev string, limit int) ([]CommandRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT cmd_id, name, args, created_at, expires_at, status, detail,
		result_at, sent_by FROM device_commands WHERE dev = $1 ORDER BY created_at DESC LIMIT `+fmt.Sprint(limit), dev)
	if err != nil {
		return nil, fmt.Errorf("fleet: commands of %s: %w", dev, err)
	}
	defer rows.Close()
	var out []CommandRecord
	now := f.now()
	for rows.Next() {
		var c CommandRecord
		var args string
		var created, expires int64
		var resAt sql.NullInt64
		if err := rows.Scan(&c.CmdID, &c.Name, &args, &created, &expires, &c.Status, &c.Detail, &resAt, &c.SentBy); err != nil {
			return nil, fmt.Errorf("fleet: commands of %s: %w", dev, err)
		}
		c.Dev, c.Created, c.Expires = dev, fromMicros(created), fromMicros(expires)
		if args != "" {
			c.Args = json.RawMessage(args)
		}
		if resAt.Valid {
			c.ResultAt = fromMicros(resAt.Int64)
		}
		if c.Status == "sent" && now.After(c.Expires) {
			c.Status = "expired"
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
